package githubsim

import (
	"encoding/json"
	"io"
	"strings"
	"sync"
)

// recorder appends one JSON line per REST exchange.
type recorder struct {
	mu sync.Mutex
	w  io.Writer
}

// exchange is one recorded line.
type exchange struct {
	Method string `json:"method"`
	// Path is the request URI without the /api/v3 prefix, as GitHub's
	// OpenAPI description writes paths.
	Path string `json:"path"`
	// Route is the matched pattern, e.g. "/repos/{owner}/{repo}".
	Route    string          `json:"route,omitempty"`
	Status   int             `json:"status"`
	Request  json.RawMessage `json:"request"`
	Response json.RawMessage `json:"response"`
}

// asJSON returns b when it is JSON, a JSON string of it otherwise, and
// null when empty.
func asJSON(b []byte) json.RawMessage {
	if len(b) == 0 {
		return json.RawMessage("null")
	}
	if json.Valid(b) {
		return json.RawMessage(b)
	}
	s, _ := json.Marshal(string(b))
	return s
}

func (rc *recorder) record(method, path, route string, status int, req, resp []byte) {
	line, err := json.Marshal(exchange{Method: method, Path: strings.TrimPrefix(path, "/api/v3"), Route: route, Status: status,
		Request: asJSON(req), Response: asJSON(resp)})
	if err != nil {
		return
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.w.Write(append(line, '\n'))
}
