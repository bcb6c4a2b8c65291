package githubsim

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"testing"
)

// TestCreateAttestation: an uploaded bundle is served back under the
// sha256 digest of each subject of its statement, as GitHub indexes it.
func TestCreateAttestation(t *testing.T) {
	e := newEnv(t, Options{})
	statement := `{"_type":"https://in-toto.io/Statement/v1","subject":[` +
		`{"name":"git+https://github.com/acme/payments@aa","digest":{"sha256":"1111111111111111111111111111111111111111111111111111111111111111"}},` +
		`{"name":"git+https://github.com/acme/payments@bb","digest":{"sha256":"2222222222222222222222222222222222222222222222222222222222222222","gitCommit":"bb"}}],` +
		`"predicateType":"https://zgate.dev/gate-decision/v1","predicate":{}}`
	bundle := json.RawMessage(`{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","verificationMaterial":{},"dsseEnvelope":{"payload":"` +
		base64.StdEncoding.EncodeToString([]byte(statement)) + `","payloadType":"application/vnd.in-toto+json","signatures":[]}}`)

	post := func(body any) (int, int64) {
		req, err := e.gh.NewRequest(http.MethodPost, "repos/acme/payments/attestations", body)
		must(t, err)
		var out struct {
			ID int64 `json:"id"`
		}
		resp, err := e.gh.Do(context.Background(), req, &out)
		if err != nil {
			return statusOf(resp), 0
		}
		return resp.StatusCode, out.ID
	}
	if code, id := post(map[string]any{"bundle": bundle}); code != http.StatusCreated || id == 0 {
		t.Fatalf("POST attestations = %d, id %d; want 201 and an id", code, id)
	}
	for _, d := range []string{"sha256:" + "1111111111111111111111111111111111111111111111111111111111111111", "sha256:" + "2222222222222222222222222222222222222222222222222222222222222222"} {
		req, err := e.gh.NewRequest(http.MethodGet, "repos/acme/payments/attestations/"+d+"?predicate_type=https://zgate.dev/gate-decision/v1", nil)
		must(t, err)
		var body struct {
			Attestations []struct {
				Bundle json.RawMessage `json:"bundle"`
			} `json:"attestations"`
		}
		if _, err := e.gh.Do(context.Background(), req, &body); err != nil || len(body.Attestations) != 1 || string(body.Attestations[0].Bundle) != string(bundle) {
			t.Errorf("GET attestations/%s = %v, %d bundles; want the uploaded one", d, err, len(body.Attestations))
		}
	}
	tests := []struct {
		name string
		body any
		want int
	}{
		{"no bundle", map[string]any{}, http.StatusUnprocessableEntity},
		{"message signature", map[string]any{"bundle": map[string]any{"mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json", "messageSignature": map[string]string{}}}, http.StatusUnprocessableEntity},
	}
	for _, tc := range tests {
		if code, _ := post(tc.body); code != tc.want {
			t.Errorf("%s: POST attestations = %d, want %d", tc.name, code, tc.want)
		}
	}
}
