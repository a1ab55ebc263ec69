package main

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/sioloop/sioloop/admin"
	"github.com/sioloop/sioloop/internal/nodetest"
	"github.com/sioloop/sioloop/internal/testserver"
	"github.com/sioloop/sioloop/internal/testwait"
)

// e2eTimeout bounds one `node testdata/admin-e2e.mjs` run (its own hard
// timeout is 40 s).
const e2eTimeout = 60 * time.Second

// TestMain makes sure the npm packages (the UI's build, socket.io-client,
// playwright-core) and Debian's Chromium are there. These tests are never
// skipped: what cannot be installed fails the package.
func TestMain(m *testing.M) {
	if err := nodetest.EnsureModules(".", filepath.Join(uiRel, "index.html"), "node_modules/socket.io-client", "node_modules/playwright-core"); err != nil {
		fmt.Fprintf(os.Stderr, "admin: %v\n", err)
		fmt.Fprintln(os.Stderr, "admin: these tests need Node.js (node, npm) on PATH and the npm registry for `npm ci` in examples/admin; they are never skipped.")
		os.Exit(2)
	}
	if err := nodetest.EnsureChromium(); err != nil {
		fmt.Fprintf(os.Stderr, "admin: %v\n", err)
		fmt.Fprintln(os.Stderr, "admin: these tests drive Debian's Chromium (apt-get install -y chromium, as root); they are never skipped.")
		os.Exit(2)
	}
	testwait.VerifyMain(m)
}

// startExample serves the example with admin/secret on a free port and
// returns its base URL.
func startExample(t *testing.T) string {
	t.Helper()
	ui, err := findUI()
	if err != nil {
		t.Fatal(err)
	}
	hash, err := bcrypt.GenerateFromPassword([]byte("secret"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	srv, adm, err := newServer(ui, "admin", string(hash), admin.Development)
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + testserver.Start(t, srv)
	t.Cleanup(adm.Close)
	return base
}

// TestAdminUIInChromium: the official Admin UI, served by the example,
// logs in (a wrong password refused first) and shows the sockets, a
// socket's rooms and the rooms, and drops a socket that disconnects.
func TestAdminUIInChromium(t *testing.T) {
	base := startExample(t)
	nodetest.Run(t, e2eTimeout, "", []string{"CHROMIUM=" + nodetest.ChromiumPath()},
		"node", filepath.Join("testdata", "admin-e2e.mjs"), base)
}

// TestServesTheUI: the UI's page and its script come from the npm
// package's build.
func TestServesTheUI(t *testing.T) {
	base := startExample(t)
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Get(base + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Errorf("GET /: %d %q, want 200 text/html", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
}
