// Command cluster is the chat of examples/chat on several sioloop nodes
// joined through Redis (package redisadapter): a visitor on one node
// chats with visitors on the others — messages, typing, member lists and
// join/leave notices cross between nodes.
//
//	make demo                     # once: npm ci in examples/chat (the client bundle)
//	go run ./examples/cluster     # 3 nodes on http://127.0.0.1:3000, :3001, :3002
//
// NODES (default 3) nodes listen on consecutive ports from PORT (default
// 3000) on HOST (default 127.0.0.1), all in this one process, each a
// member of its own (its own Redis connections and uid, as separate
// processes would be). REDIS_URL (redis://host:port) names the Redis
// server; without it, the command starts Debian's redis-server on a free
// loopback port for its own use (no persistence) and stops it on exit. To
// run nodes as separate processes (or machines), give each the same
// REDIS_URL, NODES=1 and its own PORT; official Node servers with
// @socket.io/redis-adapter's createAdapter on that Redis join too.
//
// Open http://127.0.0.1:3000 and http://127.0.0.1:3001 in two windows.
package main

import (
	"context"
	"fmt"
	"log"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/sioloop/sioloop"
	"github.com/sioloop/sioloop/internal/chat"
	"github.com/sioloop/sioloop/redisadapter"
)

func main() {
	n, port := envInt("NODES", 3), envInt("PORT", 3000)
	host := os.Getenv("HOST")
	if host == "" {
		host = "127.0.0.1"
	}
	dist, err := chat.FindDist()
	if err != nil {
		log.Fatalf("cluster: %v\nrun `make demo` (it runs npm ci in examples/chat)", err)
	}
	url := os.Getenv("REDIS_URL")
	if url == "" {
		stop, addr, err := startRedis()
		if err != nil {
			log.Fatalf("cluster: no REDIS_URL and no redis-server to start: %v", err)
		}
		defer stop()
		url = "redis://" + addr
		log.Printf("cluster: started redis-server on %s (set REDIS_URL to use yours)", addr)
	}
	ropts, err := redis.ParseURL(url)
	if err != nil {
		log.Fatalf("cluster: REDIS_URL: %v", err)
	}

	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer cancel()
	nodes := make([]*node, n)
	for i := range nodes {
		nd, err := startNode(dist, ropts, net.JoinHostPort(host, strconv.Itoa(port+i)))
		if err != nil {
			log.Printf("cluster: node %d: %v", i, err)
			cancel()
			break
		}
		nodes[i] = nd
		log.Printf("cluster: node %d listening on http://%s (uid %s)", i, nd.srv.Addr(), nd.cluster.UID())
	}
	<-ctx.Done()
	for _, nd := range nodes {
		if nd != nil {
			nd.close()
		}
	}
}

// node is one cluster member: its Redis client, its membership, its server.
type node struct {
	rdb     *redis.Client
	cluster *redisadapter.Cluster
	srv     *sioloop.Server
	done    chan error
}

// startNode starts a chat node on addr, a member of the cluster on the
// Redis server ropts names, and returns once it listens.
func startNode(dist string, ropts *redis.Options, addr string) (*node, error) {
	rdb := redis.NewClient(ropts)
	if err := rdb.Ping(context.Background()).Err(); err != nil {
		_ = rdb.Close()
		return nil, fmt.Errorf("redis: %w", err)
	}
	nd := &node{rdb: rdb, cluster: redisadapter.New(rdb, nil), done: make(chan error, 1)}
	srv, err := chat.New(dist, nd.cluster.Adapter)
	if err != nil {
		nd.close()
		return nil, err
	}
	nd.srv = srv
	go func() { nd.done <- srv.ListenAndServe(addr) }()
	select {
	case <-srv.Ready():
		return nd, nil
	case err := <-nd.done:
		nd.srv = nil
		nd.close()
		return nil, err
	}
}

// close stops the server, then leaves the cluster.
func (nd *node) close() {
	if nd.srv != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_ = nd.srv.Shutdown(ctx)
		cancel()
	}
	_ = nd.cluster.Close()
	_ = nd.rdb.Close()
}

// startRedis starts redis-server on a free loopback port, without
// persistence, and returns how to stop it and its address once it
// answers PING (at most 10 s).
func startRedis() (stop func(), addr string, err error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, "", err
	}
	port := l.Addr().(*net.TCPAddr).Port
	_ = l.Close()
	addr = "127.0.0.1:" + strconv.Itoa(port)
	cmd := exec.Command("redis-server", "--port", strconv.Itoa(port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--loglevel", "warning")
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, "", err
	}
	stop = func() {
		_ = cmd.Process.Signal(os.Interrupt)
		_ = cmd.Wait()
	}
	rdb := redis.NewClient(&redis.Options{Addr: addr})
	defer rdb.Close()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if rdb.Ping(context.Background()).Err() == nil {
			return stop, addr, nil
		}
		if time.Now().After(deadline) {
			stop()
			return nil, "", fmt.Errorf("redis-server on %s not answering after 10s", addr)
		}
	}
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}
