package main

import (
	"errors"
	"log/slog"
	"testing"

	"github.com/zgate-dev/zgate/app"
	"github.com/zgate-dev/zgate/app/tracing"
)

func TestStartTracing(t *testing.T) {
	log := slog.New(slog.DiscardHandler)
	tests := []struct {
		name    string
		env     map[string]string
		on      bool
		wantErr error
	}{
		{"unset: off, options untouched", nil, false, nil},
		{"endpoint: on", map[string]string{envOTLPEndpoint: "http://127.0.0.1:1", envServiceName: "zgate-eu"}, true, nil},
		{"bad endpoint: refused", map[string]string{envOTLPEndpoint: "collector:4318"}, false, tracing.ErrEndpoint},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := app.Options{Logger: log}
			stop, err := startTracing(&o, func(k string) string { return tc.env[k] })
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("startTracing() error = %v, want %v", err, tc.wantErr)
			}
			if err != nil {
				return
			}
			defer stop()
			if got := tracing.Enabled(o.TracerProvider); got != tc.on {
				t.Errorf("tracing enabled = %v, want %v", got, tc.on)
			}
			if (o.Logger != log) != tc.on {
				t.Errorf("logger replaced = %v, want %v (the trace-id handler only when on)", o.Logger != log, tc.on)
			}
		})
	}
}
