package sio

import (
	"sync/atomic"

	"github.com/sioloop/sioloop/parser"
)

// ServerSideHandler handles an event another node of a cluster sent with
// ServerSideEmit (io.on(event, ...) in Node): args are the event's
// arguments (valid until it returns; Clone to keep), and ack, nil unless
// the sender waits for an answer, sends one value back (once; later calls
// do nothing). It runs on the adapter's goroutine and must not block.
type ServerSideHandler func(args *Args, ack func(v any))

// serverSideHandlers maps an event to its handlers; copy-on-write.
type serverSideHandlers = map[string][]ServerSideHandler

// OnServerSideEmit registers fn for the server-side event from other
// nodes. Safe from any goroutine.
func (n *Namespace) OnServerSideEmit(event string, fn ServerSideHandler) {
	n.mu.Lock()
	defer n.mu.Unlock()
	m := serverSideHandlers{}
	if old := n.serverSide.Load(); old != nil {
		for k, v := range *old {
			m[k] = v
		}
	}
	m[event] = append(m[event][:len(m[event]):len(m[event])], fn)
	n.serverSide.Store(&m)
}

// ServerSideEvent delivers a server-side event another node sent, for a
// cluster adapter: data is the JSON array [event, args...], binary values
// as placeholders naming atts (nil without), and ack, nil when the sender
// waits for no answer, carries the first answer back.
// It reports whether data was a well-formed event. Safe from any
// goroutine; the handlers run on the caller's.
func (n *Namespace) ServerSideEvent(data []byte, atts [][]byte, ack func(v any)) bool {
	var args Args
	event, err := decodeJSON(&args, parser.Event, data, atts)
	if err != nil || event == nil {
		return false
	}
	m := n.serverSide.Load()
	if m == nil {
		return true
	}
	if ack != nil {
		var once atomic.Bool
		inner := ack
		ack = func(v any) {
			if once.CompareAndSwap(false, true) {
				inner(v)
			}
		}
	}
	for _, fn := range (*m)[string(event)] {
		fn(&args, ack)
	}
	return true
}

// OnServerSideEmit registers a handler of the main namespace's
// server-side event; see Namespace.OnServerSideEmit.
func (srv *Server) OnServerSideEmit(event string, fn ServerSideHandler) {
	srv.main.OnServerSideEmit(event, fn)
}

// ServerSideEmit sends an event to the other nodes of the main
// namespace; see Namespace.ServerSideEmit.
func (srv *Server) ServerSideEmit(event string, args ...any) error {
	return srv.main.ServerSideEmit(event, args...)
}
