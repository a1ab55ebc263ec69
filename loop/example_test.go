package loop_test

import (
	"context"
	"log"
	"net/http"
	"os"
	"os/signal"
	"time"

	"github.com/sioloop/sioloop/eio"
	"github.com/sioloop/sioloop/loop"
	"github.com/sioloop/sioloop/sio"
)

// One gnet engine, one port: a Socket.IO server on /socket.io/, a bare
// Engine.IO server on /engine.io/, and an http.Handler for every other
// path (each request on a goroutine of its own, never on a loop).
func Example() {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("ok")) })
	engine := loop.New(&loop.Options{Handler: mux})

	io := sio.NewServer(nil)
	io.OnConnection(func(s *sio.Socket) { _ = s.Emit("hello") })
	engine.Handle(io.Path(), io.Engine(), io.CORS())

	raw := eio.NewServer(nil)
	raw.OnMessage(func(s *eio.Session, data []byte, binary bool) { _ = s.Send(data, binary) })
	engine.Handle("/engine.io/", raw, &loop.CORSOptions{Origin: []string{"*"}})

	log.Fatal(engine.ListenAndServe(":3000"))
}

// Shutdown stops accepting, waits for the connections' pending bytes up
// to its context, and closes them; ListenAndServe then returns nil.
func ExampleServer_Shutdown() {
	engine := loop.New(nil)
	engine.Handle("/engine.io/", eio.NewServer(nil), nil)
	go func() {
		stop := make(chan os.Signal, 1)
		signal.Notify(stop, os.Interrupt)
		<-stop
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = engine.Shutdown(ctx)
	}()
	if err := engine.ListenAndServe(":3000"); err != nil {
		log.Fatal(err)
	}
}

// The official client bundle, as socket.io's serveClient, from the npm
// package you have (sioloop cannot embed it): /socket.io/socket.io.js and
// its variants. sio.Options.ServeClient does this for package sioloop.
func ExampleServer_ServeClient() {
	engine := loop.New(nil)
	io := sio.NewServer(nil)
	engine.Handle(io.Path(), io.Engine(), io.CORS())
	if err := engine.ServeClient(io.Path(), "node_modules/socket.io-client"); err != nil {
		log.Fatal(err)
	}
	log.Fatal(engine.ListenAndServe(":3000"))
}

// The net/http mode: the engine as an http.Handler on a service's mux;
// its event loops start on the first request, WebSockets on plain TCP are
// moved onto them.
func ExampleServer_ServeHTTP() {
	engine := loop.New(nil)
	io := sio.NewServer(nil)
	engine.Handle(io.Path(), io.Engine(), io.CORS())
	mux := http.NewServeMux()
	mux.Handle(io.Path(), engine)
	log.Fatal(http.ListenAndServe(":8080", mux))
}
