//go:build reference

package interop

import (
	"testing"

	"github.com/sioloop/sioloop/internal/nodetest"
)

// TestNodeUserAPIReference runs api-client.mjs against the official
// server (testdata/api-reference-server.mjs):
// `go test -tags reference -run NodeUserAPI ./interop/`.
func TestNodeUserAPIReference(t *testing.T) {
	base := startNodeServer(t, "api-reference-server.mjs", freePort(t), nil)
	nodetest.Run(t, scenarioTimeout, testdataDir, nil, "node", "api-client.mjs", base)
}
