package redisadapter_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gobwas/ws"
	"github.com/gobwas/ws/wsutil"
	"github.com/redis/go-redis/v9"

	"github.com/sioloop/sioloop/internal/redistest"
	"github.com/sioloop/sioloop/internal/testwait"
	"github.com/sioloop/sioloop/redisadapter"
)

// The sharded adapter's mixed cluster: one official Node server with
// createShardedAdapter and two sioloop nodes on Redis 7's sharded pub/sub,
// official clients on each. In the default mode, dynamic, every crossing
// of the classic tests (broadcasts, to/except rooms, socket-id rooms and
// every request) is checked both ways, with binary values in requests and
// answers (MessagePack messages) too; the other two modes route
// broadcasts to one room differently, so their broadcasts are checked.
func TestShardedMixedCluster(t *testing.T) {
	for _, c := range []struct {
		name      string
		mode      redisadapter.SubscriptionMode
		scenarios []string
	}{
		{"dynamic", redisadapter.SubscriptionDynamic, []string{"broadcast", "requests", "binary"}},
		{"static", redisadapter.SubscriptionStatic, []string{"broadcast"}},
		{"dynamic-private", redisadapter.SubscriptionDynamicPrivate, []string{"broadcast"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			v := variant{sharded: true, mode: c.mode}
			addr, urls, _ := mixedClusterOf(t, v)
			for _, sc := range c.scenarios {
				runClientsOf(t, sc, urls, addr, v)
			}
		})
	}
}

// Membership works alike in the sharded variant: its heartbeats are
// ClusterAdapter HEARTBEAT messages on the namespace's channel.
func TestShardedRequestsWaitOnlyForLiveNodes(t *testing.T) {
	testRequestsWaitOnlyForLiveNodes(t, variant{sharded: true})
}

// A sioloop node that closes says so (ADAPTER_CLOSE): the others stop
// counting it among the members at once, not after HeartbeatTimeout.
func TestShardedCloseLeavesAtOnce(t *testing.T) {
	addr := redistest.Start(t)
	v := variant{sharded: true}
	g1 := startGoNodeOf(t, addr, "go1", v)
	g2 := startGoNodeOf(t, addr, "go2", v)
	waitMembersOf(t, addr, 2, v)
	testwait.Until(t, testwait.Timeout, "go1 to hear go2", func() bool { return slices.Contains(g1.cluster.Members(), g2.cluster.UID()) })
	if err := g2.cluster.Close(); err != nil {
		t.Fatal(err)
	}
	// Within 1s, well under the tests' HeartbeatTimeout (3s).
	testwait.Until(t, time.Second, "go1 to forget go2", func() bool { return !slices.Contains(g1.cluster.Members(), g2.cluster.UID()) })
}

// In the dynamic modes a node holds a room's channel exactly while the
// room has a member on it: subscribed when the room appears (on any
// loop), unsubscribed when its last member leaves; with dynamic-private,
// a socket's own-id room too, from connect to disconnect.
func TestShardedRoomChannelsFollowRooms(t *testing.T) {
	addr := redistest.Start(t)
	rdb := redis.NewClient(&redis.Options{Addr: addr})
	t.Cleanup(func() { _ = rdb.Close() })
	subscribers := func(room string) int64 {
		ch := "socket.io#/#" + room + "#"
		m, err := rdb.PubSubShardNumSub(context.Background(), ch).Result()
		if err != nil {
			t.Fatal(err)
		}
		return m[ch]
	}
	for _, mode := range []redisadapter.SubscriptionMode{redisadapter.SubscriptionDynamic, redisadapter.SubscriptionDynamicPrivate} {
		v := variant{sharded: true, mode: mode}
		t.Run(v.nodeMode(), func(t *testing.T) {
			g := startGoNodeOf(t, addr, "go1", v)
			waitMembersOf(t, addr, 1, v)
			conn, sid := dialRaw(t, g.url)
			want := func(room string, n int64) {
				t.Helper()
				testwait.Until(t, testwait.Timeout, fmt.Sprintf("%d subscribers of room %s", n, room), func() bool { return subscribers(room) == n })
			}
			own := int64(0)
			if mode == redisadapter.SubscriptionDynamicPrivate {
				own = 1
			}
			want(sid, own)
			g.io.In(sid).SocketsJoin("x")
			want("x", 1)
			g.io.In(sid).SocketsLeave("x")
			want("x", 0)
			g.io.In(sid).SocketsJoin("y")
			want("y", 1)
			_ = conn.Close()
			want("y", 0)
			want(sid, 0)
		})
	}
}

// dialRaw connects a raw WebSocket client to the main namespace of the
// server at url and returns its connection and socket id.
func dialRaw(t *testing.T, url string) (net.Conn, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testwait.Timeout)
	defer cancel()
	c, br, _, err := ws.Dial(ctx, "ws"+strings.TrimPrefix(url, "http")+"/socket.io/?EIO=4&transport=websocket")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	var r io.ReadWriter = c
	if br != nil { // the server's first frames, read with the handshake
		r = struct {
			io.Reader
			io.Writer
		}{io.MultiReader(br, c), c}
	}
	_ = c.SetDeadline(time.Now().Add(testwait.Timeout))
	if b, err := wsutil.ReadServerText(r); err != nil || !strings.HasPrefix(string(b), "0{") {
		t.Fatalf("open packet %q: %v", b, err)
	}
	if err := wsutil.WriteClientText(c, []byte("40")); err != nil {
		t.Fatal(err)
	}
	b, err := wsutil.ReadServerText(r)
	if err != nil || !strings.HasPrefix(string(b), `40{"sid":"`) {
		t.Fatalf("CONNECT answer %q: %v", b, err)
	}
	return c, strings.TrimSuffix(strings.TrimPrefix(string(b), `40{"sid":"`), `"}`)
}
