package eio_test

import (
	"strings"
	"testing"

	"github.com/sioloop/sioloop/eio"
)

func TestPollingQueuePastTheMarkClosesWithSlowConsumer(t *testing.T) {
	e := newEnv(t, &eio.Options{OutboundHighWaterMark: 100}, 1)
	s := e.openPolling()
	chunk := []byte(strings.Repeat("x", 40))
	if err := s.Send(chunk, false); err != nil {
		t.Fatalf("first send: %v", err)
	}
	if err := s.Send(chunk, false); err != nil {
		t.Fatalf("second send (90 bytes queued with headers): %v", err)
	}
	if err := s.Send(chunk, false); err != eio.ErrDropped {
		t.Fatalf("third send past the mark: %v, want ErrDropped", err)
	}
	if got := e.closed[s.ID()]; got != eio.ReasonSlowConsumer {
		t.Fatalf("reason %q, want %q", got, eio.ReasonSlowConsumer)
	}
	if n := e.srv.SlowConsumers(); n != 1 {
		t.Fatalf("SlowConsumers = %d", n)
	}
	if got := e.poll(s).only(t); got.status != 400 {
		t.Fatalf("a GET after the slow-consumer close: %+v, want unknown sid", got)
	}
}

func TestVolatileAdmitPastTheMarkDropsWithoutClosing(t *testing.T) {
	e := newEnv(t, &eio.Options{OutboundHighWaterMark: 100}, 1)
	s := e.openPolling()
	if err := s.Send([]byte(strings.Repeat("x", 60)), false); err != nil {
		t.Fatal(err)
	}
	if err := s.Admit(60, true); err != eio.ErrDropped {
		t.Fatalf("volatile admit past the mark: %v", err)
	}
	if s.Closed() || e.srv.DroppedPackets() != 1 || e.srv.SlowConsumers() != 0 {
		t.Fatalf("closed %v dropped %d slow %d", s.Closed(), e.srv.DroppedPackets(), e.srv.SlowConsumers())
	}
	if err := s.Admit(30, false); err != nil {
		t.Fatalf("what fits is admitted: %v", err)
	}
}

func TestWebSocketBacklogPastTheMarkAbortsTheConnection(t *testing.T) {
	e := newEnv(t, &eio.Options{OutboundHighWaterMark: 1000}, 1)
	ws := &socket{}
	hreq := &eio.Request{Method: []byte("GET")}
	hid, _ := e.shards[0].NewSessionID(hreq)
	s := e.shards[0].OpenWebSocket(hreq, hid, ws)
	ws.backlog = 990 // the kernel's send queue and the host's
	if err := s.Send([]byte("12345678"), false); err != nil {
		t.Fatalf("a packet that fits: %v", err)
	}
	if err := s.Send([]byte("1234567890"), false); err != eio.ErrDropped {
		t.Fatalf("a packet past the mark: %v", err)
	}
	if !ws.aborted || e.closed[s.ID()] != eio.ReasonSlowConsumer {
		t.Fatalf("aborted %v reason %q", ws.aborted, e.closed[s.ID()])
	}
}

func TestWriteStallClosesWithSlowConsumer(t *testing.T) {
	e := newEnv(t, nil, 1)
	ws := &socket{}
	hreq := &eio.Request{Method: []byte("GET")}
	hid, _ := e.shards[0].NewSessionID(hreq)
	s := e.shards[0].OpenWebSocket(hreq, hid, ws)
	s.WriteStalled(&socket{}) // not its transport: ignored
	if s.Closed() {
		t.Fatal("closed by another socket's stall")
	}
	s.WriteStalled(ws)
	if !ws.aborted || e.closed[s.ID()] != eio.ReasonSlowConsumer {
		t.Fatalf("aborted %v reason %q", ws.aborted, e.closed[s.ID()])
	}
}

func TestDrainRunsWhenTheBacklogIsWrittenOut(t *testing.T) {
	e := newEnv(t, nil, 1)
	var drained []eio.SID
	e.srv.OnDrain(func(s *eio.Session) { drained = append(drained, s.ID()) })
	s := e.openPolling()
	_ = s.Send([]byte("a"), false)
	if len(drained) != 0 {
		t.Fatal("drain before the GET")
	}
	e.poll(s).only(t)
	if len(drained) != 1 {
		t.Fatalf("drain after the GET took the queue: %v", drained)
	}
	ws := &socket{}
	hreq := &eio.Request{Method: []byte("GET")}
	hid, _ := e.shards[0].NewSessionID(hreq)
	w := e.shards[0].OpenWebSocket(hreq, hid, ws)
	w.Drained(ws)
	if len(drained) != 2 || drained[1] != w.ID() {
		t.Fatalf("drain on WebSocket: %v", drained)
	}
}
