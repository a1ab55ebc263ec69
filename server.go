package sioloop

import (
	"context"
	"net"
	"net/http"
	"sync/atomic"

	"github.com/sioloop/sioloop/loop"
	"github.com/sioloop/sioloop/sio"
)

// Server is a Socket.IO server and the gnet engine that serves it. Every
// method of sio.Server is promoted (On, Of, To, Emit, Use, …); Server adds
// the serving: ListenAndServe, Shutdown.
type Server struct {
	*sio.Server
	engine   *loop.Server
	err      error       // what Attach could not set up (the client bundle)
	stopping atomic.Bool // Shutdown was called
}

// NewServer returns a Socket.IO server with opts (nil means the official
// defaults), served on its own gnet engine with loop's default options
// and opts.Logger, like Node's `new Server(opts)`. ListenAndServe serves
// it.
func NewServer(opts *sio.Options) *Server {
	var lopts loop.Options
	if opts != nil {
		lopts.Logger = opts.Logger
	}
	return Attach(loop.New(&lopts), opts)
}

// Attach returns a Socket.IO server with opts (nil means the official
// defaults) served by engine on opts.Path, with opts.CORS and the client
// bundle of opts.ServeClient, like Node's `new Server(httpServer, opts)`:
// engine carries the gnet options (event loops, limits, the handler of
// other paths) and may serve other Engine.IO servers on other paths. Call
// it before engine serves.
func Attach(engine *loop.Server, opts *sio.Options) *Server {
	io := sio.NewServer(opts)
	engine.Handle(io.Path(), io.Engine(), io.CORS())
	srv := &Server{Server: io, engine: engine}
	if dir := io.ServeClient(); dir != "" {
		srv.err = engine.ServeClient(io.Path(), dir)
	}
	return srv
}

// ListenAndServe listens on the TCP address addr ("host:port"; port 0
// picks one, see Addr) and serves until Shutdown, like Node's
// `io.listen(port)`. It blocks. It fails at once when the client bundle
// of Options.ServeClient could not be read.
func (srv *Server) ListenAndServe(addr string) error {
	if srv.err != nil {
		return srv.err
	}
	return srv.engine.ListenAndServe(addr)
}

// ServeHTTP implements http.Handler, for the net/http mode: mount the
// server on its path of the service's mux (mux.Handle("/socket.io/", io)),
// behind the service's TLS, middleware and HTTP/2. Long-polling requests
// are answered through net/http; a WebSocket on plain TCP is handed to an
// event loop (no goroutine per connection), one on TLS is pumped to it by
// two goroutines. The event loops start on the first request (Start).
//
// When the client bundle of Options.ServeClient could not be read (Start
// says why), every request is answered 500.
func (srv *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if srv.err != nil {
		http.Error(w, srv.err.Error(), http.StatusInternalServerError)
		return
	}
	srv.engine.ServeHTTP(w, r)
}

// Start starts the event loops of the net/http mode, without a public
// listener; ServeHTTP calls it on first use. Use either ListenAndServe or
// ServeHTTP, not both. It fails when the client bundle of
// Options.ServeClient could not be read.
func (srv *Server) Start() error {
	if srv.err != nil {
		return srv.err
	}
	return srv.engine.Start()
}

// Loop returns the gnet engine that serves the server (for
// metrics.NewCollector, or to Handle more Engine.IO servers before it
// serves).
func (srv *Server) Loop() *loop.Server { return srv.engine }

// Ready is closed once the server accepts connections.
func (srv *Server) Ready() <-chan struct{} { return srv.engine.Ready() }

// Addr returns the address the server listens on, once Ready.
func (srv *Server) Addr() *net.TCPAddr { return srv.engine.Addr() }

// Shutdown stops the server gracefully, then the engine: new handshakes
// are refused, the acks the server awaits are waited for, every socket is
// disconnected with reason "server shutting down" (as Node's `io.close()`:
// the client sees its transport close) after the packets already emitted
// to it, and once those packets have reached the kernel, or ctx ends, the
// listener and every connection close (sio.Server.Shutdown, then
// loop.Server.Shutdown). An idle server returns at once; how long a
// client that stopped reading holds it, sio.Server.Shutdown says. Drain
// first spreads the disconnects over a window. It is safe to call before
// the server serves; call it from a goroutine of your own, not a handler.
func (srv *Server) Shutdown(ctx context.Context) error {
	if srv.stopping.Swap(true) {
		return nil // the first call does it
	}
	var graceful error
	select {
	case <-srv.engine.Ready():
		graceful = srv.Server.Shutdown(ctx)
	default:
	}
	if err := srv.engine.Shutdown(ctx); err != nil {
		return err
	}
	return graceful
}
