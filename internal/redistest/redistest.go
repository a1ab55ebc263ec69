// Package redistest starts Debian's redis-server for a test, on a free
// loopback port, and stops it when the test ends. One helper for every
// package whose tests need a real Redis (the adapter, the contract
// server); a missing redis-server fails the test, never skips it.
package redistest

import (
	"net"
	"strconv"
	"strings"
	"testing"

	"github.com/sioloop/sioloop/internal/nodetest"
)

// Start starts redis-server (no persistence) on 127.0.0.1 and a free port
// and returns its "host:port" once it accepts connections.
func Start(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("redistest: free port: %v", err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	_ = l.Close()
	addr := "127.0.0.1:" + strconv.Itoa(port)
	nodetest.StartServer(t, "", nil, func(line string) (string, bool) {
		return addr, strings.Contains(line, "Ready to accept connections")
	}, "redis-server", "--port", strconv.Itoa(port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--loglevel", "notice")
	return addr
}
