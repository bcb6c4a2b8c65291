package audit_test

import (
	"testing"

	"github.com/zgate-dev/zgate/app/audit"
	"github.com/zgate-dev/zgate/app/store"
)

// FuzzHashFieldBoundaries checks that moving bytes from one field to the
// next always changes the hash: the canonical encoding is unambiguous.
func FuzzHashFieldBoundaries(f *testing.F) {
	f.Add("decision", "acme/payments", "prod", "abc", []byte(`{"a":1}`), uint8(3))
	f.Add("", "", "", "", []byte(nil), uint8(0))
	f.Add("a:", "1:b", "\n", "2:", []byte("3:\n"), uint8(1))
	f.Fuzz(func(t *testing.T, kind, repo, gate, sha string, data []byte, cut uint8) {
		r := store.AuditRecord{Seq: 1, Time: t0, Kind: kind, Repo: repo, Gate: gate, HeadSHA: sha, Data: data, PrevHash: audit.GenesisHash}
		if len(repo) == 0 {
			return
		}
		// Move the first cut bytes of Repo onto the end of Kind.
		n := int(cut) % (len(repo) + 1)
		if n == 0 {
			return
		}
		moved := r
		moved.Kind, moved.Repo = kind+repo[:n], repo[n:]
		if audit.Hash(r) == audit.Hash(moved) {
			t.Errorf("Hash collides for kind %q repo %q and kind %q repo %q", r.Kind, r.Repo, moved.Kind, moved.Repo)
		}
		// Data against the neighbouring field too.
		moved = r
		moved.HeadSHA, moved.Data = sha+string(data), nil
		if len(data) > 0 && audit.Hash(r) == audit.Hash(moved) {
			t.Errorf("Hash collides moving data %q into head_sha", data)
		}
	})
}
