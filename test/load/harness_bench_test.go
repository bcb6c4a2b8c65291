package load

import (
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/bradleyfalzon/ghinstallation/v2"
)

// BenchmarkHarnessReviewEvent is what one review event of BenchmarkLoad
// costs the test process (the simulator and the observer), without zgate:
// the review and its delivery through the observer (to a receiver that
// only reads it), then the App's calls as zgate makes them per event
// (docs/performance.md) through the observed server: the base ref, the
// pull request and its files answered 304, the reviews, the check run's
// PATCH. The client and the receiver stand in for zgate and run in the
// process too; their share is the same before and after a change.
func BenchmarkHarnessReviewEvent(b *testing.B) {
	const prs = 300
	w := newWorld(b, prs)
	recv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		rw.WriteHeader(http.StatusAccepted)
	}))
	b.Cleanup(recv.Close)
	w.sim.SetWebhookURL(recv.URL + "/webhook")
	_, key := binary(b)
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
	itr, err := ghinstallation.New(http.DefaultTransport, appID, w.sim.InstallationID(owner), keyPEM)
	must(b, err)
	itr.BaseURL = w.simURL + "/api/v3"
	client := &http.Client{Transport: itr}
	call := func(method, path, etag, body string) (int, string, []byte) {
		req, err := http.NewRequest(method, w.simURL+"/api/v3/repos/"+owner+"/"+repoName+"/"+path, strings.NewReader(body))
		must(b, err)
		if etag != "" {
			req.Header.Set("If-None-Match", etag)
		}
		resp, err := client.Do(req)
		must(b, err)
		defer resp.Body.Close()
		out, err := io.ReadAll(resp.Body)
		must(b, err)
		if resp.StatusCode >= 400 {
			b.Fatalf("%s %s = %d: %s", method, path, resp.StatusCode, out)
		}
		return resp.StatusCode, resp.Header.Get("ETag"), out
	}
	runs := make([]string, prs)
	tags := make([][2]string, prs)
	for i := range prs {
		_, _, out := call(http.MethodPost, "check-runs", "", `{"name":"`+gateCheck+`","head_sha":"`+w.heads[i]+`","status":"completed","conclusion":"neutral"}`)
		var run struct{ ID int64 }
		must(b, json.Unmarshal(out, &run))
		runs[i] = strconv.FormatInt(run.ID, 10)
		n := strconv.Itoa(i + 1)
		_, tags[i][0], _ = call(http.MethodGet, "pulls/"+n, "", "")
		_, tags[i][1], _ = call(http.MethodGet, "pulls/"+n+"/files", "", "")
	}
	w.sim.WaitDeliveries()
	cpu0 := selfCPU(b)
	i := 0
	for b.Loop() {
		k := i % prs
		n := strconv.Itoa(k + 1)
		state := "APPROVE"
		if w.flip(k + 1) {
			state = "REQUEST_CHANGES"
		}
		if _, err := w.sim.SubmitReview(owner, repoName, k+1, "carol", state, ""); err != nil {
			b.Fatal(err)
		}
		call(http.MethodGet, "git/ref/heads/main", "", "")
		// The App keeps the ETags of its last answers (the check run's
		// first failure blocks the pull request and changes its answer).
		if code, tag, _ := call(http.MethodGet, "pulls/"+n, tags[k][0], ""); code == http.StatusOK {
			tags[k][0] = tag
		}
		if code, tag, _ := call(http.MethodGet, "pulls/"+n+"/files", tags[k][1], ""); code == http.StatusOK {
			tags[k][1] = tag
		}
		call(http.MethodGet, "pulls/"+n+"/reviews?per_page=100", "", "")
		call(http.MethodPatch, "check-runs/"+runs[k], "",
			`{"name":"`+gateCheck+`","status":"completed","conclusion":"failure","output":{"title":"1 of 2 approvals","summary":"review `+strconv.Itoa(i)+`"}}`)
		i++
	}
	w.sim.WaitDeliveries()
	b.ReportMetric(float64((selfCPU(b)-cpu0).Microseconds())/float64(b.N), "cpu-µs/event")
}
