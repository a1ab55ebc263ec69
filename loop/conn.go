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
	inTraffic   bool                       // inside onTraffic: do not re-enter
	closeOnSend bool                       // close once the output is flushed
	movedAway   bool                       // handed to another loop (handoff.go)
	out         *bytebufferpool.ByteBuffer // output coalesced until the flush
	timer       wheel.Timer                // header timeout, or close wait
	http        *httpState                 // nil once upgraded
	ws          *wsState                   // nil until upgraded
}

// httpState is the HTTP side of a conn.
type httpState struct {
	// pending: a request is being answered by a shard (maybe of another
	// loop); input stays buffered until the answer is written.
	pending   bool
	keepAlive bool
	route     *route
	sid       eio.SID // the pending request's session, for opPollClosed
	headers   []byte  // extra response header lines (CORS) of the pending request
	// fallback is the request the fallback handler is serving, if any
	// (fallback.go).
	fallback *fallback
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
}

func (sh *shard) newConn(c gnet.Conn) *conn {
	cn := &conn{c: c, sh: sh, http: &httpState{}}
	cn.timer.Init(cn)
	cn.headerTimeout()
	return cn
}

// OnTimer closes a conn whose request headers did not arrive in time, or
// whose peer did not answer our close frame.
func (cn *conn) OnTimer(*wheel.Timer) { cn.closeNow() }

// buffer returns the conn's output buffer and schedules its flush.
func (cn *conn) buffer() *bytebufferpool.ByteBuffer {
	if cn.out == nil {
		cn.out = bytebufferpool.Get()
		cn.sh.dirty = append(cn.sh.dirty, cn)
	}
	return cn.out
}

// flush writes the coalesced output. Runs on the loop.
func (cn *conn) flush() {
	out := cn.out
	if out == nil {
		return
	}
	cn.out = nil // a failed Write runs onClose from inside it
	if !cn.closed {
		_, _ = cn.c.Write(out.B)
		if !cn.closed && cn.c.OutboundBuffered() > cn.sh.srv.opts.MaxOutboundBytes {
			// A slow reader: drop it rather than grow without bound, as a
			// failed write ends the official server's transport.
			cn.closeOnSend = true
		}
	}
	bytebufferpool.Put(out)
	if cn.closeOnSend {
		cn.closeNow()
	}
}

// closeNow closes the TCP connection after writing what is buffered.
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

// onClose runs when gnet reports the connection closed, whoever closed
// it: the session learns its transport is gone. Runs on the loop.
func (cn *conn) onClose(err error) {
	cn.closed = true
	if cn.movedAway {
		return
	}
	cn.sh.wheel.Stop(&cn.timer)
	if cn.out != nil {
		bytebufferpool.Put(cn.out)
		cn.out = nil
	}
	if cn.http != nil {
		cn.http.endFallback()
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
	if ws := cn.ws; ws != nil {
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
