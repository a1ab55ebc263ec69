package sio

import (
	"encoding/json"
	"net/http"
	"net/url"
	"time"
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
	hd := s.client.hs
	h := &Handshake{
		Headers: http.Header{},
		Auth:    s.auth,
		Address: hd.address,
		Time:    hd.time,
		URL:     hd.url,
		Secure:  hd.secure,
		Issued:  hd.time.UnixMilli(),
	}
	for _, f := range hd.headers {
		h.Headers.Add(string(f.Name), string(f.Value))
	}
	h.XDomain = h.Headers.Get("Origin") != ""
	h.Query, _ = url.ParseQuery(hd.query)
	return h
}
