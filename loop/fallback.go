package loop

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// The fallback handler (Options.Handler) answers the paths no route
// matches. It never runs on the loop: each request gets a goroutine, as
// net/http gives one, and the loop only writes what the goroutine hands it.
// While the handler runs the connection's further requests stay buffered
// (HTTP/1.1 answers in order), exactly as during a held long-polling GET.
//
// The response streams. The handler's first bytes are held until 4 KiB
// or the end: a response complete by then goes out with a
// Content-Length; a longer one, or one the handler flushes, goes out
// chunked (HTTP/1.0: delimited by the close), each piece as the handler
// writes it. A Write returns once the loop took the bytes, and waits
// while the connection has more than half of MaxOutboundBytes unsent, so
// a slow reader slows the handler down instead of being dropped.

// Streaming sizes.
const (
	fallbackBuffer = 4 << 10  // held before the head is committed
	fallbackPiece  = 64 << 10 // the most one task carries to the loop
)

// errConnGone is what a fallback handler's Write returns once the client
// has gone.
var errConnGone = errors.New("loop: connection closed")

// serveFallback answers a request for a path no route matches: with
// Options.Handler when set, on a goroutine of its own, else 404 as a bare
// Node http server does. Runs on the loop.
func (cn *conn) serveFallback(r *request) {
	hs := cn.http
	hs.headers = hs.headers[:0]
	h := cn.sh.srv.opts.Handler
	if h == nil {
		cn.respond(404, "", nil)
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	req, err := newHTTPRequest(ctx, r, cn)
	if err != nil {
		cancel()
		cn.respond(400, "", nil)
		return
	}
	fb := &fallback{cn: cn, cancel: cancel, acks: make(chan error, 1), header: http.Header{},
		head: string(r.method) == "HEAD", proto11: r.proto11, keepAlive: r.keepAlive}
	hs.pending = true
	hs.fallback = fb
	go fb.serve(h, req)
}

// newHTTPRequest builds the net/http form of r, with its own copy of
// every byte. Runs on the loop.
func newHTTPRequest(ctx context.Context, r *request, cn *conn) (*http.Request, error) {
	target := string(r.target)
	u, err := url.ParseRequestURI(target)
	if err != nil {
		return nil, err
	}
	req := &http.Request{
		Method:     string(r.method),
		URL:        u,
		Proto:      "HTTP/1.1",
		ProtoMajor: 1,
		ProtoMinor: 1,
		Header:     make(http.Header, r.nheaders),
		Host:       string(r.header("Host")),
		RemoteAddr: cn.c.RemoteAddr().String(),
		RequestURI: target,
	}
	if !r.proto11 {
		req.Proto, req.ProtoMinor = "HTTP/1.0", 0
	}
	for i := range r.nheaders {
		hd := &r.headers[i]
		req.Header.Add(string(hd.name), string(hd.value))
	}
	req.ContentLength = int64(len(r.body))
	req.Body = http.NoBody
	if len(r.body) > 0 {
		req.Body = readCloser{bytes.NewReader(bytes.Clone(r.body))}
	}
	return req.WithContext(ctx), nil
}

type readCloser struct{ *bytes.Reader }

func (readCloser) Close() error { return nil }

// fallback is one request the fallback handler serves, and its
// http.ResponseWriter.
//
// Ownership: the fields under "Handler goroutine" belong to the
// goroutine running the handler; the loop reads only cn, keepAlive and
// acks, and cancel is safe from anywhere.
type fallback struct {
	cn        *conn
	cancel    context.CancelFunc // the request's context: cancelled when the conn closes
	acks      chan error         // the loop's answer to each hand-off
	head      bool               // a HEAD request: no body goes out
	proto11   bool
	keepAlive bool // written by the goroutine before the head is handed off

	// Handler goroutine.
	header    http.Header
	status    int
	committed bool // the head went to the loop
	chunked   bool
	length    int64 // declared Content-Length, or -1
	held      []byte
	discarded int    // body bytes not sent: a HEAD's Content-Length
	out       []byte // the next hand-off
	err       error  // sticky: the conn is gone
}

// serve runs the handler and ends the response. Runs on its own goroutine.
func (fb *fallback) serve(h http.Handler, req *http.Request) {
	defer fb.cancel()
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				fb.abort()
				return
			}
			fb.cn.sh.srv.log.Error("loop: fallback handler panicked", "path", req.URL.Path, "panic", fmt.Sprint(p))
			if fb.committed {
				fb.abort()
				return
			}
			fb.header = http.Header{}
			fb.status, fb.held, fb.keepAlive = 500, nil, false
		}
		fb.finish()
	}()
	h.ServeHTTP(fb, req)
}

// Header implements http.ResponseWriter.
func (fb *fallback) Header() http.Header { return fb.header }

// WriteHeader implements http.ResponseWriter; informational codes (1xx)
// are not supported and ignored.
func (fb *fallback) WriteHeader(status int) {
	if fb.status != 0 || status < 200 || status > 999 {
		return
	}
	fb.status = status
}

// Write implements http.ResponseWriter: p is held or handed to the loop;
// it blocks while the client reads slower than the handler writes.
func (fb *fallback) Write(p []byte) (int, error) {
	fb.WriteHeader(http.StatusOK)
	if fb.err != nil {
		return 0, fb.err
	}
	if fb.head || !bodyAllowed(fb.status) {
		fb.discarded += len(p)
		return len(p), nil
	}
	if !fb.committed && len(fb.held)+len(p) <= fallbackBuffer {
		fb.held = append(fb.held, p...)
		return len(p), nil
	}
	if !fb.committed {
		fb.commit(-1)
	}
	n := 0
	for len(p) > 0 {
		piece := p[:min(len(p), fallbackPiece)]
		fb.appendBody(piece)
		if err := fb.handOff(false); err != nil {
			return n, err
		}
		n += len(piece)
		p = p[len(piece):]
	}
	return n, nil
}

// Flush implements http.Flusher: the head and what is held go out now.
func (fb *fallback) Flush() {
	fb.WriteHeader(http.StatusOK)
	if fb.err != nil {
		return
	}
	if !fb.committed {
		fb.commit(-1)
	}
	_ = fb.handOff(false)
}

// commit appends the head to fb.out, then what was held. A body of
// length bodyLen (-1: unknown) goes out with a Content-Length, else
// chunked on HTTP/1.1 and delimited by the close on HTTP/1.0.
func (fb *fallback) commit(bodyLen int) {
	fb.committed = true
	fb.length = -1
	if v := fb.header.Get("Content-Length"); v != "" {
		if n, err := strconv.ParseInt(v, 10, 64); err == nil && n >= 0 {
			fb.length = n
		}
	}
	if fb.length < 0 && bodyLen >= 0 {
		fb.length = int64(bodyLen)
	}
	if strings.EqualFold(fb.header.Get("Connection"), "close") {
		fb.keepAlive = false
	}
	var extra []byte
	if fb.length < 0 && bodyAllowed(fb.status) && !fb.head {
		if fb.proto11 {
			fb.chunked = true
			extra = append(extra, "Transfer-Encoding: chunked\r\n"...)
		} else {
			fb.keepAlive = false
		}
	}
	for k, vs := range fb.header {
		if k == "Content-Length" || k == "Content-Type" || k == "Connection" || k == "Transfer-Encoding" {
			continue
		}
		for _, v := range vs {
			if !validHeader(k, v) {
				continue
			}
			extra = append(append(append(append(extra, k...), ": "...), v...), "\r\n"...)
		}
	}
	ctype := fb.header.Get("Content-Type")
	if _, set := fb.header["Content-Type"]; !set && len(fb.held) > 0 {
		ctype = http.DetectContentType(fb.held)
	}
	if !validHeader("Content-Type", ctype) {
		ctype = ""
	}
	length := int(fb.length)
	if !bodyAllowed(fb.status) {
		length = -1
	}
	fb.out = appendResponseHead(fb.out[:0], fb.status, ctype, length, fb.keepAlive, extra)
	held := fb.held
	fb.held = nil
	if len(held) > 0 {
		fb.appendBody(held)
	}
}

// appendBody appends p to fb.out, as a chunk when chunked.
func (fb *fallback) appendBody(p []byte) {
	if fb.chunked {
		fb.out = strconv.AppendInt(fb.out, int64(len(p)), 16)
		fb.out = append(fb.out, "\r\n"...)
		fb.out = append(fb.out, p...)
		fb.out = append(fb.out, "\r\n"...)
		return
	}
	fb.out = append(fb.out, p...)
}

// finish ends the response once the handler returned.
func (fb *fallback) finish() {
	fb.WriteHeader(http.StatusOK)
	if fb.err != nil {
		return
	}
	if !fb.committed {
		fb.commit(len(fb.held) + fb.discarded)
	}
	if fb.chunked {
		fb.out = append(fb.out, "0\r\n\r\n"...)
	}
	_ = fb.handOff(true)
}

// abort closes the connection mid-response (a panic after the head went
// out, or http.ErrAbortHandler), as net/http does.
func (fb *fallback) abort() {
	cn := fb.cn
	cn.sh.Execute(func() {
		if cn.http != nil && cn.http.fallback == fb {
			cn.http.fallback = nil
			cn.closeNow()
		}
	})
}

// handOff gives fb.out to the loop and waits for its answer; final ends
// the request. Runs on the handler's goroutine.
func (fb *fallback) handOff(final bool) error {
	if len(fb.out) == 0 && !final {
		return nil
	}
	cn, out := fb.cn, fb.out
	cn.sh.Execute(func() { cn.takeFallback(fb, out, final) })
	select {
	case fb.err = <-fb.acks:
	case <-cn.sh.srv.done:
		fb.err = errConnGone
	}
	fb.out = fb.out[:0]
	return fb.err
}

// takeFallback queues out, the fallback handler's next bytes, and
// answers the goroutine: at once, or once the connection has sent
// enough (resumeFallbacks). Runs on the loop.
func (cn *conn) takeFallback(fb *fallback, out []byte, final bool) {
	hs := cn.http
	if cn.closed || hs == nil || hs.fallback != fb {
		fb.answer(errConnGone)
		return
	}
	buf := cn.buffer()
	buf.B = append(buf.B, out...)
	if final {
		hs.fallback = nil
		hs.pending = false
		fb.answer(nil)
		if !fb.keepAlive {
			cn.closeOnSend = true
			return
		}
		cn.headerTimeout()
		cn.onTraffic() // requests that arrived while the handler ran
		return
	}
	if cn.outboundHigh() {
		cn.sh.waiting = append(cn.sh.waiting, cn)
		return
	}
	fb.answer(nil)
}

// answer unblocks the goroutine waiting in handOff. The goroutine hands
// off one piece at a time and acks holds one answer, so it never blocks
// the loop. Runs on the loop.
func (fb *fallback) answer(err error) {
	select {
	case fb.acks <- err:
	default:
	}
}

// outboundHigh reports whether the conn has more than half of
// MaxOutboundBytes waiting to be sent. Runs on the loop.
func (cn *conn) outboundHigh() bool {
	return cn.c.OutboundBuffered()+cn.queued() > cn.sh.srv.opts.MaxOutboundBytes/2
}

// resumeFallbacks answers the fallback handlers that wait for their
// connection to send. Runs on the loop, as its wheels advance.
func (sh *shard) resumeFallbacks() {
	kept := sh.waiting[:0]
	for _, cn := range sh.waiting {
		var fb *fallback
		if cn.http != nil {
			fb = cn.http.fallback
		}
		switch {
		case fb == nil || cn.closed:
			// onClose answered it
		case cn.outboundHigh():
			kept = append(kept, cn)
		default:
			fb.answer(nil)
		}
	}
	clear(sh.waiting[len(kept):])
	sh.waiting = kept
}

// endFallback tells a running fallback handler that its connection is
// gone. Runs on the loop, from onClose.
func (hs *httpState) endFallback() {
	fb := hs.fallback
	if fb == nil {
		return
	}
	hs.fallback = nil
	fb.cancel()
	fb.answer(errConnGone) // unblocks a waiting Write
}

// bodyAllowed reports whether a response with status may have a body
// (RFC 9110: not 1xx, 204, 304).
func bodyAllowed(status int) bool {
	return status >= 200 && status != 204 && status != 304
}

// validHeader reports whether a handler's header line can be sent as is:
// a token name and a value without CR, LF or other controls but tab.
func validHeader(name, value string) bool {
	if name == "" {
		return false
	}
	for i := range len(name) {
		c := name[i]
		if c <= ' ' || c >= 0x7f || c == ':' {
			return false
		}
	}
	for i := range len(value) {
		if c := value[i]; (c < ' ' && c != '\t') || c == 0x7f {
			return false
		}
	}
	return true
}
