package loop

import (
	"bytes"
	"compress/flate"
	"errors"
	"io"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzInflate feeds the loop's permessage-deflate inflater what a client
// may send as a compressed message (its seed corpus is what the official
// client compressed: interop/testdata/capture-fuzz-seeds.mjs), with a
// small message size limit. The contract: no panic; the message inflated
// within the limit, as the standard library's inflater reads it, and, when
// text, valid UTF-8 — or errInflatedTooBig when that inflater gives more
// than the limit, or errInflate when it fails; and the inflater, reused
// after another message (it is the loop's, reset for each), answers as a
// fresh one.
func FuzzInflate(f *testing.F) {
	var fs flateState
	for _, s := range []string{"", "4hello", "4" + strings.Repeat("héllo ", 300), "\x00\x01\xff"} {
		f.Add(bytes.Clone(fs.deflate([]byte(s))), true, uint16(1024))
		f.Add(bytes.Clone(fs.deflate([]byte(s))), false, uint16(len(s)/2))
	}
	f.Add([]byte{0xff, 0xff}, false, uint16(64))
	f.Fuzz(func(t *testing.T, p []byte, text bool, limit uint16) {
		max := int64(limit)
		var fresh flateState
		got, err := fresh.inflate(bytes.Clone(p), max, text)
		got = bytes.Clone(got)

		// What the standard library reads from the same stream, one byte
		// past the limit at most.
		ref, refErr := io.ReadAll(io.LimitReader(flate.NewReader(io.MultiReader(bytes.NewReader(p), bytes.NewReader(inflateTail))), max+1))
		switch {
		case err == nil:
			if refErr != nil || !bytes.Equal(got, ref) {
				t.Fatalf("inflated %q; the standard library: %q, %v", got, ref, refErr)
			}
			if text && !utf8.Valid(got) {
				t.Fatalf("invalid UTF-8 %q passed as text", got)
			}
		case errors.Is(err, errInflatedTooBig):
			if int64(len(ref)) <= max {
				t.Fatalf("too big past %d; the standard library: %d bytes, %v", max, len(ref), refErr)
			}
		case errors.Is(err, errInflate):
			if refErr == nil && int64(len(ref)) <= max {
				t.Fatalf("invalid; the standard library inflates %q", ref)
			}
		case errors.Is(err, errInflatedUTF8):
			if !text || refErr != nil || utf8.Valid(ref) {
				t.Fatalf("invalid UTF-8; the standard library: %q, %v", ref, refErr)
			}
		default:
			t.Fatalf("error %v", err)
		}

		var reused flateState
		_, _ = reused.inflate(fs.deflate([]byte("4"+strings.Repeat("warm ", 100))), 1<<20, true)
		again, err2 := reused.inflate(bytes.Clone(p), max, text)
		if !errors.Is(err2, err) || (err == nil && !bytes.Equal(again, got)) {
			t.Fatalf("reused inflater: %q, %v; fresh: %q, %v", again, err2, got, err)
		}
	})
}
