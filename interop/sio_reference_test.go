//go:build reference

package interop

import (
	"strconv"
	"testing"
)

// startSIOReference starts testdata/sio-reference-server.mjs (the official
// socket.io 4.8 server implementing the Socket.IO interop contract) with the
// sioEnv heartbeat.
func startSIOReference(t *testing.T) string {
	t.Helper()
	t.Setenv("SIO_PING_INTERVAL", strconv.FormatInt(sioPingInterval.Milliseconds(), 10))
	t.Setenv("SIO_PING_TIMEOUT", strconv.FormatInt(sioPingTimeout.Milliseconds(), 10))
	return startNodeServer(t, "sio-reference-server.mjs", freePort(t))
}

// TestSIOReferenceNode runs every sio-client.mjs scenario (socket.io-client
// 4.8) against the official socket.io server, proving the scenarios encode
// real upstream behaviour:
//
//	go test -tags reference -run SIO ./interop/
func TestSIOReferenceNode(t *testing.T) {
	baseURL := startSIOReference(t)
	for _, sc := range sioScenarios {
		t.Run(sc, func(t *testing.T) { runSIO(t, sc, baseURL) })
	}
}

// TestSIOReferencePython runs every sio_client.py scenario (Debian's
// python3-socketio) against the official socket.io server.
func TestSIOReferencePython(t *testing.T) {
	requirePythonSocketIO(t)
	baseURL := startSIOReference(t)
	for _, sc := range sioPythonScenarios {
		t.Run(sc, func(t *testing.T) { runPython(t, sc, baseURL) })
	}
}
