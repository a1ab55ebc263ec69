package loop

import (
	"crypto/sha1"
	"encoding/base64"

	"github.com/sioloop/sioloop/eio"
	"github.com/sioloop/sioloop/wsframe"
)

// serveUpgrade answers a WebSocket handshake on an Engine.IO route: the
// engine's checks first (as engine.io's verify runs before ws's
// handleUpgrade), then RFC 6455's.
func (cn *conn) serveUpgrade(raw []byte, r *request, rt *route, er *eio.Request) {
	q, rerr := rt.engine.Check(er, true)
	if rerr == nil && len(q.SID) == 0 {
		var decided bool
		if rerr, decided = cn.allow(raw, rt, er); !decided {
			return
		}
	}
	if rerr != nil {
		cn.refuseUpgrade(rt, er, rerr)
		return
	}
	key := r.header("Sec-WebSocket-Key")
	if msg := checkHandshake(r, key); msg != "" {
		cn.abortUpgrade(msg)
		return
	}
	var accept [28]byte
	acceptKey(accept[:], key)
	ws := &cn.ws // the conn's own: a WebSocket is one object with it
	*ws = wsState{route: rt}
	ws.dec.MaxMessageSize = rt.engine.MaxHTTPBufferSize()
	ws.dec.Deflate = rt.deflateAt > 0 && acceptDeflate(r.header("Sec-WebSocket-Extensions"))
	if len(q.SID) == 0 {
		sh := cn.sh.eio[rt.index]
		id, rerr := sh.NewSessionID(er)
		if rerr != nil {
			cn.refuseUpgrade(rt, er, rerr)
			return
		}
		cn.http.headers = rt.engine.AppendHeaders(cn.http.headers, er, &id, true)
		cn.switchProtocols(accept[:], ws)
		ws.sess = sh.OpenWebSocket(er, id, cn)
		return
	}
	if cn.forwardTo(rt, q.SID, raw, true) {
		return
	}
	owner := cn.sh.srv.shardByIndex(eio.ShardOf(q.SID))
	if owner == nil {
		cn.refuseUpgrade(rt, er, &eio.RequestError{Code: eio.UnknownSID})
		return
	}
	if owner != cn.sh {
		// The session lives on another loop: move the connection there
		// and let that loop answer the handshake (handoff.go).
		cn.handoff(owner, raw)
		return
	}
	s, err := owner.eio[rt.index].Probe(q.SID, q.Flags, cn)
	cn.acceptProbe(accept[:], ws, rt, er, s, err)
}

// acceptProbe answers the handshake er with a sid by the session's
// verdict.
func (cn *conn) acceptProbe(accept []byte, ws *wsState, rt *route, er *eio.Request, s *eio.Session, err error) {
	switch {
	case err == nil || eio.IsAlreadyUpgrading(err):
		cn.http.headers = rt.engine.AppendHeaders(cn.http.headers, er, nil, true)
		cn.switchProtocols(accept, ws)
		if err == nil {
			ws.sess = s
		} else {
			// The official server completes the handshake, then closes;
			// Close also bounds the wait for the client's close frame.
			cn.Close()
		}
	default:
		if re, ok := err.(*eio.RequestError); ok {
			cn.refuseUpgrade(rt, er, re)
		} else {
			cn.abortUpgrade(err.Error())
		}
	}
}

// refuseUpgrade reports the refusal of the handshake er
// (Server.Refused) and answers it.
func (cn *conn) refuseUpgrade(rt *route, er *eio.Request, err *eio.RequestError) {
	rt.engine.Refused(er, err)
	cn.abortUpgrade(err.Text())
}

// checkHandshake validates a WebSocket handshake as the ws library does,
// returning its refusal message, or "".
func checkHandshake(r *request, key []byte) string {
	if string(r.method) != "GET" || !r.proto11 {
		return "Invalid HTTP method or version"
	}
	if len(key) != 24 {
		return "Missing or invalid Sec-WebSocket-Key header"
	}
	var raw [18]byte
	if n, err := base64.StdEncoding.Decode(raw[:], key); err != nil || n != 16 {
		return "Missing or invalid Sec-WebSocket-Key header"
	}
	if v := string(r.header("Sec-WebSocket-Version")); v != "13" && v != "8" {
		return "Missing or invalid Sec-WebSocket-Version header"
	}
	return ""
}

const websocketGUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

// acceptKey writes Sec-WebSocket-Accept for key into dst (28 bytes).
func acceptKey(dst, key []byte) {
	h := sha1.New()
	h.Write(key)
	h.Write([]byte(websocketGUID))
	var sum [sha1.Size]byte
	base64.StdEncoding.Encode(dst, h.Sum(sum[:0]))
}

// abortUpgrade refuses a handshake exactly as engine.io's abortUpgrade:
// 400, the message as text/html, and the connection closed.
func (cn *conn) abortUpgrade(msg string) {
	cn.http.headers = cn.http.headers[:0]
	cn.http.keepAlive = false
	cn.respond(400, "text/html", []byte(msg))
}

// switchProtocols writes the 101 answer, with the request's extra
// header lines (CORS, the engine's), as the official server's; the conn
// speaks WebSocket from the next byte.
func (cn *conn) switchProtocols(accept []byte, ws *wsState) {
	out := cn.buffer()
	out.B = append(out.B, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: "...)
	out.B = append(out.B, accept...)
	out.B = append(out.B, "\r\n"...)
	out.B = append(out.B, cn.http.headers...)
	if ws.dec.Deflate {
		out.B = append(out.B, deflateResponse...)
	}
	out.B = append(out.B, "\r\n"...)
	cn.sh.freeHTTPState(cn.http)
	cn.http = nil
	cn.isWS = true
}

// readWS decodes and handles the buffered frames. Runs on the loop.
func (cn *conn) readWS() {
	ws := &cn.ws
	for !cn.closed {
		buf, _ := cn.c.Peek(-1)
		if len(buf) == 0 {
			return
		}
		if ws.draining {
			_, _ = cn.c.Discard(len(buf))
			return
		}
		msg, n, ok, err := ws.dec.Decode(buf)
		if err != nil {
			cn.failWS(err)
			return
		}
		if n == 0 {
			return
		}
		if ok {
			cn.handleMessage(ws, &msg)
		}
		_, _ = cn.c.Discard(n)
	}
}

// failWS fails the connection for err (RFC 6455 7.1.7) without closing
// the socket on unread input: a reset would destroy our close frame in the
// client's buffers. Input is discarded until the client closes or
// closeWait passes.
func (cn *conn) failWS(err error) {
	ws := &cn.ws
	cn.writeClose(wsframe.CloseStatus(err))
	cn.sessionClosed(err)
	ws.closing = true
	ws.draining = true
	cn.sh.wheel.Schedule(&cn.timer, closeWait)
}

// handleMessage handles one complete message or control frame.
func (cn *conn) handleMessage(ws *wsState, msg *wsframe.Message) {
	switch msg.OpCode {
	case wsframe.OpText, wsframe.OpBinary:
		if ws.closing || ws.sess == nil {
			return
		}
		p := msg.Payload
		if msg.Compressed {
			var err error
			if p, err = cn.sh.flate.inflate(p, ws.dec.MaxMessageSize, msg.OpCode == wsframe.OpText); err != nil {
				cn.failWS(err)
				return
			}
		}
		ws.sess.ReceiveMessage(cn, p, msg.OpCode == wsframe.OpBinary)
	case wsframe.OpPing:
		out := cn.buffer()
		out.B = wsframe.AppendFrame(out.B, wsframe.OpPong, msg.Payload)
	case wsframe.OpClose:
		if !ws.closing {
			// Echo the close, as RFC 6455 5.5.1 asks.
			out := cn.buffer()
			out.B = wsframe.AppendClose(out.B, msg.CloseCode, "")
			cn.sessionClosed(nil)
		}
		ws.closing = true
		cn.closeNow()
	}
}

// sessionClosed reports the end of the WebSocket to its session, on the
// session's loop.
func (cn *conn) sessionClosed(err error) {
	ws := &cn.ws
	s := ws.sess
	if s == nil {
		return
	}
	ws.sess = nil
	s.WebSocketClosed(cn, err)
}

// writeClose sends a close frame with code (none for CloseNoStatus).
func (cn *conn) writeClose(code wsframe.CloseCode) {
	out := cn.buffer()
	out.B = wsframe.AppendClose(out.B, code, "")
}

// WriteMessage implements eio.WebSocket on the conn's own loop.
func (cn *conn) WriteMessage(binary bool, p []byte) {
	if cn.closed || !cn.isWS || cn.ws.closing {
		return
	}
	op := wsframe.OpText
	if binary {
		op = wsframe.OpBinary
	}
	out := cn.buffer()
	if ws := &cn.ws; ws.dec.Deflate && len(p) >= ws.route.deflateAt {
		out.B = wsframe.AppendCompressedFrame(out.B, op, cn.sh.flate.deflate(p))
		return
	}
	out.B = wsframe.AppendFrame(out.B, op, p)
}

// WriteShared implements eio.WebSocket: the frame's header is the
// conn's own, its payload m's bytes, referenced until written (out.go) —
// unless the payload is at most copyShared bytes, which are copied.
func (cn *conn) WriteShared(m *eio.Shared) {
	if cn.closed || !cn.isWS || cn.ws.closing {
		return
	}
	op := wsframe.OpText
	if m.Binary() {
		op = wsframe.OpBinary
	}
	q := cn.queue()
	if p := m.Bytes(); len(p) <= copyShared {
		q.priv.B = wsframe.AppendFrame(q.priv.B, op, p)
		return
	}
	q.priv.B = wsframe.AppendHeader(q.priv.B, op, true, len(m.Bytes()))
	q.addShared(m)
}

// copyShared is the largest shared payload copied rather than referenced:
// a reference costs a 32-byte segment, a refcount and an iovec of its
// own, so a small packet (a chat line, a "left" notice) is cheaper copied.
// Measured: 1,000 sockets disconnecting at once, each io.emit()ting to
// the others, took ~1.6× as long with every packet referenced.
const copyShared = 128

// Writable implements eio.WebSocket: nothing of ours or gnet's is
// waiting to be sent.
func (cn *conn) Writable() bool {
	return !cn.closed && cn.out == nil && cn.c.OutboundBuffered() == 0
}

// Backlog implements eio.WebSocket: our queue, gnet's buffer and the
// socket's send queue. The kernel is asked only when the estimate — its
// answer last time plus what was handed to the socket since — passes
// limit, so a client that keeps up costs one ioctl per limit bytes.
func (cn *conn) Backlog(limit int) int {
	ws := &cn.ws
	if cn.closed || ws == nil {
		return 0
	}
	if b := cn.queued() + ws.held + ws.sent; b <= limit {
		return b
	}
	return cn.queued() + cn.sample()
}

// Abort implements eio.WebSocket: the connection closes at once and what
// waits for the client is discarded (a slow consumer).
func (cn *conn) Abort() {
	if ws := &cn.ws; cn.isWS {
		ws.sess = nil
		ws.closing = true
	}
	cn.abort()
}

// drained tells the session of a WebSocket that was blocked that its
// backlog is written out. Runs on the loop.
func (cn *conn) drained() {
	if ws := &cn.ws; cn.isWS && ws.sess != nil && !ws.closing {
		ws.sess.Drained(cn)
	}
}

// Close implements eio.WebSocket: a close frame without status, as the
// official server's ws.close() sends, then a wait for the client's.
func (cn *conn) Close() {
	if cn.closed || !cn.isWS || cn.ws.closing {
		return
	}
	cn.ws.sess = nil
	cn.ws.closing = true
	cn.writeClose(wsframe.CloseNoStatus)
	cn.sh.wheel.Schedule(&cn.timer, closeWait)
}
