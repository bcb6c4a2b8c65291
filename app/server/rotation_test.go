package server

import (
	"net/http"
	"testing"
)

func TestWebhookSecretRotation(t *testing.T) {
	body := readPayload(t, "pull_request_opened.json")
	previous := []byte("old-s3cret")
	tests := []struct {
		name     string
		previous []byte
		signer   []byte
		want     int
	}{
		{"current secret", previous, testSecret, http.StatusAccepted},
		{"previous secret during the grace", previous, previous, http.StatusAccepted},
		{"forged with another secret", previous, []byte("guess"), http.StatusUnauthorized},
		{"previous secret after the grace", nil, previous, http.StatusUnauthorized},
		{"empty secret", previous, []byte{}, http.StatusUnauthorized},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := newTestServerWith(t, func(c *Config) { c.PreviousSecret = tt.previous })
			rec := post(t, s.Handler(), "pull_request", "d-rot-"+string(rune('a'+i)), body, Sign(tt.signer, body))
			if rec.Code != tt.want {
				t.Errorf("status = %d, want %d; body %s", rec.Code, tt.want, rec.Body)
			}
		})
	}
}
