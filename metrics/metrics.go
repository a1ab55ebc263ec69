package metrics

import (
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/sioloop/sioloop/loop"
	"github.com/sioloop/sioloop/sio"
)

// Collector is a prometheus.Collector for one Socket.IO server and,
// optionally, the gnet engine that serves it.
type Collector struct {
	io     *sio.Server
	engine *loop.Server // nil: no loop lag

	sockets, sessions, rooms                           *prometheus.Desc
	connects, packetsIn, bytesIn, packetsOut, bytesOut *prometheus.Desc
	volatileDropped, slowConsumers                     *prometheus.Desc
	handshake, ack, acksTimedOut, fanout               *prometheus.Desc
	lag                                                *prometheus.Desc
}

// NewCollector returns a collector of io's figures and, when engine is
// not nil, of its loops' lag. Names follow Prometheus conventions under
// the "sioloop_" prefix.
func NewCollector(io *sio.Server, engine *loop.Server) *Collector {
	return &Collector{
		io:     io,
		engine: engine,
		sockets: prometheus.NewDesc("sioloop_connected_sockets",
			"Sockets connected, by namespace and transport.", []string{"namespace", "transport"}, nil),
		sessions: prometheus.NewDesc("sioloop_engine_sessions",
			"Engine.IO sessions open, by transport.", []string{"transport"}, nil),
		rooms: prometheus.NewDesc("sioloop_rooms",
			"Rooms of each namespace (own-id rooms excluded; in-memory adapter).", []string{"namespace"}, nil),
		connects: prometheus.NewDesc("sioloop_connects_total",
			"Sockets that connected to a namespace.", nil, nil),
		packetsIn: prometheus.NewDesc("sioloop_packets_received_total",
			"Engine.IO messages received by the Socket.IO layer (a binary attachment is one).", nil, nil),
		bytesIn: prometheus.NewDesc("sioloop_received_bytes_total",
			"Bytes of the messages received by the Socket.IO layer.", nil, nil),
		packetsOut: prometheus.NewDesc("sioloop_packets_sent_total",
			"Engine.IO messages sent by the Socket.IO layer, a broadcast once per receiver.", nil, nil),
		bytesOut: prometheus.NewDesc("sioloop_sent_bytes_total",
			"Bytes of the messages sent by the Socket.IO layer.", nil, nil),
		volatileDropped: prometheus.NewDesc("sioloop_volatile_dropped_total",
			"Volatile packets not sent (transport not ready, or past the outbound high-water mark), a broadcast once per receiver.", nil, nil),
		slowConsumers: prometheus.NewDesc("sioloop_slow_consumer_disconnects_total",
			"Sessions closed because their client did not keep up (reason \"slow consumer\").", nil, nil),
		handshake: prometheus.NewDesc("sioloop_handshake_duration_seconds",
			"From a session's handshake request to the CONNECT of its first namespace answered: how long a client waited to be connected (its round trip and the middlewares included).", nil, nil),
		ack: prometheus.NewDesc("sioloop_ack_duration_seconds",
			"From an emit with an ack written (a broadcast's, per receiver) to the client's ACK received.", nil, nil),
		acksTimedOut: prometheus.NewDesc("sioloop_ack_timeouts_total",
			"Acks not answered in time: an emit's with a timeout, and each client a broadcast's timeout gave up on.", nil, nil),
		fanout: prometheus.NewDesc("sioloop_broadcast_receivers",
			"Sockets of this node each broadcast was written to (volatile and high-water drops excluded), per broadcast and namespace.", nil, nil),
		lag: prometheus.NewDesc("sioloop_event_loop_lag_seconds",
			"How long a task waited for its event loop at the scrape, by loop.", []string{"loop"}, nil),
	}
}

// Describe implements prometheus.Collector.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.sockets, c.sessions, c.rooms, c.connects,
		c.packetsIn, c.bytesIn, c.packetsOut, c.bytesOut, c.volatileDropped, c.slowConsumers,
		c.handshake, c.ack, c.acksTimedOut, c.fanout, c.lag} {
		ch <- d
	}
}

// Collect implements prometheus.Collector: it gathers the figures from
// every loop. Never call it on a loop.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	st, err := c.io.Stats()
	if err != nil {
		ch <- prometheus.NewInvalidMetric(c.sockets, err)
		return
	}
	for k, n := range st.Sockets {
		ch <- prometheus.MustNewConstMetric(c.sockets, prometheus.GaugeValue, float64(n), k.Namespace, k.Transport)
	}
	for tr, n := range st.Sessions {
		ch <- prometheus.MustNewConstMetric(c.sessions, prometheus.GaugeValue, float64(n), tr)
	}
	for nsp, n := range st.Rooms {
		ch <- prometheus.MustNewConstMetric(c.rooms, prometheus.GaugeValue, float64(n), nsp)
	}
	ch <- prometheus.MustNewConstMetric(c.connects, prometheus.CounterValue, float64(st.Connects))
	ch <- prometheus.MustNewConstMetric(c.packetsIn, prometheus.CounterValue, float64(st.PacketsIn))
	ch <- prometheus.MustNewConstMetric(c.bytesIn, prometheus.CounterValue, float64(st.BytesIn))
	ch <- prometheus.MustNewConstMetric(c.packetsOut, prometheus.CounterValue, float64(st.PacketsOut))
	ch <- prometheus.MustNewConstMetric(c.bytesOut, prometheus.CounterValue, float64(st.BytesOut))
	ch <- prometheus.MustNewConstMetric(c.volatileDropped, prometheus.CounterValue, float64(st.VolatileDropped))
	ch <- prometheus.MustNewConstMetric(c.slowConsumers, prometheus.CounterValue, float64(st.SlowConsumers))
	ch <- histogram(c.handshake, &st.HandshakeSeconds)
	ch <- histogram(c.ack, &st.AckSeconds)
	ch <- prometheus.MustNewConstMetric(c.acksTimedOut, prometheus.CounterValue, float64(st.AcksTimedOut))
	ch <- histogram(c.fanout, &st.BroadcastReceivers)
	if c.engine != nil {
		for i, d := range c.engine.LoopLag() {
			ch <- prometheus.MustNewConstMetric(c.lag, prometheus.GaugeValue, d.Seconds(), strconv.Itoa(i))
		}
	}
}

// histogram is h as a Prometheus histogram of d.
func histogram(d *prometheus.Desc, h *sio.Histogram) prometheus.Metric {
	buckets := make(map[float64]uint64, len(h.Bounds))
	for i, b := range h.Bounds {
		buckets[b] = h.Counts[i]
	}
	return prometheus.MustNewConstHistogram(d, h.Count, h.Sum, buckets)
}
