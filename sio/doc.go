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
// # Handlers and goroutines
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
// The blocking calls (EmitWithAck, FetchSockets, Sockets, Rooms, Stats)
// wait for the loops and return ErrOnLoop when called from a handler. A call posted from your
// goroutine waits while the loop's inbox is full (16,384 tasks on package
// loop's engine) — backpressure on a goroutine that emits faster than the loop
// writes; handlers never wait.
//
// # Introspection
//
// Introspection, safe from any goroutine: Namespace.SocketsCount and
// Engine().ClientsCount (Node's nsp.sockets.size and
// io.engine.clientsCount) read atomic counters and never wait;
// Namespace.Sockets and Rooms (nsp.sockets, nsp.adapter.rooms) gather
// each loop's part in a task and wait for them, so they return ErrOnLoop
// on a loop rather than block it (introspect.go states their
// consistency). With Options.CleanupEmptyChildNamespaces a dynamic
// namespace's child goes when its last socket does.
//
// # Rooms and broadcasts
//
// Rooms are indexed per loop: a broadcast encodes its packet once and each
// loop walks its own index. Every socket is in the room of its own id
// without an index entry: each loop keeps its sockets of a namespace in a
// table of its own (sockettable.go), a dense slice in the order they
// connected that a broadcast to all walks (memory nearly in sequence, not
// a cache miss a receiver) and an index by id. Each loop makes one shared copy of a broadcast
// (eio.Shared) that all its receivers' connections reference until
// written: a receiver that does not keep up holds references, not copies.
//
// # Slow clients
//
// Slow clients: a connection's outbound bytes are bounded by
// eio.Options.OutboundHighWaterMark (Options.Engine). Past it a volatile
// packet is dropped and any other disconnects the client with
// ReasonSlowConsumer; the ack handler of a packet not queued gets
// ErrDropped, and Socket.OnDrain reports a backlog written out.
//
// # Errors
//
// Errors: Emit (and an ack's answer) is checked and encoded on the
// caller's goroutine, so it fails the same way from a handler and from
// any goroutine — a reserved event name, an ack handler of the wrong kind
// (ack.go), an argument the parser cannot encode, a socket that has
// disconnected — and an error means nothing was sent. What befalls the
// packet later on the loop (a drop, a disconnect) reaches its ack handler.
//
// # Shutdown
//
// Shutdown and Drain (shutdown.go): Shutdown refuses new handshakes,
// waits for the acks in flight, disconnects every client with reason
// "server shutting down" after what was emitted to it and waits, up to
// its context, for those bytes to reach the kernel; Drain spreads the
// disconnects over a window first. Both sample counts on the loops (one
// task per loop every 10 ms): nothing on the packet path signals them.
//
// # Typed handlers
//
// Typed handlers: Handle and HandleAck wrap a func taking a Go value:
// the event's first argument is decoded into it once, from its wire
// form, and a mismatch is answered to the client's ack as
// {"error": "…"} without running the handler.
//
// # Monitoring
//
// Monitoring: Server.SetMonitor installs a Monitor, told of sessions
// opening, upgrading and closing, sockets connecting and disconnecting,
// room changes and SetData, on the loop where each happens (package admin
// builds the Admin UI on it). Without one each of those places costs an
// atomic load; nothing is called per packet.
//
// Figures (stats.go): each loop keeps its counters and histograms
// (handshake and ack latency, broadcast receivers) in plain fields that
// only it writes — an increment, or a bucket found among 16 bounds, and a
// monotonic clock read per handshake and per ack. Server.Stats gathers
// them with one task per loop (package metrics exports them). The one
// figure several loops make together, a broadcast's receivers, is one
// atomic add per loop and broadcast on a word of the broadcast's packet;
// the last loop observes the total.
//
// # Packets
//
// The wire form of packets — the header, JSON, binary attachments, the
// decoding of arguments — belongs to package parser; sio owns the
// protocol's state: clients, sockets, namespaces, rooms, acks.
//
// # Older clients
//
// Older clients: with eio.Options.AllowEIO3 (Options.Engine, off by
// default as Node's allowEIO3) the server also speaks Socket.IO protocol
// v4 to the clients of Engine.IO v3 (socket.io-client 2.x), as socket.io
// 4.8 does: eio3.go says what differs.
//
// # Memory
//
// Per connection (issue 12; measured with the heap profile of
// bench/contract holding 18,000 idle WebSocket connections, bench/README.md):
// a socket's handlers are 16-byte entries — an interned event key
// (eventkey.go: one per name and once-ness, at most 4,096 names) and the
// func — in a list sized at the first On for as many handlers as the last
// socket of the loop had after its connection handlers (the four of the
// contract: one 64-byte array, not 128 bytes after two discarded ones).
// A client holds its connect timer only until a namespace connects, and
// its handshake as one packed string, time and TLS flag included (96 +
// 64 bytes where 144 + 96 were). Connecting leaves as little garbage as
// it can: the heap an idle server keeps grows with it (the CONNECT answer
// is built in the loop's scratch, the handshake packs without escaping).
//
// # Connection state recovery
//
// Options.ConnectionStateRecovery (off by default, as in Node) keeps what
// a socket had when its connection failed, so that the official client,
// reconnecting within MaxDisconnectionDuration, gets it back with
// socket.recovered true (Socket.Recovered on the server). On the wire, as
// socket.io 4.8: the CONNECT answer carries a private id
// ({"sid":"…","pid":"…"}); every event that can be recovered — no ack, not
// volatile, broadcast or direct — ends with one more string argument, its
// offset; the client reconnects with {"pid","offset"} in its CONNECT
// payload and gets the packets it missed, in order, before the CONNECT
// answer, its old id, rooms and Data, and by default no middleware run.
// A session is kept after the disconnect reasons the official server
// names (transport close or error, ping timeout, forced close, server
// shutdown), never after a disconnect either side asked for.
//
// Who owns what: the state lives behind the adapter (SessionAwareAdapter:
// PersistSession, RestoreSession, and offsets added by Broadcast), so that
// a cluster adapter can hold it instead. The in-memory adapter keeps, per
// loop and namespace, a recoveryLog owned by that loop: the sessions of
// the sockets that lost their connection on it, and the packets it wrote
// that can be recovered, in the order it wrote them. A broadcast's offset
// comes from one counter per namespace, so its frame is encoded once with
// it and shared by every receiver and every loop's log; a direct emit is
// copied into the loop's slab. Restoring asks every loop (after a recovery
// on another loop the private id no longer names the loop that holds the
// session), the loop that holds it finds the client's offset in its log
// and hands over the session and the later packets meant for it; a
// session is restored at most once (the official in-memory adapter keeps
// it until it expires). Both sessions and packets expire after the
// duration — one timer per log on the loop's wheel, armed for the oldest
// item, no timer per session — and each log is capped at MaxLogBytes
// (oldest packets dropped first; a client whose offset is gone starts
// afresh). A broadcast issued in the microseconds while a recovery crosses
// from one loop to another can miss the recovered socket. Offsets are
// written into the JSON parser's text form; with a parser whose packets
// are binary (MessagePack) no packet carries one yet, so no client
// recovers.
package sio
