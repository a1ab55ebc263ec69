package redisadapter

import (
	"context"
	"crypto/rand"
	"errors"
	"log/slog"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/sioloop/sioloop/eio"

	"github.com/sioloop/sioloop/sio"
)

// Options configures a Cluster. Its zero value means the defaults of
// @socket.io/redis-adapter 8.3's createAdapter.
type Options struct {
	// Key prefixes every channel. Zero means "socket.io".
	Key string
	// RequestsTimeout bounds every cluster request (FetchSockets,
	// ServerSideEmit with an ack, Sockets, AllRooms) and how long the
	// answers to a broadcast with an ack and no Timeout are awaited.
	// Zero means 5s.
	RequestsTimeout time.Duration
	// PublishOnSpecificResponseChannel makes this node answer a request on
	// the requesting node's own response channel instead of the shared one
	// (the option of the same name). Off by default.
	PublishOnSpecificResponseChannel bool
	// PublishQueue bounds the messages waiting to be published. When it is
	// full a broadcast's message to the other nodes is dropped (counted by
	// Dropped, logged) rather than blocking an event loop. Zero means 8192.
	PublishQueue int
	// HeartbeatInterval is how often this node tells the other sioloop
	// nodes it is alive (official Node nodes send no heartbeat). Zero
	// means 5s.
	HeartbeatInterval time.Duration
	// HeartbeatTimeout is how long a sioloop node may stay silent before
	// requests stop waiting for it. Zero means 10s.
	HeartbeatTimeout time.Duration
	// Logger receives the adapter's errors. Nil means slog.Default().
	Logger *slog.Logger
}

func (o *Options) withDefaults() Options {
	c := Options{}
	if o != nil {
		c = *o
	}
	if c.Key == "" {
		c.Key = "socket.io"
	}
	if c.RequestsTimeout <= 0 {
		c.RequestsTimeout = 5 * time.Second
	}
	if c.PublishQueue <= 0 {
		c.PublishQueue = 8192
	}
	if c.HeartbeatInterval <= 0 {
		c.HeartbeatInterval = 5 * time.Second
	}
	if c.HeartbeatTimeout <= 0 {
		c.HeartbeatTimeout = 10 * time.Second
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return c
}

// ErrClosed is returned by the requests of a closed Cluster.
var ErrClosed = errors.New("redisadapter: cluster closed")

// Cluster is this node's membership of a Redis cluster of Socket.IO
// servers: one subscriber connection for every namespace, one publisher
// goroutine, and the node's uid. Hand its Adapter method to
// sio.Options.Adapter.
//
// Ownership: the reader goroutine receives every message and runs the
// remote side of the protocol (broadcasts, requests, answers); the
// publisher goroutine owns the outgoing queue, FIFO for all namespaces.
// The namespace table and the pending requests are guarded by mutexes,
// never taken on an event loop's per-packet path.
type Cluster struct {
	rdb  redis.UniversalClient
	opts Options
	uid  string
	ps   *redis.PubSub

	ctx    context.Context
	cancel context.CancelFunc
	done   sync.WaitGroup
	out    chan outMsg

	mu       sync.Mutex
	channels map[string]*Adapter  // every subscribed channel and pattern → its namespace
	pending  map[string]*pending  // this node's requests awaiting answers
	members  map[string]time.Time // sioloop nodes by uid: when last heard of

	dropped atomic.Int64
	peers   atomic.Pointer[[eio.MaxNodes]net.Addr] // the forwarding directory, by node id (peers.go)
}

// outMsg is a message waiting to be published.
type outMsg struct {
	channel string
	payload []byte
}

// New joins the cluster that rdb reaches: it opens the subscriber
// connection and starts the reader and the publisher. Close leaves.
func New(rdb redis.UniversalClient, opts *Options) *Cluster {
	o := opts.withDefaults()
	ctx, cancel := context.WithCancel(context.Background())
	c := &Cluster{
		rdb: rdb, opts: o, uid: newUID(), ctx: ctx, cancel: cancel,
		out:      make(chan outMsg, o.PublishQueue),
		channels: map[string]*Adapter{},
		pending:  map[string]*pending{},
		members:  map[string]time.Time{},
	}
	c.ps = rdb.Subscribe(ctx, c.heartbeatChannel())
	c.done.Add(3)
	go c.read()
	go c.publish()
	go c.count()
	return c
}

// UID returns the node's id on the wire.
func (c *Cluster) UID() string { return c.uid }

// Dropped returns how many messages were dropped because the publish
// queue was full.
func (c *Cluster) Dropped() int64 { return c.dropped.Load() }

// Close leaves the cluster: pending requests fail with ErrClosed and the
// goroutines stop. The Redis client stays open (it is the caller's).
func (c *Cluster) Close() error {
	c.cancel()
	err := c.ps.Close()
	c.done.Wait()
	c.mu.Lock()
	clear(c.pending) // blocked requesters see c.ctx done
	c.mu.Unlock()
	return err
}

// Adapter returns nsp's adapter, subscribed to the namespace's channels.
// It is the function for sio.Options.Adapter.
func (c *Cluster) Adapter(nsp *sio.Namespace) sio.Adapter {
	a := newAdapter(c, nsp)
	c.mu.Lock()
	c.channels[a.channel+"*"] = a
	c.channels[a.requestChannel] = a
	c.channels[a.responseChannel] = a
	c.channels[a.specificResponseChannel] = a
	c.mu.Unlock()
	if err := c.ps.PSubscribe(c.ctx, a.channel+"*"); err != nil {
		c.opts.Logger.Error("redisadapter: psubscribe", "channel", a.channel+"*", "err", err)
	}
	if err := c.ps.Subscribe(c.ctx, a.requestChannel, a.responseChannel, a.specificResponseChannel); err != nil {
		c.opts.Logger.Error("redisadapter: subscribe", "namespace", nsp.Name(), "err", err)
	}
	return a
}

// read receives every message and hands it to its namespace. Runs on the
// reader goroutine.
func (c *Cluster) read() {
	defer c.done.Done()
	for {
		msg, err := c.ps.ReceiveMessage(c.ctx)
		if err != nil {
			if c.ctx.Err() != nil || errors.Is(err, redis.ErrClosed) {
				return
			}
			c.opts.Logger.Warn("redisadapter: receive", "err", err)
			select {
			case <-c.ctx.Done():
				return
			case <-time.After(100 * time.Millisecond):
			}
			continue
		}
		if msg.Channel == c.heartbeatChannel() {
			c.heard(msg.Payload)
			continue
		}
		key := msg.Channel
		if msg.Pattern != "" {
			key = msg.Pattern
		}
		c.mu.Lock()
		a := c.channels[key]
		c.mu.Unlock()
		if a == nil {
			continue
		}
		payload := []byte(msg.Payload)
		switch {
		case msg.Pattern != "":
			a.onBroadcast(msg.Channel, payload)
		case strings.HasPrefix(msg.Channel, a.responseChannel):
			c.onResponse(payload)
		default:
			a.onRequest(payload)
		}
	}
}

// send queues a message for the publisher; when the queue is full it is
// dropped and counted.
func (c *Cluster) send(channel string, payload []byte) {
	select {
	case c.out <- outMsg{channel, payload}:
	default:
		if c.dropped.Add(1) == 1 {
			c.opts.Logger.Error("redisadapter: publish queue full, dropping messages", "channel", channel)
		}
	}
}

// publish publishes the queued messages in order, pipelining those that
// are queued together. Runs on the publisher goroutine.
func (c *Cluster) publish() {
	defer c.done.Done()
	const batch = 256
	for {
		var m outMsg
		select {
		case <-c.ctx.Done():
			return
		case m = <-c.out:
		}
		pipe := c.rdb.Pipeline()
		pipe.Publish(c.ctx, m.channel, m.payload)
	more:
		for n := 1; n < batch; n++ {
			select {
			case m = <-c.out:
				pipe.Publish(c.ctx, m.channel, m.payload)
			default:
				break more
			}
		}
		if _, err := pipe.Exec(c.ctx); err != nil && c.ctx.Err() == nil {
			c.opts.Logger.Error("redisadapter: publish", "err", err)
		}
	}
}

// serverCount returns how many nodes (this one among them) subscribe to
// a's request channel, as the official adapter counts them (PUBSUB
// NUMSUB), and keeps the count of the others for a.Shards.
func (c *Cluster) serverCount(ctx context.Context, a *Adapter) (int, error) {
	m, err := c.rdb.PubSubNumSub(ctx, a.requestChannel).Result()
	if err != nil {
		return 0, err
	}
	n := int(m[a.requestChannel])
	a.remote.Store(int64(max(n-1, 0)))
	return n, nil
}

// countInterval is how often the nodes of each namespace are counted.
const countInterval = time.Second

// count keeps every namespace's count of nodes fresh for broadcasts with
// acks, which must not wait for Redis, and sends this node's heartbeat.
// Runs on its own goroutine.
func (c *Cluster) count() {
	defer c.done.Done()
	t := time.NewTicker(min(countInterval, c.opts.HeartbeatInterval))
	defer t.Stop()
	var beat time.Time
	for {
		if time.Since(beat) >= c.opts.HeartbeatInterval {
			beat = time.Now()
			c.send(c.heartbeatChannel(), []byte(c.uid))
		}
		c.mu.Lock()
		var as []*Adapter
		for ch, a := range c.channels {
			if ch == a.requestChannel {
				as = append(as, a)
			}
		}
		c.mu.Unlock()
		for _, a := range as {
			_, _ = c.serverCount(c.ctx, a)
		}
		select {
		case <-c.ctx.Done():
			return
		case <-t.C:
		}
	}
}

// heartbeatChannel is where sioloop nodes publish their uid, every
// HeartbeatInterval: a channel of sioloop's, which Node nodes ignore.
func (c *Cluster) heartbeatChannel() string { return c.opts.Key + "-heartbeat#" }

// heard records that the node uid is alive.
func (c *Cluster) heard(uid string) {
	if uid == "" || uid == c.uid {
		return
	}
	c.mu.Lock()
	c.members[uid] = time.Now()
	c.mu.Unlock()
}

// Members returns the uids of the other sioloop nodes heard from within
// HeartbeatTimeout.
func (c *Cluster) Members() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for uid, t := range c.members {
		if time.Since(t) <= c.opts.HeartbeatTimeout {
			out = append(out, uid)
		}
	}
	return out
}

// silent returns the sioloop nodes not in answered, split into those
// alive and those whose heartbeat stopped.
func (c *Cluster) silent(answered map[string]bool) (alive, stale []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for uid, t := range c.members {
		if answered[uid] {
			continue
		}
		if time.Since(t) <= c.opts.HeartbeatTimeout {
			alive = append(alive, uid)
		} else {
			stale = append(stale, uid)
		}
	}
	return alive, stale
}

// newUID returns a random id of 6 bytes in hex, like uid2(6).
func newUID() string {
	const hex = "0123456789abcdef"
	var b [6]byte
	_, _ = rand.Read(b[:])
	out := make([]byte, 12)
	for i, v := range b {
		out[2*i], out[2*i+1] = hex[v>>4], hex[v&15]
	}
	return string(out)
}
