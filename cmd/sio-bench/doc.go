// Command sio-bench is a load generator for Socket.IO servers — sioloop,
// the official Node server, any server speaking Engine.IO v4 and
// Socket.IO v5. It implements the client side itself (WebSocket frames
// via gobwas/ws, HTTP long-polling over its own keep-alive connections),
// dials loopback addresses only and rotates its source address over
// -src so that ephemeral ports never run out.
//
//	sio-bench -url http://127.0.0.1:3000 -scenario idle|echo|fanout|slow|storm|polling [flags]
//
// The scenarios expect the benchmark contract on namespace "/": "echo"
// acks its arguments; "broadcast"(arg) is io.emit("broadcast", arg);
// "join"(room) joins and acks the room; "broadcast_room"(room, arg) is
// io.to(room).emit("broadcast", arg) (bench/contract, bench/node).
//
//   - idle: open -conns connections, hold them through two heartbeats;
//     the server's RSS per connection, connect rate, handshake latency.
//   - echo: acked emits, closed loop (-inflight per connection) or open
//     loop at -rate; acks/s and ack latency from the scheduled send time.
//   - fanout: one sender broadcasts to -receivers (-mode all or room) at
//     -rate or in one -burst; deliveries/s and delivery latency. With
//     -sender-url the sender is on another server, a node of the same
//     cluster: every broadcast crosses the cluster (make bench-cluster).
//   - slow: fanout (mode all) at -rate (default 50/s), -broadcasts of
//     them (default 2000), to -receivers of which -stalled (default 10)
//     stop reading after the handshake with a small SO_RCVBUF (-rcvbuf):
//     whether the others get every broadcast in order and how fast, the
//     server's RSS (baseline, peak, after every client closed) and when
//     the server lets go of each stalled socket (its TCP state leaves
//     ESTABLISHED), waiting up to -hold (default 4×pingInterval).
//   - storm: -conns workers connect, emit, disconnect, again; sessions/s
//     and whether the server's RSS returns to its baseline.
//   - polling: echo over HTTP long-polling.
//
// With -pid the server's RSS and CPU come from /proc. The output is a
// progress line on stderr every -progress, a summary on stdout and, last,
// one JSON line with snake_case keys (only those that apply).
//
// -procs N splits the connections over N child processes (the open-files
// limit is per process): the parent re-executes itself with a hidden
// -worker flag, drives the children over their stdin, and merges their
// reports (JSON lines on their stdout, HDR histograms encoded).
//
// Ownership: in each process the connections belong to a worker; each
// connection has one goroutine that reads it (and answers the server's
// pings), and writes go through the connection's lock from any goroutine.
// Every phase is bounded: -duration, -warmup, -hold, plus -timeout for
// connecting and draining.
package main
