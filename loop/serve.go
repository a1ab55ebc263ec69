package loop

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"

	"github.com/sioloop/sioloop/eio"
	"github.com/valyala/bytebufferpool"
)

// onTraffic processes the buffered input: HTTP requests one at a time,
// then WebSocket frames once upgraded. Runs on the loop.
func (cn *conn) onTraffic() {
	if cn.inTraffic {
		return
	}
	cn.inTraffic = true
	defer func() { cn.inTraffic = false }()
	for !cn.closed && !cn.closeOnSend {
		if cn.fwd != nil && cn.fwd.splice {
			cn.pipe()
			return
		}
		if cn.isWS {
			cn.readWS()
			return
		}
		if cn.http.pending {
			return
		}
		buf, _ := cn.c.Peek(-1)
		if len(buf) == 0 {
			return
		}
		var r request
		n, err := parseRequest(buf, &cn.sh.srv.limits, &r, &cn.sh.chunked)
		if err != nil {
			cn.refuse(err)
			return
		}
		if n == 0 {
			return // incomplete: the header timer bounds the wait
		}
		cn.sh.wheel.Stop(&cn.timer)
		cn.serve(buf[:n], &r)
		_, _ = cn.c.Discard(n)
		if !cn.isWS && !cn.http.pending && !cn.closeOnSend {
			cn.headerTimeout()
		}
	}
}

// refuse answers a request that could not be parsed and closes the conn.
func (cn *conn) refuse(err error) {
	status := 400
	if he, ok := err.(*httpError); ok {
		status = he.status
	}
	if log := cn.sh.srv.log; log.Enabled(context.Background(), slog.LevelDebug) {
		log.Debug("loop: request refused", "status", status, "remote", cn.c.RemoteAddr().String(), "error", fmt.Sprint(err))
	}
	out := cn.buffer()
	out.B = appendResponseHead(out.B, status, "", 0, false, nil)
	cn.closeOnSend = true
}

// serve routes one complete request, raw, parsed as r; both are valid
// until return.
func (cn *conn) serve(raw []byte, r *request) {
	hs := cn.http
	hs.keepAlive = r.keepAlive
	hs.route = nil
	hs.sid = eio.SID{}
	hs.encoding = encIdentity
	if f := cn.sh.srv.client.file(r.path); f != nil {
		cn.serveClientFile(r, f)
		return
	}
	rt := cn.sh.srv.match(r.path)
	if rt == nil {
		cn.serveFallback(r)
		return
	}
	hs.route = rt
	er := cn.sh.eioRequest(cn, r)
	defer cn.sh.doneRequest(er)
	origin := r.header("Origin")
	hs.headers = hs.headers[:0]
	if rt.cors != nil {
		if string(r.method) == "OPTIONS" && rt.cors.answersPreflight(origin) {
			hs.headers = rt.cors.appendPreflight(hs.headers, origin, r.header("Access-Control-Request-Headers"))
			cn.respond(rt.cors.optionsStatus, "", nil)
			return
		}
		hs.headers = rt.cors.appendHeaders(hs.headers, origin)
	}
	hs.hooked = len(hs.headers)
	if r.upgradeWebSocket {
		cn.serveUpgrade(raw, r, rt, er)
		return
	}
	hs.encoding = rt.pollEncoding(r.method, r.header("Accept-Encoding"))
	q, rerr := rt.engine.Check(er, false)
	if rerr != nil {
		cn.refuseRequest(rt, er, rerr)
		return
	}
	if len(r.body) > int(rt.engine.MaxHTTPBufferSize()) {
		cn.respond(413, "", nil)
		return
	}
	if len(q.SID) == 0 {
		refused, decided := cn.allow(raw, rt, er)
		if !decided {
			return
		}
		sh := cn.sh.eio[rt.index]
		var id eio.SID
		if refused == nil {
			id, refused = sh.NewSessionID(er)
		}
		if refused != nil {
			cn.refuseRequest(rt, er, refused)
			return
		}
		hs.headers = rt.engine.AppendHeaders(hs.headers, er, &id, false)
		hs.pending = true
		sh.OpenPolling(er, id, cn)
		return
	}
	if cn.forwardTo(rt, q.SID, raw, false) {
		return
	}
	owner := cn.sh.srv.shardByIndex(eio.ShardOf(q.SID))
	if owner == nil {
		cn.refuseRequest(rt, er, &eio.RequestError{Code: eio.UnknownSID})
		return
	}
	hs.headers = rt.engine.AppendHeaders(hs.headers, er, nil, false)
	hs.pending = true
	hs.sid = eio.SID(q.SID)
	post := string(r.method) == "POST"
	if owner == cn.sh {
		cn.sh.refusing = er // for a refusal (Refuse), decided during the call
		if post {
			owner.eio[rt.index].Post(q.SID, q.Flags, r.body, cn)
		} else {
			owner.eio[rt.index].Poll(q.SID, q.Flags, cn)
		}
		cn.sh.refusing = nil
		return
	}
	if rt.engine.ReportsRefusals() {
		hs.kept = copyBuf(raw)
	}
	t := task{op: opPoll, flags: q.Flags, c: cn, route: rt, sid: hs.sid}
	if post {
		t.op = opPost
		t.buf = copyBuf(r.body)
	}
	owner.post(t)
}

// eioRequest fills an eio.Request from r: the shard's own, unless a
// request served further up the stack holds it (a handler answering
// another conn's held GET serves the requests queued behind it), then a
// new one. eio's Request is valid only during the calls it is passed to,
// so the shard's is reused: one 128-byte allocation less of every
// handshake's garbage. doneRequest gives it back.
func (sh *shard) eioRequest(cn *conn, r *request) *eio.Request {
	sh.headers = sh.headers[:0]
	for i := range r.nheaders {
		h := &r.headers[i]
		sh.headers = append(sh.headers, eio.Header{Name: h.name, Value: h.value})
	}
	er := &sh.req
	if sh.reqBusy {
		er = new(eio.Request)
	}
	sh.reqBusy = true
	*er = eio.Request{
		Method:     r.method,
		Path:       r.path,
		RawQuery:   r.query,
		Headers:    sh.headers,
		RemoteAddr: cn.c.RemoteAddr(),
	}
	if h := sh.moved; h != nil && h.remote != nil {
		er.RemoteAddr, er.Secure = h.remote, h.secure
	}
	return er
}

// doneRequest ends the use of er, from eioRequest. Runs on the loop.
func (sh *shard) doneRequest(er *eio.Request) {
	if er == &sh.req {
		sh.req, sh.reqBusy = eio.Request{}, false
	}
}

// Respond writes the HTTP response to the pending request. It implements
// eio.Responder for requests answered on this conn's own loop.
func (cn *conn) Respond(status int, contentType string, body []byte) {
	if cn.closed || cn.http == nil || !cn.http.pending {
		return
	}
	hs := cn.http
	hs.pending = false
	hs.unkeep()
	if status == 200 {
		hs.headers = append(hs.headers, noStoreLine...)
	} else {
		hs.headers = hs.headers[:hs.hooked] // the engine's lines go with a 200 only
	}
	cn.respond(status, contentType, body)
	if !cn.closeOnSend {
		cn.headerTimeout()
		cn.onTraffic() // requests that arrived while this one waited
	}
}

// Refuse implements eio.Refuser: the refusal of the pending request is
// reported with the request — the one being served, when the session's
// loop is this one, else the copy kept of it — and answered. Runs on the
// loop.
func (cn *conn) Refuse(err *eio.RequestError) {
	hs := cn.http
	if cn.closed || hs == nil || !hs.pending {
		return
	}
	switch {
	case cn.sh.refusing != nil:
		hs.route.engine.Refused(cn.sh.refusing, err)
	case hs.kept != nil:
		var r request
		if n, perr := parseRequest(hs.kept.B, &cn.sh.srv.limits, &r, &cn.sh.chunked); perr == nil && n > 0 {
			er := cn.sh.eioRequest(cn, &r)
			hs.route.engine.Refused(er, err)
			cn.sh.doneRequest(er)
		}
	}
	var b [128]byte
	cn.Respond(err.Status(), eio.ContentTypeJSON, err.AppendJSON(b[:0]))
}

// unkeep releases the copy of the pending request, if any.
func (hs *httpState) unkeep() {
	if hs.kept != nil {
		bytebufferpool.Put(hs.kept)
		hs.kept = nil
	}
}

// refuseRequest reports the refusal of er (Server.Refused) and answers it.
func (cn *conn) refuseRequest(rt *route, er *eio.Request, err *eio.RequestError) {
	rt.engine.Refused(er, err)
	cn.respondError(err)
}

// noStoreLine is the header engine.io's polling transport puts on each of
// its answers (the open packet, payloads, "ok"), never on the errors the
// server refuses a request with. The name is lower-case, as Node sends it.
var noStoreLine = []byte("cache-control: no-store\r\n")

// respond appends a response with the pending request's extra headers,
// compressed when the request accepts it and the body is large enough.
func (cn *conn) respond(status int, contentType string, body []byte) {
	if hs := cn.http; hs.encoding != encIdentity {
		var enc encoding
		body, enc = cn.sh.compressors.answer(hs.encoding, hs.route.compressAt, status, body)
		hs.encoding = encIdentity
		if enc != encIdentity {
			hs.headers = append(hs.headers, contentEncodingLine[enc]...)
		}
	}
	cn.respondHead(status, contentType, body, false)
}

// respondHead appends a response; headOnly leaves the body out but keeps
// its length, as the answer to a HEAD request does.
func (cn *conn) respondHead(status int, contentType string, body []byte, headOnly bool) {
	hs := cn.http
	out := cn.buffer()
	out.B = appendResponseHead(out.B, status, contentType, len(body), hs.keepAlive, hs.headers)
	if !headOnly {
		out.B = append(out.B, body...)
	}
	if !hs.keepAlive {
		cn.closeOnSend = true
	}
}

func (cn *conn) respondError(err *eio.RequestError) {
	var b [128]byte
	cn.respond(err.Status(), eio.ContentTypeJSON, err.AppendJSON(b[:0]))
}

// match returns the route whose path prefixes p, as engine.io's check()
// matches its path, or nil.
func (srv *Server) match(p []byte) *route {
	for _, rt := range srv.routes {
		if bytes.HasPrefix(p, []byte(rt.path)) {
			return rt
		}
	}
	return nil
}
