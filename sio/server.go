package sio

import (
	"crypto/rand"
	"hash"
	"log/slog"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sioloop/sioloop/eio"
	"github.com/sioloop/sioloop/parser"
)

// Server is a Socket.IO server: its namespaces, and the Engine.IO server
// that carries them. sioloop.NewServer makes one and serves it; by hand,
// hand Engine() to a loop.Server:
//
//	io := sio.NewServer(nil)
//	io.OnConnection(func(s *sio.Socket) { ... })
//	srv := loop.New(nil)
//	srv.Handle(io.Path(), io.Engine(), io.CORS())
//	srv.ListenAndServe("127.0.0.1:3000")
type Server struct {
	opts     Options
	log      *slog.Logger
	engine   *eio.Server
	main     *Namespace
	rate     *rateLimits             // nil: no rate limit
	shutdown atomic.Bool             // Shutdown was called
	recovery *RecoveryOptions        // opts.ConnectionStateRecovery: nil when off
	pidKey   [32]byte                // derives the sockets' private ids (recovery.go)
	monitor  atomic.Pointer[Monitor] // SetMonitor; nil: none

	// bcastAcksTimedOut counts the clients broadcasts' Timeouts gave up
	// on (Stats.AcksTimedOut), off the loops.
	bcastAcksTimedOut atomic.Uint64

	mu             sync.Mutex // guards the namespace tables
	nsps           map[string]*Namespace
	parents        []*ParentNamespace
	onNewNamespace []func(*Namespace)

	// Per-loop state, each touched only by its loop.
	shards [eio.MaxShards]atomic.Pointer[shardState]

	// encoders serve broadcasts, which encode off the loops.
	encoders sync.Pool
}

// shardState is what the Socket.IO layer keeps per loop.
type shardState struct {
	enc      parser.Encoder
	frames   parser.Frames // enc's output, reused
	in       incoming      // reused for each incoming packet when not nested
	busy     bool          // in is in use by a handler
	gen      uint64
	pid      hash.Hash // the HMAC deriving private ids, made on first use
	counters           // for Stats (stats.go)
	// handlers is how many handlers the last socket connected on this
	// loop had once its connection handlers returned: the size of the
	// next socket's list (Socket.addHandler).
	handlers int
	// The CONNECT answer's payload and arguments, reused (onConnect).
	connectPayload []byte
	connectArgs    [1]any
	// The broadcast being written by this loop, encoded for its sessions
	// once (sharedOf); released when the loop has visited its receivers.
	bcast  *BroadcastPacket
	shared []*eio.Shared
}

// incoming is a decoded packet and the Event that holds its arguments.
type incoming struct {
	pkt parser.Packet
	ev  Event
}

// sharedOf returns pkt's packet and attachments as shared packets of this
// loop, made on its first receiver here. Runs on the loop.
func (st *shardState) sharedOf(pkt *BroadcastPacket) []*eio.Shared {
	if st.bcast == pkt {
		return st.shared
	}
	st.releaseShared()
	st.bcast = pkt
	st.shared = append(st.shared, eio.NewShared(pkt.frames.Head, pkt.frames.Binary))
	for _, a := range pkt.frames.Attachments {
		st.shared = append(st.shared, eio.NewShared(a, true))
	}
	return st.shared
}

// releaseShared gives back the loop's references to the broadcast it
// wrote; receivers whose socket has not taken it yet keep theirs.
func (st *shardState) releaseShared() {
	for i, m := range st.shared {
		m.Release()
		st.shared[i] = nil
	}
	st.shared = st.shared[:0]
	st.bcast = nil
}

// NewServer returns a server with opts (nil means the defaults).
func NewServer(opts *Options) *Server {
	if opts == nil {
		opts = &Options{}
	}
	srv := &Server{opts: opts.withDefaults(), nsps: make(map[string]*Namespace)}
	srv.log = srv.opts.Logger
	srv.recovery = srv.opts.ConnectionStateRecovery
	srv.encoders.New = func() any { return srv.opts.Parser.NewEncoder() }
	if srv.recovery != nil {
		_, _ = rand.Read(srv.pidKey[:]) // never fails (crypto/rand)
	}
	srv.engine = eio.NewServer(&srv.opts.Engine)
	srv.opts.Limits = srv.opts.Limits.withDefaults(srv.engine.MaxHTTPBufferSize())
	srv.rate = srv.opts.Limits.compile()
	srv.engine.OnConnection(srv.onSession)
	srv.engine.OnMessage(onSessionMessage)
	srv.engine.OnClose(onSessionClose)
	srv.engine.OnDrain(onSessionDrain)
	srv.engine.OnUpgrade(onSessionUpgrade)
	srv.main = srv.Of("/")
	return srv
}

// Engine returns the Engine.IO server to serve (loop.Server.Handle).
func (srv *Server) Engine() *eio.Server { return srv.engine }

// Path returns the URL path the server answers under (Options.Path).
func (srv *Server) Path() string { return srv.opts.Path }

// Logger returns the server's logger (Options.Logger, or slog.Default()).
func (srv *Server) Logger() *slog.Logger { return srv.log }

// ServeClient returns where the client bundle is served from
// (Options.ServeClient; empty: not served).
func (srv *Server) ServeClient() string { return srv.opts.ServeClient }

// CORS returns the CORS settings of the server (Options.CORS, maybe nil).
func (srv *Server) CORS() *eio.CORSOptions { return srv.opts.CORS }

// Of returns the namespace name, creating it if needed ("/chat"; a name
// without a leading slash gets one). Safe from any goroutine.
func (srv *Server) Of(name string) *Namespace {
	if name == "" || name[0] != '/' {
		name = "/" + name
	}
	srv.mu.Lock()
	nsp, ok := srv.nsps[name]
	var hooks []func(*Namespace)
	if !ok {
		nsp = newNamespace(srv, name, nil)
		srv.nsps[name] = nsp
		hooks = srv.onNewNamespace
	}
	srv.mu.Unlock()
	for _, fn := range hooks {
		fn(nsp)
	}
	return nsp
}

// Namespaces returns the server's namespaces (the children of dynamic
// ones included, their parents not), sorted by name, like io._nsps. Safe
// from any goroutine; it does not wait for the loops.
func (srv *Server) Namespaces() []*Namespace {
	srv.mu.Lock()
	out := make([]*Namespace, 0, len(srv.nsps))
	for _, n := range srv.nsps {
		out = append(out, n)
	}
	srv.mu.Unlock()
	slices.SortFunc(out, func(a, b *Namespace) int { return strings.Compare(a.name, b.name) })
	return out
}

// OfRegexp returns a parent namespace: a client connecting to a name that
// re matches gets a child namespace of that name, sharing the parent's
// handlers and middlewares (like io.of(/regexp/)).
func (srv *Server) OfRegexp(re *regexp.Regexp) *ParentNamespace {
	return srv.OfFunc(func(name string, _ []byte) bool { return re.MatchString(name) })
}

// OfFunc returns a parent namespace whose children are the names for which
// accept, given the name and the raw auth payload, returns true. accept
// runs on a loop and must not block.
func (srv *Server) OfFunc(accept func(name string, auth []byte) bool) *ParentNamespace {
	p := &ParentNamespace{srv: srv, accept: accept, children: map[string]*Namespace{}}
	p.nsp = newNamespace(srv, "", p)
	srv.mu.Lock()
	srv.parents = append(srv.parents, p)
	srv.mu.Unlock()
	return p
}

// OnNewNamespace registers fn, called when a namespace is created (by Of
// or for a dynamic namespace's child), like the "new_namespace" event.
func (srv *Server) OnNewNamespace(fn func(nsp *Namespace)) {
	srv.mu.Lock()
	srv.onNewNamespace = append(srv.onNewNamespace, fn)
	srv.mu.Unlock()
}

// lookup finds or creates (dynamic) the namespace a client connects to,
// or nil; with CleanupEmptyChildNamespaces a dynamic child counts the
// socket to come (released by client.remove). Runs on a loop.
func (srv *Server) lookup(name string, auth []byte) *Namespace {
	for {
		srv.mu.Lock()
		nsp, ok := srv.nsps[name]
		parents := srv.parents
		srv.mu.Unlock()
		if ok {
			if nsp.parent == nil || !srv.opts.CleanupEmptyChildNamespaces || nsp.parent.acquire(nsp) {
				return nsp
			}
			continue // removed meanwhile: a new child takes its name
		}
		var found bool
		for _, p := range parents {
			if p.accept(name, auth) {
				if nsp = p.child(name); nsp != nil {
					return nsp
				}
				found = true // another namespace took the name: look again
				break
			}
		}
		if !found {
			return nil
		}
	}
}

// The main namespace's API, on the server as in Node.

// OnConnection registers a connection handler of the main namespace.
func (srv *Server) OnConnection(fn func(s *Socket)) { srv.main.OnConnection(fn) }

// Use adds a middleware to the main namespace.
func (srv *Server) Use(fn Middleware) { srv.main.Use(fn) }

// Emit sends an event to every socket of the main namespace.
func (srv *Server) Emit(event string, args ...any) error { return srv.main.Emit(event, args...) }

// To selects the sockets in rooms, in the main namespace.
func (srv *Server) To(rooms ...string) *BroadcastOperator { return srv.main.To(rooms...) }

// In is To.
func (srv *Server) In(rooms ...string) *BroadcastOperator { return srv.main.In(rooms...) }

// Except selects every socket of the main namespace but those in rooms.
func (srv *Server) Except(rooms ...string) *BroadcastOperator { return srv.main.Except(rooms...) }

// Volatile marks the next broadcast as droppable where the transport is
// not ready.
func (srv *Server) Volatile() *BroadcastOperator { return srv.main.Volatile() }

// Local restricts the broadcast to this node.
func (srv *Server) Local() *BroadcastOperator { return srv.main.Local() }

// Timeout sets how long a broadcast with an ack waits for the answers.
func (srv *Server) Timeout(d time.Duration) *BroadcastOperator { return srv.main.Timeout(d) }

// Close disconnects every socket with reason "server shutting down" and
// closes their sessions. It returns once every loop has done so.
func (srv *Server) Close() { srv.eachShard(closeAll, true) }

// shardState returns the loop's Socket.IO state. Runs on that loop.
func (srv *Server) shardState(sh *eio.Shard) *shardState {
	p := &srv.shards[sh.Index()]
	st := p.Load()
	if st == nil {
		st = &shardState{enc: srv.opts.Parser.NewEncoder()}
		p.Store(st)
	}
	return st
}

// onALoop reports whether the caller runs on one of the server's loops.
func (srv *Server) onALoop() bool {
	for i := range eio.MaxShards {
		if sh := srv.engine.Shard(i); sh != nil && sh.OnLoop() {
			return true
		}
	}
	return false
}

// eachShard runs fn on every loop's shard: inline for the caller's own,
// posted to the others; wait blocks until all have run (never from a
// loop: the caller must not be one).
func (srv *Server) eachShard(fn func(sh *eio.Shard), wait bool) {
	var wg sync.WaitGroup
	for i := range eio.MaxShards {
		sh := srv.engine.Shard(i)
		if sh == nil {
			continue
		}
		if sh.OnLoop() {
			fn(sh)
			continue
		}
		if wait {
			wg.Add(1)
		}
		sh.Execute(func() {
			fn(sh)
			if wait {
				wg.Done()
			}
		})
	}
	wg.Wait()
}
