package eio

import (
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
)

// Messages of the handshakes refused by a connection limit or a shutdown.
const (
	msgTooManyConnections       = "Too many connections"
	msgTooManyConnectionsFromIP = "Too many connections from this address"
	msgShuttingDown             = "Server is shutting down"
)

// connLimits counts open sessions, for ClientsCount and
// Options.MaxConnections, and per address for MaxConnectionsPerIP. Only a
// handshake and a close touch it, never a packet; the per-address table
// is shared by the loops, under a mutex.
type connLimits struct {
	total    atomic.Int64 // open sessions
	refusing atomic.Bool  // RefuseHandshakes was called

	mu     sync.Mutex
	perIP  map[netip.Addr]*peerCount
	spared []*peerCount // freed entries, reused
}

// peerCount is the number of open sessions of one address.
type peerCount struct {
	addr netip.Addr
	n    int
}

// checkLimits refuses a handshake that would pass a connection limit.
// Runs on any loop.
func (srv *Server) checkLimits(r *Request) *RequestError {
	if srv.limits.refusing.Load() {
		return &RequestError{Code: Forbidden, Message: msgShuttingDown}
	}
	if max := srv.opts.MaxConnections; max > 0 && srv.limits.total.Load() >= int64(max) {
		return &RequestError{Code: Forbidden, Message: msgTooManyConnections}
	}
	if max := srv.opts.MaxConnectionsPerIP; max > 0 {
		addr, ok := peerAddr(r.RemoteAddr)
		if !ok {
			return nil
		}
		l := &srv.limits
		l.mu.Lock()
		pc := l.perIP[addr]
		over := pc != nil && pc.n >= max
		l.mu.Unlock()
		if over {
			return &RequestError{Code: Forbidden, Message: msgTooManyConnectionsFromIP}
		}
	}
	return nil
}

// RefuseHandshakes makes every later handshake fail as a refused one
// does (403 {"code":4,"message":"Server is shutting down"}, 400 on a
// WebSocket handshake); sessions already open go on. For a graceful
// shutdown; there is no undoing it. Safe from any goroutine.
func (srv *Server) RefuseHandshakes() { srv.limits.refusing.Store(true) }

// ClientsCount returns the number of open sessions, like Node's
// engine.clientsCount: a session counts from its handshake to its close.
// It reads one atomic counter (a handshake and a close update it, never a
// packet): safe from any goroutine, it never waits for a loop.
func (srv *Server) ClientsCount() int { return int(srv.limits.total.Load()) }

// countOpen counts the new session s opened by r. Runs on s's loop.
func (srv *Server) countOpen(s *Session, r *Request) {
	srv.limits.total.Add(1)
	if srv.opts.MaxConnectionsPerIP > 0 {
		addr, ok := peerAddr(r.RemoteAddr)
		if !ok {
			return
		}
		l := &srv.limits
		l.mu.Lock()
		pc := l.perIP[addr]
		if pc == nil {
			if n := len(l.spared); n > 0 {
				pc, l.spared = l.spared[n-1], l.spared[:n-1]
			} else {
				pc = &peerCount{}
			}
			pc.addr = addr
			if l.perIP == nil {
				l.perIP = make(map[netip.Addr]*peerCount)
			}
			l.perIP[addr] = pc
		}
		pc.n++
		l.mu.Unlock()
		sh := s.shard
		if sh.peers == nil {
			sh.peers = make(map[*Session]*peerCount)
		}
		sh.peers[s] = pc
	}
}

// countClose uncounts the closed session s. Runs on s's loop.
func (srv *Server) countClose(s *Session) {
	srv.limits.total.Add(-1)
	if pc := s.shard.peers[s]; pc != nil {
		delete(s.shard.peers, s)
		l := &srv.limits
		l.mu.Lock()
		if pc.n--; pc.n == 0 {
			delete(l.perIP, pc.addr)
			l.spared = append(l.spared, pc)
		}
		l.mu.Unlock()
	}
}

// peerAddr returns the IP address of a connection's peer.
func peerAddr(a net.Addr) (netip.Addr, bool) {
	switch a := a.(type) {
	case nil:
		return netip.Addr{}, false
	case *net.TCPAddr:
		ap := a.AddrPort()
		return ap.Addr().Unmap(), ap.Addr().IsValid()
	default:
		ap, err := netip.ParseAddrPort(a.String())
		return ap.Addr().Unmap(), err == nil
	}
}
