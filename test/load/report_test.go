package load

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"
)

// phase is one measured stretch of a run: the cold start, a load rate,
// a sweep.
type phase struct {
	name   string
	events int // review events sent (0 for cold start and sweep)
	prs    int // pull requests evaluated, for the per-PR columns
	wall   time.Duration
	evals  float64
	cpu    time.Duration
	// harness is the CPU the test process (simulator and observer) used
	// in the phase; it must stay well below zgate's.
	harness time.Duration
	rss     int64 // at the end
	peak    int64 // VmHWM: the process's peak so far
	snap    snapshot
}

// per is what calls are divided by: events, or pull requests.
func (ph phase) per() float64 {
	if ph.events > 0 {
		return float64(ph.events)
	}
	return float64(max(ph.prs, 1))
}

func (ph phase) calls() (all, rated int) {
	for _, c := range ph.snap.calls {
		all += c.calls
		rated += c.rated
	}
	return all, rated
}

func (ph phase) percentile(p float64) time.Duration {
	lat := slices.Clone(ph.snap.lat)
	if len(lat) == 0 {
		return 0
	}
	slices.Sort(lat)
	return lat[int(p*float64(len(lat)-1))]
}

func (ph phase) cpuPerEval() time.Duration {
	if ph.evals == 0 {
		return 0
	}
	return time.Duration(float64(ph.cpu) / ph.evals)
}

// harnessPerExchange is the test process's CPU per REST call answered
// and webhook delivered: what the simulator costs, whatever zgate does.
func (ph phase) harnessPerExchange() time.Duration {
	all, _ := ph.calls()
	n := all + ph.snap.deliveries
	if n == 0 {
		return 0
	}
	return ph.harness / time.Duration(n)
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f", float64(d.Microseconds())/1000) }
func mb(b int64) string         { return fmt.Sprintf("%.0f", float64(b)/(1<<20)) }

// writeTable writes the phases of one store as the Markdown tables of
// docs/performance.md.
func writeTable(out io.Writer, store string, phases []phase) {
	fmt.Fprintf(out, "\n### %s\n\n", store)
	fmt.Fprintln(out, "| phase | events | calls/unit | rate-limited/unit | calls/eval | rate-limited/eval | p50 ms | p99 ms | answered | evals | evals/s | CPU ms/eval | wall s | RSS MB | peak RSS MB | lost |")
	fmt.Fprintln(out, "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
	for _, ph := range phases {
		all, rated := ph.calls()
		p50, p99 := "–", "–"
		if ph.events > 0 {
			p50, p99 = ms(ph.percentile(0.50)), ms(ph.percentile(0.99))
		}
		evals := max(ph.evals, 1)
		fmt.Fprintf(out, "| %s | %d | %.2f | %.2f | %.2f | %.2f | %s | %s | %d | %.0f | %.0f | %s | %.1f | %s | %s | %d |\n",
			ph.name, ph.events, float64(all)/ph.per(), float64(rated)/ph.per(), float64(all)/evals, float64(rated)/evals, p50, p99, len(ph.snap.lat),
			ph.evals, ph.evals/ph.wall.Seconds(), ms(ph.cpuPerEval()), ph.wall.Seconds(), mb(ph.rss), mb(ph.peak),
			ph.snap.lost+ph.snap.otherLost)
	}
	fmt.Fprintf(out, "\nCalls by route (per event, or per pull request for cold and sweep; rate-limited in brackets):\n\n")
	fmt.Fprintf(out, "| route | %s |\n|---|%s\n", strings.Join(names(phases), " | "), strings.Repeat("---|", len(phases)))
	routes := map[string]bool{}
	for _, ph := range phases {
		for r := range ph.snap.calls {
			routes[r] = true
		}
	}
	for _, r := range slices.Sorted(maps.Keys(routes)) {
		cells := make([]string, len(phases))
		for i, ph := range phases {
			c := ph.snap.calls[r]
			switch {
			case c.calls == 0:
				cells[i] = "–"
			case float64(c.calls)/ph.per() < 0.005:
				// One-off calls (the installation, the open list).
				cells[i] = fmt.Sprintf("%d in all (%d)", c.calls, c.rated)
			default:
				cells[i] = fmt.Sprintf("%.2f (%.2f)", float64(c.calls)/ph.per(), float64(c.rated)/ph.per())
			}
		}
		name := r
		if name == "" {
			name = "(no route)"
		}
		fmt.Fprintf(out, "| `%s` | %s |\n", name, strings.Join(cells, " | "))
	}
}

func names(phases []phase) []string {
	var out []string
	for _, ph := range phases {
		out = append(out, ph.name)
	}
	return out
}
