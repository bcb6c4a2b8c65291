package attest

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// maxBundleSize bounds a bundle, compressed or not.
const maxBundleSize = 16 << 20

var errSnappy = errors.New("snappy: corrupt input")

// decodeSnappy decodes the Snappy block format (not the framed stream
// format), in which GitHub stores the bundles behind bundle_url: a uvarint
// length, then literals and back-references.
func decodeSnappy(src []byte) ([]byte, error) {
	n, k := binary.Uvarint(src)
	if k <= 0 {
		return nil, errSnappy
	}
	if n > maxBundleSize {
		return nil, fmt.Errorf("snappy: decoded length %d exceeds %d", n, maxBundleSize)
	}
	src = src[k:]
	dst := make([]byte, 0, n)
	for len(src) > 0 {
		tag := src[0]
		src = src[1:]
		switch tag & 3 {
		case 0: // literal
			length := int(tag >> 2)
			if length >= 60 {
				extra := length - 59 // 1 to 4 little-endian bytes
				if len(src) < extra {
					return nil, errSnappy
				}
				length = 0
				for i := extra - 1; i >= 0; i-- {
					length = length<<8 | int(src[i])
				}
				src = src[extra:]
			}
			length++
			if length <= 0 || length > len(src) || len(dst)+length > int(n) {
				return nil, errSnappy
			}
			dst = append(dst, src[:length]...)
			src = src[length:]
			continue
		case 1: // copy, 1-byte offset
			if len(src) < 1 {
				return nil, errSnappy
			}
			length := 4 + int(tag>>2&7)
			offset := int(tag&0xe0)<<3 | int(src[0])
			src = src[1:]
			var err error
			if dst, err = backref(dst, offset, length, int(n)); err != nil {
				return nil, err
			}
		case 2: // copy, 2-byte offset
			if len(src) < 2 {
				return nil, errSnappy
			}
			length := 1 + int(tag>>2)
			offset := int(binary.LittleEndian.Uint16(src))
			src = src[2:]
			var err error
			if dst, err = backref(dst, offset, length, int(n)); err != nil {
				return nil, err
			}
		case 3: // copy, 4-byte offset
			if len(src) < 4 {
				return nil, errSnappy
			}
			length := 1 + int(tag>>2)
			offset := int(binary.LittleEndian.Uint32(src))
			src = src[4:]
			var err error
			if dst, err = backref(dst, offset, length, int(n)); err != nil {
				return nil, err
			}
		}
	}
	if len(dst) != int(n) {
		return nil, errSnappy
	}
	return dst, nil
}

// backref appends length bytes copied from offset bytes back; the ranges
// may overlap, which repeats the last offset bytes.
func backref(dst []byte, offset, length, limit int) ([]byte, error) {
	if offset <= 0 || offset > len(dst) || len(dst)+length > limit {
		return nil, errSnappy
	}
	start := len(dst) - offset
	for i := 0; i < length; i++ {
		dst = append(dst, dst[start+i])
	}
	return dst, nil
}
