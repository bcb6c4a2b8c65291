package server

import (
	"encoding/json"
	"net/http"

	"github.com/zgate-dev/zgate/buildinfo"
)

// health is /healthz's answer: the process serves, and which build it is,
// so that a rollout can be watched replica by replica.
type health struct {
	Status string `json:"status"`
	buildinfo.Info
}

func (s *Server) healthz(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	b, _ := json.Marshal(health{Status: "ok", Info: s.cfg.Build}) // cannot fail: strings and a bool
	_, _ = w.Write(append(b, '\n'))
}
