// Package loop is sioloop's network engine: gnet event loops (one per
// core by default) that accept TCP connections, parse HTTP/1.1 requests
// in place, route Engine.IO paths to their eio.Server (several servers on
// several paths of one port), answer other paths with an http.Handler
// (404 by default; each request on a goroutine of its own, never on a
// loop: fallback.go), apply CORS as the Node cors package does, perform
// the WebSocket handshake and read and write WebSocket frames (package
// wsframe).
//
// Entry points: New and Options (zero value: the defaults each field
// names), Server.Handle, Server.ListenAndServe, Ready, Addr, Shutdown
// (which first waits, up to its context, for every connection's queued
// output to reach the kernel).
//
// The net/http mode (nethttp.go): Server is also an http.Handler, to
// mount on a service's mux behind its TLS, middleware and HTTP/2. Start
// runs the loops without a public listener; long-polling requests are
// handed to their session's loop and answered through net/http; a
// WebSocket handshake is hijacked and its socket enrolled into the loop
// (gnet's EventLoop.Enroll), which serves it as its own connection — on
// plain TCP with no goroutine, on TLS through a socket pair and two
// goroutines that pump the plaintext (crypto/tls stays net/http's).
// Use one mode per Server. Both hosts answer alike through the same
// functions: httpCompression (route.pollEncoding picks the encoding,
// compressors.answer compresses on the session's loop, with the loop's
// compressors) and ServeClient's bundle (clientBundle.file, .answer).
//
// TLS: the gnet mode serves plain TCP only; deploy it behind a
// terminating proxy, or use the net/http mode. Measured: a TLS WebSocket
// held by Go costs ~60 KB (crypto/tls state, two goroutines and their
// buffers: BenchmarkNetHTTPWebSocketIdle) against ~3 KiB for a plain one
// on a loop, and crypto/tls offers no non-blocking API a loop could drive.
//
// Ownership: every TCP connection belongs to the loop gnet assigned it,
// and each loop owns a shard: its connections' state, one eio.Shard per
// route (the sessions opened on that loop, for their whole life), a timing
// wheel (header timeouts, WebSocket close waits) and an inbox. Loops talk
// only through inboxes: small task values, run in order per sender
// (inbox.go). An inbox holds at most 16,384 tasks from goroutines that
// are not loops (a user's goroutine emitting, a net/http handler handing
// over a request): past that they wait until the loop takes its next
// batch — backpressure, as a full channel. Loops never wait (two loops
// posting to each other would deadlock); their posts are bounded by their
// own input (one per request in flight on a connection, one per broadcast
// per loop). Measured with one goroutine posting 1,000,000 tasks of ~2 µs
// to one loop (BenchmarkInboxFlood): peak heap 8.6–11 MiB bounded, 279–284
// MiB unbounded. A long-polling request for another loop's session is posted
// there and answered back (remote.go); a WebSocket that upgrades another
// loop's session moves to that loop (handoff.go). eio.Executor.OnLoop
// tells whether a caller is the loop by its goroutine: the runtime g,
// read by two instructions of assembly on amd64 and arm64
// (goroutine.go); elsewhere loops are locked to their OS threads and
// compared by gettid(2) (goroutine_other.go). A handshake whose AllowRequest answers
// later is copied and waits (its connection reads nothing more) until the
// answer comes back through the inbox; the loop never blocks on it
// (allow.go).
//
// Forwarding (forward.go): with Options.Peers and an engine NodeID, a
// request for a session another node of the cluster owns (its id names
// the node) is forwarded to that node over a direct TCP connection dialed
// from the request's own loop, and the answer relayed; a forwarded
// WebSocket upgrade becomes a splice of the two connections. So a cluster
// needs no sticky sessions. gnet mode only (the net/http mode does not
// forward long-polling requests).
//
// Deadlines: each loop advances its wheels before it handles input or
// tasks, so a request never finds a passed deadline pending; an engine
// ticker (10 ms) bounds the lateness between requests; an idle 2-loop
// server then uses ~0.2% of a core (utime+stime from /proc/<pid>/stat
// over 30 s).
//
// Output (out.go): per iteration, a connection's output is coalesced
// and written with one writev; a broadcast's packet (eio.Shared) is
// referenced by every connection it goes to, never copied per receiver,
// and what a socket does not take stays queued as references — a packet
// held for a hundred stalled receivers is held once. A WebSocket's
// backlog, the kernel's send queue included (SIOCOUTQ), is bounded by its
// session's high-water mark, and a client that takes none of its backlog
// for the route's WriteStallTimeout is let go (eio's "slow consumer"; the
// socket is closed with a zero linger so the kernel frees its queue at
// once).
//
// Write stalls (stall.go): the kernel absorbs a few MB of a client that
// stopped reading, so its writes succeed and no user-space queue ever
// grows; the stall is seen in the socket's send queue, which the peer no
// longer acknowledges. Each loop sweeps (every quarter of the shortest
// WriteStallTimeout, at most every second) the WebSockets that may have
// bytes unacknowledged — written to since their last sample, or found
// with some then — asking the kernel once each (SIOCOUTQ): the peer made
// progress when the queue is smaller than it was plus what was written
// since; one that made none for WriteStallTimeout is let go. So a stalled
// client goes within two sweeps after its timeout, a slow reader that
// keeps taking bytes never does, and the cost is at most one ioctl per
// write and per sweep for a conn with bytes in flight — no system call
// per message, no timer per connection. Long-polling has no such rule: a
// client takes bytes only by asking for them (a GET), so the kernel
// holds at most one answer for it, and one that stops reading stops
// asking and is ended by its heartbeat.
//
// System calls, counted per message with `sio-bench -syscalls` (perf
// stat on the server; SYSCALLS=1 bench/compare.sh), on a shared 2-core
// machine, so the batching varies with its load; the structure does not.
// A loop iteration costs one epoll_wait (two when it found events: gnet
// then polls once without blocking before it blocks), one read per
// readable connection (level-triggered: gnet reads 64 KiB once, no read
// that ends in EAGAIN) and one write or writev per connection with output
// — everything one iteration produced for a connection, however many
// messages the read held (Node's ws writes once per message). Tried:
//   - Edge-triggered epoll (gnet.WithEdgeTriggeredIO): gnet then reads
//     until EAGAIN, one more read per readable connection (reads per echo
//     0.10 → 0.15, epoll_wait fewer, all system calls 0.30 → 0.32): not
//     kept.
//   - Writes at the end of gnet's event batch instead of after each
//     connection's input: no fewer writes — a connection is readable once
//     per iteration, so its output is one writev either way — and later
//     answers: not done.
//   - Loops not locked to their OS threads, OnLoop comparing the caller's
//     runtime g instead of gettid(2) — kept: gnet's poller calls
//     runtime.Gosched each time its non-blocking epoll_wait finds nothing,
//     and on a locked thread that hands the P to another thread and back
//     (~4 futex calls, two thread switches per idle turn); and OnLoop is
//     asked once per ack and per emit, a gettid(2) each. Measured:
//     long-polling broadcast to 4,000 receivers, futex 0.46 → 0.06 and all
//     system calls 3.0 → 2.5 per delivered message; echo at peak, 1
//     emit/write, all system calls 1.53 → 0.41 per echo; echo at peak, 16
//     emits/write (IMPLS=sioloop ONLY='^echo-peak' bench/compare.sh, quiet
//     machine, back to back): 4.45 µs → 1.29 µs of server CPU an echo,
//     222,153 → 766,110 acks/s (gettid costs a VM exit here). A churn test
//     lost a polling session in 5 of 22 -race runs with it on a machine
//     at load average 11–28; 8 runs quiet and 13 beside 2–4 CPU hogs
//     passed, as did main's, so it is counted as that test's sensitivity
//     to extreme load (its ping timeout is 1 s), not a loop bug.
//
// Long-polling answers from 1024 bytes are gzip- or deflate-compressed as
// the request accepts (the engine's httpCompression); the compressors are
// the loop's, reset for each answer, never a connection's (compress.go).
//
// permessage-deflate (the engine's PerMessageDeflate, off by default) is
// negotiated without context takeover either way, so every message is
// compressed or inflated on its own by the loop's one deflater and
// inflater: a compressed connection holds no compressor (~1.1 MB for the
// pair, once per loop), which is the per-connection memory trap of this
// extension avoided (deflate.go).
//
// Memory: an idle WebSocket holds its conn, WebSocket state included
// (one 176-byte object), and gnet's conn; its HTTP state goes back to the
// shard at the upgrade for the next conns accepted (at most 256 kept),
// and each request's eio.Request is the shard's, reused: connecting
// leaves little garbage, which the heap of an idle server would
// otherwise keep.
//
// The engine's hooks (eio.Server.OnInitialHeaders, OnHeaders,
// OnConnectionError) run on the loop that received the request, with the
// request parsed in place: valid only during the call. A long-polling
// request answered on its session's loop keeps its headers' lines with
// the conn until the answer; a refusal decided there is posted back
// (opRefuse) and reported with a pooled copy of the request, kept only
// when OnConnectionError is set.
//
// Limits: request line and headers (431), bodies over the route's
// maxHttpBufferSize (413), malformed requests (400), headers not complete
// within HeaderTimeout (closed), an HTTP connection's unsent output over
// MaxOutboundBytes (the slow reader is dropped), a WebSocket's over its
// session's OutboundHighWaterMark (eio), connections over MaxConns
// (closed on accept). No goroutine and no time.Timer per connection.
package loop
