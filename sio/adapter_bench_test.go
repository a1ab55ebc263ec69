package sio

import (
	"strconv"
	"testing"
	"time"

	"github.com/sioloop/sioloop/eio"
)

type inlineExec struct{}

func (inlineExec) Execute(fn func()) { fn() }
func (inlineExec) OnLoop() bool      { return true }

// BenchmarkRoomJoinLeave joins and leaves a room on a loop that holds
// 10,000 sockets in 3 of 1,000 rooms each. The room is empty between
// iterations, so each join allocates its room and member slice.
func BenchmarkRoomJoinLeave(b *testing.B) {
	srv := NewServer(nil)
	sh := srv.engine.NewShard(0, time.Now(), inlineExec{})
	a := srv.main.adapter
	socks := make([]*Socket, 10_000)
	for i := range socks {
		s := &Socket{id: "s" + strconv.Itoa(i), nsp: srv.main, sh: sh, connected: true}
		a.AddAll(s, []string{s.id, "r" + strconv.Itoa(i%1000), "r" + strconv.Itoa((i+1)%1000), "r" + strconv.Itoa((i+2)%1000)})
		socks[i] = s
	}
	rooms := []string{"extra"}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		s := socks[i%len(socks)]
		a.AddAll(s, rooms)
		a.Del(s, "extra")
	}
}

// nopWS is an in-process WebSocket that takes every message and keeps
// none.
type nopWS struct{ messages int }

func (w *nopWS) WriteMessage(bool, []byte) { w.messages++ }
func (w *nopWS) WriteShared(*eio.Shared)   { w.messages++ }
func (w *nopWS) Close()                    {}
func (w *nopWS) Abort()                    {}
func (w *nopWS) Writable() bool            { return true }
func (w *nopWS) Backlog(int) int           { return 0 }

// BenchmarkBroadcastToAll emits to every socket of a loop holding 1,000
// or 10,000 WebSocket sessions connected to "/" (in-process transports,
// no syscalls): the walk of the loop's socket table and each receiver's
// write of the shared frame. allocs/op is the same for both sizes: no
// allocation per receiver.
func BenchmarkBroadcastToAll(b *testing.B) {
	for _, n := range []int{1_000, 10_000} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			srv := NewServer(nil)
			sh := srv.engine.NewShard(0, time.Now(), inlineExec{})
			req := &eio.Request{Method: []byte("GET"), Path: []byte("/socket.io/"), RawQuery: []byte("EIO=4&transport=websocket")}
			for range n {
				w := &nopWS{}
				id, _ := sh.NewSessionID(req)
				sh.OpenWebSocket(req, id, w).ReceiveMessage(w, []byte("40"), false)
			}
			if got := srv.main.adapter.(*memoryAdapter).local[0].sockets.len(); got != n {
				b.Fatalf("%d sockets connected, want %d", got, n)
			}
			b.ReportAllocs()
			for b.Loop() {
				if err := srv.Emit("tick", "x"); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/receiver")
		})
	}
}
