package loop

import (
	"time"

	"github.com/panjf2000/gnet/v2"
	"github.com/sioloop/sioloop/eio"
	"github.com/sioloop/sioloop/internal/wheel"
	"github.com/sioloop/sioloop/wsframe"
	"github.com/valyala/bytebufferpool"
)

// conn is our state of one TCP connection: HTTP until a WebSocket upgrade,
// then WebSocket. It is gnet's conn context.
//
// Ownership: a conn belongs to the loop of its TCP connection. Another
// loop holds it only as an address to post tasks about (remoteConn) and
// never reads its fields.
type conn struct {
	c  gnet.Conn
	sh *shard

	// Loop state.
	closed      bool
	inTraffic   bool        // inside onTraffic: do not re-enter
	closeOnSend bool        // close once the output is flushed
	movedAway   bool        // handed to another loop (handoff.go)
	blocked     bool        // in the shard's blocked list (out.go)
	isWS        bool        // upgraded: ws is the conn's WebSocket state
	out         *outQueue   // output not yet handed to the socket (out.go)
	timer       wheel.Timer // header timeout, or close wait
	http        *httpState  // nil once upgraded
	// ws is the WebSocket side, valid once isWS: part of the conn, not an
	// object of its own — 176 bytes for both (a size class), where a
	// 112-byte conn pointed at an 80-byte state.
	ws  wsState
	fwd *upstream // carrying this conn's forwarded request, or its spliced WebSocket (forward.go)
}

// httpState is the HTTP side of a conn.
type httpState struct {
	// pending: a request is being answered by a shard (maybe of another
	// loop); input stays buffered until the answer is written.
	pending   bool
	keepAlive bool
	route     *route
	sid       eio.SID  // the pending request's session, for opPollClosed
	headers   []byte   // extra response header lines (CORS, then the engine's: AppendHeaders) of the pending request
	hooked    int      // where the engine's lines start in headers: a non-200 answer goes without them
	encoding  encoding // how the pending GET's answer may be compressed
	// kept is a copy of the pending request, for the report of a refusal
	// decided on another loop (conn.Refuse); only when the engine
	// reports refusals (eio.Server.ReportsRefusals).
	kept *bytebufferpool.ByteBuffer
	// fallback is the request the fallback handler is serving, if any
	// (fallback.go).
	fallback *fallback
	// A handshake waiting for AllowRequest (allow.go): the request, kept
	// until the answer, then the answer while it is served again.
	held    *bytebufferpool.ByteBuffer
	verdict *allowCall
}

// wsState is the WebSocket side of a conn.
type wsState struct {
	dec   wsframe.Decoder
	route *route
	sess  *eio.Session
	// closing: our close frame is sent; waiting for the client's.
	closing bool
	// draining: the input broke the protocol; discard it until the end.
	draining bool
	// The write-stall watch (stall.go): in the shard's watch list, and
	// how many sweeps found that the peer took nothing since.
	watched bool
	quiet   uint32
	// The backlog estimate (Backlog, sample): what the kernel and gnet
	// held when last asked, and the bytes handed to the socket since.
	held, sent int
}

func (sh *shard) newConn(c gnet.Conn) *conn {
	var hs *httpState
	if n := len(sh.freeHTTP); n > 0 {
		hs, sh.freeHTTP = sh.freeHTTP[n-1], sh.freeHTTP[:n-1]
	} else {
		hs = &httpState{}
	}
	cn := &conn{c: c, sh: sh, http: hs}
	cn.timer.Init(cn)
	cn.headerTimeout()
	return cn
}

// maxFreeHTTP bounds a shard's spare HTTP states: a burst of accepts
// takes them, the handshakes that follow give them back.
const maxFreeHTTP = 256

// freeHTTPState keeps the HTTP state of a conn that became a WebSocket
// for a conn accepted later: an idle WebSocket keeps none, and its 96
// bytes are not garbage of every connect. Runs on the loop.
func (sh *shard) freeHTTPState(hs *httpState) {
	if len(sh.freeHTTP) < maxFreeHTTP && hs.fallback == nil && hs.held == nil && hs.verdict == nil && hs.kept == nil {
		*hs = httpState{headers: hs.headers[:0]}
		sh.freeHTTP = append(sh.freeHTTP, hs)
	}
}

// OnTimer closes a conn whose request headers did not arrive in time, or
// whose peer did not answer our close frame: that one with a reset, so
// the kernel drops what it still holds for a peer that stopped reading (a
// FIN would wait behind that data, and the socket with it).
func (cn *conn) OnTimer(*wheel.Timer) {
	if cn.isWS && cn.ws.closing {
		cn.abort()
		return
	}
	cn.closeNow()
}

// flush hands the queued output to the socket; what the socket does not
// take leaves the conn blocked (out.go). Runs on the loop.
func (cn *conn) flush() {
	q := cn.out
	if q == nil {
		return
	}
	cn.out = nil // a failed write runs onClose from inside it
	handed := 0
	switch {
	case cn.closed:
	case cn.closeOnSend:
		cn.handAll(q)
	case cn.c.OutboundBuffered() == 0:
		handed = cn.write(q)
	}
	if cn.closed || q.empty() {
		q.free()
		if !cn.closed && handed > 0 && cn.c.OutboundBuffered() > 0 {
			cn.block() // gnet holds the rest: watched until drained
		}
	} else {
		cn.out = q
		cn.block()
	}
	if cn.isWS && !cn.closed {
		cn.ws.sent += handed
		if handed > 0 || cn.out != nil {
			cn.watch() // until the peer has taken it all (stall.go)
		}
	}
	if !cn.closed && !cn.isWS && cn.c.OutboundBuffered()+cn.queued() > cn.sh.srv.opts.MaxOutboundBytes {
		// A slow HTTP reader: drop it rather than grow without bound, as
		// a failed write ends the official server's transport. (A
		// WebSocket's bound is its session's high-water mark.)
		cn.closeOnSend = true
		if cn.out != nil {
			cn.out.free()
			cn.out = nil
		}
	}
	if cn.closeOnSend {
		cn.closeNow()
	}
}

// queued returns the bytes of output not yet handed to the socket.
func (cn *conn) queued() int {
	if cn.out == nil {
		return 0
	}
	return cn.out.size()
}

// block puts the conn in the shard's blocked list, once.
func (cn *conn) block() {
	if !cn.blocked {
		cn.blocked = true
		cn.sh.blocked = append(cn.sh.blocked, cn)
	}
}

// closeNow closes the TCP connection after writing what is queued.
func (cn *conn) closeNow() {
	if cn.closed {
		return
	}
	if cn.out != nil {
		cn.closeOnSend = true
		cn.flush()
		return
	}
	_ = cn.c.Close()
	cn.closed = true
}

// abort closes the TCP connection at once, discarding what is queued; a
// zero linger makes the kernel drop its send queue too (RST), so a slow
// consumer's memory is released now.
func (cn *conn) abort() {
	if cn.closed {
		return
	}
	if cn.out != nil {
		cn.out.free()
		cn.out = nil
	}
	_ = cn.c.SetLinger(0)
	_ = cn.c.Close()
	cn.closed = true
}

// onClose runs when gnet reports the connection closed, whoever closed
// it: the session learns its transport is gone. Runs on the loop.
func (cn *conn) onClose(err error) {
	cn.closed = true
	if cn.movedAway {
		return
	}
	if up := cn.fwd; up != nil {
		cn.fwd, up.client = nil, nil
		up.close()
	}
	cn.sh.wheel.Stop(&cn.timer)
	if cn.out != nil {
		cn.out.free()
		cn.out = nil
	}
	if cn.http != nil {
		cn.http.endFallback()
	}
	if hs := cn.http; hs != nil && hs.held != nil {
		bytebufferpool.Put(hs.held)
		hs.held = nil
	}
	if cn.http != nil {
		cn.http.unkeep()
	}
	if hs := cn.http; hs != nil && hs.pending && hs.route != nil && hs.sid != (eio.SID{}) {
		owner := cn.sh.srv.shardByIndex(eio.ShardOf(hs.sid[:]))
		switch {
		case owner == cn.sh:
			if s := cn.sh.eio[hs.route.index].Lookup(hs.sid[:]); s != nil {
				s.PollClosed(cn)
			}
		case owner != nil:
			owner.post(task{op: opPollClosed, c: cn, route: hs.route, sid: hs.sid})
		}
	}
	if ws := &cn.ws; cn.isWS {
		ws.dec.Reset()
		if ws.sess != nil && !ws.closing {
			cn.sessionClosed(nil)
		}
	}
}

// headerTimeout re-arms the wait for the next request's headers.
func (cn *conn) headerTimeout() {
	cn.sh.wheel.Schedule(&cn.timer, cn.sh.srv.opts.HeaderTimeout)
}

// closeWait bounds the wait for the client's answer to our close frame.
const closeWait = 5 * time.Second
