//go:build reference

package goclient

import (
	"net"
	"strconv"
	"testing"

	"github.com/sioloop/sioloop/internal/nodetest"
)

// TestGoSocketIOClientAgainstNode runs the same client against the
// official server with allowEIO3 (interop/testdata/eio3/server.cjs), the
// reference the sioloop run is held to.
func TestGoSocketIOClientAgainstNode(t *testing.T) {
	const dir = "../testdata/eio3"
	if err := nodetest.EnsureModules(dir); err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
	l.Close()
	env := []string{"PORT=" + port,
		"EIO3_PING_INTERVAL=" + strconv.FormatInt(pingInterval.Milliseconds(), 10),
		"EIO3_PING_TIMEOUT=" + strconv.FormatInt(pingTimeout.Milliseconds(), 10)}
	listening := func(line string) (string, bool) { return "", line == "listening" }
	nodetest.StartServer(t, dir, env, listening, "node", "server.cjs")
	testGoClient(t, func(*testing.T) (string, <-chan string) { return "http://127.0.0.1:" + port, nil })
}
