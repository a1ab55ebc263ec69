package sio

import "github.com/sioloop/sioloop/eio"

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
}

// SocketKey names a group of sockets in Stats.
type SocketKey struct{ Namespace, Transport string }

// counters are a loop's running totals: plain fields, written only by
// the loop, read by the Stats task on that loop — no atomic or lock on
// the packet path.
type counters struct {
	connects, packetsIn, bytesIn, packetsOut, bytesOut uint64
	volatileDropped                                    uint64 // not ready (the mark's drops are eio's)
}

// Stats gathers the server's figures from every loop and returns them.
// It waits for the loops: call it from a goroutine of your own (a
// metrics scrape), never from a handler (ErrOnLoop). Its cost grows with
// the number of sessions, not with the traffic.
func (srv *Server) Stats() (Stats, error) {
	for i := range eio.MaxShards {
		if sh := srv.engine.Shard(i); sh != nil && sh.OnLoop() {
			return Stats{}, ErrOnLoop
		}
	}
	parts := make([]Stats, eio.MaxShards)
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
		st.Connects += p.Connects
		st.PacketsIn += p.PacketsIn
		st.BytesIn += p.BytesIn
		st.PacketsOut += p.PacketsOut
		st.BytesOut += p.BytesOut
		st.VolatileDropped += p.VolatileDropped
	}
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

// shardStats is one loop's part of Stats; Rooms holds one key per
// (namespace, room) present on the loop. Runs on the loop.
func (srv *Server) shardStats(sh *eio.Shard, nsps []*Namespace) Stats {
	st := Stats{Sockets: map[SocketKey]int{}, Sessions: map[string]int{}, Rooms: map[string]int{}}
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
		c := &p.counters
		st.Connects, st.PacketsIn, st.BytesIn, st.PacketsOut, st.BytesOut = c.connects, c.packetsIn, c.bytesIn, c.packetsOut, c.bytesOut
		st.VolatileDropped = c.volatileDropped
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
