package sio

import (
	"context"
	"time"

	"github.com/sioloop/sioloop/eio"
)

// Shutdown closes the server gracefully: Node's io.close(), but waiting
// for what is in flight. New handshakes are refused at once (403
// {"code":4,"message":"Server is shutting down"}); it waits, up to ctx,
// for the acks the server awaits from its clients; then every client is
// disconnected with reason "server shutting down" after the packets
// already emitted to it (as io.close(), no Socket.IO DISCONNECT packet:
// the client sees its transport close and reconnects, to another node);
// it returns once every session is gone. On ctx's end it still
// disconnects every client, and returns ctx's error.
//
// It waits for the loops: call it from a goroutine of your own, not a
// handler (ErrOnLoop). The network stops with loop.Server.Shutdown,
// after this.
func (srv *Server) Shutdown(ctx context.Context) error {
	if srv.onALoop() {
		return ErrOnLoop
	}
	if srv.shutdown.Swap(true) {
		return nil // the first call does it
	}
	srv.engine.RefuseHandshakes()
	err := srv.waitFor(ctx, pendingAcks)
	if err == nil {
		// What was emitted is in the kernel before the close frame goes:
		// loop.Server.Shutdown may follow at once.
		err = srv.waitFor(ctx, unflushed)
	}
	srv.eachShard(func(sh *eio.Shard) { closeAll(sh) }, false)
	if err != nil {
		return err
	}
	return srv.waitFor(ctx, sessions)
}

// Drain disconnects the clients gradually over window, so they do not
// all reconnect to the next node at once: new handshakes are refused at
// once, and every 100 ms each loop disconnects its share of the clients
// it had at the call (reason "server shutting down", after their queued
// packets, as Shutdown does), the last at the end of the window. It
// returns then; Shutdown afterwards waits for the sessions to end.
//
// It waits for the loops: call it from a goroutine of your own, not a
// handler (ErrOnLoop).
func (srv *Server) Drain(window time.Duration) error {
	if srv.onALoop() {
		return ErrOnLoop
	}
	srv.engine.RefuseHandshakes()
	var initial [eio.MaxShards]int // each written by its own loop
	srv.eachShard(func(sh *eio.Shard) { initial[sh.Index()] = len(openClients(sh)) }, true)
	steps := max(1, int(window/drainStep))
	tick := time.NewTicker(window / time.Duration(steps))
	defer tick.Stop()
	for i := 1; i <= steps; i++ {
		<-tick.C
		srv.eachShard(func(sh *eio.Shard) {
			open := openClients(sh)
			keep := initial[sh.Index()] * (steps - i) / steps
			for _, c := range open[:max(0, len(open)-keep)] {
				c.closeWith(ReasonServerShuttingDown)
			}
		}, true)
	}
	return nil
}

// drainStep is the period of Drain's batches.
const drainStep = 100 * time.Millisecond

// openClients returns the shard's clients not closed yet. Runs on the
// loop.
func openClients(sh *eio.Shard) []*client {
	var open []*client
	sh.Sessions(func(s *eio.Session) {
		if c, ok := s.Context().(*client); ok && !c.closed {
			open = append(open, c)
		}
	})
	return open
}

// closeAll disconnects every client of the shard with reason "server
// shutting down", after what is queued for it. Runs on the loop.
func closeAll(sh *eio.Shard) {
	sh.Sessions(func(s *eio.Session) {
		if c, ok := s.Context().(*client); ok {
			c.closeWith(ReasonServerShuttingDown)
		}
	})
}

// onALoop reports whether the caller runs on one of the server's loops.
func (srv *Server) onALoop() bool {
	for i := range eio.MaxShards {
		if sh := srv.engine.Shard(i); sh != nil && sh.OnLoop() {
			return true
		}
	}
	return false
}

// waitFor polls count on every loop until it is zero or ctx ends. For
// shutdown only: nothing on the packet path signals these counts.
func (srv *Server) waitFor(ctx context.Context, count func(*eio.Shard) int) error {
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		n, err := srv.sumOnLoops(ctx, count)
		if err != nil || n == 0 {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}

// sumOnLoops adds up count run on every loop, waiting up to ctx (a loop
// that stopped never answers).
func (srv *Server) sumOnLoops(ctx context.Context, count func(*eio.Shard) int) (int, error) {
	results := make(chan int, eio.MaxShards)
	posted := 0
	for i := range eio.MaxShards {
		if sh := srv.engine.Shard(i); sh != nil {
			sh.Execute(func() { results <- count(sh) })
			posted++
		}
	}
	sum := 0
	for range posted {
		select {
		case n := <-results:
			sum += n
		case <-ctx.Done():
			return 0, ctx.Err()
		}
	}
	return sum, nil
}

// pendingAcks counts the acks the shard's sockets await. Runs on the loop.
func pendingAcks(sh *eio.Shard) int {
	n := 0
	sh.Sessions(func(s *eio.Session) {
		if c, ok := s.Context().(*client); ok {
			for _, x := range c.sockets {
				n += len(x.acks)
			}
		}
	})
	return n
}

// unflushed counts the shard's WebSocket sessions with bytes not yet
// handed to the kernel. Runs on the loop.
func unflushed(sh *eio.Shard) int {
	n := 0
	sh.Sessions(func(s *eio.Session) {
		if s.Transport() == eio.TransportWebSocket && !s.Closed() && !s.Writable() {
			n++
		}
	})
	return n
}

// sessions counts the shard's sessions, closing ones included (a polling
// session closes when its last GET has taken the close packet). Runs on
// the loop.
func sessions(sh *eio.Shard) int { return sh.Len() }
