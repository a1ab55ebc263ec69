// Package sioloop serves a Socket.IO server in one call, the way Node's
// `new Server(opts)` and `io.listen(port)` do:
//
//	io := sioloop.NewServer(&sio.Options{CORS: &eio.CORSOptions{Origin: []string{"*"}}})
//	io.OnConnection(func(s *sio.Socket) {
//		s.On("chat", func(s *sio.Socket, ev *sio.Event) { … })
//	})
//	log.Fatal(io.ListenAndServe("127.0.0.1:3000"))
//
// The options are sio.Options, Node's server options in Go form: Path
// (`path`, default "/socket.io/"), CORS (`cors`), ServeClient
// (`serveClient`: the client bundle, from the socket.io-client package
// you name — sioloop has no copy to serve by default), Engine (engine.io's
// options: heartbeats, maxHttpBufferSize, transports, allowRequest), the
// Socket.IO ones (connectTimeout, adapter). Engine.IO's options are one
// nested struct rather than flat fields beside Socket.IO's, because the
// Engine.IO layer (package eio) is served on its own too.
//
// The engine is package loop's gnet server. Attach serves a Socket.IO
// server on a loop.Server the caller configured (event loops, limits, the
// http.Handler for other paths), like Node's `new Server(httpServer,
// opts)`; package loop stays the layer for several Engine.IO or Socket.IO
// servers on one port.
//
// Server is also an http.Handler (the net/http mode): mounted on a
// service's mux, behind its TLS, middleware and HTTP/2, with WebSockets
// on plain TCP still served by the event loops (package loop, nethttp.go).
//
// Why a package of its own: packages sio and eio are the protocol core
// and never import loop (the core is embeddable: tests and bench/million
// drive it without sockets), so the one call that joins the core to the
// engine lives above both, here.
//
// Ownership: Server adds no state of its own to the sio.Server it embeds
// and the loop.Server it serves on; every method is safe from any
// goroutine.
package sioloop
