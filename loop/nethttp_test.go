package loop_test

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/gobwas/ws"
	"github.com/gobwas/ws/wsutil"
	"github.com/sioloop/sioloop/eio"
	"github.com/sioloop/sioloop/internal/testserver"
	"github.com/sioloop/sioloop/loop"
)

// startNetHTTP serves an Engine.IO echo server as an http.Handler on
// /engine.io/ of a net/http server (TLS with HTTP/2 when secure) and
// returns the httptest server.
func startNetHTTP(t testing.TB, secure bool) *httptest.Server {
	t.Helper()
	return serveNetHTTP(t, newEcho(nil, nil), "/engine.io/", secure)
}

// newEcho is an Engine.IO echo server on /engine.io/ (CORS origin "*")
// with opts and eopts, not yet serving.
func newEcho(opts *loop.Options, eopts *eio.Options) *loop.Server {
	engine := eio.NewServer(eopts)
	engine.OnMessage(func(s *eio.Session, data []byte, binary bool) { s.Send(data, binary) })
	srv := loop.New(opts)
	srv.Handle("/engine.io/", engine, &loop.CORSOptions{Origin: []string{"*"}})
	return srv
}

// serveNetHTTP serves srv in the net/http mode, mounted on mount of a mux
// (TLS with HTTP/2 when secure), until the test ends.
func serveNetHTTP(t testing.TB, srv *loop.Server, mount string, secure bool) *httptest.Server {
	t.Helper()
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle(mount, srv)
	hs := httptest.NewUnstartedServer(mux)
	if secure {
		hs.EnableHTTP2 = true
		hs.StartTLS()
	} else {
		hs.Start()
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
		hs.Close()
	})
	return hs
}

// hosts serve srv, mounted on mount, by each host in turn: the gnet
// listener, then the net/http mode on plain TCP; each returns the address
// raw HTTP requests go to. Tests of what both hosts answer alike run
// over both.
var hosts = []struct {
	name  string
	serve func(t testing.TB, srv *loop.Server, mount string) string
}{
	{"gnet", func(t testing.TB, srv *loop.Server, _ string) string { return testserver.Start(t, srv) }},
	{"nethttp", func(t testing.TB, srv *loop.Server, mount string) string {
		return serveNetHTTP(t, srv, mount, false).Listener.Addr().String()
	}},
}

func TestNetHTTPPollingOverHTTP2(t *testing.T) {
	hs := startNetHTTP(t, true)
	c := hs.Client()
	get := func(q string) (*http.Response, string) {
		t.Helper()
		resp, err := c.Get(hs.URL + "/engine.io/?EIO=4&transport=polling" + q)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	resp, body := get("")
	if resp.ProtoMajor != 2 || resp.StatusCode != 200 || resp.Header.Get("Access-Control-Allow-Origin") != "*" || resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("handshake: %s %d %v %q", resp.Proto, resp.StatusCode, resp.Header, body)
	}
	i := strings.Index(body, `"sid":"`)
	if i < 0 {
		t.Fatalf("handshake %q", body)
	}
	sid := body[i+7 : i+7+eio.SIDLen]
	pr, err := c.Post(hs.URL+"/engine.io/?EIO=4&transport=polling&sid="+sid, "text/plain", strings.NewReader("4hello"))
	if err != nil {
		t.Fatal(err)
	}
	pb, _ := io.ReadAll(pr.Body)
	pr.Body.Close()
	if string(pb) != "ok" {
		t.Fatalf("POST: %q", pb)
	}
	if _, body := get("&sid=" + sid); body != "4hello" {
		t.Fatalf("GET: %q", body)
	}
	if resp, body := get("&sid=nope"); resp.StatusCode != 400 || !strings.Contains(body, `"code":1`) || resp.Header.Get("Cache-Control") != "" {
		t.Fatalf("unknown sid: %d %q", resp.StatusCode, body)
	}
}

// dialNetHTTPWS opens an Engine.IO WebSocket session through hs and
// reads its open packet.
func dialNetHTTPWS(t testing.TB, hs *httptest.Server) net.Conn {
	t.Helper()
	d := ws.Dialer{Timeout: 5 * time.Second}
	if hs.TLS != nil {
		d.TLSConfig = &tls.Config{InsecureSkipVerify: true}
	}
	url := "ws" + strings.TrimPrefix(hs.URL, "http") + "/engine.io/?EIO=4&transport=websocket"
	c, br, _, err := d.Dial(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	c.SetDeadline(time.Now().Add(10 * time.Second))
	var r io.Reader = c
	if br != nil { // the open packet came with the 101
		r = io.MultiReader(br, c)
	}
	if msg, err := wsutil.ReadServerText(struct {
		io.Reader
		io.Writer
	}{r, c}); err != nil || msg[0] != '0' {
		t.Fatalf("open packet %q: %v", msg, err)
	}
	return c
}

// testNetHTTPWebSockets opens n WebSocket sessions through hs, checks
// each echoes, and returns how many goroutines they added.
func testNetHTTPWebSockets(t *testing.T, hs *httptest.Server, n int) int {
	runtime.GC()
	before := runtime.NumGoroutine()
	conns := make([]net.Conn, 0, n)
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for range n {
		conns = append(conns, dialNetHTTPWS(t, hs))
	}
	for i, c := range conns {
		msg := fmt.Sprintf("4n%d", i)
		if err := wsutil.WriteClientText(c, []byte(msg)); err != nil {
			t.Fatal(err)
		}
		if got, err := wsutil.ReadServerText(c); err != nil || string(got) != msg {
			t.Fatalf("echo %q: %q %v", msg, got, err)
		}
	}
	return runtime.NumGoroutine() - before
}

func TestNetHTTPWebSocketOnPlainTCPCostsNoGoroutine(t *testing.T) {
	hs := startNetHTTP(t, false)
	// The test's own client side has none either (gobwas/ws, read inline).
	if grew := testNetHTTPWebSockets(t, hs, 200); grew > 10 {
		t.Fatalf("200 WebSockets added %d goroutines", grew)
	}
}

func TestNetHTTPWebSocketOnTLSCostsTwoGoroutines(t *testing.T) {
	hs := startNetHTTP(t, true)
	if grew := testNetHTTPWebSockets(t, hs, 50); grew < 90 || grew > 110 {
		t.Fatalf("50 TLS WebSockets added %d goroutines, want about 100", grew)
	}
}

// BenchmarkNetHTTPWebSocketIdle holds 500 idle WebSockets through the
// net/http mode and reports what each adds: goroutines and goroutine
// stack (the server's only: the client reads inline), and heap (client
// and server, one process: TLS's state is on both sides).
func BenchmarkNetHTTPWebSocketIdle(b *testing.B) {
	for _, secure := range []bool{false, true} {
		name := "plain"
		if secure {
			name = "tls"
		}
		b.Run(name, func(b *testing.B) {
			hs := startNetHTTP(b, secure)
			const n = 500
			var before, after runtime.MemStats
			for b.Loop() {
				runtime.GC()
				runtime.ReadMemStats(&before)
				g := runtime.NumGoroutine()
				conns := make([]net.Conn, 0, n)
				for range n {
					conns = append(conns, dialNetHTTPWS(b, hs))
				}
				runtime.GC()
				runtime.ReadMemStats(&after)
				b.ReportMetric(float64(runtime.NumGoroutine()-g)/n, "goroutines/conn")
				b.ReportMetric(float64(after.StackInuse-before.StackInuse)/n, "stack-B/conn")
				b.ReportMetric(float64(after.HeapInuse-before.HeapInuse)/n, "heap-B/conn")
				for _, c := range conns {
					c.Close()
				}
			}
		})
	}
}
