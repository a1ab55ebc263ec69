package redisadapter_test

import (
	"context"
	"io"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/sioloop/sioloop/eio"
	"github.com/sioloop/sioloop/internal/nodetest"
	"github.com/sioloop/sioloop/internal/redistest"
	"github.com/sioloop/sioloop/loop"
	"github.com/sioloop/sioloop/redisadapter"
	"github.com/sioloop/sioloop/sio"
)

// forwardingNode is a sioloop node of a cluster without sticky sessions:
// it announces itself through Redis and forwards requests for the other
// nodes' sessions to them.
type forwardingNode struct {
	addr    string
	id      int
	cluster *redisadapter.Cluster
}

// startForwardingNode starts a node serving testdata/roundrobin-client.mjs's
// events: "echo" acks its arguments and the node's id, "push"(x) emits
// "pushed" x back.
func startForwardingNode(t *testing.T, redisAddr string) *forwardingNode {
	t.Helper()
	rdb := redis.NewClient(&redis.Options{Addr: redisAddr})
	t.Cleanup(func() { _ = rdb.Close() })
	cluster := redisadapter.New(rdb, &redisadapter.Options{HeartbeatInterval: 200 * time.Millisecond, HeartbeatTimeout: 3 * time.Second})
	t.Cleanup(func() { _ = cluster.Close() })
	addr := "127.0.0.1:" + strconv.Itoa(freePort(t))
	id, err := cluster.Announce(context.Background(), addr)
	if err != nil {
		t.Fatal(err)
	}
	io := sio.NewServer(&sio.Options{Adapter: cluster.Adapter, Engine: eio.Options{NodeID: id}})
	io.OnConnection(func(s *sio.Socket) {
		s.On("echo", func(s *sio.Socket, ev *sio.Event) {
			text, _ := ev.String(0)
			var bin []byte
			_ = ev.Decode(1, &bin)
			_ = ev.Ack([]any{[]any{text, bin}, id}) // emitWithAck resolves with the first argument
		})
		s.On("push", func(s *sio.Socket, ev *sio.Event) {
			x, _ := ev.Value(0)
			_ = s.Emit("pushed", x)
		})
	})
	srv := loop.New(&loop.Options{Peers: cluster})
	srv.Handle("/socket.io/", io.Engine(), &loop.CORSOptions{Origin: []string{"*"}})
	served := make(chan error, 1)
	go func() { served <- srv.ListenAndServe(addr) }()
	select {
	case <-srv.Ready():
	case err := <-served:
		t.Fatal(err)
	case <-time.After(10 * time.Second):
		t.Fatal("node not ready after 10s")
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
		<-served
	})
	return &forwardingNode{addr: addr, id: id, cluster: cluster}
}

// roundRobin is a TCP load balancer for the test: each accepted
// connection goes to the next backend in turn, bytes copied both ways.
type roundRobin struct {
	l        net.Listener
	backends []string
	next     atomic.Uint64
	wg       sync.WaitGroup
	mu       sync.Mutex
	conns    map[net.Conn]struct{}
	per      []atomic.Int64 // connections sent to each backend
}

func startRoundRobin(t *testing.T, backends ...string) *roundRobin {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	rr := &roundRobin{l: l, backends: backends, conns: map[net.Conn]struct{}{}, per: make([]atomic.Int64, len(backends))}
	rr.wg.Add(1)
	go rr.serve()
	t.Cleanup(rr.close)
	return rr
}

func (rr *roundRobin) serve() {
	defer rr.wg.Done()
	for {
		c, err := rr.l.Accept()
		if err != nil {
			return
		}
		i := int(rr.next.Add(1)-1) % len(rr.backends)
		rr.per[i].Add(1)
		rr.wg.Add(1)
		go rr.pipe(c, rr.backends[i])
	}
}

// pipe copies between the client c and a new connection to backend until
// either side closes.
func (rr *roundRobin) pipe(c net.Conn, backend string) {
	defer rr.wg.Done()
	b, err := net.DialTimeout("tcp", backend, 5*time.Second)
	if err != nil {
		_ = c.Close()
		return
	}
	if !rr.track(c, b) {
		return
	}
	done := make(chan struct{}, 2)
	cp := func(dst, src net.Conn) {
		_, _ = io.Copy(dst, src)
		done <- struct{}{}
	}
	go cp(b, c)
	go cp(c, b)
	<-done
	_ = c.Close()
	_ = b.Close()
	<-done
	rr.untrack(c, b)
}

func (rr *roundRobin) track(cs ...net.Conn) bool {
	rr.mu.Lock()
	defer rr.mu.Unlock()
	if rr.conns == nil { // closed
		for _, c := range cs {
			_ = c.Close()
		}
		return false
	}
	for _, c := range cs {
		rr.conns[c] = struct{}{}
	}
	return true
}

func (rr *roundRobin) untrack(cs ...net.Conn) {
	rr.mu.Lock()
	defer rr.mu.Unlock()
	for _, c := range cs {
		delete(rr.conns, c)
	}
}

func (rr *roundRobin) close() {
	_ = rr.l.Close()
	rr.mu.Lock()
	for c := range rr.conns {
		_ = c.Close()
	}
	rr.conns = nil
	rr.mu.Unlock()
	rr.wg.Wait()
}

// A plain round-robin TCP balancer in front of two sioloop nodes, no
// sticky sessions: official socket.io-client clients on long-polling
// (each request a new TCP connection, so about half land on the node
// that does not own their session) and clients that upgrade to WebSocket
// (the handshake lands on either node) keep their sessions — events,
// acks, binary, server emits — because a node forwards a request for the
// other's session to it.
func TestRoundRobinBalancerNeedsNoStickySessions(t *testing.T) {
	ensureModules(t)
	addr := redistest.Start(t)
	a := startForwardingNode(t, addr)
	b := startForwardingNode(t, addr)
	if a.id == b.id {
		t.Fatalf("both nodes claimed node id %d", a.id)
	}
	// Each node must know the other before a client comes.
	for deadline := time.Now().Add(5 * time.Second); a.cluster.PeerAddr(b.id) == nil || b.cluster.PeerAddr(a.id) == nil; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the nodes do not know each other after 5s")
		}
	}
	rr := startRoundRobin(t, a.addr, b.addr)
	nodetest.Run(t, 120*time.Second, testdataDir, nil, "node", "roundrobin-client.mjs", "forwarding", "http://"+rr.l.Addr().String())
	for i := range rr.per {
		if rr.per[i].Load() == 0 {
			t.Fatalf("the balancer sent nothing to node %d", i)
		}
	}
}
