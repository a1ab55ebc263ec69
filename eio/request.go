package eio

import (
	"bytes"
	"net"
	"net/url"
	"strings"

	"github.com/sioloop/sioloop/internal/ascii"
)

// Header is one HTTP header field.
type Header struct{ Name, Value []byte }

// Is reports whether the header's name is name, ASCII case-insensitively.
func (h Header) Is(name string) bool { return ascii.EqualFold(h.Name, name) }

// Request is the part of an HTTP request Engine.IO looks at. The host fills
// it; every byte slice is valid only during the call it is passed to.
type Request struct {
	Method     []byte
	Path       []byte
	RawQuery   []byte // the query string, without '?', not unescaped
	Headers    []Header
	RemoteAddr net.Addr
	// Secure reports whether the connection is TLS.
	Secure bool
}

// Header returns the value of the first header named name (ASCII
// case-insensitive), or nil.
func (r *Request) Header(name string) []byte {
	for i := range r.Headers {
		if ascii.EqualFold(r.Headers[i].Name, name) {
			return r.Headers[i].Value
		}
	}
	return nil
}

// Query returns the value of the query parameter name, or nil when absent.
// The query is read as engine.io reads it (URLSearchParams, then
// Object.fromEntries): keys and values are percent-decoded ("%45IO" is
// "EIO"), '+' is a space, and the last occurrence of a key wins. It
// allocates only when the value holds an escape.
func (r *Request) Query(name string) []byte { return QueryParam(r.RawQuery, name) }

// QueryParam returns the value of the parameter name in the query string q
// (without '?'), decoded as Request.Query decodes it, or nil when absent.
func QueryParam(q []byte, name string) []byte {
	var val []byte
	found := false
	eachQueryParam(q, func(k, v []byte) {
		if unescapedEqual(k, name) {
			val, found = v, true
		}
	})
	if !found {
		return nil
	}
	if !needsUnescape(val) {
		return val[:len(val):len(val)]
	}
	return appendUnescaped(make([]byte, 0, len(val)), val)
}

// ParseQuery returns the parameters of the query string q (without '?') as
// engine.io (and so socket.handshake.query) has them: each key with one
// value, the last one given, both percent-decoded with '+' as a space, and
// invalid UTF-8 made U+FFFD.
func ParseQuery(q []byte) url.Values {
	vs := url.Values{}
	eachQueryParam(q, func(k, v []byte) {
		vs[unescapeString(k)] = []string{unescapeString(v)}
	})
	return vs
}

// eachQueryParam calls fn with the raw key and value of each parameter of
// q, in order: the application/x-www-form-urlencoded parser of the URL
// standard, which skips empty pairs and gives a pair without '=' an empty
// value. It is the one query parser of sioloop.
func eachQueryParam(q []byte, fn func(k, v []byte)) {
	for len(q) > 0 {
		pair := q
		if i := bytes.IndexByte(q, '&'); i >= 0 {
			pair, q = q[:i], q[i+1:]
		} else {
			q = nil
		}
		if len(pair) == 0 {
			continue
		}
		k, v := pair, pair[len(pair):]
		if i := bytes.IndexByte(pair, '='); i >= 0 {
			k, v = pair[:i], pair[i+1:]
		}
		fn(k, v)
	}
}

func unescapeString(b []byte) string {
	if !needsUnescape(b) {
		return strings.ToValidUTF8(string(b), "\uFFFD")
	}
	return strings.ToValidUTF8(string(appendUnescaped(nil, b)), "\uFFFD")
}

func needsUnescape(b []byte) bool { return bytes.IndexAny(b, "%+") >= 0 }

// appendUnescaped appends v to dst with '+' made a space and each %XX made
// its byte; a '%' not followed by two hex digits stays as it is, as the URL
// standard's percent-decode leaves it.
func appendUnescaped(dst, v []byte) []byte {
	for i := 0; i < len(v); {
		c, w := unescapeAt(v, i)
		dst = append(dst, c)
		i += w
	}
	return dst
}

// unescapeAt decodes the query byte at v[i]; w is how many bytes it took.
func unescapeAt(v []byte, i int) (c byte, w int) {
	switch c = v[i]; c {
	case '+':
		return ' ', 1
	case '%':
		if i+2 < len(v) {
			hi, lo := hexValue[v[i+1]], hexValue[v[i+2]]
			if hi < 16 && lo < 16 {
				return hi<<4 | lo, 3
			}
		}
	}
	return c, 1
}

// unescapedEqual reports whether raw, decoded, equals name.
func unescapedEqual(raw []byte, name string) bool {
	j := 0
	for i := 0; i < len(raw); j++ {
		c, w := unescapeAt(raw, i)
		if j >= len(name) || name[j] != c {
			return false
		}
		i += w
	}
	return j == len(name)
}

// hexValue maps a hex digit to its value, anything else to 0xff.
var hexValue = func() (t [256]byte) {
	for i := range t {
		t[i] = 0xff
	}
	for i, c := range "0123456789abcdef" {
		t[c] = byte(i)
		if c >= 'a' {
			t[c-'a'+'A'] = byte(i)
		}
	}
	return t
}()
