//go:build reference

package interop

import (
	"strconv"
	"testing"

	"github.com/sioloop/sioloop/internal/nodetest"
)

// TestSocketIOClient2AgainstNode runs the same driver against the official
// server, the reference the sioloop run is held to.
func TestSocketIOClient2AgainstNode(t *testing.T) {
	if err := eio3Modules(); err != nil {
		t.Fatal(err)
	}
	port := freePort(t)
	listening := func(line string) (string, bool) { return "", line == "listening" }
	nodetest.StartServer(t, eio3Dir, append(eio3Env(), "PORT="+strconv.Itoa(port)), listening, "node", "server.cjs")
	runEIO3Client(t, "http://127.0.0.1:"+strconv.Itoa(port))
}
