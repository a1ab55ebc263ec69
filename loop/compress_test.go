package loop

import "testing"

// What engine.io picks (accepts(req).encodings(["gzip", "deflate"])),
// printed by Node for each Accept-Encoding here.
func TestNegotiateEncodingPicksAsEngineIO(t *testing.T) {
	for _, c := range []struct {
		accept string
		want   encoding
	}{
		{"", encIdentity},
		{"gzip", encGzip},
		{"deflate", encDeflate},
		{"gzip, deflate", encGzip},
		{"deflate, gzip", encDeflate},
		{"gzip;q=0.5, deflate", encDeflate},
		{"gzip;q=0, deflate;q=0", encIdentity},
		{"*", encGzip},
		{"*;q=0.5, deflate;q=0.4", encGzip},
		{"br", encIdentity},
		{"identity", encIdentity},
		{"gzip;q=0", encIdentity},
		{"deflate;q=1, gzip;q=0.5", encDeflate},
		{"gzip, deflate, br, zstd", encGzip},
		{"GZIP", encGzip},
		{"*, gzip;q=0", encDeflate},
		{"deflate;q=0.8, *;q=0.9", encGzip},
		{"gzip;q=abc", encIdentity},
		{"gzip;q=.5x, deflate;q=0.4", encGzip},
		{" gzip ;q=0.3 , deflate;q=0.2", encGzip},
	} {
		if got := negotiateEncoding([]byte(c.accept)); got != c.want {
			t.Errorf("negotiateEncoding(%q) = %d, want %d", c.accept, got, c.want)
		}
	}
}
