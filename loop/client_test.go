package loop_test

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sioloop/sioloop/eio"
	"github.com/sioloop/sioloop/loop"
)

// fakeDist writes a socket.io-client package (package.json and dist/) with
// two of the bundle's files and returns its dist folder.
func fakeDist(t *testing.T) (dir string, js, jsMap []byte) {
	t.Helper()
	root := t.TempDir()
	dir = filepath.Join(root, "dist")
	js = []byte(strings.Repeat("/* the client */ var io;\n", 200))
	jsMap = []byte(`{"version":3,"sources":[]}`)
	for name, data := range map[string][]byte{
		"package.json":                {},
		"dist/socket.io.js":           js,
		"dist/socket.io.min.js.map":   jsMap,
		"dist/socket.io.esm.min.js":   js,
		"dist/not-a-bundle-file.html": js,
	} {
		if name == "package.json" {
			data = []byte(`{"name":"socket.io-client","version":"4.8.4"}`)
		}
		if err := os.MkdirAll(filepath.Dir(filepath.Join(root, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir, js, jsMap
}

// The client bundle is served as socket.io 4.8 serves it (headers read off
// the official server: Cache-Control, Content-Type, a quoted version as
// ETag, 304 without a body to a matching If-None-Match, gzip when
// accepted), by both hosts: the gnet listener and the net/http mode.
func TestServeClientAnswersAsSocketIO(t *testing.T) {
	for _, host := range hosts {
		t.Run(host.name, func(t *testing.T) { testServeClient(t, host.serve) })
	}
}

func testServeClient(t *testing.T, serve func(testing.TB, *loop.Server, string) string) {
	dist, js, jsMap := fakeDist(t)
	srv := loop.New(nil)
	srv.Handle("/socket.io/", eio.NewServer(nil), nil)
	if err := srv.ServeClient("/socket.io", dist); err != nil {
		t.Fatal(err)
	}
	addr := serve(t, srv, "/socket.io/")
	get := func(path string, headers ...string) (int, map[string]string, []byte) {
		t.Helper()
		resp, body := roundTrip(t, addr, "GET "+path+" HTTP/1.1\r\nHost: x\r\n"+strings.Join(headers, "")+"\r\n")
		h := map[string]string{}
		for k := range resp.Header {
			h[k] = resp.Header.Get(k)
		}
		return resp.StatusCode, h, []byte(body)
	}

	status, h, body := get("/socket.io/socket.io.js?v=1")
	if status != 200 || !bytes.Equal(body, js) || h["Cache-Control"] != "public, max-age=0" ||
		h["Content-Type"] != "application/javascript; charset=utf-8" || h["Etag"] != `"4.8.4"` || h["Content-Encoding"] != "" {
		t.Fatalf("socket.io.js: %d %v, %d bytes", status, h, len(body))
	}
	status, h, body = get("/socket.io/socket.io.min.js.map")
	if status != 200 || !bytes.Equal(body, jsMap) || h["Content-Type"] != "application/json; charset=utf-8" {
		t.Fatalf("socket.io.min.js.map: %d %v %q", status, h, body)
	}
	status, h, body = get("/socket.io/socket.io.esm.min.js", "Accept-Encoding: gzip, deflate, br, zstd\r\n")
	if status != 200 || h["Content-Encoding"] != "gzip" || h["Etag"] != `"4.8.4"` {
		t.Fatalf("gzip: %d %v", status, h)
	}
	zr, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if plain, err := io.ReadAll(zr); err != nil || !bytes.Equal(plain, js) {
		t.Fatalf("gunzip: %d bytes, %v", len(plain), err)
	}
	for _, inm := range []string{`"4.8.4"`, `W/"4.8.4"`} {
		status, h, body = get("/socket.io/socket.io.js", "If-None-Match: "+inm+"\r\n")
		if status != 304 || len(body) != 0 || h["Etag"] != "" || h["Content-Length"] != "" {
			t.Fatalf("If-None-Match %s: %d %v %q", inm, status, h, body)
		}
	}
	status, _, _ = get("/socket.io/socket.io.js", "If-None-Match: \"4.8.3\"\r\n")
	if status != 200 {
		t.Fatalf("an old ETag: %d", status)
	}
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	io.WriteString(c, "HEAD /socket.io/socket.io.js HTTP/1.1\r\nHost: x\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(c), &http.Request{Method: "HEAD"})
	if err != nil || resp.StatusCode != 200 || resp.ContentLength != int64(len(js)) || resp.Header.Get("Etag") != `"4.8.4"` {
		t.Fatalf("HEAD: %v %+v", err, resp)
	}
	// Files that are not the bundle's, or missing, are the engine's.
	for _, p := range []string{"/socket.io/not-a-bundle-file.html", "/socket.io/socket.io.msgpack.min.js"} {
		if status, _, body := get(p); status != 400 || !strings.Contains(string(body), `"code":0`) {
			t.Fatalf("%s: %d %q, want the engine's 400", p, status, body)
		}
	}
}

func TestServeClientNeedsTheBundle(t *testing.T) {
	if err := loop.New(nil).ServeClient("/socket.io", t.TempDir()); err == nil {
		t.Fatal("ServeClient of an empty folder succeeded")
	}
}
