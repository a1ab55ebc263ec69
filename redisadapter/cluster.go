package redisadapter

import (
	"context"
	"crypto/rand"
	"errors"
	"log/slog"
	"net"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/sioloop/sioloop/eio"

	"github.com/sioloop/sioloop/sio"
)

// Options configures a Cluster. Its zero value means the defaults of
// @socket.io/redis-adapter 8.3's createAdapter (New) or
// createShardedAdapter (NewSharded).
type Options struct {
	// Key prefixes every channel (the sharded adapter's channelPrefix).
	// Zero means "socket.io".
	Key string
	// RequestsTimeout bounds every cluster request (FetchSockets,
	// ServerSideEmit with an ack, Sockets, AllRooms) and how long the
	// answers to a broadcast with an ack and no Timeout are awaited.
	// Zero means 5s.
	RequestsTimeout time.Duration
	// PublishOnSpecificResponseChannel makes this node answer a request on
	// the requesting node's own response channel instead of the shared one
	// (the option of the same name). Off by default. Classic variant only:
	// the sharded one always answers on the requester's channel.
	PublishOnSpecificResponseChannel bool
	// SubscriptionMode is the sharded variant's subscriptionMode: which
	// broadcasts to one room travel on a channel of their own. Zero means
	// SubscriptionDynamic, as createShardedAdapter. Ignored by the classic
	// variant.
	SubscriptionMode SubscriptionMode
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
// sio.Options.Adapter. New joins a cluster of the classic variant,
// NewSharded one of the sharded variant.
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
	wire wire // the variant's wire format

	ctx    context.Context
	cancel context.CancelFunc
	done   sync.WaitGroup
	out    chan outMsg

	mu       sync.Mutex
	adapters []*Adapter           // every namespace's
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

// New joins the cluster of the classic variant (createAdapter) that rdb
// reaches: it opens the subscriber connection and starts the reader and
// the publisher. Close leaves.
func New(rdb redis.UniversalClient, opts *Options) *Cluster {
	return join(rdb, opts, func(c *Cluster) wire { return classic{c} })
}

// NewSharded joins the cluster of the sharded variant
// (createShardedAdapter, Redis 7's sharded pub/sub) that rdb reaches, as
// New does.
func NewSharded(rdb redis.UniversalClient, opts *Options) *Cluster {
	return join(rdb, opts, newSharded)
}

func join(rdb redis.UniversalClient, opts *Options, variant func(*Cluster) wire) *Cluster {
	o := opts.withDefaults()
	ctx, cancel := context.WithCancel(context.Background())
	c := &Cluster{
		rdb: rdb, opts: o, uid: newUID(), ctx: ctx, cancel: cancel,
		out:      make(chan outMsg, o.PublishQueue),
		channels: map[string]*Adapter{},
		pending:  map[string]*pending{},
		members:  map[string]time.Time{},
	}
	c.wire = variant(c)
	c.ps = c.wire.open()
	c.done.Add(3)
	go c.read()
	go c.publish()
	go c.count()
	return c
}

// wire is what differs between the two variants: channels, commands and
// encodings. The protocol above it — the Adapter's operations, requests
// and their answers, membership — is one for both: a variant decodes a
// message into a broadcast, a request or a response and hands it to the
// Adapter or the Cluster, and encodes what they send.
type wire interface {
	// open opens the subscriber connection.
	open() *redis.PubSub
	// subscribe sets up a new namespace's adapter for the variant (its
	// channels; the sharded dynamic modes watch its rooms), registers its
	// channels in c.channels and subscribes to them.
	subscribe(a *Adapter)
	// receive handles a message of a's channels. Runs on the reader.
	receive(a *Adapter, msg *redis.Message)
	// publish queues the command that publishes payload on channel.
	publish(ctx context.Context, pipe redis.Pipeliner, channel string, payload []byte)
	// serverCount counts the nodes (this one among them) of a's namespace.
	serverCount(ctx context.Context, a *Adapter) (int, error)
	// heartbeat tells the other sioloop nodes that this one is alive.
	heartbeat(as []*Adapter)
	// leave tells them that it leaves (Close).
	leave(as []*Adapter)
	// broadcast encodes a broadcast without ack and picks its channel.
	broadcast(a *Adapter, pkt *sio.BroadcastPacket, opts *sio.BroadcastOptions) (channel string, payload []byte, err error)
	// request encodes a request (req.UID set) and picks its channel.
	request(a *Adapter, req *request) (channel string, payload []byte, err error)
	// response encodes the answer resp to r and picks its channel.
	response(a *Adapter, r *request, resp *response) (channel string, payload []byte, err error)
	// roomRequests reports whether the variant has SOCKETS and ALL_ROOMS
	// requests (else Sockets and AllRooms ask for REMOTE_FETCH).
	roomRequests() bool
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
	as := slices.Clone(c.adapters)
	c.mu.Unlock()
	c.wire.leave(as) // after the publisher stopped: nothing follows it
	return err
}

// Adapter returns nsp's adapter, subscribed to the namespace's channels.
// It is the function for sio.Options.Adapter.
func (c *Cluster) Adapter(nsp *sio.Namespace) sio.Adapter {
	a := newAdapter(c, nsp)
	c.mu.Lock()
	c.adapters = append(c.adapters, a)
	c.mu.Unlock()
	c.wire.subscribe(a)
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
		if a != nil {
			c.wire.receive(a, msg)
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
		c.wire.publish(c.ctx, pipe, m.channel, m.payload)
	more:
		for n := 1; n < batch; n++ {
			select {
			case m = <-c.out:
				c.wire.publish(c.ctx, pipe, m.channel, m.payload)
			default:
				break more
			}
		}
		if _, err := pipe.Exec(c.ctx); err != nil && c.ctx.Err() == nil {
			c.opts.Logger.Error("redisadapter: publish", "err", err)
		}
	}
}

// serverCount returns how many nodes (this one among them) serve a's
// namespace, as the official adapter counts them (PUBSUB NUMSUB or
// SHARDNUMSUB), and keeps the count of the others for a.Shards.
func (c *Cluster) serverCount(ctx context.Context, a *Adapter) (int, error) {
	n, err := c.wire.serverCount(ctx, a)
	if err != nil {
		return 0, err
	}
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
		c.mu.Lock()
		as := slices.Clone(c.adapters)
		c.mu.Unlock()
		if time.Since(beat) >= c.opts.HeartbeatInterval {
			beat = time.Now()
			c.wire.heartbeat(as)
		}
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

// heartbeatChannel is where sioloop nodes of the classic variant publish
// their uid, every HeartbeatInterval: a channel of sioloop's, which Node
// nodes ignore.
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

// forget drops the node uid from the members: it left.
func (c *Cluster) forget(uid string) {
	c.mu.Lock()
	delete(c.members, uid)
	c.mu.Unlock()
}

// member reports whether uid is a sioloop node heard from.
func (c *Cluster) member(uid string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, ok := c.members[uid]
	return ok
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
