// Package eio is the Engine.IO v4 protocol core: the packet and payload
// codecs, sessions with their heartbeats, the long-polling and WebSocket
// transports and the upgrade from one to the other. With
// Options.AllowEIO3 it also serves Engine.IO v3 clients (payload_v3.go):
// a session's revision is decided at its handshake and kept in a flag, so
// v4 sessions take no v3 branch but a bool test where the two differ
// (payload framing, WebSocket binary, heartbeat direction). It has no network code:
// a host (package loop in production, an in-process transport in tests)
// parses HTTP and WebSocket frames and calls in; sessions answer through
// the Responder and WebSocket interfaces the host implements.
//
// Entry points: NewServer and Options (zero value = the official engine.io
// 6.6 defaults); Server.OnConnection, OnMessage and OnClose (one handler
// each for every session: a session holds no handler fields);
// Server.Check for a request's session-independent validation, then
// Server.Allow for a handshake (AllowRequest may answer later: the host
// waits without blocking its loop); Server.NewShard for each event loop;
// the Shard methods OpenPolling, OpenWebSocket, Poll, Post and Probe; and
// Session's Send and Close.
//
// Ownership: a Shard belongs to one loop, and so do its sessions, for
// their whole life; every method of Shard and Session must run on that
// loop. A session id names its shard (ShardOf), so a host that receives a
// request for a session of another loop posts it there in O(1), and moves
// a WebSocket that upgrades a session onto the session's loop before it
// calls Probe. In a cluster without sticky sessions a session id also
// names its node (Options.NodeID, NodeOf), so a host forwards a request
// for another node's session to that node (package loop). Byte slices
// passed in are valid only during the call; the package copies what it
// keeps.
//
// Deadlines (ping interval, ping timeout, upgrade timeout, close timeout)
// live on each shard's timing wheel: no goroutine or time.Timer per session.
//
// Backpressure (backpressure.go): a session's outbound bytes — its polling
// queue, or its WebSocket's backlog as the host counts it, the kernel's
// send queue included — are bounded by Options.OutboundHighWaterMark,
// checked before a packet is queued. Past it a volatile packet is dropped
// (Admit) and any other closes the session with ReasonSlowConsumer,
// counted (Server.SlowConsumers) and logged at Warn (Options.Logger);
// so does a WebSocket whose client takes none of the bytes waiting for
// it, the kernel's send queue included, for WriteStallTimeout (the host
// calls WriteStalled). A packet written to
// many sessions of a loop is encoded once as a Shared, which WebSocket
// hosts reference instead of copying. Server.OnDrain reports a backlog
// written out.
//
// What a Node user reaches for beyond the defaults (headers.go): the
// session cookie (Options.Cookie), the initial_headers and headers hooks
// (OnInitialHeaders, OnHeaders: the host asks AppendHeaders for the lines
// of each successful answer), the connection_error event
// (OnConnectionError: the host calls Refused for each request it refuses;
// a refusal decided on the session's loop reaches it through Refuser),
// addTrailingSlash: false (Options.DisableTrailingSlash) and generateId
// (Options.GenerateID: the generated id goes behind the routing prefix,
// so routing stays O(1); the host asks NewSessionID before it answers a
// handshake). None costs anything unless set.
//
// Shutting down: Server.RefuseHandshakes refuses every later handshake
// (403, code 4); Session.Unsent and Shard.Unflushed (a host's Flusher)
// tell a graceful shutdown what it still waits for.
//
// Memory: an idle WebSocket session is 144 bytes (a size class), its
// one-byte flags packed after its 20-byte id; what only an option or an
// upgrade needs is kept outside it (MaxConnectionsPerIP's count in its
// shard's map, the probe in an upgrade allocated for the upgrade).
package eio
