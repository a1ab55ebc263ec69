package sio

import (
	"encoding/binary"
	"encoding/json"
	"net"
	"net/http"
	"net/url"
	"time"
	"unsafe"

	"github.com/sioloop/sioloop/eio"
)

// Handshake describes the request that opened a socket's connection, like
// socket.handshake.
type Handshake struct {
	Headers http.Header
	// Query is the request's query as socket.handshake.query has it: keys
	// and values percent-decoded, one value per key (the last one given).
	Query url.Values
	// Auth is the CONNECT packet's payload ({} when none).
	Auth json.RawMessage
	// Address is the client's IP address, without the port, as Node's
	// handshake.address (an IPv4 client is "127.0.0.1"; Node listening on
	// a dual-stack "::" would say "::ffff:127.0.0.1").
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
		Auth:    *s.auth,
		Time:    time.Unix(0, hd.unixNano()),
		Secure:  hd.secure(),
		Issued:  hd.unixNano() / int64(time.Millisecond),
	}
	rest := []byte(hd.raw[hsHeadLen:])
	path, rest := nextKnown(rest)
	query, rest := nextKnown(rest)
	addr, rest := nextAddr(rest)
	h.Address = addr
	h.URL = string(path)
	if len(query) > 0 {
		h.URL += "?" + string(query)
	}
	h.Query = eio.ParseQuery(query)
	for len(rest) > 0 {
		var name, value string
		name, value, rest = nextHeader(rest)
		h.Headers.Add(name, value)
	}
	h.XDomain = h.Headers.Get("Origin") != ""
	return h
}

// handshakeData is what the handshake request leaves for Handshake(): its
// time, whether it was secure, its path, query, address and headers,
// packed in one string of exactly their size, so an idle connection keeps
// little more than their bytes: the time as 8 big-endian bytes of Unix
// nanoseconds, a flags byte, the path and the query as one byte when
// knownURLParts has them (length-prefixed otherwise), the address in
// binary, and a header whose name (or name and value) is in commonHeaders
// as one byte. A WebSocket handshake from a non-browser client packs into
// ~64 bytes, a browser's into about half its text. The client holds the
// string alone: 16 bytes, where a time and a flag beside it took 32.
type handshakeData struct {
	raw string // a string, not a slice: 8 bytes less in every client
}

// The packed handshake's head: the time, then the flags.
const (
	hsTimeLen  = 8
	hsHeadLen  = hsTimeLen + 1
	flagSecure = 1
)

// unixNano returns the handshake's time in Unix nanoseconds.
func (hd *handshakeData) unixNano() int64 {
	return int64(binary.BigEndian.Uint64([]byte(hd.raw[:hsTimeLen])))
}

// secure reports whether the handshake came over TLS.
func (hd *handshakeData) secure() bool { return hd.raw[hsTimeLen]&flagSecure != 0 }

// knownURLParts are the paths and queries the handshake packs as one
// byte (tag 1+i; tag 0: the text follows, length-prefixed): the default
// path, and the query of a client that opens with a WebSocket, as the
// official client and most others do. Append only.
var knownURLParts = [...]string{
	"/socket.io/",
	"EIO=4&transport=websocket",
}

// commonHeaders are the header names, and whole header lines, that the
// handshake packs as one byte: index i is tag tagNamed+i when only the
// name matches (the value follows), tagWhole+i when the value matches too
// (empty value: never whole). Names compare ASCII case-insensitively
// (Handshake canonicalizes them anyway), values exactly. Append only:
// nothing is persisted, but keep the tags stable for readability.
var commonHeaders = [...]struct{ name, value string }{
	{"Host", ""},
	{"Connection", "Upgrade"},
	{"Connection", "keep-alive"},
	{"Upgrade", "websocket"},
	{"Sec-WebSocket-Version", "13"},
	{"Sec-WebSocket-Key", ""},
	{"Sec-WebSocket-Extensions", "permessage-deflate; client_max_window_bits"},
	{"User-Agent", ""},
	{"Accept", "*/*"},
	{"Accept-Encoding", "gzip, deflate, br, zstd"},
	{"Accept-Encoding", "gzip, deflate, br"},
	{"Accept-Encoding", "gzip, deflate"},
	{"Accept-Language", ""},
	{"Origin", ""},
	{"Referer", ""},
	{"Cookie", ""},
	{"Cache-Control", "no-cache"},
	{"Pragma", "no-cache"},
	{"Sec-Fetch-Dest", "empty"},
	{"Sec-Fetch-Dest", "websocket"},
	{"Sec-Fetch-Mode", "websocket"},
	{"Sec-Fetch-Mode", "cors"},
	{"Sec-Fetch-Site", "same-origin"},
	{"Sec-Fetch-Site", "same-site"},
	{"Sec-Fetch-Site", "cross-site"},
	{"Content-Type", ""},
	{"Content-Length", ""},
	{"X-Forwarded-For", ""},
	{"X-Forwarded-Proto", ""},
	{"Authorization", ""},
}

// Header tags: a literal name and value follow tagLiteral; a value follows
// tagNamed+i; nothing follows tagWhole+i.
const (
	tagLiteral = 0
	tagNamed   = 1
	tagWhole   = 0x80
)

// Address kinds: the address's text follows addrText; 4 or 16 IP bytes
// and a big-endian port follow addrIPv4 or addrIPv6.
const (
	addrText = 0
	addrIPv4 = 4
	addrIPv6 = 16
)

func newHandshakeData(r *eio.Request) handshakeData {
	// Sized exactly in a first pass: the bytes stay for the connection's
	// whole life.
	now := time.Now().UnixNano()
	b := appendHandshake(packer{make([]byte, 0, appendHandshake(sizer{}, r, now).n)}, r, now).b
	return handshakeData{raw: unsafe.String(unsafe.SliceData(b), len(b))} // b is never written again
}

// appendHandshake writes r's kept fields to w, with now as its time: once
// to a sizer, once to a packer, so that the two can never disagree.
func appendHandshake[W fieldWriter[W]](w W, r *eio.Request, now int64) W {
	var flags byte
	if r.Secure {
		flags = flagSecure
	}
	w = w.u64(uint64(now)).byte(flags)
	w = appendKnown(w, r.Path)
	w = appendKnown(w, r.RawQuery)
	w = appendAddr(w, r.RemoteAddr)
	for _, f := range r.Headers {
		i := commonHeader(f)
		switch {
		case i < 0:
			w = w.byte(tagLiteral).field(f.Name).field(f.Value)
		case commonHeaders[i].value != "":
			w = w.byte(tagWhole + byte(i))
		default:
			w = w.byte(tagNamed + byte(i)).field(f.Value)
		}
	}
	return w
}

// appendKnown writes b as its tag when knownURLParts has it, else tag 0
// and b.
func appendKnown[W fieldWriter[W]](w W, b []byte) W {
	for i, k := range knownURLParts {
		if string(b) == k {
			return w.byte(byte(1 + i))
		}
	}
	return w.byte(0).field(b)
}

func appendAddr[W fieldWriter[W]](w W, a net.Addr) W {
	if ta, ok := a.(*net.TCPAddr); ok && ta.Zone == "" {
		if ip4 := ta.IP.To4(); ip4 != nil {
			return w.byte(addrIPv4).raw(ip4).port(ta.Port)
		}
		if len(ta.IP) == net.IPv6len {
			return w.byte(addrIPv6).raw(ta.IP).port(ta.Port)
		}
	}
	var text string
	if a != nil {
		text = a.String()
	}
	return w.byte(addrText).field([]byte(text))
}

// commonHeader returns the index in commonHeaders of the line f when
// listed whole, else of its name, else -1.
func commonHeader(f eio.Header) int {
	named := -1
	for i, h := range commonHeaders {
		if !f.Is(h.name) {
			continue
		}
		if h.value == "" {
			named = i
		} else if string(f.Value) == h.value {
			return i
		}
	}
	return named
}

// fieldWriter is what appendHandshake writes to: a sizer or a packer.
type fieldWriter[W any] interface {
	byte(c byte) W
	raw(b []byte) W
	u64(v uint64) W
	field(b []byte) W
	port(p int) W
}

// sizer counts the bytes a packer would append.
type sizer struct{ n int }

func (s sizer) byte(byte) sizer    { s.n++; return s }
func (s sizer) raw(b []byte) sizer { s.n += len(b); return s }
func (s sizer) port(int) sizer     { s.n += 2; return s }
func (s sizer) u64(uint64) sizer   { s.n += 8; return s }
func (s sizer) field(b []byte) sizer {
	var tmp [binary.MaxVarintLen64]byte
	s.n += len(binary.AppendUvarint(tmp[:0], uint64(len(b)))) + len(b)
	return s
}

// packer appends the fields to b, allocated at their size (sizer): a
// value, returned by each method, so that nothing of it escapes.
type packer struct{ b []byte }

func (p packer) byte(c byte) packer  { p.b = append(p.b, c); return p }
func (p packer) raw(b []byte) packer { p.b = append(p.b, b...); return p }
func (p packer) port(n int) packer   { p.b = append(p.b, byte(n>>8), byte(n)); return p }
func (p packer) u64(v uint64) packer { p.b = binary.BigEndian.AppendUint64(p.b, v); return p }
func (p packer) field(b []byte) packer {
	p.b = append(binary.AppendUvarint(p.b, uint64(len(b))), b...)
	return p
}

func nextField(b []byte) (field, rest []byte) {
	n, k := binary.Uvarint(b)
	if k <= 0 || uint64(len(b)-k) < n {
		return nil, nil
	}
	return b[k : k+int(n)], b[k+int(n):]
}

// nextKnown unpacks what appendKnown packed.
func nextKnown(b []byte) (field, rest []byte) {
	switch {
	case len(b) == 0:
		return nil, nil
	case b[0] == 0:
		return nextField(b[1:])
	case int(b[0]) <= len(knownURLParts):
		return []byte(knownURLParts[b[0]-1]), b[1:]
	}
	return nil, nil
}

// nextAddr unpacks what appendAddr packed, as the address's IP, without
// the port (Node's handshake.address).
func nextAddr(b []byte) (addr string, rest []byte) {
	if len(b) == 0 {
		return "", nil
	}
	switch n := int(b[0]); n {
	case addrIPv4, addrIPv6:
		if len(b) < 1+n+2 {
			return "", nil
		}
		return net.IP(b[1 : 1+n]).String(), b[1+n+2:]
	default:
		text, rest := nextField(b[1:])
		if host, _, err := net.SplitHostPort(string(text)); err == nil {
			return host, rest
		}
		return string(text), rest
	}
}

// nextHeader unpacks one header that appendHandshake packed.
func nextHeader(b []byte) (name, value string, rest []byte) {
	tag := b[0]
	b = b[1:]
	switch {
	case tag >= tagWhole && int(tag-tagWhole) < len(commonHeaders):
		h := commonHeaders[tag-tagWhole]
		return h.name, h.value, b
	case tag >= tagNamed && int(tag-tagNamed) < len(commonHeaders):
		v, rest := nextField(b)
		return commonHeaders[tag-tagNamed].name, string(v), rest
	default:
		n, rest := nextField(b)
		v, rest := nextField(rest)
		return string(n), string(v), rest
	}
}
