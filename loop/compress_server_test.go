package loop_test

import (
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/sioloop/sioloop/eio"
	"github.com/sioloop/sioloop/loop"
)

// Long-polling answers are compressed as engine.io compresses them
// (httpCompression, on by default): gzip or deflate (zlib) as the request
// accepts, from 1024 bytes, with Content-Encoding; smaller answers, and
// requests that accept neither, get the bytes as they are. Both hosts:
// the gnet listener and the net/http mode.
func TestPollingAnswersAreCompressedFromTheThreshold(t *testing.T) {
	for _, host := range hosts {
		t.Run(host.name, func(t *testing.T) { testPollingCompression(t, host.serve) })
	}
}

func testPollingCompression(t *testing.T, serve func(testing.TB, *loop.Server, string) string) {
	for _, c := range []struct {
		name   string
		opts   *eio.Options
		accept string
		size   int
		want   string // Content-Encoding
	}{
		{"gzip", nil, "gzip, deflate, br, zstd", 2000, "gzip"},
		{"deflate", nil, "deflate, gzip", 2000, "deflate"},
		{"at the threshold", nil, "gzip", 1023, "gzip"}, // "4" + 1023 bytes = 1024
		{"below the threshold", nil, "gzip", 1022, ""},
		{"not accepted", nil, "br", 2000, ""},
		{"no Accept-Encoding", nil, "", 2000, ""},
		{"threshold option", &eio.Options{HTTPCompressionThreshold: 4000}, "gzip", 2000, ""},
		{"disabled", &eio.Options{DisableHTTPCompression: true}, "gzip", 2000, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			addr := serve(t, newEcho(nil, c.opts), "/engine.io/")
			sid := handshake(t, addr)
			q := "/engine.io/?EIO=4&transport=polling&sid=" + sid
			msg := "4" + strings.Repeat("abcdefgh", c.size/8+1)[:c.size]
			roundTrip(t, addr, fmt.Sprintf("POST %s HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n%s", q, len(msg), msg))
			get := "GET " + q + " HTTP/1.1\r\nHost: x\r\n"
			if c.accept != "" {
				get += "Accept-Encoding: " + c.accept + "\r\n"
			}
			resp, raw := roundTrip(t, addr, get+"\r\n")
			enc := resp.Header.Get("Content-Encoding")
			if resp.StatusCode != 200 || enc != c.want || resp.Header.Get("Content-Type") != eio.ContentTypeText {
				t.Fatalf("%d, Content-Encoding %q, Content-Type %q; want 200, %q", resp.StatusCode, enc, resp.Header.Get("Content-Type"), c.want)
			}
			body := []byte(raw)
			var r io.Reader
			switch enc {
			case "gzip":
				r, _ = gzip.NewReader(bytes.NewReader(body))
			case "deflate":
				r, _ = zlib.NewReader(bytes.NewReader(body))
			}
			if r != nil {
				var err error
				if body, err = io.ReadAll(r); err != nil {
					t.Fatalf("decompress: %v", err)
				}
				if len(raw) >= len(body) {
					t.Errorf("compressed %d bytes into %d", len(body), len(raw))
				}
			}
			if string(body) != msg {
				t.Fatalf("body %.40q (%d bytes), want the %d-byte echo", body, len(body), len(msg))
			}
		})
	}
}
