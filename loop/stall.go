package loop

import "time"

// The write-stall rule: a WebSocket whose peer acknowledges none of the
// bytes written to it for its route's WriteStallTimeout, while some wait
// (in our queue, gnet's buffer or the kernel's send queue), is let go as
// a slow consumer (eio.Session.WriteStalled).
//
// A stall the kernel absorbs is the case to catch: a client that stops
// reading behind a full receive window leaves every write succeeding
// until the kernel's send queue (a few MB per socket) is full, so our
// own queue stays empty and only the kernel knows. Its send queue
// (SIOCOUTQ: bytes not acknowledged) is sampled by a per-loop sweep,
// every sweepEvery, for the WebSocket conns on its watch list: those
// that handed bytes to the socket since their last sample, or whose last
// sample found some not acknowledged. The peer took bytes since the
// previous sample when the send queue is smaller than it was plus what
// was handed since (wsState.held, .sent: the estimate Backlog keeps too,
// which its own samples update alike). A reader that is slow but keeps
// taking bytes is never cut, however long its queue stays non-empty.
//
// Cost: no system call per message and no timer per connection — at
// most one ioctl per watched conn per sweep, and a conn leaves the list
// at the first sample that finds everything acknowledged: a conn written
// to less often than once a sweep costs at most one ioctl per write, one
// written to more often one per sweep.
//
// Long-polling needs no such rule: a polling client takes bytes only by
// asking for them, so the kernel holds at most the answer to its last
// GET, and a client that stops reading stops asking — its session's
// heartbeat (pingTimeout) ends it, with nothing more written to it.

// watch puts a WebSocket conn that handed bytes to its socket on the
// shard's watch list, once.
func (cn *conn) watch() {
	if ws := &cn.ws; !ws.watched {
		ws.watched = true
		ws.quiet = 0
		cn.sh.watch = append(cn.sh.watch, cn)
	}
}

// sample asks the kernel for the bytes of cn's WebSocket the peer has not
// acknowledged and returns them with gnet's buffer; when that is less
// than the last sample plus what was handed since, the peer took bytes.
// One ioctl. Runs on the loop.
func (cn *conn) sample() int {
	ws := &cn.ws
	held := kernelQueued(cn.c.Fd()) + cn.c.OutboundBuffered()
	if held < ws.held+ws.sent {
		ws.quiet = 0
	}
	ws.held, ws.sent = held, 0
	return held
}

// sweepStalls samples every watched conn: one whose bytes are all
// acknowledged leaves the list; one that had sweeps enough without
// progress to span its route's WriteStallTimeout is let go. Runs on the
// loop, from advance.
func (sh *shard) sweepStalls() {
	list := sh.watch
	sh.watch = sh.unwatch[:0]
	for i, cn := range list {
		list[i] = nil
		ws := &cn.ws
		ws.watched = false
		if cn.closed || ws.sess == nil || ws.closing {
			continue
		}
		if cn.sample() == 0 && cn.out == nil {
			continue // all taken: watched again from its next write
		}
		// quiet counts this sweep and those since the last that saw
		// progress (or since the conn joined): the peer has taken
		// nothing for at least quiet-1 sweep periods.
		ws.quiet++
		if time.Duration(ws.quiet-1)*sh.sweepEvery >= ws.route.engine.WriteStallTimeout() {
			ws.sess.WriteStalled(cn)
			continue
		}
		ws.watched = true
		sh.watch = append(sh.watch, cn)
	}
	sh.unwatch = list[:0]
}

// sweepPeriod returns how often a shard samples its watched conns: a
// quarter of the shortest WriteStallTimeout of the routes, at most a
// second (a stalled client is let go at most two periods after its
// timeout), at least a tick.
func sweepPeriod(routes []*route) time.Duration {
	p := time.Second
	for _, rt := range routes {
		p = min(p, rt.engine.WriteStallTimeout()/4)
	}
	return max(p, tick)
}
