package redisadapter_test

import (
	"log"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/sioloop/sioloop"
	"github.com/sioloop/sioloop/redisadapter"
	"github.com/sioloop/sioloop/sio"
)

// A node of a Redis cluster of Socket.IO servers, Go and Node alike: a
// broadcast reaches every node's sockets; FetchSockets and ServerSideEmit
// ask the other nodes.
func Example() {
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379"})
	cluster := redisadapter.New(rdb, nil) // @socket.io/redis-adapter's createAdapter
	defer cluster.Close()
	io := sioloop.NewServer(&sio.Options{Adapter: cluster.Adapter})
	io.OnConnection(func(s *sio.Socket) {
		s.Join("news")
		s.On("publish", func(s *sio.Socket, ev *sio.Event) {
			text, _ := ev.String(0)
			_ = io.To("news").Emit("news", text) // every node's subscribers
		})
	})
	io.OnServerSideEmit("hello", func(args *sio.Args, ack func(any)) {
		if ack != nil {
			ack("hello from " + cluster.UID())
		}
	})
	log.Fatal(io.ListenAndServe(":3000"))
}

// The sharded variant, on Redis 7's sharded pub/sub
// (createShardedAdapter); every node of a cluster uses the same variant.
func ExampleNewSharded() {
	rdb := redis.NewClusterClient(&redis.ClusterOptions{Addrs: []string{"127.0.0.1:7000"}})
	cluster := redisadapter.NewSharded(rdb, &redisadapter.Options{RequestsTimeout: 2 * time.Second})
	defer cluster.Close()
	io := sioloop.NewServer(&sio.Options{Adapter: cluster.Adapter})
	log.Fatal(io.ListenAndServe(":3000"))
}

// The emitter publishes to a cluster from a process that serves no
// client, as @socket.io/redis-emitter.
func ExampleNewEmitter() {
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379"})
	e := redisadapter.NewEmitter(rdb, nil)
	if err := e.Of("/chat").To("room1").Except("room2").Emit("news", "hello", []byte{1, 2}); err != nil {
		log.Fatal(err)
	}
}
