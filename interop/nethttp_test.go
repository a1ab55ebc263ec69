package interop

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// The net/http mode: the contract server mounted on a net/http mux next
// to another route, on plain TCP (WebSockets enrolled into the event
// loops) and on TLS with HTTP/2 (WebSockets pumped to the loops).

// netHTTPScenarios are the sio-client.mjs scenarios run against the
// net/http mode: every transport path (handshakes, long-polling, the
// upgrade, WebSocket), binary, acks both ways, broadcasts, the ends of a
// connection. The others exercise sio, the same in both modes.
var netHTTPScenarios = []string{
	"connect-default",
	"connect-websocket",
	"connect-polling",
	"auth",
	"binary",
	"acks",
	"broadcast",
	"ask-all",
	"close-transport",
	"polling-only",
	"upgrade",
	"client-disconnect",
}

// startSIONetHTTP serves newSIO as an http.Handler on /socket.io/ of an
// httptest server (TLS and HTTP/2 when secure) that also answers
// /health, and returns its base URL.
func startSIONetHTTP(t *testing.T, secure bool) string {
	t.Helper()
	sioSrv := newSIO()
	mux := http.NewServeMux()
	mux.Handle("/socket.io/", sioSrv)
	mux.HandleFunc("/health", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok")) })
	srv := httptest.NewUnstartedServer(mux)
	if secure {
		srv.EnableHTTP2 = true
		srv.StartTLS()
	} else {
		srv.Start()
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := sioSrv.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
		srv.Close()
	})
	resp, err := srv.Client().Get(srv.URL + "/health")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "ok" {
		t.Fatalf("/health: %q", body)
	}
	return srv.URL
}

// TestSocketIOClientNetHTTP drives socket.io-client 4.8 against the
// net/http mode on plain TCP.
func TestSocketIOClientNetHTTP(t *testing.T) {
	baseURL := startSIONetHTTP(t, false)
	for _, sc := range netHTTPScenarios {
		t.Run(sc, func(t *testing.T) { runSIO(t, sc, baseURL) })
	}
}

// TestSocketIOClientNetHTTPTLS drives socket.io-client 4.8 against the
// net/http mode on TLS (a self-signed certificate the client is told to
// accept).
func TestSocketIOClientNetHTTPTLS(t *testing.T) {
	baseURL := startSIONetHTTP(t, true)
	for _, sc := range netHTTPScenarios {
		t.Run(sc, func(t *testing.T) { runSIO(t, sc, baseURL, "SIO_TLS_INSECURE=1") })
	}
}
