package loop

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"testing"
)

// longestFloatPrefix is parseFloatPrefix's definition, one ParseFloat per
// prefix length: the longest prefix Go parses, out of range included
// (±Inf or 0, as JavaScript). On digits, signs, points and exponents Go's
// grammar and JavaScript's parseFloat agree.
func longestFloatPrefix(b []byte) float64 {
	s := strings.TrimLeft(string(b), " \t")
	for n := len(s); n > 0; n-- {
		if f, err := strconv.ParseFloat(s[:n], 64); err == nil || errors.Is(err, strconv.ErrRange) {
			return f
		}
	}
	return 0
}

func TestParseFloatPrefix(t *testing.T) {
	for in, want := range map[string]float64{
		"1": 1, "0.5": 0.5, " 0.8;x": 0.8, ".5": 0.5, "5.": 5, "1e2": 100, "1e": 1,
		"1.2.3": 1.2, "-0.1": -0.1, "+.5": 0.5, "": 0, ".": 0, "-": 0, "x1": 0,
		"Infinity": math.Inf(1), "1e400": math.Inf(1), "1e-400": 0, "0.001abc": 0.001,
	} {
		if got := parseFloatPrefix([]byte(in)); got != want {
			t.Errorf("parseFloatPrefix(%q) = %v, want %v", in, got, want)
		}
	}
}

// FuzzAcceptHeaders feeds a client's Accept-Encoding and
// Sec-WebSocket-Extensions values to their parsers (no panic) and checks
// the q parser against its definition. Seeds: what browsers and the
// official clients send.
func FuzzAcceptHeaders(f *testing.F) {
	for _, s := range []string{
		"gzip, deflate, br, zstd", "gzip;q=1.0, identity; q=0.5, *;q=0", "deflate;q=0.8,gzip;q=.5",
		"permessage-deflate; client_max_window_bits", "permessage-deflate; server_no_context_takeover; client_no_context_takeover, x-webkit-deflate-frame",
		"*;q=1e-3", "gzip;q=" + strings.Repeat("1", 300),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		negotiateEncoding([]byte(v))
		acceptDeflate([]byte(v))
		if len(v) <= 64 && strings.Trim(v, "0123456789+-.eE \t") == "" {
			if got, want := parseFloatPrefix([]byte(v)), longestFloatPrefix([]byte(v)); got != want {
				t.Fatalf("parseFloatPrefix(%q) = %v, want %v", v, got, want)
			}
		}
	})
}
