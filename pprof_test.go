package sioloop_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/pprof"
	"strings"
	"testing"
	"time"

	"github.com/sioloop/sioloop"
	"github.com/sioloop/sioloop/internal/testserver"
	"github.com/sioloop/sioloop/internal/testwait"
	"github.com/sioloop/sioloop/loop"
)

// pprofPaths are net/http/pprof's index, a named profile, its cmdline and
// a CPU profile of one second.
var pprofPaths = []string{"/debug/pprof/", "/debug/pprof/heap?debug=1", "/debug/pprof/cmdline", "/debug/pprof/profile?seconds=1"}

// TestPprofIsOptIn: net/http/pprof, imported by this test binary (which
// registers it on http.DefaultServeMux), answers on neither mode's port
// by default; mounted on the gnet engine's handler of other paths, as
// ExampleServer_Loop does, it answers: its index, the heap profile, the
// command line, and a CPU profile taken over a second on the handler's
// goroutine while the loop serves a Socket.IO handshake.
func TestPprofIsOptIn(t *testing.T) {
	t.Run("absent/gnet", func(t *testing.T) {
		base := "http://" + testserver.Start(t, sioloop.NewServer(nil))
		for _, p := range pprofPaths {
			if code, _ := get(t, base+p); code != http.StatusNotFound {
				t.Errorf("GET %s: %d, want 404", p, code)
			}
		}
	})
	t.Run("absent/net-http", func(t *testing.T) {
		sioSrv := sioloop.NewServer(nil)
		srv := httptest.NewServer(sioSrv)
		t.Cleanup(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if err := sioSrv.Shutdown(ctx); err != nil {
				t.Errorf("Shutdown: %v", err)
			}
			srv.Close()
		})
		for _, p := range pprofPaths {
			if code, _ := get(t, srv.URL+p); code != http.StatusNotFound {
				t.Errorf("GET %s: %d, want 404", p, code)
			}
		}
	})
	t.Run("mounted", func(t *testing.T) {
		mux := http.NewServeMux()
		mux.HandleFunc("/debug/pprof/", pprof.Index)
		mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
		mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
		mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
		base := "http://" + testserver.Start(t, sioloop.Attach(loop.New(&loop.Options{Handler: mux}), nil))
		type answer struct {
			code int
			body string
		}
		cpu := make(chan answer, 1)
		go func() {
			code, body := get(t, base+"/debug/pprof/profile?seconds=1")
			cpu <- answer{code, body}
		}()
		if sid := handshake(t, base+"/socket.io/?EIO=4&transport=polling"); sid == "" {
			t.Error("no handshake during the CPU profile")
		}
		want := map[string]string{
			"/debug/pprof/":             "goroutine",
			"/debug/pprof/heap?debug=1": "heap profile",
			"/debug/pprof/cmdline":      "",
		}
		for p, in := range want {
			if code, body := get(t, base+p); code != http.StatusOK || !strings.Contains(body, in) {
				t.Errorf("GET %s: %d, %.80q (want 200 with %q)", p, code, body, in)
			}
		}
		// A CPU profile is gzipped protobuf.
		if a := testwait.Recv(t, cpu, 10*time.Second, "the CPU profile"); a.code != http.StatusOK || !strings.HasPrefix(a.body, "\x1f\x8b") {
			t.Errorf("GET /debug/pprof/profile: %d, %.20q", a.code, a.body)
		}
	})
}

// get GETs url and returns the status code and body.
func get(t *testing.T, url string) (int, string) {
	t.Helper()
	c := http.Client{Timeout: 10 * time.Second}
	resp, err := c.Get(url)
	if err != nil {
		t.Errorf("GET %s: %v", url, err)
		return 0, ""
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}
