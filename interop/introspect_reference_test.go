//go:build reference

package interop

import (
	"testing"

	"github.com/sioloop/sioloop/internal/nodetest"
)

// TestIntrospectionAndEmptyChildNamespacesReference runs
// introspect-client.mjs against the official server
// (testdata/introspect-reference-server.mjs):
// `go test -tags reference -run Introspection ./interop/`.
func TestIntrospectionAndEmptyChildNamespacesReference(t *testing.T) {
	base := startNodeServer(t, "introspect-reference-server.mjs", freePort(t), nil)
	nodetest.Run(t, scenarioTimeout, testdataDir, nil, "node", "introspect-client.mjs", base)
}
