package redisadapter_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/sioloop/sioloop/internal/nodetest"
	"github.com/sioloop/sioloop/internal/redistest"
	"github.com/sioloop/sioloop/internal/testserver"
	"github.com/sioloop/sioloop/loop"
	"github.com/sioloop/sioloop/redisadapter"
	"github.com/sioloop/sioloop/sio"
)

// testdataDir is the npm project of the Node node and the clients.
const testdataDir = "testdata"

// requestsTimeout is every node's cluster request timeout in the tests.
const requestsTimeout = 3 * time.Second

// ensureModules installs the npm packages once per test binary.
func ensureModules(t *testing.T) {
	t.Helper()
	if err := nodetest.EnsureModules(testdataDir, "node_modules/@socket.io/redis-adapter", "node_modules/socket.io-client"); err != nil {
		t.Fatal(err)
	}
}

// variant is the adapter a test's cluster runs: the classic one (zero
// value), or the sharded one in a subscription mode.
type variant struct {
	sharded bool
	mode    redisadapter.SubscriptionMode
}

// nodeMode is the subscriptionMode option of createShardedAdapter.
func (v variant) nodeMode() string {
	return map[redisadapter.SubscriptionMode]string{
		redisadapter.SubscriptionStatic: "static", redisadapter.SubscriptionDynamic: "dynamic",
		redisadapter.SubscriptionDynamicPrivate: "dynamic-private",
	}[v.mode]
}

// env tells node-server.mjs and cluster-client.mjs the variant.
func (v variant) env() []string {
	if !v.sharded {
		return nil
	}
	return []string{"SHARDED=1", "SUBSCRIPTION_MODE=" + v.nodeMode()}
}

// startNodeNode starts the official Node cluster member (node-server.mjs)
// with the classic adapter and returns its URL and process id.
func startNodeNode(t *testing.T, redisAddr string) (string, int) {
	t.Helper()
	return startNodeNodeOf(t, redisAddr, variant{})
}

// startNodeNodeOf starts the Node cluster member with v's adapter.
func startNodeNodeOf(t *testing.T, redisAddr string, v variant) (string, int) {
	t.Helper()
	port := freePort(t)
	env := append([]string{"PORT=" + strconv.Itoa(port), "REDIS_URL=redis://" + redisAddr, "REQUESTS_TIMEOUT=" + strconv.FormatInt(requestsTimeout.Milliseconds(), 10)}, v.env()...)
	line := nodetest.StartServer(t, testdataDir, env, func(line string) (string, bool) {
		return line, strings.HasPrefix(line, "listening ")
	}, "node", "node-server.mjs")
	f := strings.Fields(line) // listening <port> pid <pid>
	pid, err := strconv.Atoi(f[len(f)-1])
	if err != nil {
		t.Fatalf("node-server.mjs: %q: %v", line, err)
	}
	return "http://127.0.0.1:" + strconv.Itoa(port), pid
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// goNode is a sioloop cluster member serving the ctl contract of
// testdata/node-server.mjs.
type goNode struct {
	name    string
	url     string
	io      *sio.Server
	cluster *redisadapter.Cluster

	mu   sync.Mutex
	seen []any // "sse-noack" arguments
}

func startGoNode(t *testing.T, redisAddr, name string) *goNode {
	t.Helper()
	return startGoNodeOf(t, redisAddr, name, variant{})
}

// startGoNodeOf starts a sioloop cluster member with v's adapter.
func startGoNodeOf(t *testing.T, redisAddr, name string, v variant) *goNode {
	t.Helper()
	rdb := redis.NewClient(&redis.Options{Addr: redisAddr})
	t.Cleanup(func() { _ = rdb.Close() })
	n := &goNode{name: name}
	opts := &redisadapter.Options{
		RequestsTimeout: requestsTimeout, HeartbeatInterval: 200 * time.Millisecond, HeartbeatTimeout: 3 * time.Second,
		SubscriptionMode: v.mode,
	}
	if v.sharded {
		n.cluster = redisadapter.NewSharded(rdb, opts)
	} else {
		n.cluster = redisadapter.New(rdb, opts)
	}
	t.Cleanup(func() { _ = n.cluster.Close() })
	n.io = sio.NewServer(&sio.Options{Adapter: n.cluster.Adapter})
	n.io.OnServerSideEmit("sse", func(args *sio.Args, ack func(any)) {
		x, _ := args.Value(0)
		if ack != nil {
			ack(map[string]any{"node": name, "x": x})
		}
	})
	n.io.OnServerSideEmit("sse-noack", func(args *sio.Args, _ func(any)) {
		x, _ := args.Value(0)
		n.mu.Lock()
		n.seen = append(n.seen, x)
		n.mu.Unlock()
	})
	n.io.OnConnection(func(s *sio.Socket) {
		s.SetData(map[string]any{"node": name})
		s.On("ctl", func(s *sio.Socket, ev *sio.Event) {
			op, _ := ev.String(0)
			ack := ev.AckFunc()
			if op == "join" {
				room, _ := ev.String(1)
				s.Join(room)
				_ = ack(true)
				return
			}
			var arg ctlArg
			if err := ev.Decode(1, &arg); err != nil {
				_ = ack(map[string]any{"error": err.Error()})
				return
			}
			go func() {
				res, err := n.run(op, &arg)
				if err != nil {
					res = map[string]any{"error": err.Error()}
				}
				_ = ack(res)
			}()
		})
	})
	srv := loop.New(nil)
	srv.Handle("/socket.io/", n.io.Engine(), &loop.CORSOptions{Origin: []string{"*"}})
	n.url = "http://" + testserver.Start(t, srv)
	return n
}

// ctlArg is the argument of every ctl op but join.
type ctlArg struct {
	Rooms   []string `json:"rooms"`
	Except  []string `json:"except"`
	Event   string   `json:"event"`
	Args    []any    `json:"args"`
	Bin     bool     `json:"bin"`
	Room    string   `json:"room"`
	Close   bool     `json:"close"`
	X       any      `json:"x"`
	Ack     bool     `json:"ack"`
	Timeout int      `json:"timeout"`
	ID      string   `json:"id"`
}

func (n *goNode) sel(a *ctlArg) *sio.BroadcastOperator {
	return n.io.Of("/").To(a.Rooms...).Except(a.Except...)
}

// run runs a ctl op as node-server.mjs does.
func (n *goNode) run(op string, a *ctlArg) (any, error) {
	switch op {
	case "emit":
		args := a.Args
		if a.Bin {
			b := make([]byte, 256)
			for i := range b {
				b[i] = byte(i)
			}
			args = append(args, b, map[string]any{"nested": []any{[]byte{1, 2, 3}}})
		}
		return true, n.sel(a).Emit(a.Event, args...)
	case "socketsJoin":
		n.sel(a).SocketsJoin(a.Room)
		return true, nil
	case "socketsLeave":
		n.sel(a).SocketsLeave(a.Room)
		return true, nil
	case "disconnectSockets":
		n.sel(a).DisconnectSockets(a.Close)
		return true, nil
	case "fetch":
		socks, err := n.sel(a).FetchSockets()
		if err != nil {
			return nil, err
		}
		out := make([]map[string]any, len(socks))
		for i, s := range socks {
			hs := s.Handshake
			q := map[string]any{}
			for k, v := range hs.Query {
				q[k] = v[0]
			}
			out[i] = map[string]any{"id": s.ID, "rooms": s.Rooms, "data": s.Data, "hs": map[string]any{
				"address": hs.Address, "url": hs.URL, "query": q, "auth": hs.Auth, "issued": hs.Issued,
				"xdomain": hs.XDomain, "ua": hs.Headers.Get("User-Agent"),
			}}
		}
		return out, nil
	case "remoteEmit":
		socks, err := n.io.In(a.ID).FetchSockets()
		if err != nil || len(socks) != 1 {
			return nil, fmt.Errorf("fetch %s: %d sockets, %v", a.ID, len(socks), err)
		}
		return true, socks[0].Emit(a.Event, a.X)
	case "sockets":
		return n.io.Of("/").Adapter().(*redisadapter.Adapter).Sockets(a.Rooms...)
	case "allRooms":
		return n.io.Of("/").Adapter().(*redisadapter.Adapter).AllRooms()
	case "sse":
		if !a.Ack {
			return true, n.io.ServerSideEmit(a.Event, a.X)
		}
		type result struct {
			rs  []*sio.Args
			err error
		}
		done := make(chan result, 1)
		if err := n.io.ServerSideEmit(a.Event, a.X, sio.BroadcastAckHandler(func(rs []*sio.Args, err error) { done <- result{rs, err} })); err != nil {
			return nil, err
		}
		r := <-done
		if r.err != nil {
			return nil, r.err
		}
		return values(r.rs), nil
	case "sseSeen":
		n.mu.Lock()
		defer n.mu.Unlock()
		return append([]any{}, n.seen...), nil // [] before any, as node-server.mjs: never null
	case "bcastAck":
		done := make(chan []*sio.Args, 1)
		errc := make(chan error, 1)
		err := n.sel(a).Timeout(time.Duration(a.Timeout)*time.Millisecond).Emit(a.Event, sio.BroadcastAckHandler(func(rs []*sio.Args, err error) {
			errc <- err
			done <- rs
		}))
		if err != nil {
			return nil, err
		}
		if err := <-errc; err != nil {
			return nil, err
		}
		return values(<-done), nil
	}
	return nil, fmt.Errorf("unknown op %q", op)
}

// values returns the first value of each answer.
func values(rs []*sio.Args) []any {
	out := make([]any, len(rs))
	for i, r := range rs {
		out[i], _ = r.Value(0)
	}
	return out
}

// waitMembers waits until count nodes subscribe to the main namespace's
// request channel: the cluster is formed.
func waitMembers(t *testing.T, redisAddr string, count int) {
	t.Helper()
	waitMembersOf(t, redisAddr, count, variant{})
}

// waitMembersOf waits until count nodes of v's adapter serve the main
// namespace: they subscribe to its request channel (classic) or to its
// channel (sharded).
func waitMembersOf(t *testing.T, redisAddr string, count int, v variant) {
	t.Helper()
	rdb := redis.NewClient(&redis.Options{Addr: redisAddr})
	defer rdb.Close()
	ch, numSub := "socket.io-request#/#", rdb.PubSubNumSub
	if v.sharded {
		ch, numSub = "socket.io#/#", rdb.PubSubShardNumSub
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		m, err := numSub(context.Background(), ch).Result()
		if err == nil && int(m[ch]) == count {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d nodes subscribed to %s after 10s, want %d (err %v)", m[ch], ch, count, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// mixedCluster starts Redis, the Node node and two sioloop nodes and
// returns their URLs, the Node node's first.
func mixedCluster(t *testing.T) (string, []string, []*goNode) {
	return mixedClusterOf(t, variant{})
}

// mixedClusterOf is mixedCluster with v's adapter on every node.
func mixedClusterOf(t *testing.T, v variant) (string, []string, []*goNode) {
	ensureModules(t)
	addr := redistest.Start(t)
	nodeURL, _ := startNodeNodeOf(t, addr, v)
	urls := []string{nodeURL}
	var gos []*goNode
	for i := 1; i <= 2; i++ {
		g := startGoNodeOf(t, addr, "go"+strconv.Itoa(i), v)
		gos = append(gos, g)
		urls = append(urls, g.url)
	}
	waitMembersOf(t, addr, 3, v)
	return addr, urls, gos
}

func runClients(t *testing.T, scenario string, urls []string) map[string]any {
	t.Helper()
	return runClientsOf(t, scenario, urls, "", variant{})
}

// runClientsOf runs a scenario of cluster-client.mjs against a cluster of
// v's adapter on the Redis at redisAddr.
func runClientsOf(t *testing.T, scenario string, urls []string, redisAddr string, v variant) map[string]any {
	t.Helper()
	env := append([]string{"REDIS_URL=redis://" + redisAddr}, v.env()...)
	return nodetest.Run(t, 90*time.Second, testdataDir, env, "node", "cluster-client.mjs", scenario, strings.Join(urls, ","))
}

func TestMixedClusterBroadcastsCrossBothWays(t *testing.T) {
	_, urls, _ := mixedCluster(t)
	runClients(t, "broadcast", urls)
}

func TestMixedClusterRequestsCrossBothWays(t *testing.T) {
	_, urls, _ := mixedCluster(t)
	runClients(t, "requests", urls)
}

// A stopped node makes a request end at its per-call timeout with the
// answers that came and an error counting the silent node; a node killed
// while a request waits for it ends the wait as soon as Redis drops it.
func TestRequestsWaitOnlyForLiveNodes(t *testing.T) { testRequestsWaitOnlyForLiveNodes(t, variant{}) }

func testRequestsWaitOnlyForLiveNodes(t *testing.T, v variant) {
	ensureModules(t)
	addr := redistest.Start(t)
	_, pid := startNodeNodeOf(t, addr, v)
	t.Cleanup(func() { _ = syscall.Kill(pid, syscall.SIGKILL) })
	g1 := startGoNodeOf(t, addr, "go1", v)
	g2 := startGoNodeOf(t, addr, "go2", v)
	waitMembersOf(t, addr, 3, v)
	deadline := time.Now().Add(10 * time.Second)
	for !slices.Contains(g1.cluster.Members(), g2.cluster.UID()) {
		if time.Now().After(deadline) {
			t.Fatalf("go1 has not heard go2's heartbeat after 10s: %v", g1.cluster.Members())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if _, err := g1.io.Of("/").FetchSockets(); err != nil {
		t.Fatalf("every node alive: %v", err)
	}

	if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	const perCall = time.Second
	start := time.Now()
	_, err := g1.io.Timeout(perCall).FetchSockets()
	took := time.Since(start)
	var re *redisadapter.RequestError
	if !errors.As(err, &re) || re.Expected != 2 || re.Got != 1 || len(re.Silent) != 0 || re.Unnamed != 1 {
		t.Fatalf("with the Node node stopped: %v (%#v)", err, re)
	}
	if took < perCall || took > perCall+time.Second {
		t.Fatalf("with the Node node stopped, FetchSockets took %v, want its %v timeout", took, perCall)
	}

	done := make(chan error, 1)
	start = time.Now()
	go func() {
		_, err := g1.io.Timeout(10 * time.Second).FetchSockets()
		done <- err
	}()
	time.Sleep(300 * time.Millisecond)
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("after the Node node was killed: %v", err)
		}
		if took := time.Since(start); took > 5*time.Second {
			t.Fatalf("FetchSockets ended %v after the kill", took)
		}
	case <-time.After(9 * time.Second):
		t.Fatal("FetchSockets still waits 9s after the silent node was killed")
	}
}
