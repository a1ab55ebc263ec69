// Package eio is the Engine.IO v4 protocol core: the packet and payload
// codecs, sessions with their heartbeats, the long-polling and WebSocket
// transports and the upgrade from one to the other. It has no network code:
// a host (package loop in production, an in-process transport in tests)
// parses HTTP and WebSocket frames and calls in; sessions answer through
// the Responder and WebSocket interfaces the host implements.
//
// Entry points: NewServer and Options (zero value = the official engine.io
// 6.6 defaults); Server.OnConnection; Server.Check for a request's
// session-independent validation; Server.NewShard for each event loop; the
// Shard methods OpenPolling, OpenWebSocket, Poll, Post, Probe and Adopt;
// and Session's OnMessage, OnClose, Send and Close.
//
// Ownership: a Shard belongs to one loop, and so do its sessions; every
// method of Shard and Session must run on that loop. A session id names
// its shard (ShardOf), so a host that receives a request for a session of
// another loop posts it there in O(1). An upgrade moves the session to the
// loop of its WebSocket: the old shard detaches it and calls
// WebSocket.Upgraded, the new loop calls Shard.Adopt. Byte slices passed in
// are valid only during the call; the package copies what it keeps.
//
// Deadlines (ping interval, ping timeout, upgrade timeout, close timeout)
// live on each shard's timing wheel: no goroutine or time.Timer per session.
package eio
