package interop

import (
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sioloop/sioloop/internal/testserver"
	"github.com/sioloop/sioloop/sio"
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

// startSIONetHTTP serves newSIO, and socket.io-client's bundle, as an
// http.Handler on /socket.io/ of an httptest server (TLS and HTTP/2 when
// secure) that also answers /health, and returns its base URL.
func startSIONetHTTP(t *testing.T, secure bool) string {
	t.Helper()
	sioSrv := newSIOWith(nil, nil, serveClient)
	if err := sioSrv.Start(); err != nil {
		t.Fatal(err)
	}
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

// TestSocketIOClientNetHTTPCompressedPolling: long-polling answers from
// 1024 bytes go out compressed in the net/http mode too. socket.io-client
// on its fetch transport (which accepts gzip) round-trips a large ack and
// sees gzip answers; a raw request shows the bytes on the wire are gzip
// and deflate (zlib) streams of the packets.
func TestSocketIOClientNetHTTPCompressedPolling(t *testing.T) {
	baseURL := startSIONetHTTP(t, false)
	res := runSIO(t, "polling-compressed", baseURL)
	t.Logf("Content-Encoding of the client's GETs: %v", res["encodings"])

	c := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableCompression: true}}
	do := func(method, q, body, accept string) (*http.Response, []byte) {
		t.Helper()
		req, err := http.NewRequest(method, baseURL+"/socket.io/?EIO=4&transport=polling"+q, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		if accept != "" {
			req.Header.Set("Accept-Encoding", accept)
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("%s %s: %d %q %v", method, q, resp.StatusCode, b, err)
		}
		return resp, b
	}
	for _, enc := range []string{"gzip", "deflate"} {
		_, open := do("GET", "", "", "")
		sid, _, ok := strings.Cut(strings.TrimPrefix(string(open), `0{"sid":"`), `"`)
		if !ok {
			t.Fatalf("handshake %q", open)
		}
		q := "&sid=" + sid
		do("POST", q, "40", "")
		big := strings.Repeat("0123456789", 200)
		want := `431["` + big + `"]`
		do("POST", q, `421["echo","`+big+`"]`, "")
		// Poll (answering pings) until the ack comes: its answer is the
		// compressed one.
		for deadline := time.Now().Add(10 * time.Second); ; {
			if time.Now().After(deadline) {
				t.Fatalf("%s: no ack within 10s", enc)
			}
			resp, raw := do("GET", q, "", enc+", br")
			got := raw
			if ce := resp.Header.Get("Content-Encoding"); ce != "" {
				if ce != enc {
					t.Fatalf("Accept-Encoding %q: Content-Encoding %q", enc+", br", ce)
				}
				var zr io.Reader
				var err error
				if enc == "gzip" {
					zr, err = gzip.NewReader(bytes.NewReader(raw))
				} else {
					zr, err = zlib.NewReader(bytes.NewReader(raw))
				}
				if err == nil {
					got, err = io.ReadAll(zr)
				}
				if err != nil {
					t.Fatalf("%s: %v", enc, err)
				}
			}
			packets := strings.Split(string(got), "\x1e")
			if slices.Contains(packets, "2") {
				do("POST", q, "3", "")
			}
			if !slices.Contains(packets, want) {
				continue
			}
			if resp.Header.Get("Content-Encoding") != enc || len(raw) >= len(want) {
				t.Fatalf("%s: the ack came as %q, %d bytes for %d", enc, resp.Header.Get("Content-Encoding"), len(raw), len(got))
			}
			break
		}
		do("POST", q, "1", "")
	}
}

// serveClient serves socket.io-client's bundle, as socket.io does by
// default (serveClient), from the npm project of the tests
// (sio.Options.ServeClient finds node_modules/socket.io-client/dist).
func serveClient(o *sio.Options) { o.ServeClient = testdataDir }

// TestServedBundleNetHTTP: the client bundle of Options.ServeClient served
// in the net/http mode is fetched with its ETag and gzip, and loaded: the
// io it defines connects and round-trips an ack.
func TestServedBundleNetHTTP(t *testing.T) {
	runSIO(t, "served-bundle", startSIONetHTTP(t, false))
}

// TestServedBundle: the same in the gnet mode, from the same option.
func TestServedBundle(t *testing.T) {
	runSIO(t, "served-bundle", "http://"+testserver.Start(t, newSIOWith(nil, nil, serveClient)))
}
