package metrics

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// RegisterBuildInfo registers zgate_build_info, a gauge always 1 whose
// labels name the running build, so that dashboards can tell which
// version each replica runs and join it onto other series.
func RegisterBuildInfo(reg prometheus.Registerer, version, revision, goVersion string) error {
	g := prometheus.NewGauge(prometheus.GaugeOpts{
		Name:        "zgate_build_info",
		Help:        "Always 1; the labels name the build: version, VCS revision and Go version.",
		ConstLabels: prometheus.Labels{"version": version, "revision": revision, "goversion": goVersion},
	})
	g.Set(1)
	if err := reg.Register(g); err != nil {
		return fmt.Errorf("register zgate_build_info: %w", err)
	}
	return nil
}
