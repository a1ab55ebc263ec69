//go:build reference

package admin_test

import (
	"strings"
	"testing"

	"github.com/sioloop/sioloop/internal/nodetest"
)

// TestReferenceScenarios validates admin-client.mjs against the official
// Node server instrumented by @socket.io/admin-ui 0.5:
// `go test -tags reference -run Reference ./admin/`.
func TestReferenceScenarios(t *testing.T) {
	if err := nodetest.EnsureModules("testdata", "node_modules/@socket.io/admin-ui", "node_modules/socket.io"); err != nil {
		t.Fatal(err)
	}
	for _, scenario := range []string{"development", "readonly-production"} {
		t.Run(scenario, func(t *testing.T) {
			port := nodetest.StartServer(t, "testdata", []string{"PORT=0", "SCENARIO=" + scenario},
				func(line string) (string, bool) { return strings.CutPrefix(line, "listening ") },
				"node", "reference-server.mjs")
			runClient(t, "http://127.0.0.1:"+port, scenario)
		})
	}
}
