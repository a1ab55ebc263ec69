package sio

import (
	"strconv"
	"testing"
	"time"
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
