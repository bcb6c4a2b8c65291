package app

import (
	"errors"
	"testing"
	"time"
)

func TestOptionsCheck(t *testing.T) {
	full := func() Options {
		return Options{AppID: 1, PrivateKey: []byte("k"), WebhookSecret: Secret("s")}
	}
	tests := []struct {
		name    string
		edit    func(*Options)
		wantErr bool
	}{
		{"complete", func(*Options) {}, false},
		{"no app id", func(o *Options) { o.AppID = 0 }, true},
		{"no key", func(o *Options) { o.PrivateKey = nil }, true},
		{"no secret", func(o *Options) { o.WebhookSecret = nil }, true},
		{"negative sweep", func(o *Options) { o.SweepInterval = -time.Second }, true},
		{"negative redelivery interval", func(o *Options) { o.RedeliveryInterval = -time.Second }, true},
		{"negative prune interval", func(o *Options) { o.PruneInterval = -time.Second }, true},
		{"retention shorter than the redelivery window", func(o *Options) {
			o.DeliveryRetention, o.RedeliveryWindow = time.Hour, 2*time.Hour
		}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := full()
			tt.edit(&o)
			err := o.Check()
			if got := err != nil; got != tt.wantErr {
				t.Fatalf("Check() = %v, want error %v", err, tt.wantErr)
			}
			if err != nil && !errors.Is(err, ErrConfig) {
				t.Errorf("Check() = %v, want it to wrap ErrConfig", err)
			}
			if err == nil && (o.Listen != DefaultListen || o.Database != DefaultDatabase || o.GitHubURL != DefaultGitHubURL || o.Logger == nil || o.Registerer == nil || o.Gatherer == nil) {
				t.Errorf("Check() left defaults unset: %+v", o)
			}
		})
	}
}

func TestSecretsPrintRedacted(t *testing.T) {
	s := Secret("hunter2")
	if got := s.String(); got != "REDACTED" {
		t.Errorf("Secret.String() = %q, want REDACTED", got)
	}
	if got := s.LogValue().String(); got != "REDACTED" {
		t.Errorf("Secret.LogValue() = %q, want REDACTED", got)
	}
}

func TestRedactDSN(t *testing.T) {
	tests := []struct{ in, want string }{
		{"sqlite:zgate.db", "sqlite:zgate.db"},
		{"postgres://zgate:secret@db:5432/zgate", "postgres://zgate:xxxxx@db:5432/zgate"},
	}
	for _, tt := range tests {
		if got := redactDSN(tt.in); got != tt.want {
			t.Errorf("redactDSN(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
