// Package contract is the Socket.IO server every benchmark comparison
// runs (bench/contract serves it; bench/node/contract.mjs is the same on
// the official Node server). Namespace "/":
//
//	"echo"(args..., ack)        -> ack(args...)
//	"broadcast"(arg)            -> io.emit("broadcast", arg), the sender included
//	"join"(room, ack)           -> joins room, ack(room)
//	"broadcast_room"(room, arg) -> io.to(room).emit("broadcast", arg)
package contract

import (
	"github.com/sioloop/sioloop/loop"
	"github.com/sioloop/sioloop/sio"
)

// NewServer builds the contract server with loops event loops (0: one per
// GOMAXPROCS), not yet listening.
func NewServer(loops int) *loop.Server {
	io := sio.NewServer(nil)
	io.OnConnection(func(s *sio.Socket) {
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
