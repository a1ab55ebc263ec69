package loop

import (
	"bytes"
	"strconv"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zlib"

	"github.com/sioloop/sioloop/internal/ascii"
)

// httpCompression: long-polling answers of at least the engine's threshold
// go out gzip- or deflate-compressed when the request accepts it, as
// engine.io's polling transport does (httpCompression, on by default,
// threshold 1024, zlib's default level). The compressors belong to the
// loop, not to a connection or a session: one gzip and one zlib writer per
// loop, reset for each response, so compression costs no memory per
// session. Node streams the compressed body (Transfer-Encoding: chunked);
// we send it whole with its Content-Length.

// encoding is a Content-Encoding the server can answer with.
type encoding uint8

const (
	encIdentity encoding = iota
	encGzip
	encDeflate
)

var contentEncodingLine = [...]string{
	encGzip:    "Content-Encoding: gzip\r\n",
	encDeflate: "Content-Encoding: deflate\r\n",
}

// negotiateEncoding picks gzip, deflate or neither for an Accept-Encoding
// value as engine.io does (accepts(req).encodings(["gzip", "deflate"]),
// negotiator 0.6): each is ranked by the header's most specific entry that
// names it, or "*"; the highest quality wins, then the more specific, then
// the earlier in the header, then gzip. No header, or q=0, means neither.
func negotiateEncoding(accept []byte) encoding {
	best, bestRank := encIdentity, rank{}
	for i, enc := range [...]encoding{encGzip, encDeflate} {
		r := rankEncoding(accept, enc)
		r.provided = i
		if r.q > 0 && (best == encIdentity || r.before(bestRank)) {
			best, bestRank = enc, r
		}
	}
	return best
}

// rank is negotiator's priority of one provided encoding.
type rank struct {
	q        float64
	specific bool // matched by name, not by "*"
	order    int  // index of the matching entry in the header
	provided int  // index in the server's list
}

func (a rank) before(b rank) bool {
	switch {
	case a.q != b.q:
		return a.q > b.q
	case a.specific != b.specific:
		return a.specific
	case a.order != b.order:
		return a.order < b.order
	}
	return a.provided < b.provided
}

// rankEncoding finds the entry of accept that ranks enc, as negotiator's
// getEncodingPriority: the most specific, then the highest q, then the
// last such entry. q is 0 when none names it.
func rankEncoding(accept []byte, enc encoding) rank {
	name := "gzip"
	if enc == encDeflate {
		name = "deflate"
	}
	best := rank{order: -1}
	found := false
	for i := 0; len(accept) > 0; i++ {
		entry := accept
		if k := bytes.IndexByte(accept, ','); k >= 0 {
			entry, accept = accept[:k], accept[k+1:]
		} else {
			accept = nil
		}
		coding, q, ok := parseAcceptEntry(entry)
		if !ok {
			continue
		}
		r := rank{q: q, order: i}
		switch {
		case ascii.EqualFold(coding, name):
			r.specific = true
		case string(coding) != "*":
			continue
		}
		if !found || r.specific && !best.specific || r.specific == best.specific && r.q >= best.q {
			best, found = r, true
		}
	}
	return best
}

// parseAcceptEntry reads "coding[;params]" as negotiator's regular
// expression /^\s*([^\s;]+)\s*(?:;(.*))?$/ and its q parameter (1 when
// absent; read as JavaScript's parseFloat reads a number prefix).
func parseAcceptEntry(e []byte) (coding []byte, q float64, ok bool) {
	e = bytes.TrimLeft(e, " \t\r\n")
	end := bytes.IndexAny(e, " \t\r\n;")
	if end < 0 {
		end = len(e)
	}
	coding, rest := e[:end], bytes.TrimLeft(e[end:], " \t\r\n")
	if len(coding) == 0 || len(rest) > 0 && rest[0] != ';' {
		return nil, 0, false
	}
	q = 1
	if len(rest) > 0 {
		for _, p := range bytes.Split(rest[1:], []byte{';'}) {
			k, v, _ := bytes.Cut(bytes.TrimSpace(p), []byte{'='})
			if string(k) == "q" {
				q = parseFloatPrefix(v)
				break
			}
		}
	}
	return coding, q, true
}

// parseFloatPrefix parses the longest number at the start of b, after
// spaces, as JavaScript's parseFloat; 0 when there is none. The prefix is
// scanned once by the grammar of a decimal literal (sign, digits, a
// fraction, an exponent with digits) and parsed once: trying ever shorter
// prefixes cost a request with a 7 KB q value 0.3 s of its loop.
func parseFloatPrefix(b []byte) float64 {
	b = bytes.TrimLeft(b, " \t")
	i := 0
	if i < len(b) && (b[i] == '+' || b[i] == '-') {
		i++
	}
	if bytes.HasPrefix(b[i:], []byte("Infinity")) {
		i += len("Infinity")
	} else {
		digits := 0
		for ; i < len(b) && isDigit(b[i]); i++ {
			digits++
		}
		if i < len(b) && b[i] == '.' {
			j := i + 1
			for ; j < len(b) && isDigit(b[j]); j++ {
				digits++
			}
			if digits > 0 {
				i = j
			}
		}
		if digits == 0 {
			return 0
		}
		if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
			j := i + 1
			if j < len(b) && (b[j] == '+' || b[j] == '-') {
				j++
			}
			if j < len(b) && isDigit(b[j]) {
				for j < len(b) && isDigit(b[j]) {
					j++
				}
				i = j
			}
		}
	}
	f, err := strconv.ParseFloat(string(b[:i]), 64)
	if err != nil && f == 0 { // a range error keeps ±Inf or 0, as JavaScript does
		return 0
	}
	return f
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// pollEncoding is how the answer to a long-polling request on rt, with
// method and the Accept-Encoding value accept, may be compressed; both
// hosts (gnet and net/http) ask it. Only GETs carry answers worth it.
func (rt *route) pollEncoding(method, accept []byte) encoding {
	if rt.compressAt == 0 || string(method) != "GET" {
		return encIdentity
	}
	return negotiateEncoding(accept)
}

// answer is a long-polling answer's body as it goes out, in both hosts:
// compressed with enc (the request's pollEncoding) when it is a 200 of at
// least compressAt bytes, with the encoding it went out with (encIdentity:
// body as it is). A compressed body is valid until the next call. Runs
// on the loop that owns z.
func (z *compressors) answer(enc encoding, compressAt, status int, body []byte) ([]byte, encoding) {
	if enc == encIdentity || status != 200 || len(body) < compressAt {
		return body, encIdentity
	}
	return z.compress(enc, body), enc
}

// compressors are a loop's gzip and zlib writers and their output buffer,
// made on first use and reused for every response.
type compressors struct {
	gz  *gzip.Writer
	zl  *zlib.Writer
	out bytes.Buffer
}

// compress returns body compressed with enc, valid until the next call.
// Runs on the loop.
func (z *compressors) compress(enc encoding, body []byte) []byte {
	z.out.Reset()
	var w interface {
		Write([]byte) (int, error)
		Close() error
	}
	switch enc {
	case encGzip:
		if z.gz == nil {
			z.gz, _ = gzip.NewWriterLevel(&z.out, zlibDefaultLevel)
		} else {
			z.gz.Reset(&z.out)
		}
		w = z.gz
	default:
		if z.zl == nil {
			z.zl, _ = zlib.NewWriterLevel(&z.out, zlibDefaultLevel)
		} else {
			z.zl.Reset(&z.out)
		}
		w = z.zl
	}
	_, _ = w.Write(body) // writes to a bytes.Buffer do not fail
	_ = w.Close()
	return z.out.Bytes()
}

// zlibDefaultLevel is Node's zlib default (Z_DEFAULT_COMPRESSION is 6).
const zlibDefaultLevel = 6
