package sio

import (
	"sync/atomic"
	"time"

	"github.com/sioloop/sioloop/eio"
)

// Stats is a snapshot of a server's figures, gathered from every loop
// (Server.Stats). The counters count since the server started.
type Stats struct {
	// Sockets counts the connected sockets by namespace and transport.
	Sockets map[SocketKey]int
	// Sessions counts the Engine.IO sessions by transport.
	Sessions map[string]int
	// Rooms counts the rooms of each namespace (its sockets' own-id rooms
	// excluded), with the in-memory adapter; other adapters are not
	// counted.
	Rooms map[string]int
	// Connects counts the sockets that connected to a namespace.
	Connects uint64
	// PacketsIn and BytesIn count the Engine.IO messages received by the
	// Socket.IO layer (a binary attachment is a message) and their bytes;
	// PacketsOut and BytesOut those it sent, a broadcast once per
	// receiver.
	PacketsIn, BytesIn, PacketsOut, BytesOut uint64
	// VolatileDropped counts the volatile packets not sent: their
	// transport was not ready (Socket.Volatile, BroadcastOperator.Volatile),
	// or they would have passed the outbound high-water mark; a broadcast
	// once per receiver.
	VolatileDropped uint64
	// SlowConsumers counts the sessions closed with ReasonSlowConsumer.
	SlowConsumers uint64
	// HandshakeSeconds is how long clients waited to be connected: from
	// a session's handshake request to the CONNECT of its first
	// namespace answered, one observation per session that connected a
	// namespace (the client's round trip and the middlewares included).
	HandshakeSeconds Histogram
	// AckSeconds is how long clients took to answer: from an emit with
	// an ack (a socket's, or each receiver's of a broadcast) written to
	// the client's ACK received, one observation per ACK.
	AckSeconds Histogram
	// AcksTimedOut counts the acks not answered in time: an emit's with
	// a Timeout, and each client a broadcast's Timeout gave up on.
	AcksTimedOut uint64
	// BroadcastReceivers is how many sockets of this node each broadcast
	// was written to (volatile and high-water drops excluded), one
	// observation per broadcast and namespace.
	BroadcastReceivers Histogram
}

// Histogram is a distribution gathered from every loop, in Prometheus'
// form: Counts[i] observations were at most Bounds[i] (cumulative), Count
// is all of them (the +Inf bucket) and Sum their total.
type Histogram struct {
	Bounds []float64
	Counts []uint64
	Count  uint64
	Sum    float64
}

// SocketKey names a group of sockets in Stats.
type SocketKey struct{ Namespace, Transport string }

// counters are a loop's running totals: plain fields, written only by
// the loop, read by the Stats task on that loop — no atomic or lock on
// the packet path.
type counters struct {
	connects, packetsIn, bytesIn, packetsOut, bytesOut uint64
	volatileDropped                                    uint64 // not ready (the mark's drops are eio's)
	acksTimedOut                                       uint64 // a socket's emits (broadcasts': Server.bcastAcksTimedOut)
	handshake, ack                                     histogram
	fanout                                             histogram
}

// The histograms' bounds: latencies in nanoseconds (100 µs to 10 s),
// receivers of a broadcast (none to 100,000).
var (
	latencyBounds = []uint64{1e5, 2.5e5, 5e5, 1e6, 2.5e6, 5e6, 1e7, 2.5e7, 5e7, 1e8, 2.5e8, 5e8, 1e9, 2.5e9, 5e9, 1e10}
	fanoutBounds  = []uint64{0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 20_000, 50_000, 100_000}
)

// histogram is a loop's running distribution: buckets[i] counts the
// observations at most bounds[i] and above bounds[i-1] (not cumulative),
// the bucket after the last bound those above every bound. Plain fields,
// like counters.
type histogram struct {
	buckets [18]uint64 // len(bounds)+1 at most
	sum     uint64
}

// observe adds v to h, whose bounds are bounds. Runs on the loop.
func (h *histogram) observe(bounds []uint64, v uint64) {
	i := 0
	for i < len(bounds) && v > bounds[i] {
		i++
	}
	h.buckets[i]++
	h.sum += v
}

// add adds h, whose bounds are bounds, to the gathered out, scaling the
// bounds and the sum by scale.
func (h *histogram) add(out *Histogram, bounds []uint64, scale float64) {
	if out.Bounds == nil {
		out.Bounds = make([]float64, len(bounds))
		for i, b := range bounds {
			out.Bounds[i] = float64(b) * scale
		}
		out.Counts = make([]uint64, len(bounds))
	}
	var cum uint64
	for i := range bounds {
		cum += h.buckets[i]
		out.Counts[i] += cum
	}
	out.Count += cum + h.buckets[len(bounds)]
	out.Sum += float64(h.sum) * scale
}

// epoch is the origin of monotime.
var epoch = time.Now()

// monotime returns the monotonic clock in nanoseconds, for the
// latencies: a reading of time.Now without its wall clock.
func monotime() int64 { return int64(time.Since(epoch)) }

// since returns the nanoseconds from start (a monotime) to now.
func since(start int64) uint64 { return uint64(max(monotime()-start, 0)) }

// fanout counts a broadcast's receivers over the loops that walk it
// (Stats.BroadcastReceivers), in one word of its packet: the receivers
// so far above fanoutShift bits, the loops yet to walk below, so that a
// loop adds its receivers and counts itself done in one atomic add.
type fanout struct{ state atomic.Int64 }

// fanoutShift leaves room for eio.MaxShards loops below the receivers.
const fanoutShift = 8

// expect sets how many loops will walk the broadcast. Call it before
// posting the walk to the loops.
func (f *fanout) expect(loops int) { f.state.Store(int64(loops)) }

// walked tells that the loop wrote pkt to n receivers and releases its
// shared copy of pkt; the last loop observes the broadcast's receivers.
// Runs on the loop.
func (st *shardState) walked(pkt *BroadcastPacket, n int) {
	st.releaseShared()
	if v := pkt.fanout.state.Add(int64(n)<<fanoutShift - 1); v&(1<<fanoutShift-1) == 0 {
		st.fanout.observe(fanoutBounds, uint64(v>>fanoutShift))
	}
}

// Stats gathers the server's figures from every loop and returns them.
// It waits for the loops: call it from a goroutine of your own (a
// metrics scrape), never from a handler (ErrOnLoop). Its cost grows with
// the number of sessions, not with the traffic.
func (srv *Server) Stats() (Stats, error) {
	if srv.onALoop() {
		return Stats{}, ErrOnLoop
	}
	parts := make([]shardPart, eio.MaxShards)
	srv.mu.Lock()
	nsps := make([]*Namespace, 0, len(srv.nsps))
	for _, n := range srv.nsps {
		nsps = append(nsps, n)
	}
	srv.mu.Unlock()
	srv.eachShard(func(sh *eio.Shard) { parts[sh.Index()] = srv.shardStats(sh, nsps) }, true)
	st := Stats{Sockets: map[SocketKey]int{}, Sessions: map[string]int{}, Rooms: map[string]int{}}
	rooms := map[string]map[string]struct{}{}
	for i := range parts {
		p := &parts[i]
		for k, v := range p.Sockets {
			st.Sockets[k] += v
		}
		for k, v := range p.Sessions {
			st.Sessions[k] += v
		}
		c := &p.c
		st.Connects += c.connects
		st.PacketsIn += c.packetsIn
		st.BytesIn += c.bytesIn
		st.PacketsOut += c.packetsOut
		st.BytesOut += c.bytesOut
		st.VolatileDropped += c.volatileDropped
		st.AcksTimedOut += c.acksTimedOut
		c.handshake.add(&st.HandshakeSeconds, latencyBounds, 1e-9)
		c.ack.add(&st.AckSeconds, latencyBounds, 1e-9)
		c.fanout.add(&st.BroadcastReceivers, fanoutBounds, 1)
	}
	st.AcksTimedOut += srv.bcastAcksTimedOut.Load()
	st.VolatileDropped += srv.engine.DroppedPackets()
	st.SlowConsumers = srv.engine.SlowConsumers()
	for _, n := range nsps {
		rooms[n.name] = map[string]struct{}{}
	}
	for i := range parts {
		for key := range parts[i].Rooms {
			nsp, room := splitRoomKey(key)
			rooms[nsp][room] = struct{}{}
		}
	}
	for nsp, set := range rooms {
		st.Rooms[nsp] = len(set)
	}
	return st, nil
}

// shardPart is one loop's part of Stats: its gauges (Rooms holds one key
// per (namespace, room) present on the loop) and a copy of its counters.
type shardPart struct {
	Stats
	c counters
}

// shardStats returns the loop's part of Stats. Runs on the loop.
func (srv *Server) shardStats(sh *eio.Shard, nsps []*Namespace) shardPart {
	st := shardPart{Stats: Stats{Sockets: map[SocketKey]int{}, Sessions: map[string]int{}, Rooms: map[string]int{}}}
	sh.Sessions(func(s *eio.Session) {
		tr := s.Transport()
		st.Sessions[tr]++
		if c, ok := s.Context().(*client); ok {
			for _, so := range c.sockets {
				if so.connected {
					st.Sockets[SocketKey{so.nsp.name, tr}]++
				}
			}
		}
	})
	for _, n := range nsps {
		if a, ok := n.adapter.(*memoryAdapter); ok {
			if ix := a.local[sh.Index()]; ix != nil {
				for room := range ix.rooms {
					st.Rooms[n.name+"\x00"+room] = 1
				}
			}
		}
	}
	if p := srv.shards[sh.Index()].Load(); p != nil {
		st.c = p.counters
	}
	return st
}

func splitRoomKey(k string) (nsp, room string) {
	for i := range len(k) {
		if k[i] == 0 {
			return k[:i], k[i+1:]
		}
	}
	return k, ""
}
