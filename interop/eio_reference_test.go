//go:build reference

package interop

import "testing"

// TestEIOReference runs every eio-client.mjs scenario against the official
// engine.io server (testdata/eio-reference-server.mjs), proving the scenarios
// encode real upstream behaviour:
//
//	go test -tags reference ./interop/
func TestEIOReference(t *testing.T) {
	testEIOClients(t, startNodeServer(t, "eio-reference-server.mjs", freePort(t), eioEnv()))
}
