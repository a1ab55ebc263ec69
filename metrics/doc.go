// Package metrics exports a sioloop server's figures to Prometheus
// (github.com/prometheus/client_golang), on an endpoint the application
// mounts where it wants (opt-in):
//
//	reg := prometheus.NewRegistry()
//	reg.MustRegister(metrics.NewCollector(io.Server, engine))
//	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
//
// The metrics, under the "sioloop_" prefix:
//
//   - gauges: connected_sockets{namespace,transport},
//     engine_sessions{transport}, rooms{namespace},
//     event_loop_lag_seconds{loop};
//   - counters: connects_total, packets_received_total,
//     received_bytes_total, packets_sent_total, sent_bytes_total,
//     volatile_dropped_total, slow_consumer_disconnects_total,
//     ack_timeouts_total;
//   - histograms: handshake_duration_seconds (a session's handshake
//     request to its first namespace's CONNECT answered),
//     ack_duration_seconds (an emit with an ack to the client's ACK),
//     both bucketed from 100 µs to 10 s; broadcast_receivers (sockets of
//     this node a broadcast was written to, per broadcast and namespace),
//     bucketed from 0 to 100,000.
//
// Nothing is counted through Prometheus on the packet path: each loop
// keeps plain running totals and bucket counts that only it writes, and
// the collector gathers them, with the gauges (sockets, sessions, rooms),
// by posting a task to every loop on each scrape (sio.Server.Stats,
// loop.Server.LoopLag); the histograms are built then, with
// prometheus.MustNewConstHistogram. A scrape therefore costs a walk over
// the sessions of every loop and waits for every loop once; the packet
// path costs a few increments of fields the loop already owns, a
// handshake or an ack a clock read more, a broadcast one atomic add per
// loop (package sio's doc).
//
// Ownership: a Collector holds no state of its own; Collect is safe from
// any goroutine but a loop (a handler of the server it watches).
package metrics
