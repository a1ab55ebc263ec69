package eio

import (
	"net/http"
	"strconv"
	"strings"
)

// ResponseHeader collects the header lines the OnInitialHeaders and
// OnHeaders hooks add to an answer (the headers object of engine.io's
// "initial_headers" and "headers" events).
type ResponseHeader struct{ lines []byte }

// Add adds the header line "name: value" to the answer. It adds a line
// even when the answer has one of that name already (the server's own
// are not replaced). A name that is not an HTTP token, or a value with a
// control character other than tab, is not sent: Node throws on them.
func (h *ResponseHeader) Add(name, value string) {
	if !validHeaderName(name) || !validHeaderValue(value) {
		return
	}
	h.lines = append(h.lines, name...)
	h.lines = append(h.lines, ": "...)
	h.lines = append(h.lines, value...)
	h.lines = append(h.lines, "\r\n"...)
}

func validHeaderName(s string) bool {
	if s == "" {
		return false
	}
	for i := range len(s) {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`"(),/:;<=>?@[\]{}`, c) >= 0 {
			return false
		}
	}
	return true
}

// OnInitialHeaders sets the function that adds headers to the answer to
// a handshake (engine.io's "initial_headers" event): the long-polling
// GET's answer or the WebSocket's 101, after the cookie. Nil, the
// default, costs nothing. It runs on a loop (in the net/http mode, on
// the request's goroutine) and must not block; r is valid only during
// the call. Call it before the server serves.
func (srv *Server) OnInitialHeaders(fn func(h *ResponseHeader, r *Request)) {
	srv.onInitialHeaders = fn
}

// OnHeaders sets the function that adds headers to every successful
// answer of the server (engine.io's "headers" event): the long-polling
// answers (the handshake's after OnInitialHeaders, each GET's, each
// POST's "ok") and the 101 of every WebSocket, the handshake's and the
// upgrade's. For a long-polling request with a sid it runs when the
// request arrives, and its lines go out only if the answer is a 200.
// Nil, the default, costs nothing. It runs as OnInitialHeaders does.
// Call it before the server serves.
func (srv *Server) OnHeaders(fn func(h *ResponseHeader, r *Request)) { srv.onHeaders = fn }

// AppendHeaders appends to dst the header lines the server adds to a
// successful answer to r: the cookie when r is a long-polling handshake
// opening session open (Options.Cookie), the OnInitialHeaders hook's when
// open is not nil (r is a handshake), then the OnHeaders hook's. It
// returns dst as it is when none is set. The host calls it; safe from any
// goroutine.
func (srv *Server) AppendHeaders(dst []byte, r *Request, open *SID, websocket bool) []byte {
	if open != nil && !websocket && srv.cookie != nil {
		dst = append(dst, "Set-Cookie: "...)
		dst = append(dst, srv.cookie[0]...)
		dst = append(dst, open[:]...)
		dst = append(dst, srv.cookie[1]...)
		dst = append(dst, "\r\n"...)
	}
	if srv.onHeaders == nil && (open == nil || srv.onInitialHeaders == nil) {
		return dst
	}
	h := &ResponseHeader{lines: dst}
	if open != nil && srv.onInitialHeaders != nil {
		srv.onInitialHeaders(h, r)
	}
	if srv.onHeaders != nil {
		srv.onHeaders(h, r)
	}
	return h.lines
}

// cookieParts returns the session cookie as the text before and after
// its value, attributes in the order of the cookie package engine.io
// uses; nil when o is nil. It panics on a name, path or domain that
// cannot go in a Set-Cookie header.
func cookieParts(o *CookieOptions) *[2]string {
	if o == nil {
		return nil
	}
	name, path := o.Name, o.Path
	if name == "" {
		name = "io"
	}
	if path == "" {
		path = "/"
	}
	if !validHeaderName(name) || strings.ContainsAny(path+o.Domain, ";\r\n") {
		panic("eio: invalid CookieOptions")
	}
	var b strings.Builder
	if o.MaxAge != 0 {
		b.WriteString("; Max-Age=" + strconv.Itoa(o.MaxAge))
	}
	if o.Domain != "" {
		b.WriteString("; Domain=" + o.Domain)
	}
	b.WriteString("; Path=" + path)
	if !o.Expires.IsZero() {
		b.WriteString("; Expires=" + o.Expires.UTC().Format(http.TimeFormat))
	}
	if !o.NoHTTPOnly {
		b.WriteString("; HttpOnly")
	}
	if o.Secure {
		b.WriteString("; Secure")
	}
	if o.Partitioned {
		b.WriteString("; Partitioned")
	}
	switch o.SameSite {
	case 0, http.SameSiteLaxMode:
		b.WriteString("; SameSite=Lax")
	case http.SameSiteStrictMode:
		b.WriteString("; SameSite=Strict")
	case http.SameSiteNoneMode:
		b.WriteString("; SameSite=None")
	}
	return &[2]string{name + "=", b.String()}
}
