package main

import (
	"bufio"
	"context"
	"io"
	"strings"
	"testing"
	"time"
)

// TestDemoKeep checks that `zgate demo --keep` stays up after the flow
// and that the printed `zgate audit verify` works against its database
// meanwhile; Ctrl-C (ctx) then ends it cleanly.
func TestDemoKeep(t *testing.T) {
	if testing.Short() {
		t.Skip("the demo runs the simulator and the App; skipped with -short")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	pr, pw := io.Pipe()
	code := make(chan int, 1)
	go func() {
		code <- run(ctx, env{stdout: pw, stderr: io.Discard, getenv: func(string) string { return "" }}, []string{"demo", "--keep"})
		pw.Close()
	}()
	var verify, appURL string
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if rest, ok := strings.CutPrefix(line, "zgate App (details pages)"); ok {
			appURL = strings.TrimSpace(rest)
		}
		if strings.HasPrefix(line, "zgate audit verify --database ") {
			verify = line
			break
		}
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	if verify == "" || !strings.HasPrefix(appURL, "http://127.0.0.1:") {
		t.Fatalf("demo --keep printed no audit verify command (%q) or App URL (%q)", verify, appURL)
	}
	c, out, errOut := runCmd(t, "", nil, strings.Fields(verify)[1:]...)
	if c != exitOK || !strings.HasPrefix(out, "audit log OK:") {
		t.Errorf("%s = %d\n%s%s", verify, c, out, errOut)
	}
	select {
	case c := <-code:
		t.Fatalf("demo --keep ended (exit %d) before Ctrl-C", c)
	case <-time.After(200 * time.Millisecond):
	}
	cancel()
	select {
	case c := <-code:
		if c != exitOK {
			t.Errorf("demo --keep exit %d after Ctrl-C, want 0", c)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("demo --keep did not stop after Ctrl-C")
	}
}
