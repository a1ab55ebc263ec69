//go:build reference

package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/sioloop/sioloop/internal/nodetest"
)

// TestReferenceChatInChromium validates the browser driver (and the page)
// against testdata/reference-chat.mjs, the chat protocol on the official Node
// socket.io server: `go test -tags reference -run Reference ./examples/chat/`.
func TestReferenceChatInChromium(t *testing.T) {
	base := startReference(t)
	for _, transport := range []string{"websocket", "polling"} {
		t.Run(transport, func(t *testing.T) { runE2E(t, base, transport) })
	}
}

// startReference starts `node testdata/reference-chat.mjs` on a free port
// and returns the URL from its "chat listening on URL" line.
func startReference(t *testing.T) string {
	t.Helper()
	listening := func(line string) (string, bool) { return strings.CutPrefix(line, "chat listening on ") }
	return nodetest.StartServer(t, "", []string{"PORT=0", "HOST=127.0.0.1"}, listening,
		"node", filepath.Join("testdata", "reference-chat.mjs"))
}
