// Command conformance serves what the official protocol test suites
// expect (../shared/conformance/README.md): the Engine.IO echo server on
// /engine.io/ (and, once the Socket.IO layer lands, Socket.IO on
// /socket.io/). PORT (default 3000) and HOST (default 127.0.0.1) say where.
package main

import (
	"context"
	"log"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/sioloop/sioloop/eio"
	"github.com/sioloop/sioloop/loop"
)

func main() {
	host, port := os.Getenv("HOST"), os.Getenv("PORT")
	if host == "" {
		host = "127.0.0.1"
	}
	if port == "" {
		port = "3000"
	}
	engine := eio.NewServer(&eio.Options{
		PingInterval:      300 * time.Millisecond,
		PingTimeout:       200 * time.Millisecond,
		MaxHTTPBufferSize: 1e6,
	})
	engine.OnConnection(func(s *eio.Session, _ *eio.Request) {
		s.OnMessage(func(s *eio.Session, data []byte, binary bool) { s.Send(data, binary) })
	})
	srv := loop.New(nil)
	srv.Handle("/engine.io/", engine, &loop.CORSOptions{Origin: []string{"*"}})

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	go func() {
		<-srv.Ready()
		log.Printf("conformance server listening on http://%s (engine.io on /engine.io/)", srv.Addr())
	}()
	if err := srv.ListenAndServe(net.JoinHostPort(host, port)); err != nil {
		log.Fatal(err)
	}
}
