package redisadapter

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/sioloop/sioloop/eio"
)

// No sticky sessions: Redis is the directory of the nodes that forward
// each other's requests (loop.Options.Peers). A node that Announces
// itself claims a node id — the key <key>-node#<id>, set if absent, its
// value "<uid> <address>", expiring after HeartbeatTimeout and renewed
// every heartbeat by its holder only — and reads every node's key once a
// second into a table the event loops read without a lock (PeerAddr).
// The forwarding itself goes from node to node directly (package loop);
// Redis carries none of it.

// nodeKey returns the key of node id.
func (c *Cluster) nodeKey(id int) string { return c.opts.Key + "-node#" + strconv.Itoa(id) }

// renewScript extends a node key's lease if this node still holds it.
var renewScript = redis.NewScript(`if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("pexpire", KEYS[1], ARGV[2]) end return 0`)

// releaseScript deletes a node key if this node still holds it.
var releaseScript = redis.NewScript(`if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) end return 0`)

// ErrNoNodeID is returned by Announce when every node id is held.
var ErrNoNodeID = errors.New("redisadapter: announce: every node id is held")

// Announce makes this node a member of the cluster's forwarding: it
// claims a node id no live node holds (1 to eio.MaxNodes-1) and tells
// the others that the node's server is reached at addr ("host:port", the
// address of its loop.Server as the other nodes see it). Pass the id to
// eio.Options.NodeID (sio.Options.Engine.NodeID) and the Cluster to
// loop.Options.Peers; call it once, before the server serves. The claim
// lasts until Close, renewed every HeartbeatInterval; a node that stops
// renewing it loses it after HeartbeatTimeout.
func (c *Cluster) Announce(ctx context.Context, addr string) (int, error) {
	if _, _, err := net.SplitHostPort(addr); err != nil {
		return 0, fmt.Errorf("redisadapter: announce: %w", err)
	}
	value := c.uid + " " + addr
	start := rand.IntN(eio.MaxNodes - 1)
	for i := range eio.MaxNodes - 1 {
		id := 1 + (start+i)%(eio.MaxNodes-1)
		ok, err := c.rdb.SetNX(ctx, c.nodeKey(id), value, c.opts.HeartbeatTimeout).Result()
		if err != nil {
			return 0, fmt.Errorf("redisadapter: announce: %w", err)
		}
		if ok {
			c.refreshPeers(ctx)
			c.done.Add(1)
			go c.holdNodeID(id, value)
			return id, nil
		}
	}
	return 0, ErrNoNodeID
}

// holdNodeID renews the claim on id and refreshes the directory until the
// cluster closes, then releases id. Runs on its own goroutine.
func (c *Cluster) holdNodeID(id int, value string) {
	defer c.done.Done()
	t := time.NewTicker(min(time.Second, c.opts.HeartbeatInterval))
	defer t.Stop()
	key := c.nodeKey(id)
	var renewed time.Time
	for {
		select {
		case <-c.ctx.Done():
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			_ = releaseScript.Run(ctx, c.rdb, []string{key}, value).Err()
			cancel()
			return
		case <-t.C:
		}
		if time.Since(renewed) >= c.opts.HeartbeatInterval {
			n, err := renewScript.Run(c.ctx, c.rdb, []string{key}, value, c.opts.HeartbeatTimeout.Milliseconds()).Int()
			switch {
			case err != nil:
				c.opts.Logger.Warn("redisadapter: renew node id", "id", id, "err", err)
			case n == 0:
				// Lost (Redis was out of reach longer than the lease): take
				// it back if it is still free.
				if ok, _ := c.rdb.SetNX(c.ctx, key, value, c.opts.HeartbeatTimeout).Result(); !ok {
					c.opts.Logger.Error("redisadapter: node id taken by another node; its sessions' requests go there", "id", id)
				}
			default:
				renewed = time.Now()
			}
		}
		c.refreshPeers(c.ctx)
	}
}

// refreshPeers reads every node key into the directory.
func (c *Cluster) refreshPeers(ctx context.Context) {
	keys := make([]string, eio.MaxNodes-1)
	for i := range keys {
		keys[i] = c.nodeKey(i + 1)
	}
	vals, err := c.rdb.MGet(ctx, keys...).Result()
	if err != nil {
		if c.ctx.Err() == nil {
			c.opts.Logger.Warn("redisadapter: read the node directory", "err", err)
		}
		return
	}
	var table [eio.MaxNodes]net.Addr
	old := c.peers.Load()
	for i, v := range vals {
		s, ok := v.(string)
		if !ok {
			continue
		}
		_, addr, ok := strings.Cut(s, " ")
		if !ok {
			continue
		}
		if old != nil && old[i+1] != nil && old[i+1].String() == addr {
			table[i+1] = old[i+1]
			continue
		}
		if a, err := net.ResolveTCPAddr("tcp", addr); err == nil {
			table[i+1] = a
		}
	}
	c.peers.Store(&table)
}

// PeerAddr returns where the server of node id listens, as it announced
// it, or nil when no live node holds id (as last read, within a second).
// It implements loop.Peers: safe from any goroutine, it never blocks.
func (c *Cluster) PeerAddr(id int) net.Addr {
	t := c.peers.Load()
	if t == nil || id <= 0 || id >= eio.MaxNodes {
		return nil
	}
	return t[id]
}
