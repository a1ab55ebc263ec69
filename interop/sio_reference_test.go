//go:build reference

package interop

import "testing"

// startSIOReference starts testdata/sio-reference-server.mjs (the official
// socket.io 4.8 server implementing the Socket.IO interop contract) with the
// sioEnv heartbeat.
func startSIOReference(t *testing.T) string {
	t.Helper()
	return startNodeServer(t, "sio-reference-server.mjs", freePort(t), sioEnv())
}

// TestSIOReferenceNode runs every sio-client.mjs scenario (socket.io-client
// 4.8) against the official socket.io server, proving the scenarios encode
// real upstream behaviour:
//
//	go test -tags reference -run SIO ./interop/
func TestSIOReferenceNode(t *testing.T) {
	testSIOClients(t, startSIOReference)
}

// TestSIOReferenceMessagePack runs the MessagePack scenarios against the
// official socket.io server with socket.io-msgpack-parser.
func TestSIOReferenceMessagePack(t *testing.T) {
	testSIOMsgpackClients(t, func(t *testing.T) string {
		return startNodeServer(t, "sio-reference-server.mjs", freePort(t), append(sioEnv(), "SIO_PARSER=msgpack"))
	})
}

// TestSIOReferencePython runs every sio_client.py scenario (Debian's
// python3-socketio) against the official socket.io server.
func TestSIOReferencePython(t *testing.T) {
	testPythonClients(t, startSIOReference)
}

// TestSIORecoveryReference runs the recovery scenarios against the official
// socket.io server (testdata/sio-recovery-server.mjs).
func TestSIORecoveryReference(t *testing.T) {
	testRecovery(t, func(t *testing.T, runMiddlewares bool) string {
		return startNodeServer(t, "sio-recovery-server.mjs", freePort(t), recoveryEnv(runMiddlewares))
	})
}
