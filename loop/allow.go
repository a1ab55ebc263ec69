package loop

import (
	"context"
	"sync/atomic"

	"github.com/sioloop/sioloop/eio"
	"github.com/valyala/bytebufferpool"
)

// A handshake waits for the engine's AllowRequest, which may answer later
// from another goroutine (after a lookup), as Node's allowRequest(req,
// callback) does. The loop never waits: the request is copied and the
// connection reads nothing more until the answer comes back through the
// loop's inbox; then the request is served again with the verdict.

// allowCall is one handshake's question to AllowRequest.
type allowCall struct {
	cn    *conn
	moved *handoff // the handoff the handshake came with, if any
	// state: 0 while AllowRequest runs, 1 answered during the call, 2
	// returned without an answer (the answer posts itself to the loop).
	state atomic.Int32
	err   *eio.RequestError
}

// done receives AllowRequest's verdict, on any goroutine, once.
func (a *allowCall) done(err *eio.RequestError) {
	a.err = err
	if a.state.CompareAndSwap(0, 1) {
		return
	}
	a.cn.sh.Execute(func() { a.cn.allowAnswered(a) })
}

// allow asks the route's engine whether the handshake er (raw, whole) may
// go on. decided is false when the answer will come later: the request is
// then kept and served again once it has. Runs on the loop.
func (cn *conn) allow(raw []byte, rt *route, er *eio.Request) (refused *eio.RequestError, decided bool) {
	hs := cn.http
	if a := hs.verdict; a != nil { // served again with the answer
		hs.verdict = nil
		return a.err, true
	}
	a := &allowCall{cn: cn, moved: cn.sh.moved}
	rt.engine.Allow(er, a.done)
	if a.state.CompareAndSwap(0, 2) {
		hs.pending = true // read nothing more until the answer
		hs.held = copyBuf(raw)
		return nil, false
	}
	return a.err, true
}

// allowAnswered serves a held handshake again with AllowRequest's late
// answer. Runs on the loop.
func (cn *conn) allowAnswered(a *allowCall) {
	hs := cn.http
	if cn.closed || hs == nil || hs.held == nil {
		return // the client went away meanwhile
	}
	held := hs.held
	defer bytebufferpool.Put(held)
	hs.held, hs.pending, hs.verdict = nil, false, a
	var r request
	n, err := parseRequest(held.B, &cn.sh.srv.limits, &r, &cn.sh.chunked)
	if err != nil || n != len(held.B) {
		cn.refuse(err) // cannot happen: the same bytes parsed before
		return
	}
	cn.sh.moved = a.moved // its client's address, for a hijacked handshake
	cn.serve(held.B, &r)
	cn.sh.moved = nil
	switch {
	case cn.isWS:
		cn.onTraffic() // frames sent right after our 101
	case !cn.http.pending && !cn.closeOnSend:
		cn.headerTimeout()
		cn.onTraffic() // requests pipelined behind the handshake
	}
}

// allowWait asks AllowRequest about the handshake er and waits for the
// answer, or for ctx (the client going away: ok is false). In net/http
// mode the request has a goroutine of its own, which may wait.
func allowWait(ctx context.Context, engine *eio.Server, er *eio.Request) (refused *eio.RequestError, ok bool) {
	answer := make(chan *eio.RequestError, 1)
	engine.Allow(er, func(err *eio.RequestError) { answer <- err })
	select {
	case refused = <-answer:
		return refused, true
	case <-ctx.Done():
		return nil, false
	}
}
