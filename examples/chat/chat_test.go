package main

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/sioloop/sioloop/internal/chat"
	"github.com/sioloop/sioloop/internal/nodetest"
	"github.com/sioloop/sioloop/internal/testserver"
	"github.com/sioloop/sioloop/internal/testwait"
)

// e2eTimeout bounds one `node testdata/chat-e2e.mjs` run; the driver has its
// own 30 s hard timeout, this one only catches a hung node process.
const e2eTimeout = 60 * time.Second

// distRel is the official client's dist folder, which npm ci installs.
var distRel = filepath.Join("node_modules", "socket.io-client", "dist")

// TestMain makes sure the npm packages (socket.io-client's bundle,
// playwright-core, socket.io) and Debian's Chromium are there. These tests
// are never skipped: what cannot be installed fails the package.
func TestMain(m *testing.M) {
	if err := nodetest.EnsureModules(".", filepath.Join(distRel, "socket.io.min.js")); err != nil {
		fmt.Fprintf(os.Stderr, "chat: %v\n", err)
		fmt.Fprintln(os.Stderr, "chat: these tests need Node.js (node, npm) on PATH and the npm registry for `npm ci` in examples/chat; they are never skipped.")
		os.Exit(2)
	}
	if err := nodetest.EnsureChromium(); err != nil {
		fmt.Fprintf(os.Stderr, "chat: %v\n", err)
		fmt.Fprintln(os.Stderr, "chat: these tests drive Debian's Chromium (apt-get install -y chromium, as root); they are never skipped.")
		os.Exit(2)
	}
	testwait.VerifyMain(m)
}

// startChat starts newServer on 127.0.0.1:0 and returns its base URL; the
// server is shut down when the test ends.
func startChat(t *testing.T) string {
	t.Helper()
	dist, err := chat.FindDist()
	if err != nil {
		t.Fatal(err)
	}
	srv, err := newServer(dist)
	if err != nil {
		t.Fatal(err)
	}
	return "http://" + testserver.Start(t, srv)
}

// runE2E runs `node testdata/chat-e2e.mjs baseURL transport` and fails the
// test unless it exits 0 with {"ok":true,...} as its last stdout line.
func runE2E(t *testing.T, baseURL, transport string) {
	t.Helper()
	nodetest.Run(t, e2eTimeout, "", []string{"CHROMIUM=" + nodetest.ChromiumPath()},
		"node", filepath.Join("testdata", "chat-e2e.mjs"), baseURL, transport)
}

// TestChatInChromium: two visitors chat in headless Chromium, over
// WebSocket (after the upgrade) and over polling only.
func TestChatInChromium(t *testing.T) {
	base := startChat(t)
	for _, transport := range []string{"websocket", "polling"} {
		t.Run(transport, func(t *testing.T) { runE2E(t, base, transport) })
	}
}

// TestChatHTTP: the page, the bundle (served as socket.io's serveClient
// serves it) and a 404, as plain HTTP.
func TestChatHTTP(t *testing.T) {
	base := startChat(t)
	bundle, err := os.ReadFile(filepath.Join(distRel, "socket.io.min.js"))
	if err != nil {
		t.Fatal(err)
	}
	index := chat.Page()
	client := &http.Client{Timeout: 10 * time.Second}
	for _, tc := range []struct {
		path, ctype string
		status      int
		body        []byte
	}{
		{"/", "text/html; charset=utf-8", 200, index},
		{"/?transports=polling", "text/html; charset=utf-8", 200, index},
		{"/socket.io/socket.io.min.js", "application/javascript; charset=utf-8", 200, bundle},
		{"/nope", "", 404, nil},
	} {
		resp, err := client.Get(base + tc.path)
		if err != nil {
			t.Fatalf("GET %s: %v", tc.path, err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatalf("GET %s: reading the body: %v", tc.path, err)
		}
		if resp.StatusCode != tc.status {
			t.Errorf("GET %s: status %d, want %d", tc.path, resp.StatusCode, tc.status)
		}
		if tc.ctype != "" && resp.Header.Get("Content-Type") != tc.ctype {
			t.Errorf("GET %s: Content-Type %q, want %q", tc.path, resp.Header.Get("Content-Type"), tc.ctype)
		}
		if tc.body != nil && !bytes.Equal(body, tc.body) {
			t.Errorf("GET %s: %d bytes, want the %d of the file", tc.path, len(body), len(tc.body))
		}
	}
}
