package audit_test

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/zgate-dev/zgate/app/audit"
	"github.com/zgate-dev/zgate/app/store"
)

func ExampleLog() {
	ctx := context.Background()
	s, err := store.Open(ctx, "sqlite::memory:")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer s.Close()

	now := func() time.Time { return time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC) }
	l := audit.New(s, now)
	for _, e := range []audit.Entry{
		{Kind: audit.KindDecision, Repo: "acme/payments", PR: 7, Gate: "prod", HeadSHA: "1111111",
			Data: map[string]string{"state": "success"}},
		{Kind: audit.KindExecution, Repo: "acme/payments", PR: 7, Gate: "prod", HeadSHA: "1111111",
			Data: map[string]string{"kind": "merge", "status": "done"}},
	} {
		r, err := l.Append(ctx, e)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("seq %d %s prev %.8s hash %.8s\n", r.Seq, r.Kind, r.PrevHash, r.Hash)
	}

	n, err := audit.Verify(ctx, s)
	fmt.Println("verified", n, "records, error:", err)
	if err := audit.Export(ctx, s, os.Stdout); err != nil {
		fmt.Println(err)
	}
	// Output:
	// seq 1 decision prev 00000000 hash df9e4a6c
	// seq 2 execution prev df9e4a6c hash 0be7b06f
	// verified 2 records, error: <nil>
	// {"seq":1,"time":"2026-11-25T10:00:00Z","kind":"decision","repo":"acme/payments","pr":7,"gate":"prod","head_sha":"1111111","data":{"state":"success"},"prev_hash":"0000000000000000000000000000000000000000000000000000000000000000","hash":"df9e4a6c5a71213f2b301068af0dec5a54f434fdf777b8aa88f988c08058b625"}
	// {"seq":2,"time":"2026-11-25T10:00:00Z","kind":"execution","repo":"acme/payments","pr":7,"gate":"prod","head_sha":"1111111","data":{"kind":"merge","status":"done"},"prev_hash":"df9e4a6c5a71213f2b301068af0dec5a54f434fdf777b8aa88f988c08058b625","hash":"0be7b06fe3c7c5a45768028c5e8cc0f014d35f1d564135f4b209eb82e42caf08"}
}
