// Package contract is the Socket.IO server every benchmark comparison
// runs (bench/contract serves it; bench/node/contract.mjs is the same on
// the official Node server). Namespace "/":
//
//	"echo"(args..., ack)        -> ack(args...)
//	"broadcast"(arg)            -> io.emit("broadcast", arg), the sender included
//	"join"(room, ack)           -> joins room, ack(room)
//	"broadcast_room"(room, arg) -> io.to(room).emit("broadcast", arg)
//
// As a cluster member (an adapter given), two more:
//
//	"fetch"(ack)                -> ack([{id, rooms}...]) for every socket of "/" on every
//	                               node, rooms with the socket's own id; ack({error}) on failure
//	"sse"(x, ack)               -> serverSideEmit("sse", x) to the other nodes, ack(their
//	                               answers); ack({error, responses}) on timeout
//
// and every node answers a server-side "sse" with x unchanged, so in a
// two-node cluster "sse" acks [x].
package contract

import (
	"bytes"
	"encoding/json"

	"github.com/sioloop/sioloop/loop"
	"github.com/sioloop/sioloop/sio"
)

// NewServer builds the contract server with loops event loops (0: one per
// GOMAXPROCS), not yet listening; with adapter (nil: the in-memory one) it
// is a cluster member serving "fetch" and "sse" too.
func NewServer(loops int, adapter func(nsp *sio.Namespace) sio.Adapter) *loop.Server {
	return New(loops, &sio.Options{Adapter: adapter})
}

// New is NewServer with the Socket.IO options opts (not nil); with
// opts.Adapter set it is a cluster member.
func New(loops int, opts *sio.Options) *loop.Server {
	adapter := opts.Adapter
	io := sio.NewServer(opts)
	if adapter != nil {
		io.OnServerSideEmit("sse", func(args *sio.Args, ack func(any)) {
			if ack != nil && args.Len() > 0 {
				ack(json.RawMessage(bytes.Clone(args.Raw(0))))
			}
		})
	}
	io.OnConnection(func(s *sio.Socket) {
		if adapter != nil {
			s.On("fetch", func(s *sio.Socket, ev *sio.Event) { fetch(io, ev.AckFunc()) })
			s.On("sse", func(s *sio.Socket, ev *sio.Event) {
				if ev.Len() > 0 {
					sse(io, json.RawMessage(bytes.Clone(ev.Raw(0))), ev.AckFunc())
				}
			})
		}
		s.On("echo", func(s *sio.Socket, ev *sio.Event) { _ = ev.Ack(ev.Spread()...) })
		s.On("broadcast", func(s *sio.Socket, ev *sio.Event) {
			if ev.Len() < 1 {
				return
			}
			_ = io.Emit("broadcast", ev.Spread()[0])
		})
		s.On("join", func(s *sio.Socket, ev *sio.Event) {
			room, _ := ev.String(0)
			s.Join(room)
			_ = ev.Ack(room)
		})
		s.On("broadcast_room", func(s *sio.Socket, ev *sio.Event) {
			if ev.Len() < 2 {
				return
			}
			room, _ := ev.String(0)
			_ = io.To(room).Emit("broadcast", ev.Spread()[1])
		})
	})
	srv := loop.New(&loop.Options{NumLoops: loops})
	srv.Handle("/socket.io/", io.Engine(), nil)
	return srv
}

// fetch acks the id and rooms of every socket of "/" on every node.
func fetch(io *sio.Server, ack func(...any) error) {
	if ack == nil {
		return
	}
	go func() { // FetchSockets waits for the loops and the nodes
		socks, err := io.Of("/").FetchSockets()
		if err != nil {
			_ = ack(map[string]any{"error": err.Error()})
			return
		}
		type info struct {
			ID    string   `json:"id"`
			Rooms []string `json:"rooms"`
		}
		out := make([]info, len(socks))
		for i, s := range socks {
			out[i] = info{s.ID, s.Rooms}
		}
		_ = ack(out)
	}()
}

// sse sends x to the other nodes and acks their answers.
func sse(io *sio.Server, x json.RawMessage, ack func(...any) error) {
	err := io.ServerSideEmit("sse", x, sio.BroadcastAckHandler(func(rs []*sio.Args, err error) {
		if ack == nil {
			return
		}
		answers := make([]json.RawMessage, len(rs))
		for i, r := range rs {
			answers[i] = json.RawMessage(r.Raw(0))
		}
		if err != nil {
			_ = ack(map[string]any{"error": err.Error(), "responses": answers})
			return
		}
		_ = ack(answers)
	}))
	if err != nil && ack != nil {
		_ = ack(map[string]any{"error": err.Error()})
	}
}
