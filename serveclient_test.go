package sioloop_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/sioloop/sioloop"
	"github.com/sioloop/sioloop/sio"
)

// TestServeClientWithoutTheBundleFailsToServe checks that a ServeClient
// folder without socket.io-client's files stops both modes at once, with
// the reason: ListenAndServe and Start return it, ServeHTTP answers 500.
// (interop's TestServedBundle and TestServedBundleNetHTTP load the real
// bundle in a browser-like client.)
func TestServeClientWithoutTheBundleFailsToServe(t *testing.T) {
	io := sioloop.NewServer(&sio.Options{ServeClient: t.TempDir()})
	if err := io.ListenAndServe("127.0.0.1:0"); err == nil || !strings.Contains(err.Error(), "serve client") {
		t.Fatalf("ListenAndServe: %v, want the missing bundle", err)
	}
	if err := io.Start(); err == nil {
		t.Fatal("Start succeeded without the bundle")
	}
	w := httptest.NewRecorder()
	io.ServeHTTP(w, httptest.NewRequest("GET", "/socket.io/?EIO=4&transport=polling", nil))
	if w.Code != http.StatusInternalServerError {
		t.Fatalf("ServeHTTP answered %d, want 500", w.Code)
	}
}
