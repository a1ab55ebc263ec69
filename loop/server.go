package loop

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/panjf2000/gnet/v2"
	"github.com/sioloop/sioloop/eio"
	"github.com/sioloop/sioloop/internal/quiesce"
	"golang.org/x/sys/unix"
)

// Options configures a Server. Its zero value means the defaults each
// field names.
type Options struct {
	// NumLoops is the number of event loops. Zero means one per CPU
	// (runtime.GOMAXPROCS), at most eio.MaxShards.
	NumLoops int
	// Handler answers requests for paths no Engine.IO route matches, each
	// on a goroutine of its own (never on the loop), its response streamed
	// (fallback.go says how). It cannot hijack the connection. Nil
	// answers 404, as the official standalone server does.
	Handler http.Handler
	// MaxHeaderBytes bounds the request line and headers; larger requests
	// are answered 431. Zero means 16 KiB, Node's default.
	MaxHeaderBytes int
	// HeaderTimeout bounds the wait for a request's headers, counted from
	// the connection's open or the previous response; the connection is
	// then closed. Zero means 60s, Node's headersTimeout.
	HeaderTimeout time.Duration
	// MaxOutboundBytes bounds the bytes an HTTP connection may have
	// written but not yet sent; a reader slower than that is
	// disconnected. Zero means 4 MiB. (A WebSocket's bound is its
	// Engine.IO session's, eio.Options.OutboundHighWaterMark, which counts
	// the kernel's send queue too.)
	MaxOutboundBytes int
	// MaxConns bounds the open connections; one more is closed as soon as
	// it is accepted. Zero means the open-file limit less 128 (the process
	// needs some files of its own): gnet's acceptor stops the whole server
	// on EMFILE, so the server must never let accept run out of files.
	MaxConns int
	// Peers, with eio.Options.NodeID set on the routes' engines, makes
	// this server forward a request for another node's session to that
	// node, so that a cluster needs no sticky sessions (forward.go). Nil
	// means no forwarding: such a request gets the answer to an unknown
	// session id. An idle connection to another node is reused for 20s
	// (or half of HeaderTimeout) at most: the other node's HeaderTimeout
	// closes it, so the nodes should share one HeaderTimeout.
	Peers Peers

	// Logger receives the server's logs: errors (gnet's, a panicking
	// handler) at Error, dropped slow readers and refused connections at
	// Warn, nothing per request or packet above Debug. Nil means
	// slog.Default(), so a server logs where the rest of the program
	// does unless told otherwise.
	Logger *slog.Logger
}

func (o *Options) withDefaults() Options {
	c := *o
	if c.NumLoops <= 0 {
		c.NumLoops = runtime.GOMAXPROCS(0)
	}
	if c.NumLoops > eio.MaxShards {
		c.NumLoops = eio.MaxShards
	}
	if c.MaxHeaderBytes <= 0 {
		c.MaxHeaderBytes = 16 << 10
	}
	if c.HeaderTimeout <= 0 {
		c.HeaderTimeout = 60 * time.Second
	}
	if c.MaxOutboundBytes <= 0 {
		c.MaxOutboundBytes = 4 << 20
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.MaxConns <= 0 {
		var lim unix.Rlimit
		if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &lim); err == nil && lim.Cur > 256 {
			c.MaxConns = int(lim.Cur) - 128
		} else {
			c.MaxConns = 1 << 20
		}
	}
	return c
}

// route binds a path prefix to an Engine.IO server.
type route struct {
	index  int
	path   string
	engine *eio.Server
	cors   *corsPolicy
	// compressAt is the size from which long-polling answers are
	// compressed; 0 when httpCompression is off.
	compressAt int
	// deflateAt is the size from which WebSocket messages are sent
	// compressed when permessage-deflate was negotiated; 0 when the
	// engine does not offer it.
	deflateAt int
}

// Server serves Engine.IO endpoints (and a fallback handler) on gnet
// event loops.
//
// Ownership: Handle is called before ListenAndServe; after that the routes
// are read-only. Each loop owns its shard; loops reach each other's shards
// only through their inboxes.
type Server struct {
	opts   Options
	log    *slog.Logger
	routes []*route
	limits parseLimits
	client *clientBundle // ServeClient's files, or nil

	engine   gnet.Engine
	mu       sync.Mutex // guards shard registration
	shards   [eio.MaxShards]atomic.Pointer[shard]
	byLoop   sync.Map // gnet.EventLoop → *shard
	nshards  atomic.Int32
	conns    atomic.Int64 // open connections, for MaxConns
	refusals throttle     // log of the connections refused for MaxConns
	addr     atomic.Pointer[net.TCPAddr]
	ready    chan struct{}
	done     chan struct{}

	// The net/http mode (nethttp.go).
	startOnce sync.Once
	startErr  error
	private   bool          // loops without a public listener: close what connects
	running   chan struct{} // closed by the first tick: every loop is registered with gnet
	tickOnce  sync.Once
	rr        atomic.Uint32 // round robin over the loops for new sessions
}

// New returns a server with opts (nil means the defaults).
func New(opts *Options) *Server {
	if opts == nil {
		opts = &Options{}
	}
	srv := &Server{opts: opts.withDefaults(), ready: make(chan struct{}), done: make(chan struct{}), running: make(chan struct{})}
	srv.log = srv.opts.Logger
	srv.limits = parseLimits{maxHeaderBytes: srv.opts.MaxHeaderBytes, maxBodyBytes: 1 << 20}
	return srv
}

// Handle serves the Engine.IO server engine on every path starting with
// path (a trailing slash is added, as engine.io does, unless the engine's
// DisableTrailingSlash is set), with CORS as cors describes (nil: no CORS
// headers). Call it before ListenAndServe.
func (srv *Server) Handle(path string, engine *eio.Server, cors *CORSOptions) {
	path = strings.TrimSuffix(path, "/")
	if engine.TrailingSlash() {
		path += "/"
	}
	rt := &route{index: len(srv.routes), path: path, engine: engine, cors: compileCORS(cors)}
	if threshold, ok := engine.HTTPCompression(); ok {
		rt.compressAt = max(threshold, 1)
	}
	if threshold, ok := engine.PerMessageDeflate(); ok {
		rt.deflateAt = max(threshold, 1)
	}
	srv.routes = append(srv.routes, rt)
	if n := engine.MaxHTTPBufferSize(); n > srv.limits.maxBodyBytes {
		srv.limits.maxBodyBytes = n
	}
}

// ListenAndServe listens on the TCP address addr ("host:port"; port 0
// picks one, see Addr) and serves until Shutdown. It blocks.
func (srv *Server) ListenAndServe(addr string) error {
	defer srv.stopped()
	err := gnet.Run(&handler{srv: srv}, "tcp://"+addr,
		gnet.WithMulticore(true),
		gnet.WithNumEventLoop(srv.opts.NumLoops),
		gnet.WithTicker(true),
		gnet.WithLockOSThread(lockLoops), // goroutine.go
		gnet.WithReuseAddr(true),         // as net.Listen: TIME_WAIT conns do not block a restart
		gnet.WithTCPNoDelay(gnet.TCPNoDelay),
		gnet.WithLogger(gnetLogger{srv.log}),
	)
	if err != nil {
		return fmt.Errorf("loop: serve %s: %w", addr, err)
	}
	return nil
}

// Ready is closed once the server accepts connections.
func (srv *Server) Ready() <-chan struct{} { return srv.ready }

// Addr returns the address the server listens on, once Ready.
func (srv *Server) Addr() *net.TCPAddr { return srv.addr.Load() }

// Shutdown stops the server: it waits, up to ctx, until the bytes queued
// for every connection have reached the kernel, then the listener and
// every connection close. When ctx ends first they close all the same
// (gnet tries each connection's buffered bytes once more as it closes)
// and ctx's error is returned. Safe from any goroutine but a loop's.
func (srv *Server) Shutdown(ctx context.Context) error {
	select {
	case <-srv.done:
		return nil // a stopped loop would answer no task
	case <-srv.ready:
	default:
		select {
		case <-srv.ready:
		case <-srv.done:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	flushed := quiesce.Wait(ctx, srv.unflushed)
	if err := srv.engine.Stop(ctx); err != nil && flushed == nil {
		return fmt.Errorf("loop: shutdown: %w", err)
	}
	if flushed != nil {
		return flushed
	}
	select {
	case <-srv.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// unflushed counts the connections, on every loop, whose output is not
// all in the kernel yet (out.go).
func (srv *Server) unflushed(ctx context.Context) (int, error) {
	return quiesce.Sum(ctx, int(srv.nshards.Load()),
		func(i int, fn func()) { srv.shardByIndex(i).Execute(fn) },
		func(i int) int { return srv.shardByIndex(i).Unflushed() })
}

// stopped marks the engine stopped once its loops have returned, and
// releases the goroutines waiting for room in an inbox (inbox.go):
// nothing will run their tasks.
func (srv *Server) stopped() {
	close(srv.done)
	for i := range int(srv.nshards.Load()) {
		q := &srv.shardByIndex(i).inbox
		q.mu.Lock()
		q.room.Broadcast()
		q.mu.Unlock()
	}
}

// onALoop reports whether the caller runs on one of the server's loops
// (shard.OnLoop).
func (srv *Server) onALoop() bool {
	id := loopID()
	for i := range int(srv.nshards.Load()) {
		if sh := srv.shardByIndex(i); sh != nil && sh.id == id {
			return true
		}
	}
	return false
}

// shardByIndex returns the shard with the index a session id names, or nil.
// Safe from any goroutine.
func (srv *Server) shardByIndex(i int) *shard {
	if i < 0 || i >= eio.MaxShards {
		return nil
	}
	return srv.shards[i].Load()
}

// shardOf returns the shard of loop, registering it on first sight.
func (srv *Server) shardOf(loop gnet.EventLoop) *shard {
	if v, ok := srv.byLoop.Load(loop); ok {
		return v.(*shard)
	}
	srv.mu.Lock()
	defer srv.mu.Unlock()
	if v, ok := srv.byLoop.Load(loop); ok {
		return v.(*shard)
	}
	i := int(srv.nshards.Load())
	sh := newShard(srv, i, loop)
	srv.shards[i].Store(sh)
	srv.byLoop.Store(loop, sh)
	srv.nshards.Add(1)
	return sh
}

// handler is the gnet event handler.
type handler struct {
	gnet.BuiltinEventEngine
	srv *Server
}

func (h *handler) OnBoot(eng gnet.Engine) gnet.Action {
	srv := h.srv
	srv.engine = eng
	if fd, err := eng.Dup(); err == nil {
		if sa, err := unix.Getsockname(fd); err == nil {
			if in4, ok := sa.(*unix.SockaddrInet4); ok {
				srv.addr.Store(&net.TCPAddr{IP: net.IP(in4.Addr[:]), Port: in4.Port})
			} else if in6, ok := sa.(*unix.SockaddrInet6); ok {
				srv.addr.Store(&net.TCPAddr{IP: net.IP(in6.Addr[:]), Port: in6.Port})
			}
		}
		_ = unix.Close(fd)
	}
	close(srv.ready)
	return gnet.None
}

func (h *handler) OnOpen(c gnet.Conn) ([]byte, gnet.Action) {
	if h.srv.conns.Add(1) > int64(h.srv.opts.MaxConns) {
		h.srv.logRefusedConn()
		return nil, gnet.Close // over the limit: refused (OnClose counts it out)
	}
	if up, ok := c.Context().(*upstream); ok {
		up.opened(c)
		up.sh.flush()
		return nil, gnet.None
	}
	moved, _ := c.Context().(*handoff)
	if _, anchor := c.Context().(anchorConn); anchor || (h.srv.private && moved == nil) {
		h.srv.shardOf(c.EventLoop())
		return nil, gnet.Close // an anchor (nethttp.go), or a stranger on the private port
	}
	sh := h.srv.shardOf(c.EventLoop())
	cn := sh.newConn(c)
	c.SetContext(cn)
	if moved != nil {
		cn.serveHandoff(moved)
		sh.flush()
	}
	return nil, gnet.None
}

func (h *handler) OnTraffic(c gnet.Conn) gnet.Action {
	cn, ok := c.Context().(*conn)
	if !ok {
		if up, ok := c.Context().(*upstream); ok {
			up.sh.advance()
			up.onTraffic()
			up.sh.flush()
			return gnet.None
		}
		return gnet.Close
	}
	// Deadlines that passed before this input arrived expire first, as
	// they would have on a server with exact timers.
	cn.sh.advance()
	cn.onTraffic()
	cn.sh.flush()
	return gnet.None
}

func (h *handler) OnClose(c gnet.Conn, err error) gnet.Action {
	h.srv.conns.Add(-1)
	switch x := c.Context().(type) {
	case *conn:
		x.onClose(err)
		x.sh.flush()
	case *upstream:
		x.onClose()
		x.sh.flush()
	}
	return gnet.None
}

// OnTick runs on gnet's ticker goroutine: it asks every loop to advance
// its wheels.
func (h *handler) OnTick() (time.Duration, gnet.Action) {
	srv := h.srv
	// gnet starts its ticker after it registered every loop (OnBoot
	// comes before): from here Engine.Register can pick a loop.
	srv.tickOnce.Do(func() { close(srv.running) })
	for i := range int(srv.nshards.Load()) {
		if sh := srv.shards[i].Load(); sh != nil {
			sh.tick()
		}
	}
	return tick, gnet.None
}
