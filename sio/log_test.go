package sio_test

import (
	"log/slog"
	"strings"
	"testing"

	"github.com/sioloop/sioloop/internal/testlog"
	"github.com/sioloop/sioloop/sio"
)

func TestLoggerRecordsConnectionsAtDebugAndNothingPerPacket(t *testing.T) {
	h := &testlog.Handler{Level: slog.LevelDebug}
	io := sio.NewServer(&sio.Options{Logger: slog.New(h)})
	io.OnConnection(func(s *sio.Socket) {
		s.On("echo", func(s *sio.Socket, ev *sio.Event) { _ = ev.Ack(ev.Spread()...) })
	})
	addr := serve(t, io)
	c := connect(t, addr)
	h.Wait(t, "sio: socket connected")
	before := len(h.Records())
	for range 100 {
		c.send(`421["echo","x"]`)
		if got := c.read(); got != `431["x"]` {
			t.Fatalf("ack %q", got)
		}
	}
	if n := len(h.Records()); n != before {
		t.Fatalf("100 packets made %d records: %q", n-before, h.Records()[before:])
	}
	c.c.Close()
	h.Wait(t, "sio: socket disconnected nsp=/")
	h.Wait(t, "reason=transport close")
	for _, r := range h.Records() {
		if !strings.HasPrefix(r, "DEBUG ") {
			t.Errorf("record above Debug: %q", r)
		}
	}
}
