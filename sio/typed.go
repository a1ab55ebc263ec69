package sio

// Typed handlers: the event's first argument decoded into a Go value
// once, straight from its wire form (Event.Decode: JSON into the value,
// binary attachments into its []byte fields), and a type mismatch
// answered to the client instead of reaching the handler.

// TypedError is the ack a typed handler's client gets when its argument
// does not decode into the handler's type, or HandleAck's fn fails:
// {"error": "<message>"}.
type TypedError struct {
	Error string `json:"error"`
}

// Handle returns an EventHandler that decodes the event's first argument
// into a T and calls fn with it:
//
//	s.On("move", sio.Handle(func(s *sio.Socket, m Move, ev *sio.Event) { … }))
//
// When the argument is missing or does not decode into a T, fn is not
// called: a client that asked for an ack gets TypedError (with the
// decoder's message), and the socket's OnError handlers get the error.
// The connection stays up.
func Handle[T any](fn func(s *Socket, v T, ev *Event)) EventHandler {
	return func(s *Socket, ev *Event) {
		var v T
		if err := ev.Decode(0, &v); err != nil {
			s.refuseTyped(ev, err)
			return
		}
		fn(s, v, ev)
	}
}

// HandleAck is Handle for a request the client awaits (an event with an
// ack): fn's result is the ack, or TypedError{err.Error()} when fn fails.
// fn runs on the loop like any handler: for slow work use Handle with
// Event.AckFunc and a goroutine.
//
//	s.On("add", sio.HandleAck(func(s *sio.Socket, in Pair) (Sum, error) { return Sum{in.A + in.B}, nil }))
func HandleAck[T, R any](fn func(s *Socket, v T) (R, error)) EventHandler {
	return Handle(func(s *Socket, v T, ev *Event) {
		r, err := fn(s, v)
		if err != nil {
			_ = ev.Ack(TypedError{err.Error()})
			return
		}
		_ = ev.Ack(r)
	})
}

// refuseTyped reports an argument that did not decode. Runs on the loop.
func (s *Socket) refuseTyped(ev *Event, err error) {
	if ev.HasAck() {
		_ = ev.Ack(TypedError{err.Error()})
	}
	if s.more != nil {
		for _, fn := range s.more.onError {
			fn(s, err)
		}
	}
}
