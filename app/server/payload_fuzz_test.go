package server

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-github/v62/github"

	"github.com/zgate-dev/zgate/app/ghjson"
	"github.com/zgate-dev/zgate/app/ghjson/ghjsontest"
)

// FuzzPayloadDecode: the handlers' decoder (ghjson) gives what
// encoding/json gives, or both fail, for every type a handler decodes
// into: the compact types and the go-github event types.
func FuzzPayloadDecode(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no seed payloads: %v", err)
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range []string{
		`{"action":"submitted","pull_request":{"number":"7"}}`,
		`{"action":"rerequested","check_run":{"app":{"id":1},"pull_requests":[{"number":2,"head":{"sha":"x"}}]},"action":"created"}`,
		`{"Action":"submitted","sender":{"LOGIN":"zgate[bot]"}}`,
		`{"action":"completed"} x`,
		"{\"sender\":{\"login\":\"a\xffb\"}}",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ghjsontest.Same[reviewPayload](t, data, ghjson.Unmarshal)
		ghjsontest.Same[pullRequestPayload](t, data, ghjson.Unmarshal)
		ghjsontest.Same[checkPayload](t, data, ghjson.Unmarshal)
		ghjsontest.Same[mergeGroupPayload](t, data, ghjson.Unmarshal)
		ghjsontest.Same[github.PushEvent](t, data, ghjson.Unmarshal)
		ghjsontest.Same[github.IssueCommentEvent](t, data, ghjson.Unmarshal)
		ghjsontest.Same[github.DeploymentProtectionRuleEvent](t, data, ghjson.Unmarshal)
	})
}
