package main

import (
	"bufio"
	"context"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v4"
)

// TestSimProcess runs `zgate sim` and uses it as another program would:
// the printed credentials authenticate as the App, and the control API
// creates a repository and reports the App.
func TestSimProcess(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	pr, pw := io.Pipe()
	keyFile := filepath.Join(t.TempDir(), "app.pem")
	code := make(chan int, 1)
	go func() {
		code <- run(ctx, env{stdin: strings.NewReader(""), stdout: pw, stderr: io.Discard, getenv: func(string) string { return "" }},
			[]string{"sim", "--listen", "127.0.0.1:0", "--app-id", "7", "--key-file", keyFile})
		pw.Close()
	}()
	vars := map[string]string{}
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		if k, v, ok := strings.Cut(strings.TrimSpace(sc.Text()), "="); ok && strings.HasPrefix(k, "ZGATE_") {
			vars[k] = v
		}
		if strings.HasPrefix(sc.Text(), "Ctrl-C") {
			break
		}
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	api := vars["ZGATE_GITHUB_URL"]
	if vars["ZGATE_APP_ID"] != "7" || vars["ZGATE_PRIVATE_KEY"] != keyFile || vars["ZGATE_WEBHOOK_SECRET"] == "" || api == "" {
		t.Fatalf("printed credentials %v, want app 7, the key file, a secret and the API URL", vars)
	}
	if fi, err := os.Stat(keyFile); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("key file: %v, %v; want mode 0600", fi, err)
	}
	root := strings.TrimSuffix(api, "/api/v3/")

	post := func(path, body string) map[string]any {
		t.Helper()
		resp, err := http.Post(root+path, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&out)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("POST %s = %d %v", path, resp.StatusCode, out)
		}
		return out
	}
	inst := post("/_sim/repos", `{"owner":"acme","name":"payments","files":{"README.md":"hi"}}`)["installation_id"]

	pemBytes, err := os.ReadFile(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(pemBytes)
	key, err := x509.ParsePKCS1PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	tok, err := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.MapClaims{"iss": "7", "iat": now.Add(-time.Minute).Unix(), "exp": now.Add(5 * time.Minute).Unix()}).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPost, fmt.Sprintf("%sapp/installations/%v/access_tokens", api, inst), nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Errorf("installation token with the printed key = %d, want 201", resp.StatusCode)
	}

	resp, err = http.Get(root + "/_sim/app")
	if err != nil {
		t.Fatal(err)
	}
	var app struct {
		AppID int64 `json:"app_id"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&app)
	resp.Body.Close()
	if app.AppID != 7 {
		t.Errorf("GET /_sim/app = app %d, want 7", app.AppID)
	}

	cancel()
	select {
	case c := <-code:
		if c != exitOK {
			t.Errorf("zgate sim exit %d after Ctrl-C, want 0", c)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("zgate sim did not stop")
	}
}
