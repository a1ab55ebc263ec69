// Command conformance serves what the official protocol test suites
// expect (../shared/conformance/README.md): the Engine.IO echo server on
// /engine.io/ and the Socket.IO server on /socket.io/, both with a 300 ms
// ping interval and a 200 ms ping timeout. PORT (default 3000) and HOST
// (default 127.0.0.1) say where it listens; MODE=nethttp serves them as
// http.Handlers on a net/http server instead of the gnet engine.
package main

import (
	"log"
	"net/http"
	"os"
	"time"

	"github.com/sioloop/sioloop"
	"github.com/sioloop/sioloop/eio"
	"github.com/sioloop/sioloop/internal/demo"
	"github.com/sioloop/sioloop/loop"
	"github.com/sioloop/sioloop/sio"
)

func main() {
	heartbeat := eio.Options{
		PingInterval:      300 * time.Millisecond,
		PingTimeout:       200 * time.Millisecond,
		MaxHTTPBufferSize: 1e6,
	}
	engine := eio.NewServer(&heartbeat)
	engine.OnMessage(func(s *eio.Session, data []byte, binary bool) { s.Send(data, binary) })

	srv := loop.New(nil)
	cors := &eio.CORSOptions{Origin: []string{"*"}}
	srv.Handle("/engine.io/", engine, cors)
	io := sioloop.Attach(srv, &sio.Options{Engine: heartbeat, ConnectTimeout: time.Second, CORS: cors})
	io.OnConnection(func(s *sio.Socket) {
		_ = s.Emit("auth", s.Handshake().Auth)
		s.On("message", func(s *sio.Socket, ev *sio.Event) { _ = s.Emit("message-back", ev.Spread()...) })
		s.On("message-with-ack", func(s *sio.Socket, ev *sio.Event) { _ = ev.Ack(ev.Spread()...) })
	})
	io.Of("/custom").OnConnection(func(s *sio.Socket) { _ = s.Emit("auth", s.Handshake().Auth) })

	if os.Getenv("MODE") == "nethttp" {
		// The net/http mode: the same servers mounted on a mux.
		mux := http.NewServeMux()
		mux.Handle("/engine.io/", srv)
		mux.Handle("/socket.io/", io)
		log.Printf("conformance server (net/http mode) listening on http://%s", demo.Addr())
		log.Fatal(http.ListenAndServe(demo.Addr(), mux))
	}
	demo.Run(io, "conformance server", "Engine.IO on /engine.io/, Socket.IO on /socket.io/")
}
