package redisadapter_test

import (
	"slices"
	"testing"
	"time"

	"github.com/sioloop/sioloop/internal/redistest"
	"github.com/sioloop/sioloop/redisadapter"
)

// The sharded adapter's mixed cluster: one official Node server with
// createShardedAdapter and two sioloop nodes on Redis 7's sharded pub/sub,
// official clients on each. In the default mode, dynamic, every crossing
// of the classic tests (broadcasts, to/except rooms, socket-id rooms and
// every request) is checked both ways; the other two modes route
// broadcasts to one room differently, so their broadcasts are checked.
func TestShardedMixedCluster(t *testing.T) {
	for _, c := range []struct {
		name      string
		mode      redisadapter.SubscriptionMode
		scenarios []string
	}{
		{"dynamic", redisadapter.SubscriptionDynamic, []string{"broadcast", "requests"}},
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
	waitFor(t, "go1 to hear go2", func() bool { return slices.Contains(g1.cluster.Members(), g2.cluster.UID()) })
	if err := g2.cluster.Close(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "go1 to forget go2", func() bool { return !slices.Contains(g1.cluster.Members(), g2.cluster.UID()) })
}

// waitFor waits up to 1s, well under the tests' HeartbeatTimeout, for
// cond.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited 1s for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
