package sio

import "github.com/sioloop/sioloop/parser"

// Args holds the arguments of an event or an ack: Len, Decode, Bind,
// String, Value, Values, Spread, Clone (see parser.Args).
type Args = parser.Args

// Event is an event a client emitted: its arguments (Args's methods:
// Len, Decode, String, Value, …) and the ack the client may have asked
// for. Valid only until the handler returns.
type Event struct {
	Args
	socket *Socket
	ackID  int64 // -1: no ack asked, or already sent
}

// HasAck reports whether the client asked for an ack not yet sent.
func (e *Event) HasAck() bool { return e.ackID >= 0 }

// Ack answers the client's ack with values ([]byte anywhere travels as
// binary). It fails with ErrNoAck when none was asked or it was sent, and
// as the function of AckFunc does otherwise.
func (e *Event) Ack(values ...any) error {
	if e.ackID < 0 {
		return ErrNoAck
	}
	id := e.ackID
	e.ackID = -1
	return e.socket.sendAck(id, values)
}

// AckFunc returns a function answering the ack later, from any goroutine,
// once; nil when the client asked for no ack. Its error is the same from
// every goroutine, as Socket.Emit's: the parser's for a value it cannot
// encode, ErrDisconnected once the socket has disconnected; then nothing
// was sent.
func (e *Event) AckFunc() func(values ...any) error {
	if e.ackID < 0 {
		return nil
	}
	s, id := e.socket, e.ackID
	e.ackID = -1
	return func(values ...any) error { return s.sendAck(id, values) }
}

// sendAck encodes an ACK packet on the caller's goroutine and writes it
// on the socket's loop: now on it, else posted.
func (s *Socket) sendAck(id int64, values []any) error {
	if s.ended.Load() {
		return ErrDisconnected
	}
	if s.sh.OnLoop() {
		f, err := s.client.encode(parser.Ack, s.nsp.name, id, "", values)
		if err != nil {
			return err
		}
		s.writeAck(f)
		return nil
	}
	f, err := s.encodeOwned(parser.Ack, id, "", values)
	if err != nil {
		return err
	}
	s.sh.Execute(func() { s.writeAck(f) })
	return nil
}

// writeAck writes an encoded ack, unless the socket has disconnected
// meanwhile; one past the outbound high-water mark disconnects the client
// (ReasonSlowConsumer). Runs on the loop.
func (s *Socket) writeAck(f *parser.Frames) {
	if s.connected {
		_ = s.client.write(f, false)
	}
}

// onPacket handles a packet of a connected socket; ev holds its
// arguments. Runs on the loop.
func (s *Socket) onPacket(p *parser.Packet, ev *Event) {
	switch p.Type {
	case parser.Event, parser.BinaryEvent:
		s.onEvent(p, ev)
	case parser.Ack, parser.BinaryAck:
		s.onAck(p, &ev.Args)
	case parser.Disconnect:
		s.onClose(ReasonClientNamespaceDisconnect)
	}
}

// onEvent runs the middlewares and handlers of an incoming event.
func (s *Socket) onEvent(p *parser.Packet, ev *Event) {
	name := p.Event
	if name == nil {
		return // an EVENT without payload: the official server ignores it
	}
	ev.socket = s
	ev.ackID = p.ID
	if h := s.more; h != nil {
		if len(h.middlewares) > 0 && !s.runSocketMiddlewares(ev) {
			return
		}
		if len(h.anyIn) > 0 {
			event := string(name)
			for _, fn := range h.anyIn {
				fn(s, event, ev)
			}
		}
	}
	for i := 0; i < len(s.handlers); i++ {
		h := s.handlers[i]
		if h.key.name != string(name) {
			continue
		}
		if h.key.once {
			s.handlers = append(s.handlers[:i], s.handlers[i+1:]...)
			i--
		}
		h.fn(s, ev)
		if !s.connected {
			return
		}
	}
}

// runSocketMiddlewares reports whether every middleware let ev through.
func (s *Socket) runSocketMiddlewares(ev *Event) bool {
	for _, mw := range s.more.middlewares {
		var refused error
		passed := false
		mw(s, ev, func(err error) {
			passed = err == nil
			refused = err
		})
		if !passed {
			if refused != nil {
				for _, fn := range s.more.onError {
					fn(s, refused)
				}
			}
			return false
		}
	}
	return true
}
