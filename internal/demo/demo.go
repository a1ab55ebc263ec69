// Package demo runs the example servers: the address from HOST and PORT,
// the first log line saying where the server listens, a clean stop on
// SIGINT or SIGTERM.
package demo

import (
	"context"
	"log"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// Server is what Run (and the tests' testserver.Start) serves: a
// loop.Server or a sioloop.Server.
type Server interface {
	ListenAndServe(addr string) error
	Ready() <-chan struct{}
	Addr() *net.TCPAddr
	Shutdown(ctx context.Context) error
}

// Addr returns HOST:PORT from the environment (default 127.0.0.1:3000).
func Addr() string {
	host, port := os.Getenv("HOST"), os.Getenv("PORT")
	if host == "" {
		host = "127.0.0.1"
	}
	if port == "" {
		port = "3000"
	}
	return net.JoinHostPort(host, port)
}

// Run serves srv on Addr until SIGINT or SIGTERM; its first log line is
// "<name> listening on http://<addr> (<what>)". It exits the process on a
// serve error.
func Run(srv Server, name, what string) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-srv.Ready()
		log.Printf("%s listening on http://%s (%s)", name, srv.Addr(), what)
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	if err := srv.ListenAndServe(Addr()); err != nil {
		log.Fatal(err)
	}
}
