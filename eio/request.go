package eio

import (
	"bytes"
	"net"
)

// Header is one HTTP header field.
type Header struct{ Name, Value []byte }

// Is reports whether the header's name is name, ASCII case-insensitively.
func (h Header) Is(name string) bool { return asciiEqualFold(h.Name, name) }

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
		if asciiEqualFold(r.Headers[i].Name, name) {
			return r.Headers[i].Value
		}
	}
	return nil
}

// Query returns the raw (still escaped) value of the first query parameter
// named name, or nil when absent.
func (r *Request) Query(name string) []byte { return QueryParam(r.RawQuery, name) }

// QueryParam returns the raw value of the first parameter named name in the
// query string q, or nil when absent. It does not allocate.
func QueryParam(q []byte, name string) []byte {
	for len(q) > 0 {
		var kv []byte
		if i := bytes.IndexByte(q, '&'); i >= 0 {
			kv, q = q[:i], q[i+1:]
		} else {
			kv, q = q, nil
		}
		k, v := kv, kv[len(kv):]
		if i := bytes.IndexByte(kv, '='); i >= 0 {
			k, v = kv[:i], kv[i+1:]
		}
		if string(k) == name {
			return v
		}
	}
	return nil
}

func asciiEqualFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range len(b) {
		x, y := b[i], s[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}
