package sio

import (
	"context"
	"time"

	"github.com/sioloop/sioloop/eio"
	"github.com/sioloop/sioloop/internal/quiesce"
)

// Shutdown closes the server gracefully: Node's io.close(), but waiting
// for what is in flight. New handshakes are refused at once (403
// {"code":4,"message":"Server is shutting down"}); it waits, up to ctx,
// for the acks the server awaits from its clients; then every client is
// disconnected with reason "server shutting down" after the packets
// already emitted to it (as io.close(), no Socket.IO DISCONNECT packet:
// the client sees its transport close and reconnects, to another node).
// It waits, up to ctx, for those packets to reach the kernel (a
// long-polling client still owed some takes them with its next GET). A
// long-polling client that had no GET held at the close may be gone:
// engine.io waits 30 s for its next GET, Shutdown one second (a live
// client comes back at once, and is then waited for), so Shutdown of an
// idle server returns at once. On ctx's end it still disconnects every
// client, and returns ctx's error.
//
// A WebSocket client that stopped reading holds it this long: what the
// kernel took for it is not waited for (a few MB); what the kernel would
// not take is, until 5 s after the disconnect (the wait for the answer to
// the close frame, which then resets the connection: those packets are
// lost); an ack it owes is waited for up to ctx, or until
// Options.Engine.WriteStallTimeout lets it go, when it took none of the
// bytes sent to it for that long. Shutdown does not let such a client go
// sooner: a live client whose reading pauses for a moment looks the same
// from the server, and would lose packets emitted before Shutdown.
//
// It waits for the loops: call it from a goroutine of your own, not a
// handler (ErrOnLoop). The network stops with loop.Server.Shutdown,
// after this, which first lets the bytes queued for each connection
// reach the kernel (sioloop.Server.Shutdown does both).
func (srv *Server) Shutdown(ctx context.Context) error {
	if srv.onALoop() {
		return ErrOnLoop
	}
	if srv.shutdown.Swap(true) {
		return nil // the first call does it
	}
	srv.engine.RefuseHandshakes()
	err := quiesce.Wait(ctx, srv.counter(pendingAcks))
	srv.eachShard(closeAll, false)
	if err != nil {
		return err
	}
	// What a client is owed and comes for is waited for up to ctx; the
	// polling clients that had no GET held at the close get closeGrace,
	// which starts once everything before is in the kernel (a client
	// still reading a large answer is not taken for a gone one).
	var graceEnd time.Time
	return quiesce.Wait(ctx, func(ctx context.Context) (int, error) {
		n, err := srv.counter(unsent)(ctx)
		if err != nil || n > 0 {
			return n, err
		}
		if graceEnd.IsZero() {
			graceEnd = time.Now().Add(closeGrace)
		}
		if time.Now().After(graceEnd) {
			return 0, nil
		}
		return srv.counter(sessions)(ctx)
	})
}

// closeGrace is how long Shutdown waits for the next GET of a closing
// long-polling session whose client had no GET held at the close: a live
// client sends it as soon as it has read the previous answer (and gets
// what is left, then its close packet: "transport close" rather than a
// failed request); a gone one never does.
const closeGrace = time.Second

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
	// Bounded: a loop stopped under Drain never answers.
	ctx, cancel := context.WithTimeout(context.Background(), window+drainSlack)
	defer cancel()
	var initial [eio.MaxShards]int // each written by its own loop
	if _, err := srv.counter(func(sh *eio.Shard) int {
		initial[sh.Index()] = len(openClients(sh))
		return 0
	})(ctx); err != nil {
		return err
	}
	steps := max(1, int(window/drainStep))
	tick := time.NewTicker(max(window/time.Duration(steps), time.Millisecond)) // a window of 0: all at once
	defer tick.Stop()
	for i := 1; i <= steps; i++ {
		<-tick.C
		if _, err := srv.counter(func(sh *eio.Shard) int {
			open := openClients(sh)
			keep := initial[sh.Index()] * (steps - i) / steps
			for _, c := range open[:max(0, len(open)-keep)] {
				c.closeWith(ReasonServerShuttingDown)
			}
			return 0
		})(ctx); err != nil {
			return err
		}
	}
	return nil
}

// drainSlack is how much longer than its window Drain waits for the loops.
const drainSlack = 5 * time.Second

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

// counter returns a quiesce count that adds up count run on every loop.
func (srv *Server) counter(count func(*eio.Shard) int) func(context.Context) (int, error) {
	return func(ctx context.Context) (int, error) {
		var shards []*eio.Shard
		for i := range eio.MaxShards {
			if sh := srv.engine.Shard(i); sh != nil {
				shards = append(shards, sh)
			}
		}
		return quiesce.Sum(ctx, len(shards),
			func(i int, fn func()) { shards[i].Execute(fn) },
			func(i int) int { return count(shards[i]) })
	}
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

// unsent counts the shard's sessions holding packets their client will
// come for (Session.Unsent), and its loop's connections with output not
// yet in the kernel (Shard.Unflushed). Runs on the loop.
func unsent(sh *eio.Shard) int {
	n := sh.Unflushed()
	sh.Sessions(func(s *eio.Session) {
		if s.Unsent() {
			n++
		}
	})
	return n
}

// sessions counts the shard's sessions, closing ones included (a polling
// session closes when a GET has taken its close packet). Runs on the
// loop.
func sessions(sh *eio.Shard) int { return sh.Len() }
