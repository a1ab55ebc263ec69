// Command contract is the Socket.IO server every comparison benchmark
// runs (bench/compare.sh): the same contract as bench/node/contract.mjs
// on the official Node server. Namespace "/":
//
//	"echo"(args..., ack)        -> ack(args...)
//	"broadcast"(arg)            -> io.emit("broadcast", arg), the sender included
//	"join"(room, ack)           -> joins room, ack(room)
//	"broadcast_room"(room, arg) -> io.to(room).emit("broadcast", arg)
//
// Default options, path /socket.io/. HOST (default 127.0.0.1) and PORT
// (default 3000) say where it listens, LOOPS how many event loops it runs
// (default GOMAXPROCS), CPUPROFILE where to write a CPU profile of the
// run. It exits 0 on SIGINT or SIGTERM.
package main

import (
	"log"
	"os"
	"runtime/pprof"
	"strconv"

	"github.com/sioloop/sioloop/internal/demo"
	"github.com/sioloop/sioloop/loop"
	"github.com/sioloop/sioloop/sio"
)

func main() {
	loops := 0
	if v := os.Getenv("LOOPS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			log.Fatalf("LOOPS=%q: want a number of event loops", v)
		}
		loops = n
	}
	if path := os.Getenv("CPUPROFILE"); path != "" {
		// A CPU profile of the whole run, for `go tool pprof -top`.
		f, err := os.Create(path)
		if err != nil {
			log.Fatal(err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			log.Fatal(err)
		}
		defer pprof.StopCPUProfile()
	}
	demo.Run(newServer(loops), "contract server", "Socket.IO on /socket.io/")
}

// newServer builds the contract server with loops event loops (0: one per
// GOMAXPROCS).
func newServer(loops int) *loop.Server {
	io := sio.NewServer(nil)
	io.OnConnection(func(s *sio.Socket) {
		s.On("echo", func(s *sio.Socket, ev *sio.Event) { _ = ev.Ack(ev.Spread()...) })
		s.On("broadcast", func(s *sio.Socket, ev *sio.Event) {
			if ev.Len() < 1 {
				return
			}
			_ = io.Emit("broadcast", ev.Spread()[0])
		})
		s.On("join", func(s *sio.Socket, ev *sio.Event) {
			room, _ := ev.String(0)
			s.Join(room)
			_ = ev.Ack(room)
		})
		s.On("broadcast_room", func(s *sio.Socket, ev *sio.Event) {
			if ev.Len() < 2 {
				return
			}
			room, _ := ev.String(0)
			_ = io.To(room).Emit("broadcast", ev.Spread()[1])
		})
	})
	srv := loop.New(&loop.Options{NumLoops: loops})
	srv.Handle("/socket.io/", io.Engine(), nil)
	return srv
}
