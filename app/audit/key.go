package audit

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/zgate-dev/zgate/app/store"
)

// MinKeySize is the shortest audit key accepted, in bytes.
const MinKeySize = 32

// ErrKeyRequired is returned when a log without a key would extend a chain
// whose last record was written with one: that record could no longer be
// told from a forgery.
var ErrKeyRequired = errors.New("audit log is keyed: an audit key is required")

// keyedVersion starts the canonical encoding of keyed records.
const keyedVersion = "zgate-audit-v2-hmac-sha256"

// Key is a secret that authenticates audit records: a keyed record's Hash
// is HMAC-SHA256 under the key of its canonical encoding, so rewriting it
// (and every record after it) needs the key, which the database does not
// hold. Key prints redacted through fmt and slog.
type Key struct {
	id     string
	secret []byte
}

// NewKey returns the key with the given secret, at least [MinKeySize]
// bytes (the bytes are used as they are: a file of 64 hex digits is a
// 64-byte key).
func NewKey(secret []byte) (*Key, error) {
	if len(secret) < MinKeySize {
		return nil, fmt.Errorf("audit key: %d bytes, want at least %d", len(secret), MinKeySize)
	}
	sum := sha256.Sum256(append([]byte("zgate-audit-key-id\n"), secret...))
	return &Key{id: hex.EncodeToString(sum[:8]), secret: append([]byte(nil), secret...)}, nil
}

// ID names the key in the records it wrote: 16 hex digits of a hash of
// the secret, which tells keys apart and reveals nothing usable about them.
func (k *Key) ID() string { return k.id }

// LogValue implements slog.LogValuer: the id, never the secret.
func (k *Key) LogValue() slog.Value { return slog.StringValue("audit key " + k.id) }

// String implements fmt.Stringer, like LogValue.
func (k *Key) String() string { return "audit key " + k.id }

// seal sets r's KeyID and Hash (its MAC) under k.
func (k *Key) seal(r *store.AuditRecord) {
	r.KeyID = k.id
	r.Hash = k.sum(canonical(*r, keyedVersion, true))
}

// valid reports whether r's Hash is its MAC under k.
func (k *Key) valid(r store.AuditRecord) bool {
	return r.KeyID == k.id && hmac.Equal([]byte(r.Hash), []byte(k.sum(canonical(r, keyedVersion, true))))
}

// sum is the hex HMAC-SHA256 of b under k.
func (k *Key) sum(b []byte) string {
	m := hmac.New(sha256.New, k.secret)
	m.Write(b)
	return hex.EncodeToString(m.Sum(nil))
}

// checkpointVersion starts the encoding a checkpoint's MAC covers.
const checkpointVersion = "zgate-audit-checkpoint-v1"

// checkpointMAC is the MAC of c's seq, hash, time and key id under k.
func (k *Key) checkpointMAC(c Checkpoint) string {
	return k.sum(encode([][]byte{
		[]byte(checkpointVersion),
		strconv.AppendInt(nil, c.Seq, 10),
		[]byte(c.Hash),
		[]byte(c.Time.UTC().Format(time.RFC3339Nano)),
		[]byte(c.KeyID),
	}))
}

// keyring finds keys by id.
type keyring map[string]*Key

func newKeyring(keys []*Key) keyring {
	kr := keyring{}
	for _, k := range keys {
		if k != nil {
			kr[k.id] = k
		}
	}
	return kr
}
