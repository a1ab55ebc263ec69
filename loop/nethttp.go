package loop

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/panjf2000/gnet/v2"
	"github.com/sioloop/sioloop/eio"
)

// The net/http mode: the Server is an http.Handler mounted on the
// service's own mux, behind its TLS, middleware and HTTP/2. Sessions still
// live on the event loops, as in the gnet mode:
//
//   - a long-polling request is handed to its session's loop (the
//     handshake to the next loop in turn) and the request's goroutine
//     waits for the answer;
//   - a WebSocket handshake on plain TCP is hijacked and its socket
//     enrolled into the loop (gnet's EventLoop.Enroll, as handoff.go moves
//     a connection between loops), which then serves it as any of its own
//     connections: no goroutine per WebSocket;
//   - a WebSocket handshake on TLS is hijacked too, and its plaintext is
//     pumped through a socket pair whose other end is enrolled: two
//     goroutines and the TLS state per connection (README, "Using sioloop
//     in your service", says what that costs).
//
// The loops run without a public listener (Start): gnet needs one, so
// they listen on a loopback port and close whatever connects there.

// ServeHTTP implements http.Handler: it serves the Engine.IO routes of
// srv (mount it on their paths: mux.Handle("/socket.io/", srv)) and
// answers 404 elsewhere. It starts the event loops on first use (Start).
// Safe from any goroutine.
func (srv *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := srv.Start(); err != nil {
		http.Error(w, "Service Unavailable", http.StatusServiceUnavailable)
		return
	}
	if f := srv.client.file([]byte(r.URL.Path)); f != nil {
		srv.serveClientHTTP(w, r, f)
		return
	}
	rt := srv.match([]byte(r.URL.Path))
	if rt == nil {
		http.NotFound(w, r)
		return
	}
	if isWebSocketUpgrade(r) {
		srv.hijack(w, r, rt)
		return
	}
	srv.servePolling(w, r, rt)
}

// Start starts the event loops for ServeHTTP, with no public listener,
// and returns once they serve. ServeHTTP calls it; calling it first
// reports a failure early. A Server serves either with ListenAndServe or
// with Start and ServeHTTP. Safe from any goroutine.
func (srv *Server) Start() error {
	srv.startOnce.Do(func() { srv.startErr = srv.start() })
	return srv.startErr
}

func (srv *Server) start() error {
	srv.private = true
	served := make(chan error, 1)
	go func() { served <- srv.ListenAndServe("127.0.0.1:0") }()
	select {
	case <-srv.running:
	case err := <-served:
		return err
	}
	// Every loop gets its shard now, not on its first connection: a
	// socket pair enrolled per loop (round robin) registers it.
	for i := 0; int(srv.nshards.Load()) < srv.opts.NumLoops && i < 4*srv.opts.NumLoops; i++ {
		if err := srv.anchor(); err != nil {
			return fmt.Errorf("loop: start the event loops: %w", err)
		}
	}
	if n := int(srv.nshards.Load()); n == 0 {
		return errors.New("loop: start the event loops: no loop registered")
	}
	return nil
}

// anchor enrolls one end of a socket pair into the next loop and waits
// until that loop registered it (OnOpen registers the loop's shard and
// closes the anchor).
func (srv *Server) anchor() error {
	local, remote, err := socketPair()
	if err != nil {
		return err
	}
	defer local.Close()
	ctx := gnet.NewNetConnContext(gnet.NewContext(context.Background(), anchorConn{}), remote)
	res, err := srv.engine.Register(ctx)
	if err != nil {
		_ = remote.Close()
		return err
	}
	select {
	case r := <-res:
		if r.Err != nil {
			return r.Err
		}
	case <-time.After(5 * time.Second):
		return errors.New("an event loop did not take its anchor in 5s")
	}
	// OnOpen closes the anchor; its close tells us the loop saw it.
	_ = local.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, _ = local.Read(make([]byte, 1))
	return nil
}

// anchorConn is the context of an anchor (see start).
type anchorConn struct{}

// socketPair returns the two ends of a connected Unix stream socket pair.
func socketPair() (a, b net.Conn, err error) {
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, nil, fmt.Errorf("socketpair: %w", err)
	}
	conn := func(fd int) (net.Conn, error) {
		f := os.NewFile(uintptr(fd), "socketpair")
		defer f.Close()
		return net.FileConn(f)
	}
	if a, err = conn(fds[0]); err != nil {
		_ = syscall.Close(fds[1])
		return nil, nil, err
	}
	if b, err = conn(fds[1]); err != nil {
		_ = a.Close()
		return nil, nil, err
	}
	return a, b, nil
}

// nextShard picks the loop that opens the next session. Safe from any
// goroutine.
func (srv *Server) nextShard() *shard {
	n := srv.nshards.Load()
	if n == 0 {
		return nil
	}
	return srv.shardByIndex(int(srv.rr.Add(1) % uint32(n)))
}

// servePolling serves one long-polling request: CORS and the checks on
// the request's goroutine, the session's part on its loop.
func (srv *Server) servePolling(w http.ResponseWriter, r *http.Request, rt *route) {
	er := newEIORequest(r)
	if rt.cors != nil {
		origin := []byte(r.Header.Get("Origin"))
		if r.Method == "OPTIONS" && rt.cors.answersPreflight(origin) {
			setHeaderLines(w.Header(), rt.cors.appendPreflight(nil, origin, []byte(r.Header.Get("Access-Control-Request-Headers"))))
			w.Header().Set("Content-Length", "0")
			w.WriteHeader(rt.cors.optionsStatus)
			return
		}
		setHeaderLines(w.Header(), rt.cors.appendHeaders(nil, origin))
	}
	q, rerr := rt.engine.Check(er, false)
	if rerr != nil {
		refuseHTTP(w, rt, er, rerr)
		return
	}
	var body []byte
	if r.Method == "POST" {
		max := rt.engine.MaxHTTPBufferSize()
		b, err := io.ReadAll(io.LimitReader(r.Body, max+1))
		if err != nil {
			writeResponse(w, 400, "", nil)
			return
		}
		if int64(len(b)) > max {
			writeResponse(w, 413, "", nil)
			return
		}
		body = b
	}
	reply := &httpReply{done: make(chan struct{}), compressAt: rt.compressAt,
		enc: rt.pollEncoding([]byte(r.Method), acceptEncoding(r))}
	if len(q.SID) == 0 {
		refused, ok := allowWait(r.Context(), rt.engine, er)
		if !ok {
			return // the client went away before AllowRequest answered
		}
		if refused != nil {
			refuseHTTP(w, rt, er, refused)
			return
		}
		sh := srv.nextShard()
		reply.sh = sh
		sh.Execute(func() {
			id, err := sh.eio[rt.index].NewSessionID(er)
			if err != nil {
				reply.Refuse(err)
				return
			}
			reply.id = &id
			sh.eio[rt.index].OpenPolling(er, id, reply)
		})
	} else {
		sh := srv.shardByIndex(eio.ShardOf(q.SID))
		if sh == nil {
			refuseHTTP(w, rt, er, &eio.RequestError{Code: eio.UnknownSID})
			return
		}
		reply.sh = sh
		sid := append([]byte(nil), q.SID...)
		if r.Method == "POST" {
			sh.Execute(func() { sh.eio[rt.index].Post(sid, q.Flags, body, reply) })
		} else {
			sh.Execute(func() { sh.eio[rt.index].Poll(sid, q.Flags, reply) })
			defer func() {
				if !reply.answered() {
					// The client went before the answer: the session
					// learns its held GET is gone, as in the gnet mode.
					sh.Execute(func() {
						if s := sh.eio[rt.index].Lookup(sid); s != nil {
							s.PollClosed(reply)
						}
					})
				}
			}()
		}
	}
	select {
	case <-reply.done:
		if reply.refused != nil {
			rt.engine.Refused(er, reply.refused)
		}
		if reply.enc != encIdentity {
			setHeaderLines(w.Header(), []byte(contentEncodingLine[reply.enc]))
		}
		if reply.status == 200 {
			w.Header().Set("Cache-Control", "no-store") // see noStoreLine
			setHeaderLines(w.Header(), rt.engine.AppendHeaders(nil, er, reply.id, false))
		}
		writeResponse(w, reply.status, reply.ctype, reply.body)
	case <-r.Context().Done():
	case <-srv.done:
	}
}

// httpReply is the eio.Responder of a request served through net/http:
// the loop fills it and closes done; the request's goroutine waits.
type httpReply struct {
	sh         *shard   // the loop that answers
	compressAt int      // the route's httpCompression threshold
	enc        encoding // the request's pollEncoding; then the answer's
	status     int
	ctype      string
	body       []byte
	done       chan struct{}
	id         *eio.SID          // the session a handshake opened
	refused    *eio.RequestError // the refusal the answer carries (Refuse)
}

// Refuse implements eio.Refuser: the request's goroutine reports the
// refusal (it holds the request). Runs on the loop.
func (hr *httpReply) Refuse(err *eio.RequestError) {
	hr.refused = err
	var b [128]byte
	hr.Respond(err.Status(), eio.ContentTypeJSON, err.AppendJSON(b[:0]))
}

// refuseHTTP reports the refusal of er (Server.Refused) and answers it.
func refuseHTTP(w http.ResponseWriter, rt *route, er *eio.Request, err *eio.RequestError) {
	rt.engine.Refused(er, err)
	var b [128]byte
	writeResponse(w, err.Status(), eio.ContentTypeJSON, err.AppendJSON(b[:0]))
}

// Respond implements eio.Responder: the answer is compressed by the
// loop's compressors, as in the gnet host, and copied out. Runs on the
// loop.
func (hr *httpReply) Respond(status int, contentType string, body []byte) {
	body, hr.enc = hr.sh.compressors.answer(hr.enc, hr.compressAt, status, body)
	hr.status, hr.ctype, hr.body = status, contentType, append([]byte(nil), body...)
	close(hr.done)
}

func (hr *httpReply) answered() bool {
	select {
	case <-hr.done:
		return true
	default:
		return false
	}
}

// serveClientHTTP answers a request for a file of ServeClient's bundle
// on the net/http host, as the gnet host does (clientBundle.answer).
func (srv *Server) serveClientHTTP(w http.ResponseWriter, r *http.Request, f *clientFile) {
	status, headers, body := srv.client.answer(f, []byte(r.Header.Get("If-None-Match")), acceptEncoding(r), nil)
	if status == 304 {
		w.WriteHeader(status)
		return
	}
	setHeaderLines(w.Header(), headers)
	writeResponse(w, status, f.ctype, body) // net/http leaves the body out of a HEAD answer
}

// acceptEncoding is r's Accept-Encoding, its lines joined as Node joins
// them.
func acceptEncoding(r *http.Request) []byte {
	return []byte(strings.Join(r.Header.Values("Accept-Encoding"), ", "))
}

func writeResponse(w http.ResponseWriter, status int, ctype string, body []byte) {
	if ctype != "" {
		w.Header().Set("Content-Type", ctype)
	}
	w.Header().Set("Content-Length", fmt.Sprint(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// setHeaderLines adds header lines formatted "Name: value\r\n" to h.
func setHeaderLines(h http.Header, lines []byte) {
	for len(lines) > 0 {
		line := lines
		if i := strings.Index(string(lines), "\r\n"); i >= 0 {
			line, lines = lines[:i], lines[i+2:]
		} else {
			lines = nil
		}
		if k, v, ok := strings.Cut(string(line), ": "); ok {
			h.Add(k, v)
		}
	}
}

// newEIORequest is the eio form of r; its slices are fresh copies.
func newEIORequest(r *http.Request) *eio.Request {
	er := &eio.Request{
		Method:     []byte(r.Method),
		Path:       []byte(r.URL.Path),
		RawQuery:   []byte(r.URL.RawQuery),
		RemoteAddr: httpAddr(r.RemoteAddr),
		Secure:     r.TLS != nil,
	}
	er.Headers = append(er.Headers, eio.Header{Name: []byte("Host"), Value: []byte(r.Host)})
	for k, vs := range r.Header {
		for _, v := range vs {
			er.Headers = append(er.Headers, eio.Header{Name: []byte(k), Value: []byte(v)})
		}
	}
	return er
}

// httpAddr is a net/http request's RemoteAddr as a net.Addr.
type httpAddr string

func (a httpAddr) Network() string { return "tcp" }
func (a httpAddr) String() string  { return string(a) }

// isWebSocketUpgrade reports whether r asks for a WebSocket, as
// parseRequest decides for the gnet mode.
func isWebSocketUpgrade(r *http.Request) bool {
	if !strings.EqualFold(r.Header.Get("Upgrade"), "websocket") {
		return false
	}
	for _, v := range r.Header.Values("Connection") {
		for _, tok := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(tok), "upgrade") {
				return true
			}
		}
	}
	return false
}

// hijack takes a WebSocket handshake's connection from net/http and
// enrolls it into the loop that owns its session (or the next loop, for
// a new session); the loop answers the handshake itself. Plain TCP is
// enrolled as is; anything else (TLS) through a socket pair.
func (srv *Server) hijack(w http.ResponseWriter, r *http.Request, rt *route) {
	sh := srv.nextShard()
	if sid := eio.QueryParam([]byte(r.URL.RawQuery), "sid"); len(sid) > 0 {
		if owner := srv.shardByIndex(eio.ShardOf(sid)); owner != nil {
			sh = owner
		}
	}
	hj, ok := w.(http.Hijacker)
	if !ok { // HTTP/2: RFC 8441 WebSockets are not served
		writeResponse(w, 400, "text/html", []byte("Bad Request"))
		return
	}
	nc, brw, err := hj.Hijack()
	if err != nil {
		srv.log.Warn("loop: hijack a WebSocket handshake", "error", err.Error())
		return
	}
	if brw.Reader.Buffered() > 0 {
		// The client spoke before our 101: not a WebSocket client.
		_ = nc.Close()
		return
	}
	h := &handoff{raw: rawRequest(r), remote: httpAddr(r.RemoteAddr), secure: r.TLS != nil}
	ctx := gnet.NewContext(context.Background(), h)
	if _, plain := nc.(*net.TCPConn); plain {
		// Enroll duplicates the socket and closes nc.
		if _, err := sh.loop.Enroll(ctx, nc); err != nil {
			_ = nc.Close()
		}
		return
	}
	local, remote, err := socketPair()
	if err != nil {
		_ = nc.Close()
		return
	}
	if _, err := sh.loop.Enroll(ctx, remote); err != nil {
		_ = nc.Close()
		_ = local.Close()
		return
	}
	go pump(nc, local)
	pump(local, nc)
}

// pump copies src to dst until src ends, then closes both (the other
// pump then ends too). Runs on a goroutine of the TLS WebSocket.
func pump(dst, src net.Conn) {
	buf := make([]byte, pumpBuffer)
	_, _ = io.CopyBuffer(dst, src, buf)
	_ = dst.Close()
	_ = src.Close()
}

// pumpBuffer is each pump's buffer. 4 KiB, not io.Copy's 32 KiB: an
// idle TLS WebSocket holds both (BenchmarkNetHTTPWebSocketIdle: 16 KiB
// buffers cost 77 KB a connection, 4 KiB ones 48 KB), and messages are
// mostly small.
const pumpBuffer = 4 << 10

// rawRequest re-serializes a WebSocket handshake for the loop's parser.
func rawRequest(r *http.Request) []byte {
	b := make([]byte, 0, 512)
	b = append(b, "GET "...)
	b = append(b, r.URL.RequestURI()...)
	b = append(b, " HTTP/1.1\r\nHost: "...)
	b = append(b, r.Host...)
	b = append(b, "\r\n"...)
	for k, vs := range r.Header {
		for _, v := range vs {
			b = append(append(append(append(b, k...), ": "...), v...), "\r\n"...)
		}
	}
	return append(b, "\r\n"...)
}
