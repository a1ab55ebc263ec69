package sio

import (
	"encoding/binary"
	"encoding/json"
	"net/http"
	"net/url"
	"time"

	"github.com/sioloop/sioloop/eio"
)

// Handshake describes the request that opened a socket's connection, like
// socket.handshake.
type Handshake struct {
	Headers http.Header
	Query   url.Values
	// Auth is the CONNECT packet's payload ({} when none).
	Auth    json.RawMessage
	Address string
	Time    time.Time
	URL     string
	Secure  bool
	// XDomain reports whether the request carried an Origin header.
	XDomain bool
	// Issued is Time in milliseconds since the Unix epoch.
	Issued int64
}

// Handshake returns the socket's handshake details. Safe from any
// goroutine; each call builds a new value.
func (s *Socket) Handshake() *Handshake {
	hd := &s.client.hs
	h := &Handshake{
		Headers: http.Header{},
		Auth:    s.auth,
		Time:    time.Unix(0, hd.unixNano),
		Secure:  hd.secure,
		Issued:  hd.unixNano / int64(time.Millisecond),
	}
	rest := hd.raw
	path, rest := nextField(rest)
	query, rest := nextField(rest)
	addr, rest := nextField(rest)
	h.Address = string(addr)
	h.URL = string(path)
	if len(query) > 0 {
		h.URL += "?" + string(query)
	}
	h.Query, _ = url.ParseQuery(string(query))
	for len(rest) > 0 {
		var name, value []byte
		name, rest = nextField(rest)
		value, rest = nextField(rest)
		h.Headers.Add(string(name), string(value))
	}
	h.XDomain = h.Headers.Get("Origin") != ""
	return h
}

// handshakeData is what the handshake request leaves for Handshake(): its
// path, query, address and headers packed in one allocation (length-
// prefixed fields), so an idle connection keeps ~their bytes and no more.
type handshakeData struct {
	raw      []byte
	unixNano int64
	secure   bool
}

func newHandshakeData(r *eio.Request) handshakeData {
	var addr string
	if r.RemoteAddr != nil {
		addr = r.RemoteAddr.String()
	}
	n := len(r.Path) + len(r.RawQuery) + len(addr) + 3*binary.MaxVarintLen32
	for _, f := range r.Headers {
		n += len(f.Name) + len(f.Value) + 2*binary.MaxVarintLen32
	}
	raw := make([]byte, 0, n)
	raw = appendField(raw, r.Path)
	raw = appendField(raw, r.RawQuery)
	raw = appendField(raw, []byte(addr))
	for _, f := range r.Headers {
		raw = appendField(raw, f.Name)
		raw = appendField(raw, f.Value)
	}
	return handshakeData{raw: raw[:len(raw):len(raw)], unixNano: time.Now().UnixNano(), secure: r.Secure}
}

func appendField(dst, b []byte) []byte {
	return append(binary.AppendUvarint(dst, uint64(len(b))), b...)
}

func nextField(b []byte) (field, rest []byte) {
	n, k := binary.Uvarint(b)
	if k <= 0 || uint64(len(b)-k) < n {
		return nil, nil
	}
	return b[k : k+int(n)], b[k+int(n):]
}
