package sio

import (
	"strconv"
	"testing"
	"time"

	"github.com/sioloop/sioloop/eio"
)

// discardWS is a WebSocket that drops what it is given: the benchmarks
// below measure the server's work, not a transport's.
type discardWS struct{}

func (discardWS) WriteMessage(bool, []byte) {}
func (discardWS) WriteShared(*eio.Shared)   {}
func (discardWS) Close()                    {}
func (discardWS) Abort()                    {}
func (discardWS) Writable() bool            { return true }
func (discardWS) Backlog(int) int           { return 0 }

// benchSocket opens a WebSocket session on sh and connects it to "/".
func benchSocket(tb testing.TB, sh *eio.Shard) (*eio.Session, *Socket) {
	tb.Helper()
	req := &eio.Request{Method: []byte("GET")}
	id, _ := sh.NewSessionID(req)
	sess := sh.OpenWebSocket(req, id, discardWS{})
	sess.ReceiveMessage(discardWS{}, []byte("40"), false)
	c := sess.Context().(*client)
	if len(c.sockets) != 1 || !c.sockets[0].connected {
		tb.Fatal("the socket did not connect")
	}
	return sess, c.sockets[0]
}

// BenchmarkConnect: a WebSocket session opened, connected to "/" and
// closed, on a loop.
//
//	go test -run '^$' -bench 'Connect$|EmitWithAck|Broadcast' -benchmem ./sio/
func BenchmarkConnect(b *testing.B) {
	srv := NewServer(nil)
	sh := srv.engine.NewShard(0, time.Now(), inlineExec{})
	b.ReportAllocs()
	for b.Loop() {
		sess, _ := benchSocket(b, sh)
		sess.WebSocketClosed(discardWS{}, nil)
	}
}

// BenchmarkEmitWithAck: an event emitted with an ack to one socket and
// the client's answer ("43<id>[1]") taken back, on a loop.
func BenchmarkEmitWithAck(b *testing.B) {
	srv := NewServer(nil)
	sh := srv.engine.NewShard(0, time.Now(), inlineExec{})
	sess, s := benchSocket(b, sh)
	acked := 0
	ack := AckHandler(func(*Args, error) { acked++ })
	msg := make([]byte, 0, 32)
	id := 0
	b.ReportAllocs()
	for ; b.Loop(); id++ {
		if err := s.Emit("ping", 1, ack); err != nil {
			b.Fatal(err)
		}
		msg = append(strconv.AppendInt(append(msg[:0], "43"...), int64(id), 10), "[1]"...)
		sess.ReceiveMessage(discardWS{}, msg, false)
	}
	if acked != id {
		b.Fatalf("%d acks of %d emits", acked, id)
	}
}

// BenchmarkBroadcast: an event broadcast to a room of 100 sockets on a
// loop.
func BenchmarkBroadcast(b *testing.B) {
	srv := NewServer(nil)
	sh := srv.engine.NewShard(0, time.Now(), inlineExec{})
	for range 100 {
		_, s := benchSocket(b, sh)
		s.Join("room")
	}
	to := srv.To("room")
	b.ReportAllocs()
	for b.Loop() {
		if err := to.Emit("tick", 1); err != nil {
			b.Fatal(err)
		}
	}
}
