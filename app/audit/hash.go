package audit

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"time"

	"github.com/zgate-dev/zgate/app/store"
)

// GenesisHash is the PrevHash of the first record.
const GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000"

// encodingVersion starts the canonical encoding, so a future change to it
// cannot collide with this one.
const encodingVersion = "zgate-audit-v1"

// Hash returns the hex SHA-256 of r's canonical encoding: the Hash of a
// plain (unkeyed) record. r.Hash and r.KeyID are not part of it.
func Hash(r store.AuditRecord) string {
	sum := sha256.Sum256(canonical(r, encodingVersion, false))
	return hex.EncodeToString(sum[:])
}

// canonical encodes the hashed fields of r, each as its byte length, a
// colon and the bytes, so no two different records encode the same.
// Keyed records also encode their key id, under another version.
func canonical(r store.AuditRecord, version string, withKeyID bool) []byte {
	fields := [][]byte{
		[]byte(version),
		strconv.AppendInt(nil, r.Seq, 10),
		[]byte(r.Time.UTC().Format(time.RFC3339Nano)),
		[]byte(r.Kind),
		[]byte(r.Repo),
		strconv.AppendInt(nil, int64(r.PR), 10),
		[]byte(r.Gate),
		[]byte(r.HeadSHA),
		r.Data,
		[]byte(r.PrevHash),
	}
	if withKeyID {
		fields = append(fields, []byte(r.KeyID))
	}
	return encode(fields)
}

// encode writes each field as its length, a colon, the bytes and a newline.
func encode(fields [][]byte) []byte {
	n := 0
	for _, f := range fields {
		n += len(f) + 12
	}
	b := make([]byte, 0, n)
	for _, f := range fields {
		b = strconv.AppendInt(b, int64(len(f)), 10)
		b = append(b, ':')
		b = append(b, f...)
		b = append(b, '\n')
	}
	return b
}
