package sio

import (
	"sync"
	"sync/atomic"
	"time"
)

// Middleware runs before a socket connects to a namespace: it calls next
// with nil to go on, or with an error to refuse the connection (a
// *ConnectError carries data to the client). next may be called later,
// from any goroutine.
type Middleware func(s *Socket, next func(err error))

// Namespace is a communication channel multiplexed over the clients'
// connections ("/", "/chat").
//
// Ownership: the handler and middleware lists are copy-on-write, safe
// from any goroutine; the adapter keeps the room index (the in-memory one
// a part per loop, touched only by that loop).
type Namespace struct {
	name   string
	srv    *Server
	parent *ParentNamespace // for a dynamic namespace's child

	mu          sync.Mutex
	ackIDs      atomic.Int64
	handlers    atomic.Pointer[[]func(*Socket)]
	middlewares atomic.Pointer[[]Middleware]
	serverSide  atomic.Pointer[serverSideHandlers]

	adapter  Adapter
	sessions SessionAwareAdapter // the adapter, when recovery is on and it can

	connected atomic.Int64 // connected sockets (SocketsCount)
	// refs counts the sockets connected or connecting to a dynamic
	// namespace's child, with Options.CleanupEmptyChildNamespaces; guarded
	// by parent.mu.
	refs int
}

func newNamespace(srv *Server, name string, parent *ParentNamespace) *Namespace {
	n := &Namespace{name: name, srv: srv, parent: parent}
	n.adapter = srv.opts.Adapter(n)
	if srv.recovery != nil {
		n.sessions, _ = n.adapter.(SessionAwareAdapter)
	}
	return n
}

// Adapter returns the namespace's adapter.
func (n *Namespace) Adapter() Adapter { return n.adapter }

// Name returns the namespace's name.
func (n *Namespace) Name() string { return n.name }

// Server returns the server of the namespace.
func (n *Namespace) Server() *Server { return n.srv }

// OnConnection registers fn, called on the socket's loop for every socket
// that connects. Safe from any goroutine.
func (n *Namespace) OnConnection(fn func(s *Socket)) {
	n.mu.Lock()
	defer n.mu.Unlock()
	old := n.handlers.Load()
	var hs []func(*Socket)
	if old != nil {
		hs = append(hs, *old...)
	}
	hs = append(hs, fn)
	n.handlers.Store(&hs)
}

// Use adds a middleware, run in order for every connecting socket. Safe
// from any goroutine.
func (n *Namespace) Use(fn Middleware) {
	n.mu.Lock()
	defer n.mu.Unlock()
	old := n.middlewares.Load()
	var ms []Middleware
	if old != nil {
		ms = append(ms, *old...)
	}
	ms = append(ms, fn)
	n.middlewares.Store(&ms)
}

func (n *Namespace) connectionHandlers() []func(*Socket) {
	src := n
	if n.parent != nil {
		src = n.parent.nsp
	}
	if p := src.handlers.Load(); p != nil {
		return *p
	}
	return nil
}

func (n *Namespace) middlewareList() []Middleware {
	src := n
	if n.parent != nil {
		src = n.parent.nsp
	}
	if p := src.middlewares.Load(); p != nil {
		return *p
	}
	return nil
}

// Broadcasting from the namespace.

func (n *Namespace) op() *BroadcastOperator { return &BroadcastOperator{nsps: []*Namespace{n}} }

// To selects the sockets in any of rooms.
func (n *Namespace) To(rooms ...string) *BroadcastOperator { return n.op().To(rooms...) }

// In is To.
func (n *Namespace) In(rooms ...string) *BroadcastOperator { return n.op().To(rooms...) }

// Except excludes the sockets in any of rooms.
func (n *Namespace) Except(rooms ...string) *BroadcastOperator { return n.op().Except(rooms...) }

// Volatile allows the broadcast to be dropped for a socket whose transport
// is not ready to write.
func (n *Namespace) Volatile() *BroadcastOperator { return n.op().Volatile() }

// Local restricts the broadcast to this node (no adapter peers).
func (n *Namespace) Local() *BroadcastOperator { return n.op().Local() }

// Timeout sets how long a broadcast with an ack waits for every answer.
func (n *Namespace) Timeout(d time.Duration) *BroadcastOperator { return n.op().Timeout(d) }

// Emit sends an event to every socket of the namespace. A last argument of
// type BroadcastAckHandler collects the answers.
func (n *Namespace) Emit(event string, args ...any) error { return n.op().Emit(event, args...) }

// FetchSockets returns the namespace's sockets; see BroadcastOperator.
func (n *Namespace) FetchSockets() ([]*RemoteSocket, error) { return n.op().FetchSockets() }

// SocketsJoin makes every socket of the namespace join rooms.
func (n *Namespace) SocketsJoin(rooms ...string) { n.op().SocketsJoin(rooms...) }

// SocketsLeave makes every socket of the namespace leave rooms.
func (n *Namespace) SocketsLeave(rooms ...string) { n.op().SocketsLeave(rooms...) }

// DisconnectSockets disconnects every socket of the namespace.
func (n *Namespace) DisconnectSockets(close bool) { n.op().DisconnectSockets(close) }

// ServerSideEmit sends an event to the other nodes of a cluster through
// the adapter; a last BroadcastAckHandler argument gets their answers
// (with the in-memory adapter: none, at once).
func (n *Namespace) ServerSideEmit(event string, args ...any) error {
	if reservedEvents[event] {
		return ErrReservedEvent
	}
	ack, args, err := broadcastAckOf(args)
	if err != nil {
		return err
	}
	n.adapter.ServerSideEmit(event, args, ack)
	return nil
}

// ParentNamespace is a dynamic namespace: every client-requested name it
// accepts becomes a child Namespace sharing its handlers and middlewares.
type ParentNamespace struct {
	srv    *Server
	accept func(name string, auth []byte) bool
	nsp    *Namespace // holds the shared handlers and middlewares

	mu       sync.Mutex
	children map[string]*Namespace
}

// OnConnection registers a connection handler for every child.
func (p *ParentNamespace) OnConnection(fn func(s *Socket)) { p.nsp.OnConnection(fn) }

// Use adds a middleware for every child.
func (p *ParentNamespace) Use(fn Middleware) { p.nsp.Use(fn) }

// Emit sends an event to every socket of every child.
func (p *ParentNamespace) Emit(event string, args ...any) error {
	return p.op().Emit(event, args...)
}

// To selects the sockets in rooms, in every child.
func (p *ParentNamespace) To(rooms ...string) *BroadcastOperator { return p.op().To(rooms...) }

func (p *ParentNamespace) op() *BroadcastOperator {
	p.mu.Lock()
	defer p.mu.Unlock()
	b := &BroadcastOperator{}
	for _, c := range p.children {
		b.nsps = append(b.nsps, c)
	}
	return b
}

// child returns the child namespace name, creating it (and registering it
// with the server, so Of finds it) on first use; with
// CleanupEmptyChildNamespaces it counts one more socket in it. It returns
// nil when another namespace of that name is registered: the caller looks
// it up again.
func (p *ParentNamespace) child(name string) *Namespace {
	srv := p.srv
	p.mu.Lock()
	c, ok := p.children[name]
	if !ok {
		c = newNamespace(srv, name, p)
	}
	// Registered under p.mu, as release removes it: a child is in
	// srv.nsps exactly while it is in p.children.
	srv.mu.Lock()
	if existing, taken := srv.nsps[name]; taken && existing != c {
		srv.mu.Unlock()
		p.mu.Unlock()
		return nil
	}
	srv.nsps[name] = c
	var hooks []func(*Namespace)
	if !ok {
		hooks = srv.onNewNamespace
	}
	srv.mu.Unlock()
	p.children[name] = c
	if srv.opts.CleanupEmptyChildNamespaces {
		c.refs++
	}
	p.mu.Unlock()
	for _, fn := range hooks {
		fn(c)
	}
	return c
}

// acquire counts one more socket in the child c, unless c was removed
// meanwhile (false: look the name up again). With
// CleanupEmptyChildNamespaces only. Safe from any goroutine.
func (p *ParentNamespace) acquire(c *Namespace) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.children[c.name] != c {
		return false
	}
	c.refs++
	return true
}

// release counts one socket less in the child c — it disconnected, or was
// refused — and removes c from the server when none is left, as socket.io
// 4.6+ does with cleanupEmptyChildNamespaces. With that option only. Runs
// on the socket's loop.
func (p *ParentNamespace) release(c *Namespace) {
	srv := p.srv
	p.mu.Lock()
	if c.refs--; c.refs > 0 || p.children[c.name] != c {
		p.mu.Unlock()
		return
	}
	delete(p.children, c.name)
	srv.mu.Lock()
	if srv.nsps[c.name] == c {
		delete(srv.nsps, c.name)
	}
	srv.mu.Unlock()
	p.mu.Unlock()
	if srv.debugOn() {
		srv.log.Debug("sio: empty child namespace removed", "nsp", c.name)
	}
}
