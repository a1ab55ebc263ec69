package eio

import "errors"

// Backpressure: every session's outbound bytes are bounded by
// Options.OutboundHighWaterMark, checked before a packet is queued (as
// nats-server's queueOutbound checks a client's pending bytes). The
// policy at the mark: a volatile packet is dropped; any other packet
// closes the session with ReasonSlowConsumer, counted and logged at Warn.
// A WebSocket whose client takes none of the bytes waiting for it (the
// kernel's send queue included) for WriteStallTimeout is let go the same
// way (the host watches it and calls WriteStalled).

// ReasonSlowConsumer is the close reason of a session whose client did
// not take what was sent to it: its outbound bytes would have passed
// OutboundHighWaterMark, or it took none of them for WriteStallTimeout. The official server has no such reason; the name is
// nats-server's.
const ReasonSlowConsumer = "slow consumer"

// ErrDropped is the error of a send that queued nothing: the session is
// closed or closing, or the packet would have taken its outbound bytes
// past OutboundHighWaterMark.
var ErrDropped = errors.New("eio: packet dropped")

// Admit checks that n more bytes fit under the session's high-water mark,
// for a caller about to send packets that must travel together (a
// Socket.IO packet and its attachments): nil when they fit, else
// ErrDropped — and then, unless volatile, the session closes with
// ReasonSlowConsumer. Owner loop only.
func (s *Session) Admit(n int, volatile bool) error {
	if s.state != stateOpen {
		return ErrDropped
	}
	if b, ok := s.fits(n); !ok {
		if volatile {
			s.shard.srv.dropped.Add(1)
		} else {
			s.slowConsumer("high-water mark", b)
		}
		return ErrDropped
	}
	return nil
}

// fits reports whether n more bytes stay within the mark, and the
// backlog it measured.
func (s *Session) fits(n int) (int, bool) {
	mark := s.shard.srv.opts.OutboundHighWaterMark
	var b int
	switch {
	case s.transport == transportWebSocket:
		b = s.ws.Backlog(mark - n)
	case s.pending != nil:
		b = len(s.pending.B)
	}
	return b, b+n <= mark
}

// WriteStalled tells the session that the client of ws, its transport,
// took none of the bytes waiting for it (the kernel's send queue
// included) for WriteStallTimeout: the session closes with
// ReasonSlowConsumer.
func (s *Session) WriteStalled(ws WebSocket) {
	if s.state == stateClosed || ws != s.ws {
		return
	}
	s.slowConsumer("write stall", ws.Backlog(0))
}

// Drained tells the session that ws, its transport, has written out a
// backlog it could not send at once; the server's drain handler runs.
func (s *Session) Drained(ws WebSocket) {
	if s.state == stateOpen && ws == s.ws {
		s.drained()
	}
}

func (s *Session) drained() {
	if fn := s.shard.srv.onDrain; fn != nil {
		fn(s)
	}
}

// slowConsumer lets a client that does not keep up go: counted, logged,
// its WebSocket aborted (what waits for it is discarded) or its polling
// queue dropped. Runs on the owner loop.
func (s *Session) slowConsumer(cause string, backlog int) {
	s.shard.srv.slowConsumers.Add(1)
	s.shard.srv.opts.Logger.Warn("eio: slow consumer disconnected",
		"sid", string(s.id[:]), "transport", s.Transport(), "cause", cause,
		"backlog", backlog, "mark", s.shard.srv.opts.OutboundHighWaterMark)
	if ws := s.ws; ws != nil && s.transport == transportWebSocket {
		s.ws = nil
		ws.Abort()
	}
	s.closeWith(ReasonSlowConsumer)
}

// OnDrain sets the function called, on the session's loop, when a
// session's backlog has been written out: on WebSocket once the bytes the
// socket could not take at once are all written, on polling when a GET
// carries the queued packets away (engine.io's "drain" event). Call it
// before the server serves.
func (srv *Server) OnDrain(fn func(s *Session)) { srv.onDrain = fn }

// SlowConsumers returns how many sessions were closed with
// ReasonSlowConsumer. Safe from any goroutine.
func (srv *Server) SlowConsumers() uint64 { return srv.slowConsumers.Load() }

// DroppedPackets returns how many volatile sends were dropped at the
// high-water mark. Safe from any goroutine.
func (srv *Server) DroppedPackets() uint64 { return srv.dropped.Load() }
