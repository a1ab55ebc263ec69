package sio_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sioloop/sioloop/sio"
)

// recoveryServer serves a server with connection state recovery whose
// sockets join "room1" and keep data on their first connection; it
// reports every connected socket and every disconnect reason.
func recoveryServer(t *testing.T, opts *sio.RecoveryOptions) (io *sio.Server, addr string, conns chan *sio.Socket, gone chan string) {
	io = sio.NewServer(&sio.Options{ConnectionStateRecovery: opts})
	conns = make(chan *sio.Socket, 8)
	gone = make(chan string, 8)
	io.OnConnection(func(s *sio.Socket) {
		if !s.Recovered() {
			s.Join("room1")
			s.SetData("bar")
		}
		s.OnDisconnect(func(s *sio.Socket, reason string) { gone <- reason })
		conns <- s
	})
	return io, serve(t, io), conns, gone
}

func next[T any](t *testing.T, ch chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(5 * time.Second):
		t.Fatal("timed out")
	}
	panic("unreachable")
}

// handshake connects c to "/" with auth and returns the CONNECT payload's
// sid and pid, after the packets that came before it.
func handshake(t *testing.T, c *rawClient, auth string) (sid, pid string, before []string) {
	t.Helper()
	c.send("40" + auth)
	for {
		got := c.read()
		if !strings.HasPrefix(got, "40") {
			before = append(before, got)
			continue
		}
		var p struct{ SID, PID string }
		if err := json.Unmarshal([]byte(got[2:]), &p); err != nil || p.SID == "" {
			t.Fatalf("CONNECT answer %q", got)
		}
		return p.SID, p.PID, before
	}
}

// offsetOf returns the offset a recoverable event carries as its last
// argument.
func offsetOf(t *testing.T, packet string) string {
	t.Helper()
	var args []any
	if err := json.Unmarshal([]byte(packet[2:]), &args); err != nil {
		t.Fatalf("event %q: %v", packet, err)
	}
	off, ok := args[len(args)-1].(string)
	if !ok {
		t.Fatalf("event %q has no offset", packet)
	}
	return off
}

func recoveryAuth(pid, offset string) string {
	b, _ := json.Marshal(map[string]string{"pid": pid, "offset": offset})
	return string(b)
}

func TestRecoveryRestoresSessionAndMissedPacketsInOrder(t *testing.T) {
	for _, run := range []bool{false, true} {
		t.Run(fmt.Sprint("RunMiddlewares=", run), func(t *testing.T) { testRecoveryRestores(t, run) })
	}
}

func testRecoveryRestores(t *testing.T, run bool) {
	io, addr, conns, gone := recoveryServer(t, &sio.RecoveryOptions{RunMiddlewares: run})
	c := dial(t, addr)
	sid, pid, _ := handshake(t, c, "")
	first := next(t, conns)
	if pid == "" || first.Recovered() {
		t.Fatalf("pid %q recovered %v", pid, first.Recovered())
	}
	_ = io.Emit("hello")
	off := offsetOf(t, c.read())
	c.c.Close() // no close frame: the server sees the transport close
	if r := next(t, gone); r != sio.ReasonTransportClose {
		t.Fatalf("reason %q", r)
	}

	_ = io.Emit("hello1")
	_ = io.To("room1").Emit("hello2")
	_ = first.Emit("hello3")
	_ = io.Volatile().Emit("volatile")
	_ = io.To("other").Emit("not-for-it")
	_ = first.Timeout(time.Second).Emit("with-ack", sio.AckHandler(func(*sio.Args, error) {}))

	c2 := dial(t, addr)
	sid2, pid2, before := handshake(t, c2, recoveryAuth(pid, off))
	if sid2 != sid || pid2 != pid {
		t.Fatalf("recovered sid/pid %s/%s, want %s/%s", sid2, pid2, sid, pid)
	}
	var names []string
	for _, p := range before {
		if !strings.HasPrefix(p, "42[") {
			t.Fatalf("packet before CONNECT %q", p)
		}
		names = append(names, p[2:strings.IndexByte(p, ',')])
	}
	if want := []string{`["hello1"`, `["hello2"`, `["hello3"`}; !slices.Equal(names, want) {
		t.Fatalf("missed packets %v, want %v", before, want)
	}
	s := next(t, conns)
	if !s.Recovered() || s.ID() != sid || s.Data() != "bar" || !slices.Contains(s.Rooms(), "room1") {
		t.Fatalf("recovered %v id %s data %v rooms %v", s.Recovered(), s.ID(), s.Data(), s.Rooms())
	}
	_ = io.To("room1").Emit("after")
	if got := c2.read(); !strings.HasPrefix(got, `42["after",`) {
		t.Fatalf("room broadcast after recovery %q", got)
	}
}

func TestRecoveryFailsForAnUnknownSessionOrOffset(t *testing.T) {
	io, addr, conns, gone := recoveryServer(t, &sio.RecoveryOptions{})
	c := dial(t, addr)
	sid, pid, _ := handshake(t, c, `{"pid":"foo","offset":"bar"}`)
	if s := next(t, conns); s.Recovered() || sid == "foo" || pid == "bar" {
		t.Fatalf("unknown session recovered: %s %s", sid, pid)
	}
	_ = io.Emit("hello")
	off := offsetOf(t, c.read())
	c.c.Close()
	next(t, gone)
	// An offset that is not a string: a fresh session, as the official
	// server; the session stays for a well-formed attempt.
	c2 := dial(t, addr)
	sid2, _, _ := handshake(t, c2, `{"pid":"`+pid+`","offset":123}`)
	if s := next(t, conns); s.Recovered() || sid2 == sid {
		t.Fatalf("recovered with a number offset")
	}
	c3 := dial(t, addr)
	sid3, _, _ := handshake(t, c3, recoveryAuth(pid, off))
	if s := next(t, conns); !s.Recovered() || sid3 != sid {
		t.Fatalf("not recovered after a malformed attempt")
	}
}

func TestRecoveryIsOffByDefault(t *testing.T) {
	io := sio.NewServer(nil)
	io.OnConnection(func(s *sio.Socket) { _ = s.Emit("hello", "x") })
	c := dial(t, serve(t, io))
	c.send(`40{"pid":"foo","offset":"bar"}`)
	if got := c.read(); !strings.HasPrefix(got, `40{"sid":"`) || strings.Contains(got, "pid") {
		t.Fatalf("CONNECT answer %q: want a sid and no pid", got)
	}
	if got := c.read(); got != `42["hello","x"]` {
		t.Fatalf("event %q: want no offset", got)
	}
}

func TestRecoveryReplaysBinaryPacketsWithTheirAttachments(t *testing.T) {
	io, addr, conns, gone := recoveryServer(t, &sio.RecoveryOptions{})
	c := dial(t, addr)
	_, pid, _ := handshake(t, c, "")
	first := next(t, conns)
	_ = first.Emit("hello")
	off := offsetOf(t, c.read())
	c.c.Close()
	next(t, gone)
	_ = io.To("room1").Emit("bin", []byte{1, 2, 3}, "text")
	_ = first.Emit("direct-bin", map[string]any{"b": []byte{4}})

	c2 := dial(t, addr)
	_, _, before := handshake(t, c2, recoveryAuth(pid, off))
	if len(before) != 4 ||
		!strings.HasPrefix(before[0], `451-["bin",{"_placeholder":true,"num":0},"text","`) || before[1] != "\x01\x02\x03" ||
		!strings.HasPrefix(before[2], `451-["direct-bin",{"b":{"_placeholder":true,"num":0}},"`) || before[3] != "\x04" {
		t.Fatalf("missed binary packets %q", before)
	}
}
