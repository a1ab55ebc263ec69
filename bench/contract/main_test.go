package main

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gobwas/ws"
	"github.com/gobwas/ws/wsutil"
	"github.com/redis/go-redis/v9"

	"github.com/sioloop/sioloop/internal/contract"
	"github.com/sioloop/sioloop/internal/redistest"
	"github.com/sioloop/sioloop/internal/testserver"
	"github.com/sioloop/sioloop/internal/testwait"
)

// client is a minimal raw Socket.IO client over WebSocket.
type client struct {
	t   *testing.T
	c   net.Conn
	rw  io.ReadWriter
	sid string // the socket id in "/"
}

func dial(t *testing.T, addr string) *client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testwait.Timeout)
	defer cancel()
	c, br, _, err := ws.Dial(ctx, "ws://"+addr+"/socket.io/?EIO=4&transport=websocket")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	cl := &client{t: t, c: c, rw: c}
	if br != nil {
		cl.rw = struct {
			io.Reader
			io.Writer
		}{io.MultiReader(br, c), c}
	}
	if open := cl.read(); !strings.HasPrefix(open, "0{") {
		t.Fatalf("open packet %q", open)
	}
	cl.send("40")
	got := cl.read()
	if !strings.HasPrefix(got, `40{"sid":"`) {
		t.Fatalf("CONNECT answer %q", got)
	}
	cl.sid = strings.TrimSuffix(strings.TrimPrefix(got, `40{"sid":"`), `"}`)
	return cl
}

func (cl *client) send(p string) {
	cl.t.Helper()
	if err := wsutil.WriteClientText(cl.rw, []byte(p)); err != nil {
		cl.t.Fatal(err)
	}
}

// read returns the next message that is not a ping (answering pings).
func (cl *client) read() string {
	cl.t.Helper()
	_ = cl.c.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		b, _, err := wsutil.ReadServerData(cl.rw)
		if err != nil {
			cl.t.Fatalf("read: %v", err)
		}
		if string(b) != "2" {
			return string(b)
		}
		cl.send("3")
	}
}

func (cl *client) expect(want string) {
	cl.t.Helper()
	if got := cl.read(); got != want {
		cl.t.Fatalf("got %q, want %q", got, want)
	}
}

func TestContract(t *testing.T) {
	addr := testserver.Start(t, contract.NewServer(2, nil))
	a, b := dial(t, addr), dial(t, addr)

	// echo: the ack carries the same arguments.
	a.send(`420["echo","x"]`)
	a.expect(`430["x"]`)
	a.send(`427["echo",{"n":1},[2,"three"],null]`)
	a.expect(`437[{"n":1},[2,"three"],null]`)

	// join: the ack carries the room.
	a.send(`421["join","r1"]`)
	a.expect(`431["r1"]`)

	// broadcast_room reaches the room's members only: b, not in r1, sees
	// the broadcast to everyone that follows it first.
	b.send(`42["broadcast_room","r1",{"v":"room"}]`)
	a.expect(`42["broadcast",{"v":"room"}]`)
	b.send(`42["broadcast","all"]`)
	a.expect(`42["broadcast","all"]`)
	b.expect(`42["broadcast","all"]`) // the sender included
}

// In a cluster (REDIS_URL), "fetch" lists every node's sockets and "sse"
// acks the other nodes' answers: a two-node cluster on a real Redis, with
// the classic adapter and with the sharded one (REDIS_SHARDED=1).
func TestContractInCluster(t *testing.T) {
	t.Run("classic", func(t *testing.T) { testContractInCluster(t, false) })
	t.Run("sharded", func(t *testing.T) { testContractInCluster(t, true) })
}

func testContractInCluster(t *testing.T, sharded bool) {
	redisAddr := redistest.Start(t)
	var addrs []string
	for range 2 {
		rdb := redis.NewClient(&redis.Options{Addr: redisAddr})
		t.Cleanup(func() { _ = rdb.Close() })
		cluster := joinCluster(rdb, sharded)
		t.Cleanup(func() { _ = cluster.Close() })
		addrs = append(addrs, testserver.Start(t, contract.NewServer(2, cluster.Adapter)))
	}
	rdb := redis.NewClient(&redis.Options{Addr: redisAddr})
	defer rdb.Close()
	// The nodes of a namespace: subscribers of its request channel
	// (classic) or of its channel (sharded).
	ch, numSub := "socket.io-request#/#", rdb.PubSubNumSub
	if sharded {
		ch, numSub = "socket.io#/#", rdb.PubSubShardNumSub
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		m, err := numSub(context.Background(), ch).Result()
		if err == nil && m[ch] == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the two nodes have not subscribed after 10s: %v %v", m, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	a, b := dial(t, addrs[0]), dial(t, addrs[1])

	a.send(`421["fetch"]`)
	got := a.read()
	if !strings.HasPrefix(got, "431") {
		t.Fatalf("fetch: got %q", got)
	}
	var socks [][]struct {
		ID    string   `json:"id"`
		Rooms []string `json:"rooms"`
	}
	if err := json.Unmarshal([]byte(got[3:]), &socks); err != nil || len(socks) != 1 || len(socks[0]) != 2 {
		t.Fatalf("fetch: got %q (%v)", got, err)
	}
	ids := map[string]bool{}
	for _, s := range socks[0] {
		if !slices.Contains(s.Rooms, s.ID) {
			t.Errorf("fetch: rooms of %s lack its id: %v", s.ID, s.Rooms)
		}
		ids[s.ID] = true
	}
	if !ids[a.sid] || !ids[b.sid] {
		t.Fatalf("fetch: got %q, want %s and %s", got, a.sid, b.sid)
	}

	a.send(`422["sse",{"x":[1,"two"]}]`)
	a.expect(`432[[{"x":[1,"two"]}]]`)
	b.send(`423["sse",7]`)
	b.expect(`433[[7]]`)
}
