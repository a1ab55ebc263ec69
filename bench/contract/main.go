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
// run, MODE=nethttp serves it mounted on a net/http server (the net/http
// mode) instead of the gnet engine, MEMPROFILE where to write a heap
// profile (after a GC) each time the process gets SIGUSR1 — while a load
// generator holds its connections, for `go tool pprof
// -sample_index=inuse_space`. It exits 0 on SIGINT or SIGTERM.
//
// With REDIS_URL set (redis://host:port) it joins a cluster of Socket.IO
// servers through Redis, Go and official Node nodes alike: the classic
// @socket.io/redis-adapter protocol (package redisadapter), key
// "socket.io", requests timing out after 5s; it then serves "fetch" and
// "sse" too (package internal/contract). REDIS_SHARDED=1 asks for the
// sharded adapter instead (createShardedAdapter's protocol, subscription
// mode dynamic).
package main

import (
	"log"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"strconv"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/sioloop/sioloop/internal/contract"
	"github.com/sioloop/sioloop/internal/demo"
	"github.com/sioloop/sioloop/redisadapter"
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
	if path := os.Getenv("MEMPROFILE"); path != "" {
		runtime.MemProfileRate = 1 // every allocation: per-connection bytes, exactly
		go writeHeapProfiles(path)
	}
	var adapter func(*sio.Namespace) sio.Adapter
	if url := os.Getenv("REDIS_URL"); url != "" {
		opts, err := redis.ParseURL(url)
		if err != nil {
			log.Fatalf("REDIS_URL=%q: %v", url, err)
		}
		cluster := joinCluster(redis.NewClient(opts), os.Getenv("REDIS_SHARDED") == "1")
		defer cluster.Close()
		adapter = cluster.Adapter
	}
	srv := contract.NewServer(loops, adapter)
	if os.Getenv("MODE") == "nethttp" {
		mux := http.NewServeMux()
		mux.Handle("/socket.io/", srv)
		log.Printf("contract server (net/http mode) listening on http://%s", demo.Addr())
		log.Fatal(http.ListenAndServe(demo.Addr(), mux))
	}
	demo.Run(srv, "contract server", "Socket.IO on /socket.io/")
}

// joinCluster joins the cluster rdb reaches with the classic adapter, or
// the sharded one (subscription mode dynamic): key "socket.io", requests
// timing out after 5s.
func joinCluster(rdb redis.UniversalClient, sharded bool) *redisadapter.Cluster {
	opts := &redisadapter.Options{Key: "socket.io", RequestsTimeout: 5 * time.Second, SubscriptionMode: redisadapter.SubscriptionDynamic}
	if sharded {
		return redisadapter.NewSharded(rdb, opts)
	}
	return redisadapter.New(rdb, opts)
}

// writeHeapProfiles writes a heap profile to path after a GC on every
// SIGUSR1, and logs the heap figures beside it.
func writeHeapProfiles(path string) {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGUSR1)
	for range sig {
		runtime.GC()
		f, err := os.Create(path)
		if err != nil {
			log.Printf("MEMPROFILE: %v", err)
			continue
		}
		if err := pprof.WriteHeapProfile(f); err != nil {
			log.Printf("MEMPROFILE: %v", err)
		}
		_ = f.Close()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		log.Printf("MEMPROFILE: wrote %s; heap in use %d KiB, idle %d KiB (released %d KiB), stacks %d KiB, sys %d KiB",
			path, m.HeapInuse>>10, m.HeapIdle>>10, m.HeapReleased>>10, m.StackInuse>>10, m.Sys>>10)
	}
}
