// Package testserver starts a server (a loop.Server or a sioloop.Server)
// for a test: on a free loopback port, ready before it returns, shut down
// (and checked) when the test ends. One helper for every package's tests.
package testserver

import (
	"context"
	"testing"
	"time"

	"github.com/sioloop/sioloop/internal/demo"
)

// Start serves srv on 127.0.0.1 and an ephemeral port and returns its
// "host:port".
func Start(t testing.TB, srv demo.Server) string {
	t.Helper()
	served := make(chan error, 1)
	go func() { served <- srv.ListenAndServe("127.0.0.1:0") }()
	select {
	case <-srv.Ready():
	case err := <-served:
		t.Fatalf("ListenAndServe: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("the server is not ready after 10s")
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
		select {
		case err := <-served:
			if err != nil {
				t.Errorf("ListenAndServe after Shutdown: %v", err)
			}
		case <-time.After(5 * time.Second):
			t.Error("ListenAndServe has not returned 5s after Shutdown")
		}
	})
	return srv.Addr().String()
}
