package sio_test

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sioloop/sioloop/internal/testserver"
	"github.com/sioloop/sioloop/internal/testwait"

	"github.com/gobwas/ws"
	"github.com/gobwas/ws/wsutil"
	"github.com/sioloop/sioloop/loop"
	"github.com/sioloop/sioloop/sio"
)

// These tests check the server API with a minimal protocol client (raw
// Socket.IO packets over gobwas/ws); the official clients run in interop/.

func serve(t *testing.T, io *sio.Server) string {
	t.Helper()
	srv := loop.New(nil)
	srv.Handle("/socket.io/", io.Engine(), nil)
	return testserver.Start(t, srv)
}

type rawClient struct {
	t  *testing.T
	rw io.ReadWriter
	c  net.Conn
}

// connect opens a WebSocket session and connects to namespace "/".
func connect(t *testing.T, addr string) *rawClient {
	t.Helper()
	rc := dial(t, addr)
	rc.send("40")
	if got := rc.read(); !strings.HasPrefix(got, `40{"sid":"`) {
		t.Fatalf("CONNECT answer %q", got)
	}
	return rc
}

// dial opens a WebSocket session and reads its open packet.
func dial(t *testing.T, addr string) *rawClient {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testwait.Timeout)
	defer cancel()
	c, br, _, err := ws.Dial(ctx, "ws://"+addr+"/socket.io/?EIO=4&transport=websocket")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	rc := &rawClient{t: t, rw: c, c: c}
	if br != nil {
		rc.rw = struct {
			io.Reader
			io.Writer
		}{io.MultiReader(br, c), c}
	}
	if open := rc.read(); open[0] != '0' {
		t.Fatalf("open packet %q", open)
	}
	return rc
}

func (rc *rawClient) send(p string) {
	rc.t.Helper()
	if err := wsutil.WriteClientText(rc.rw, []byte(p)); err != nil {
		rc.t.Fatal(err)
	}
}

// read returns the next message that is not a ping.
func (rc *rawClient) read() string {
	rc.t.Helper()
	rc.c.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		b, _, err := wsutil.ReadServerData(rc.rw)
		if err != nil {
			rc.t.Fatalf("read: %v", err)
		}
		if string(b) != "2" {
			return string(b)
		}
		rc.send("3")
	}
}

func TestOnceOffAndCatchAllHandlers(t *testing.T) {
	io := sio.NewServer(nil)
	io.OnConnection(func(s *sio.Socket) {
		s.OnAny(func(s *sio.Socket, event string, ev *sio.Event) { _ = s.Emit("any", event) })
		s.PrependAny(func(s *sio.Socket, event string, ev *sio.Event) { _ = s.Emit("first", event) })
		s.Once("once", func(s *sio.Socket, ev *sio.Event) { _ = s.Emit("got-once") })
		s.On("gone", func(s *sio.Socket, ev *sio.Event) { _ = s.Emit("should-not-happen") })
		s.Off("gone")
		s.OnAnyOutgoing(func(s *sio.Socket, event string, ev *sio.Event) {
			if event == "got-once" {
				_ = s.Emit("outgoing-seen", ev.Len())
			}
		})
	})
	c := connect(t, serve(t, io))
	c.send(`42["once"]`)
	for _, want := range []string{`42["first","once"]`, `42["any","once"]`, `42["outgoing-seen",0]`, `42["got-once"]`} {
		if got := c.read(); got != want {
			t.Fatalf("got %s, want %s", got, want)
		}
	}
	c.send(`42["once"]`)
	c.send(`42["gone"]`)
	for _, want := range []string{`42["first","once"]`, `42["any","once"]`, `42["first","gone"]`, `42["any","gone"]`} {
		if got := c.read(); got != want {
			t.Fatalf("got %s, want %s", got, want)
		}
	}
}

func TestSocketMiddlewareRefusesAnEvent(t *testing.T) {
	io := sio.NewServer(nil)
	io.OnConnection(func(s *sio.Socket) {
		s.Use(func(s *sio.Socket, ev *sio.Event, next func(error)) {
			if name, _ := ev.String(0); name == "forbidden" {
				next(errors.New("nope"))
				return
			}
			next(nil)
		})
		s.OnError(func(s *sio.Socket, err error) { _ = s.Emit("error-seen", err.Error()) })
		s.On("ev", func(s *sio.Socket, ev *sio.Event) { _ = s.Emit("ev-handled", ev.Spread()...) })
	})
	c := connect(t, serve(t, io))
	c.send(`42["ev","forbidden"]`)
	if got := c.read(); got != `42["error-seen","nope"]` {
		t.Fatalf("got %s", got)
	}
	c.send(`42["ev","fine"]`)
	if got := c.read(); got != `42["ev-handled","fine"]` {
		t.Fatalf("got %s", got)
	}
}

func TestServerAckTimeoutAndEmitWithAckFromAGoroutine(t *testing.T) {
	io := sio.NewServer(nil)
	results := make(chan string, 4)
	io.OnConnection(func(s *sio.Socket) {
		_ = s.Timeout(50*time.Millisecond).Emit("never", sio.AckHandler(func(_ *sio.Args, err error) {
			results <- "timeout:" + err.Error()
		}))
		go func() {
			args, err := s.EmitWithAck("question", "x")
			if err != nil {
				results <- "error:" + err.Error()
				return
			}
			v, _ := args.String(0)
			results <- "answer:" + v
		}()
		if err := s.Emit("connect"); !errors.Is(err, sio.ErrReservedEvent) {
			results <- "reserved emit not refused"
		}
		if _, err := s.EmitWithAck("on-loop"); !errors.Is(err, sio.ErrOnLoop) {
			results <- "EmitWithAck on the loop not refused"
		}
	})
	c := connect(t, serve(t, io))
	seen := map[string]bool{}
	for range 2 {
		got := c.read()
		switch {
		case strings.HasPrefix(got, `420["never"]`):
			seen["never"] = true
		case strings.Contains(got, `["question","x"]`):
			id := got[2:strings.Index(got, "[")]
			c.send("43" + id + `["yes"]`)
		default:
			t.Fatalf("unexpected %s", got)
		}
	}
	want := map[string]bool{"timeout:operation has timed out": true, "answer:yes": true}
	for range 2 {
		select {
		case r := <-results:
			if !want[r] {
				t.Fatalf("result %q", r)
			}
			delete(want, r)
		case <-time.After(5 * time.Second):
			t.Fatalf("missing %v", want)
		}
	}
}

func TestDisconnectReasons(t *testing.T) {
	io := sio.NewServer(nil)
	var mu sync.Mutex
	reasons := map[string]string{}
	done := make(chan struct{}, 4)
	io.OnConnection(func(s *sio.Socket) {
		s.OnDisconnect(func(s *sio.Socket, reason string) {
			mu.Lock()
			reasons[s.ID()] = reason
			mu.Unlock()
			done <- struct{}{}
		})
		s.On("kick", func(s *sio.Socket, ev *sio.Event) { s.Disconnect(false) })
	})
	addr := serve(t, io)
	a := connect(t, addr)
	a.send(`42["kick"]`)
	if got := a.read(); got != "41" {
		t.Fatalf("server namespace disconnect packet %q", got)
	}
	b := connect(t, addr)
	b.send("41")
	c := connect(t, addr)
	_ = c
	testwait.Recv(t, done, testwait.Timeout, "disconnect of the kicked socket")
	testwait.Recv(t, done, testwait.Timeout, "disconnect of the leaving socket")
	closed := make(chan struct{})
	go func() {
		io.Close()
		close(closed)
	}()
	testwait.Recv(t, done, testwait.Timeout, "disconnect at Close")
	testwait.Recv(t, closed, testwait.Timeout, "return of Close")
	mu.Lock()
	defer mu.Unlock()
	count := map[string]int{}
	for _, r := range reasons {
		count[r]++
	}
	for _, r := range []string{sio.ReasonServerNamespaceDisconnect, sio.ReasonClientNamespaceDisconnect, sio.ReasonServerShuttingDown} {
		if count[r] != 1 {
			t.Fatalf("reasons %v", reasons)
		}
	}
}

// Handshake details as socket.handshake has them; the address is the IP
// alone, as Node's handshake.address (the socket's remoteAddress).
func TestHandshakeDetails(t *testing.T) {
	io := sio.NewServer(nil)
	got := make(chan *sio.Handshake, 1)
	io.OnConnection(func(s *sio.Socket) { got <- s.Handshake() })
	addr := serve(t, io)
	connect(t, addr)
	h := testwait.Recv(t, got, testwait.Timeout, "connection handler")
	if h.Headers.Get("Host") != addr || h.Query.Get("EIO") != "4" || h.Query.Get("transport") != "websocket" ||
		!strings.HasPrefix(h.URL, "/socket.io/?EIO=4") || h.Address != "127.0.0.1" ||
		string(h.Auth) != "{}" || time.Since(h.Time) > time.Minute || h.Issued != h.Time.UnixMilli() || h.XDomain {
		t.Fatalf("handshake %+v", h)
	}
}
