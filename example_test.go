package sioloop_test

import (
	"log"
	"net/http"
	"time"

	"github.com/sioloop/sioloop"
	"github.com/sioloop/sioloop/eio"
	"github.com/sioloop/sioloop/loop"
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
