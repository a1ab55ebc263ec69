package sioloop_test

import (
	"fmt"
	"log"
	"net/http"
	"net/http/pprof"
	"os"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/sioloop/sioloop"
	"github.com/sioloop/sioloop/eio"
	"github.com/sioloop/sioloop/loop"
	"github.com/sioloop/sioloop/metrics"
	"github.com/sioloop/sioloop/sio"
)

// One call serves a Socket.IO server on the gnet engine, as Node's
// `new Server({ cors })` and `io.listen(3000)`.
func ExampleNewServer() {
	io := sioloop.NewServer(&sio.Options{
		CORS:   &eio.CORSOptions{Origin: []string{"*"}},
		Engine: eio.Options{PingInterval: 10 * time.Second},
	})
	io.OnConnection(func(s *sio.Socket) {
		s.Join("lobby")
		s.On("chat", func(s *sio.Socket, ev *sio.Event) {
			msg, _ := ev.String(0)
			_ = s.To("lobby").Emit("chat", s.ID(), msg)
			_ = ev.Ack("delivered")
		})
	})
	log.Fatal(io.ListenAndServe("127.0.0.1:3000"))
}

// Attach serves on an engine configured by hand: here with the handler
// of every other path, and a second Socket.IO server on the same port.
func ExampleAttach() {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("hello")) })
	engine := loop.New(&loop.Options{Handler: mux})
	io := sioloop.Attach(engine, nil) // on /socket.io/
	admin := sioloop.Attach(engine, &sio.Options{Path: "/admin-io/"})
	io.OnConnection(func(s *sio.Socket) { _ = s.Emit("hello") })
	admin.OnConnection(func(s *sio.Socket) { _ = s.Emit("welcome") })
	log.Fatal(engine.ListenAndServe("127.0.0.1:3000"))
}

// The net/http mode: the server is an http.Handler on the service's own
// mux, behind its middleware, TLS and HTTP/2 (for long-polling).
// WebSockets on plain TCP move to the event loops; on TLS two goroutines
// pump each one to its loop.
func ExampleServer_ServeHTTP() {
	io := sioloop.NewServer(nil)
	io.OnConnection(func(s *sio.Socket) {
		s.On("ping", func(s *sio.Socket, ev *sio.Event) { _ = ev.Ack("pong") })
	})
	mux := http.NewServeMux()
	mux.Handle("/socket.io/", io)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("ok")) })
	logged := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		log.Printf("%s %s", r.Method, r.URL.Path) // the service's middleware
		mux.ServeHTTP(w, r)
	})
	srv := &http.Server{Addr: ":8443", Handler: logged}
	log.Fatal(srv.ListenAndServeTLS(os.Getenv("CERT"), os.Getenv("KEY")))
}

// Metrics and profiles are opt-in: mount them where you want, here on
// the gnet engine's handler of other paths (each request runs on a
// goroutine, never on an event loop). net/http/pprof registers itself on
// http.DefaultServeMux, which sioloop never serves: mount its handlers
// on your mux — Index serves the named profiles (heap, goroutine, …), the
// CPU profile, trace, cmdline and symbol have handlers of their own.
func ExampleServer_Loop() {
	mux := http.NewServeMux()
	io := sioloop.Attach(loop.New(&loop.Options{Handler: mux}), nil)
	reg := prometheus.NewRegistry()
	reg.MustRegister(metrics.NewCollector(io.Server, io.Loop()))
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	log.Fatal(io.ListenAndServe("127.0.0.1:3000"))
}

// The engine options and events a Node user reaches for, as
// `new Server({ path, addTrailingSlash: false, cookie })`,
// `io.engine.generateId`, and `io.engine.on("headers" / "connection_error")`:
// a cookie a load balancer keeps its affinity with, a header on every
// answer of the engine, the refused requests logged, session ids of the
// application's own.
func Example_engineOptions() {
	var n atomic.Uint64
	io := sioloop.NewServer(&sio.Options{
		Path: "/socket.io", // matched without a trailing slash
		Engine: eio.Options{
			DisableTrailingSlash: true,
			Cookie:               &eio.CookieOptions{Name: "lb", Secure: true},
			// 18 characters, behind the 2 that route the session to
			// its loop (and node).
			GenerateID: func(r *eio.Request) (string, error) {
				return fmt.Sprintf("app-%014d", n.Add(1)), nil
			},
		},
	})
	io.Engine().OnHeaders(func(h *eio.ResponseHeader, r *eio.Request) {
		h.Add("X-Served-By", "node-1")
	})
	io.Engine().OnConnectionError(func(e *eio.ConnectionError) {
		// e.Request is valid during the call only.
		log.Printf("refused %s?%s: %d %s %s", e.Request.Path, e.Request.RawQuery, e.Code, e.Message, e.Context)
	})
	log.Fatal(io.ListenAndServe(":3000"))
}
