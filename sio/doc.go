// Package sio is the Socket.IO v5 server: namespaces, sockets, events and
// acks both ways, binary attachments, rooms and broadcasts, middlewares.
// Its API follows the official Node.js server (socket.io 4.8) in Go form:
//
//	io := sio.NewServer(&sio.Options{CORS: &eio.CORSOptions{Origin: []string{"*"}}})
//	io.OnConnection(func(s *sio.Socket) {
//		s.Join("lobby")
//		s.On("chat", func(s *sio.Socket, ev *sio.Event) {
//			msg, _ := ev.String(0)
//			s.To("lobby").Emit("chat", s.ID(), msg)
//			_ = ev.Ack("delivered")
//		})
//	})
//
// Package sioloop (the module's root) serves it in one call
// (sioloop.NewServer(opts), then ListenAndServe); package loop serves
// Engine() on a path of its own (loop.Server.Handle with Path and CORS).
//
// Ownership: every socket belongs to the event loop that owns its
// Engine.IO session, for its whole life. Its handlers (connection,
// events, acks, disconnect) run on that loop, one at a time, like Node's
// single thread: they must not block. For slow work (a database, an HTTP
// call) start a goroutine and answer from it — every exported method of
// Server, Namespace, Socket and BroadcastOperator is safe from any
// goroutine (off the socket's loop the call is posted to it):
//
//	s.On("lookup", func(s *sio.Socket, ev *sio.Event) {
//		ack := ev.AckFunc()
//		key, _ := ev.String(0)
//		go func() { ack(db.Get(key)) }()
//	})
//
// The blocking calls (EmitWithAck, FetchSockets) wait for the loops and
// return ErrOnLoop when called from a handler.
//
// Rooms are indexed per loop: a broadcast encodes its packet once and each
// loop walks its own index. Every socket is in the room of its own id
// without an index entry.
//
// The wire form of packets — the header, JSON, binary attachments, the
// decoding of arguments — belongs to package parser; sio owns the
// protocol's state: clients, sockets, namespaces, rooms, acks.
package sio
