package sio

import (
	"sync"

	"github.com/sioloop/sioloop/eio"
)

// Introspection: what Node reads off nsp.sockets and nsp.adapter.rooms,
// for this node. The sockets belong to the loops, so the count is kept in
// an atomic as sockets connect and disconnect, and the lists are gathered
// by a task on every loop, each walking its own sessions; the engine's
// count of clients is eio.Server.ClientsCount (io.Engine().ClientsCount(),
// Node's io.engine.clientsCount).

// SocketsCount returns the number of this node's sockets connected to the
// namespace, like Node's nsp.sockets.size. A socket counts from its
// connection (before its OnConnection handlers run) until it disconnects
// (before its OnDisconnect handlers run). It reads one atomic counter:
// safe from any goroutine, handlers included, it never waits for a loop.
func (n *Namespace) SocketsCount() int { return int(n.connected.Load()) }

// Sockets returns this node's sockets connected to the namespace, like
// the values of Node's nsp.sockets; In(room).FetchSockets() selects by
// room (and reaches the other nodes of a cluster).
//
// Consistency: each loop lists its own sockets in a task, so the list is
// exact for each loop at the moment its task ran, not one instant across
// loops: a socket connecting or disconnecting meanwhile on another loop
// may be in it or not, and len(Sockets()) may differ from SocketsCount by
// those. It waits for every loop: call it from a goroutine of your own —
// on a loop it returns ErrOnLoop rather than block it. Its cost grows with
// the number of sessions of the node, not with the traffic.
func (n *Namespace) Sockets() ([]*Socket, error) {
	var mu sync.Mutex
	var out []*Socket
	err := n.srv.eachLoopSocket(n, func(s *Socket) {
		mu.Lock()
		out = append(out, s)
		mu.Unlock()
	})
	return out, err
}

// Rooms returns the rooms of the namespace that this node's sockets are
// in, each with how many of them, like Node's nsp.adapter.rooms (whose
// sizes these are). Every socket's own-id room is left out: Sockets lists
// those. Its consistency and cost are those of Sockets; on a loop it
// returns ErrOnLoop.
func (n *Namespace) Rooms() (map[string]int, error) {
	var mu sync.Mutex
	out := map[string]int{}
	var names []string
	err := n.srv.eachLoopSocket(n, func(s *Socket) {
		mu.Lock() // fn runs on several loops at once: names is shared
		names = s.appendJoined(names[:0])
		for _, r := range names {
			out[r]++
		}
		mu.Unlock()
	})
	return out, err
}

// eachLoopSocket calls fn, on each loop, for every socket of n connected
// there, and waits for every loop; fn runs on several loops at once. It
// returns ErrOnLoop, having done nothing, when called on a loop.
func (srv *Server) eachLoopSocket(n *Namespace, fn func(s *Socket)) error {
	if srv.onALoop() {
		return ErrOnLoop
	}
	srv.eachShard(func(sh *eio.Shard) {
		sh.Sessions(func(sess *eio.Session) {
			c, ok := sess.Context().(*client)
			if !ok {
				return
			}
			for _, s := range c.sockets {
				if s.nsp == n && s.connected {
					fn(s)
				}
			}
		})
	}, true)
	return nil
}
