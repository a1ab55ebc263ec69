// Package demo runs the example servers: the address from HOST and PORT,
// the first log line saying where the server listens, a graceful stop on
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
// "<name> listening on http://<addr> (<what>)". On the signal a
// sioloop.Server first drains its clients over DRAIN (a duration, e.g.
// DRAIN=10s; default none), then every server shuts down within 10 s:
// gracefully for a sioloop.Server (acks in flight, queued packets). It
// exits the process on a serve error.
func Run(srv Server, name, what string) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-srv.Ready()
		log.Printf("%s listening on http://%s (%s)", name, srv.Addr(), what)
		<-ctx.Done()
		if d, ok := srv.(interface{ Drain(time.Duration) error }); ok {
			if window, err := time.ParseDuration(os.Getenv("DRAIN")); err == nil && window > 0 {
				log.Printf("%s: draining over %v", name, window)
				_ = d.Drain(window)
			}
		}
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.Shutdown(sctx); err != nil {
			log.Printf("%s: shutdown: %v", name, err)
		}
	}()
	if err := srv.ListenAndServe(Addr()); err != nil {
		log.Fatal(err)
	}
}
