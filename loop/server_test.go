package loop_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/sioloop/sioloop/internal/testlog"
	"github.com/sioloop/sioloop/internal/testserver"
	"github.com/sioloop/sioloop/internal/testwait"

	"github.com/gobwas/ws"
	"github.com/gobwas/ws/wsutil"
	"github.com/sioloop/sioloop/eio"
	"github.com/sioloop/sioloop/loop"
)

// startEcho serves an Engine.IO echo server on /engine.io/ on a free
// loopback port and returns its address.
func startEcho(t testing.TB, opts *loop.Options, eopts *eio.Options) string {
	t.Helper()
	return testserver.Start(t, newEcho(opts, eopts))
}

// roundTrip writes raw request bytes on a new connection and reads one
// response.
func roundTrip(t testing.TB, addr, raw string) (*http.Response, string) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(c, raw); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("reading response to %q: %v", raw[:min(len(raw), 60)], err)
	}
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

func TestHTTPErrorsGetTheOfficialStatus(t *testing.T) {
	addr := startEcho(t, nil, &eio.Options{MaxHTTPBufferSize: 100})
	sid := handshake(t, addr)
	big := strings.Repeat("x", 101)
	cases := []struct {
		name, raw string
		status    int
		body      string
	}{
		{"unknown path", "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n", 404, ""},
		{"malformed", "GET / HTTP/1.1\r\nHost: x\r\nbad header\r\n\r\n", 400, ""},
		{"headers too large", "GET / HTTP/1.1\r\nHost: x\r\nX: " + strings.Repeat("a", 20<<10) + "\r\n\r\n", 431, ""},
		{"body too large", "POST /engine.io/?EIO=4&transport=polling&sid=" + sid + " HTTP/1.1\r\nHost: x\r\nContent-Length: 101\r\n\r\n" + big, 413, ""},
		{"unknown transport", "GET /engine.io/?EIO=4&transport=tcp HTTP/1.1\r\nHost: x\r\n\r\n", 400, `{"code":0,"message":"Transport unknown"}`},
		{"unknown sid", "GET /engine.io/?EIO=4&transport=polling&sid=AAAAAAAAAAAAAAAAAAAA HTTP/1.1\r\nHost: x\r\n\r\n", 400, `{"code":1,"message":"Session ID unknown"}`},
		{"handshake method", "PUT /engine.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n", 400, `{"code":2,"message":"Bad handshake method"}`},
		{"protocol version", "GET /engine.io/?EIO=3&transport=polling HTTP/1.1\r\nHost: x\r\n\r\n", 400, `{"code":5,"message":"Unsupported protocol version"}`},
		{"bad websocket handshake", "GET /engine.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n\r\n", 400, "Missing or invalid Sec-WebSocket-Key header"},
		// Node decodes the query, keys included; the last value wins.
		{"escaped query key", "GET /engine.io/?%45IO=4&transport=polling HTTP/1.1\r\nHost: x\r\n\r\n", 200, ""},
		{"last value wins", "GET /engine.io/?EIO=4&transport=polling&EIO=3 HTTP/1.1\r\nHost: x\r\n\r\n", 400, `{"code":5,"message":"Unsupported protocol version"}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp, body := roundTrip(t, addr, c.raw)
			if resp.StatusCode != c.status || (c.body != "" && body != c.body) {
				t.Fatalf("got %d %q, want %d %q", resp.StatusCode, body, c.status, c.body)
			}
		})
	}
}

func TestCORSPreflightAndHeaders(t *testing.T) {
	addr := startEcho(t, nil, nil)
	resp, _ := roundTrip(t, addr, "OPTIONS /engine.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: x\r\nOrigin: http://a.test\r\nAccess-Control-Request-Method: POST\r\n\r\n")
	if resp.StatusCode != 204 || resp.Header.Get("Access-Control-Allow-Origin") != "*" || resp.Header.Get("Access-Control-Allow-Methods") == "" {
		t.Fatalf("preflight: %d %v", resp.StatusCode, resp.Header)
	}
	resp, _ = roundTrip(t, addr, "GET /engine.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: x\r\nOrigin: http://a.test\r\n\r\n")
	if resp.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Fatalf("handshake headers: %v", resp.Header)
	}
}

func TestIncompleteHeadersAreClosedAfterTheTimeout(t *testing.T) {
	addr := startEcho(t, &loop.Options{HeaderTimeout: 100 * time.Millisecond}, nil)
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	io.WriteString(c, "GET /engine.io/ HTTP/1.1\r\nHost: x\r\n")
	c.SetReadDeadline(time.Now().Add(3 * time.Second))
	start := time.Now()
	if _, err := c.Read(make([]byte, 1)); err != io.EOF {
		t.Fatalf("read: %v, want EOF", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("closed after %v", d)
	}
}

func TestPipelinedRequestsAreAnsweredInOrder(t *testing.T) {
	addr := startEcho(t, nil, nil)
	sid := handshake(t, addr)
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	q := "/engine.io/?EIO=4&transport=polling&sid=" + sid
	io.WriteString(c, "POST "+q+" HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\n\r\n4hello"+
		"GET "+q+" HTTP/1.1\r\nHost: x\r\n\r\n")
	br := bufio.NewReader(c)
	for _, want := range []string{"ok", "4hello"} {
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		if string(body) != want {
			t.Fatalf("got %q, want %q", body, want)
		}
	}
}

func handshake(t testing.TB, addr string) string {
	t.Helper()
	_, body := roundTrip(t, addr, "GET /engine.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: x\r\n\r\n")
	i := strings.Index(body, `"sid":"`)
	if i < 0 {
		t.Fatalf("handshake: %q", body)
	}
	return body[i+7 : i+7+eio.SIDLen]
}

// dialWS opens an Engine.IO WebSocket session and reads its open packet.
func dialWS(t testing.TB, addr string) net.Conn {
	t.Helper()
	c, err := tryDialWS(addr)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// tryDialWS is dialWS reporting its failure; each step is bounded by
// testwait.Timeout.
func tryDialWS(addr string) (net.Conn, error) {
	ctx, cancel := context.WithTimeout(context.Background(), testwait.Timeout)
	defer cancel()
	c, br, _, err := ws.Dial(ctx, "ws://"+addr+"/engine.io/?EIO=4&transport=websocket")
	if err != nil {
		return nil, err
	}
	c.SetReadDeadline(time.Now().Add(testwait.Timeout))
	defer c.SetReadDeadline(time.Time{})
	var rw io.ReadWriter = c
	if br != nil {
		// The open packet came with the handshake answer.
		rw = struct {
			io.Reader
			io.Writer
		}{br, c}
	}
	msg, err := wsutil.ReadServerText(rw)
	if err != nil || len(msg) == 0 || msg[0] != '0' {
		c.Close()
		return nil, fmt.Errorf("open packet %q: %v", msg, err)
	}
	return c, nil
}

// closeCode reads frames until the server's close frame and returns its code.
func closeCode(t *testing.T, c net.Conn) ws.StatusCode {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		f, err := ws.ReadFrame(c)
		if err != nil {
			t.Fatalf("no close frame: %v", err)
		}
		if f.Header.OpCode == ws.OpClose {
			code, _ := ws.ParseCloseFrameData(f.Payload)
			return code
		}
	}
}

func TestBadWebSocketFramesGetTheirCloseCode(t *testing.T) {
	addr := startEcho(t, nil, &eio.Options{MaxHTTPBufferSize: 1000})
	cases := []struct {
		name  string
		frame ws.Frame
		mask  bool
		code  ws.StatusCode
	}{
		{"unmasked", ws.NewTextFrame([]byte("4hi")), false, ws.StatusProtocolError},
		{"reserved bits", ws.Frame{Header: ws.Header{Fin: true, Rsv: 4, OpCode: ws.OpText, Length: 3}, Payload: []byte("4hi")}, true, ws.StatusProtocolError},
		{"invalid utf-8", ws.NewTextFrame([]byte{'4', 0xff, 0xfe}), true, ws.StatusInvalidFramePayloadData},
		{"too big", ws.NewTextFrame([]byte("4" + strings.Repeat("a", 1000))), true, ws.StatusMessageTooBig},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			conn := dialWS(t, addr)
			defer conn.Close()
			f := c.frame
			if c.mask {
				f = ws.MaskFrameInPlace(f)
			}
			if err := ws.WriteFrame(conn, f); err != nil {
				t.Fatal(err)
			}
			if got := closeCode(t, conn); got != c.code {
				t.Fatalf("close code %d, want %d", got, c.code)
			}
		})
	}
}

func TestWebSocketPingIsAnsweredAndCloseEchoed(t *testing.T) {
	addr := startEcho(t, nil, nil)
	conn := dialWS(t, addr)
	defer conn.Close()
	conn.SetReadDeadline(time.Now().Add(testwait.Timeout))
	ws.WriteFrame(conn, ws.MaskFrameInPlace(ws.NewPingFrame([]byte("p"))))
	f, err := ws.ReadFrame(conn)
	if err != nil || f.Header.OpCode != ws.OpPong || string(f.Payload) != "p" {
		t.Fatalf("pong: %v %+v", err, f)
	}
	ws.WriteFrame(conn, ws.MaskFrameInPlace(ws.NewCloseFrame(ws.NewCloseFrameBody(ws.StatusGoingAway, ""))))
	if got := closeCode(t, conn); got != ws.StatusGoingAway {
		t.Fatalf("echoed close %d", got)
	}
}

// TestNoGoroutinePerConnection holds 1,000 WebSocket sessions open and
// checks the goroutine count did not grow with them.
func TestNoGoroutinePerConnection(t *testing.T) {
	addr := startEcho(t, nil, nil)
	runtime.GC()
	before := runtime.NumGoroutine()
	conns := make([]net.Conn, 0, 1000)
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for range 1000 {
		conns = append(conns, dialWS(t, addr))
	}
	// Every session is alive: each echoes.
	for i, c := range conns {
		c.SetReadDeadline(time.Now().Add(testwait.Timeout))
		msg := fmt.Sprintf("4n%d", i)
		if err := wsutil.WriteClientText(c, []byte(msg)); err != nil {
			t.Fatal(err)
		}
		if got, err := wsutil.ReadServerText(c); err != nil || string(got) != msg {
			t.Fatalf("echo %q: %q %v", msg, got, err)
		}
	}
	if after := runtime.NumGoroutine(); after > before+10 {
		t.Fatalf("goroutines grew from %d to %d with 1,000 connections", before, after)
	}
}

func TestConnectionsOverMaxConnsAreClosedAndTheServerStays(t *testing.T) {
	addr := startEcho(t, &loop.Options{MaxConns: 2}, nil)
	a, b := dialWS(t, addr), dialWS(t, addr)
	defer a.Close()
	defer b.Close()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Read(make([]byte, 1)); err == nil {
		t.Fatal("the third connection was not closed")
	}
	c.Close()
	a.Close()
	// Room again once the server has seen a's close: served.
	testwait.Until(t, testwait.Timeout, "a connection after one closed", func() bool {
		d, err := tryDialWS(addr)
		if d != nil {
			d.Close()
		}
		return err == nil
	})
}

func TestRefusedConnectionsAreLoggedOnceASecond(t *testing.T) {
	h := &testlog.Handler{Level: slog.LevelDebug}
	addr := startEcho(t, &loop.Options{MaxConns: 1, Logger: slog.New(h)}, nil)
	a := dialWS(t, addr)
	defer a.Close()
	start := time.Now()
	for range 5 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		if _, err := c.Read(make([]byte, 1)); err == nil {
			t.Fatal("a connection over MaxConns was not closed")
		}
		c.Close()
	}
	h.Wait(t, "loop: connection refused")
	elapsed := time.Since(start)
	warns := 0
	for _, r := range h.Records() {
		if strings.HasPrefix(r, "WARN ") {
			warns++
		}
	}
	if warns < 1 || warns > 1+int(elapsed/time.Second) {
		t.Fatalf("%d Warn records for 5 refusals in %v: %q", warns, elapsed, h.Records())
	}
}

// TestPollingAnswersAreNoStore: like engine.io's polling transport, every
// answer of a session (the handshake, payloads, "ok") carries
// "cache-control: no-store", and a refused request does not.
func TestPollingAnswersAreNoStore(t *testing.T) {
	addr := startEcho(t, nil, nil)
	resp, body := roundTrip(t, addr, "GET /engine.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: x\r\n\r\n")
	i := strings.Index(body, `"sid":"`)
	if resp.StatusCode != 200 || i < 0 || resp.Header.Values("Cache-Control")[0] != "no-store" {
		t.Fatalf("handshake: %d %v %q", resp.StatusCode, resp.Header, body)
	}
	sid := body[i+7 : i+7+eio.SIDLen]
	q := "/engine.io/?EIO=4&transport=polling&sid=" + sid
	resp, body = roundTrip(t, addr, "POST "+q+" HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\n\r\n4hello")
	if body != "ok" || resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("POST: %v %q", resp.Header, body)
	}
	resp, body = roundTrip(t, addr, "GET "+q+" HTTP/1.1\r\nHost: x\r\n\r\n")
	if body != "4hello" || resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("GET: %v %q", resp.Header, body)
	}
	resp, _ = roundTrip(t, addr, "GET /engine.io/?EIO=4&transport=polling&sid=nope HTTP/1.1\r\nHost: x\r\n\r\n")
	if resp.StatusCode != 400 || resp.Header.Get("Cache-Control") != "" {
		t.Fatalf("unknown sid: %d %v", resp.StatusCode, resp.Header)
	}
}
