package loop

import (
	"time"

	"github.com/panjf2000/gnet/v2"
	"github.com/sioloop/sioloop/eio"
	"github.com/sioloop/sioloop/internal/wheel"
	"github.com/valyala/bytebufferpool"
	"golang.org/x/sys/unix"
)

// shard is the state one gnet event loop owns: its connections' buffers
// and timers, one eio.Shard per route, and the inbox other loops post to.
//
// Ownership: every field but inbox's queue is touched only on the loop.
type shard struct {
	srv   *Server
	index int
	loop  gnet.EventLoop
	id    uintptr // the loop goroutine's loopID
	inbox inbox

	// Loop state.
	eio      []*eio.Shard // by route index
	wheel    *wheel.Wheel // HTTP header timeouts, WebSocket close waits
	dirty    []*conn      // conns with output waiting for the flush
	spare    []*conn      // the previous round's dirty storage
	blocked  []*conn      // conns whose socket did not take all (out.go)
	unblock  []*conn      // the previous scan's blocked storage
	watch    []*conn      // WebSockets with bytes their peer may not have taken (stall.go)
	unwatch  []*conn      // the previous sweep's watch storage
	iov      []unix.Iovec // writev scratch
	flushing bool
	headers  []eio.Header // scratch for eio.Request
	req      eio.Request  // eioRequest's, while reqBusy (serve.go)
	reqBusy  bool
	// The write-stall sweep of watch (stall.go): its period, its last.
	sweepEvery time.Duration
	swept      time.Time
	// freeHTTP holds the HTTP states of conns that became WebSockets, for
	// the next conns accepted (conn.go): at most maxFreeHTTP.
	freeHTTP    []*httpState
	chunked     []byte                    // scratch for decoded chunked bodies
	waiting     []*conn                   // fallback handlers waiting for their conn to send (fallback.go)
	moved       *handoff                  // the handoff being served, during serveHandoff
	refusing    *eio.Request              // the request whose session's loop this is, while eio decides on it (conn.Refuse)
	compressors compressors               // for long-polling answers (compress.go)
	flate       flateState                // permessage-deflate (deflate.go)
	upstreams   [eio.MaxNodes][]*upstream // idle connections to other nodes, by node (forward.go)
}

func newShard(srv *Server, index int, loop gnet.EventLoop) *shard {
	now := time.Now()
	sh := &shard{srv: srv, index: index, loop: loop, wheel: wheel.New(tick, srv.opts.HeaderTimeout, now)}
	sh.sweepEvery, sh.swept = sweepPeriod(srv.routes), now
	sh.id = loopID() // newShard runs on the loop (OnOpen)
	sh.inbox.room.L = &sh.inbox.mu
	for _, rt := range srv.routes {
		sh.eio = append(sh.eio, rt.engine.NewShard(index, now, sh))
	}
	return sh
}

// Execute implements eio.Executor: fn runs on the loop, in order with the
// other tasks its caller posted.
func (sh *shard) Execute(fn func()) { sh.post(task{op: opFunc, fn: fn}) }

// Unflushed implements eio.Flusher: the conns with output our queue or
// gnet's buffer still holds (out.go). Runs on the loop.
func (sh *shard) Unflushed() int { return len(sh.blocked) + len(sh.dirty) }

// OnLoop implements eio.Executor: whether the caller is the loop's
// goroutine (loopID).
func (sh *shard) OnLoop() bool { return loopID() == sh.id }

// tick is the period of the engine ticker that advances every wheel when
// the loop has nothing else to do. Each loop also advances its wheels
// before it handles input or tasks, so a deadline is never seen as
// pending by a request that arrives after it; between those, a deadline
// fires at most a tick late. A 1 ms ticker woke every loop 1000 times a
// second; at 10 ms an idle 2-loop server used 6 CPU ticks (of 100 a
// second) in 30 s: utime+stime from /proc/<pid>/stat, 30 s apart.
const tick = 10 * time.Millisecond

// advance runs the deadlines due now. Runs on the loop.
func (sh *shard) advance() {
	now := time.Now()
	sh.wheel.Advance(now)
	for _, e := range sh.eio {
		e.Advance(now)
	}
	if now.Sub(sh.swept) >= sh.sweepEvery {
		sh.swept = now
		sh.sweepStalls()
	}
	if len(sh.waiting) > 0 {
		sh.resumeFallbacks()
	}
}

// flush writes every conn's coalesced output: one write per conn per
// loop iteration. Runs on the loop.
//
// A write can fail and close a conn from inside gnet, whose OnClose makes
// more conns dirty (the closing session's peers): those join the next
// round, and a nested flush is a no-op.
func (sh *shard) flush() {
	if sh.flushing {
		return
	}
	sh.flushing = true
	for {
		for len(sh.dirty) > 0 {
			batch := sh.dirty
			sh.dirty = sh.spare[:0]
			for i, c := range batch {
				batch[i] = nil
				c.flush()
			}
			sh.spare = batch[:0]
		}
		sh.retryBlocked()
		if len(sh.dirty) == 0 {
			break
		}
	}
	sh.flushing = false
}

// retryBlocked visits the conns whose socket did not take all their
// output: once gnet's buffer is empty they write more; one whose backlog
// is all written tells its session (Drained). (One whose peer takes
// nothing is let go by the write-stall sweep: stall.go.) It costs a few
// loads per blocked conn and no system call while gnet's buffer is not
// empty. Runs on the loop.
func (sh *shard) retryBlocked() {
	if len(sh.blocked) == 0 {
		return
	}
	list := sh.blocked
	sh.blocked = sh.unblock[:0]
	for i, cn := range list {
		list[i] = nil
		cn.blocked = false
		if cn.closed {
			continue
		}
		held := cn.c.OutboundBuffered()
		q := cn.out
		if q == nil {
			if held > 0 {
				cn.block() // gnet still writes the last segment
			} else {
				cn.drained()
			}
			continue
		}
		cn.blocked = true // flush keeps it in the list if output remains
		sh.blocked = append(sh.blocked, cn)
		if held == 0 {
			cn.flush()
		}
	}
	sh.unblock = list[:0]
}

// run executes one task. Runs on the loop.
func (sh *shard) run(t *task) {
	switch t.op {
	case opTick: // Run advanced the wheels
	case opFunc:
		t.fn()
	case opPoll:
		sh.eio[t.route.index].Poll(t.sid[:], t.flags, (*remoteConn)(t.c))
	case opPost:
		sh.eio[t.route.index].Post(t.sid[:], t.flags, t.buf.B, (*remoteConn)(t.c))
	case opPollClosed:
		if s := sh.eio[t.route.index].Lookup(t.sid[:]); s != nil {
			s.PollClosed((*remoteConn)(t.c))
		}
	case opRespond:
		t.c.Respond(t.status, t.ctype, t.buf.B)
	case opRefuse:
		t.c.Refuse(&eio.RequestError{Code: eio.ErrorCode(t.status), Message: t.ctype})
	}
	if t.buf != nil {
		bytebufferpool.Put(t.buf)
	}
}

// copyBuf returns a pooled copy of p for a task.
func copyBuf(p []byte) *bytebufferpool.ByteBuffer {
	b := bytebufferpool.Get()
	b.B = append(b.B[:0], p...)
	return b
}
