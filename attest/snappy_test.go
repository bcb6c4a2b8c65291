package attest

import (
	"bytes"
	"encoding/binary"
	"testing"
)

func TestDecodeSnappy(t *testing.T) {
	tests := []struct {
		name    string
		in      []byte
		want    string
		wantErr bool
	}{
		{name: "literal", in: []byte{5, 4 << 2, 'h', 'e', 'l', 'l', 'o'}, want: "hello"},
		// "ab" then copy1 of length 4 at offset 2: "ababab".
		{name: "overlapping copy, 1-byte offset", in: []byte{6, 1 << 2, 'a', 'b', 0<<2 | 1, 2}, want: "ababab"},
		// "abc" then copy2 of length 3 at offset 3.
		{name: "copy, 2-byte offset", in: []byte{6, 2 << 2, 'a', 'b', 'c', 2<<2 | 2, 3, 0}, want: "abcabc"},
		{name: "copy, 4-byte offset", in: []byte{4, 1 << 2, 'x', 'y', 1<<2 | 3, 2, 0, 0, 0}, want: "xyxy"},
		{name: "long literal", in: append([]byte{70, 60 << 2, 69}, bytes.Repeat([]byte{'z'}, 70)...), want: string(bytes.Repeat([]byte{'z'}, 70))},
		{name: "empty", in: []byte{0}, want: ""},
		{name: "no length", in: nil, wantErr: true},
		{name: "short", in: []byte{9, 4 << 2, 'h', 'e', 'l', 'l', 'o'}, wantErr: true},
		{name: "offset before start", in: []byte{6, 1 << 2, 'a', 'b', 0<<2 | 1, 9}, wantErr: true},
		{name: "zero offset", in: []byte{6, 1 << 2, 'a', 'b', 0<<2 | 1, 0}, wantErr: true},
		{name: "literal past end", in: []byte{5, 9 << 2, 'h'}, wantErr: true},
		{name: "huge length", in: binary.AppendUvarint(nil, 1<<40), wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := decodeSnappy(tc.in)
			if (err != nil) != tc.wantErr {
				t.Fatalf("decodeSnappy = %q, %v; want error %v", got, err, tc.wantErr)
			}
			if err == nil && string(got) != tc.want {
				t.Errorf("decodeSnappy = %q, want %q", got, tc.want)
			}
		})
	}
}

func FuzzDecodeSnappy(f *testing.F) {
	f.Add([]byte{6, 1 << 2, 'a', 'b', 0<<2 | 1, 2})
	f.Add([]byte{6, 2 << 2, 'a', 'b', 'c', 2<<2 | 2, 3, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		out, err := decodeSnappy(data)
		if err != nil {
			return
		}
		n, _ := binary.Uvarint(data)
		if uint64(len(out)) != n {
			t.Fatalf("decoded %d bytes, header says %d", len(out), n)
		}
	})
}
