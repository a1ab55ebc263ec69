package main

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// connectTimeout bounds one connection's whole handshake: TCP, the
// WebSocket upgrade or polling handshake, and the Socket.IO CONNECT.
const connectTimeout = 10 * time.Second

// client is one Socket.IO connection to namespace cfg.nsp, over either
// transport. It answers Engine.IO pings by itself.
//
// Ownership: connect, nextSIO and awaitAck run on the connection's own
// goroutine; the emit methods are safe from any goroutine.
type client struct {
	t      transport
	idx    int    // spreads histogram shards
	prefix string // nspPrefix(cfg.nsp)
	nsp    string

	pingInterval int64 // ms, from the open packet

	// Write state: wmu guards wbuf and pkt.
	wmu  sync.Mutex
	wbuf []byte
	pkt  []byte

	// Ack state: amu guards acks (the reader pops, writers push).
	amu  sync.Mutex
	acks ackRing

	dead atomic.Bool // the reader has ended

	// Fanout state: the last broadcast's stamp (the reader's own) and how
	// many came (read by snapshots).
	lastStamp int64
	got       atomic.Int64
}

var pongPacket = []byte{eioPong}

func newClient(cfg *config, d *dialer, idx int) *client {
	return &client{t: newTransport(cfg, d), idx: idx, nsp: cfg.nsp, prefix: nspPrefix(cfg.nsp)}
}

// connect opens the transport, joins the namespace and returns the time
// from the TCP connect to the Socket.IO CONNECT answer. Runs on the
// connection's goroutine.
func (c *client) connect(ctx context.Context) (time.Duration, error) {
	start := time.Now()
	deadline := start.Add(connectTimeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	c.acks.reset()
	c.dead.Store(false)
	open, err := c.t.open(ctx, deadline)
	if err != nil {
		return 0, err
	}
	info, ok := parseOpen(open)
	if !ok {
		return 0, fmt.Errorf("%w: %.60q", errBadHandshk, open)
	}
	c.pingInterval = info.PingInterval
	c.t.setDeadline(deadline)
	if err := c.send(connectPacket(c.nsp)); err != nil {
		return 0, fmt.Errorf("CONNECT: %w", err)
	}
	for {
		p, err := c.nextSIO()
		if err != nil {
			return 0, fmt.Errorf("CONNECT answer: %w", err)
		}
		pk, ok := parseSIO(p)
		if !ok || !sameNsp(pk.nsp, c.nsp) {
			continue
		}
		switch pk.typ {
		case sioConnect:
			c.t.setDeadline(time.Time{})
			return time.Since(start), nil
		case sioConnectError:
			return 0, fmt.Errorf("%w: %.80s", errConnectFail, pk.data)
		}
	}
}

// nextSIO returns the next Socket.IO packet (an Engine.IO message without
// its '4'), answering pings and skipping noops. Runs on the connection's
// goroutine; the bytes are valid until the next call.
func (c *client) nextSIO() ([]byte, error) {
	for {
		p, err := c.t.next()
		if err != nil {
			return nil, err
		}
		switch p[0] {
		case eioMessage:
			return p[1:], nil
		case eioPing:
			// "2" → "3" (a "2probe" only comes during an upgrade, which
			// this client never starts).
			if err := c.send(pongPacket); err != nil {
				return nil, err
			}
		case eioClose:
			return nil, errClosed
		}
	}
}

// send writes one Engine.IO packet. Safe from any goroutine.
func (c *client) send(p []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.wbuf = c.t.appendPacket(c.wbuf[:0], p)
	return c.t.write(c.wbuf)
}

// errBacklog is an emit refused because too many are unanswered on the
// connection.
var errBacklog = errors.New("sio-bench: too many unanswered emits on one connection")

// emitAcked writes n events with body (`["name",args...]`), each asking
// an ack, in one write; sched is the send time recorded for each (ns on
// the monotonic clock, see now). It returns how many were written. Safe
// from any goroutine.
func (c *client) emitAcked(n int, body []byte, sched int64) (int, error) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.wbuf = c.wbuf[:0]
	sent := 0
	var err error
	for ; sent < n; sent++ {
		c.amu.Lock()
		id, ok := c.acks.push(sched)
		c.amu.Unlock()
		if !ok {
			err = errBacklog
			break
		}
		c.pkt = appendEvent(c.pkt[:0], c.prefix, int64(id), body)
		c.wbuf = c.t.appendPacket(c.wbuf, c.pkt)
	}
	if sent == 0 {
		return 0, err
	}
	if werr := c.t.write(c.wbuf); werr != nil {
		return 0, werr
	}
	return sent, err
}

// emitBroadcasts writes n fanout broadcasts (no ack) in one write, each
// stamped with stamp() at the time it is encoded. Safe from any goroutine.
func (c *client) emitBroadcasts(n int, room string, pad int, stamp func(i int) int64) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.wbuf = c.wbuf[:0]
	for i := 0; i < n; i++ {
		c.pkt = appendEvent(c.pkt[:0], c.prefix, -1, nil)
		c.pkt = appendBroadcastBody(c.pkt, room, stamp(i), pad)
		c.wbuf = c.t.appendPacket(c.wbuf, c.pkt)
	}
	return c.t.write(c.wbuf)
}

// popAck returns the send time of ack id, or false for an id that is not
// outstanding. Safe from any goroutine.
func (c *client) popAck(id int64) (int64, bool) {
	if id < 0 {
		return 0, false
	}
	c.amu.Lock()
	defer c.amu.Unlock()
	return c.acks.pop(uint64(id))
}

// outstanding is the number of emits not acked yet.
func (c *client) outstanding() int {
	c.amu.Lock()
	defer c.amu.Unlock()
	return c.acks.outstanding()
}

// awaitAck reads until the ack of id arrives, answering pings and
// ignoring other packets. Runs on the connection's goroutine.
func (c *client) awaitAck(id uint64) ([]byte, error) {
	for {
		p, err := c.nextSIO()
		if err != nil {
			return nil, err
		}
		pk, ok := parseSIO(p)
		if ok && pk.typ == sioAck && pk.id == int64(id) && sameNsp(pk.nsp, c.nsp) {
			c.popAck(pk.id)
			return pk.data, nil
		}
	}
}

// disconnect leaves the namespace and closes the transport politely, as
// socket.disconnect() does. Runs on the connection's goroutine.
func (c *client) disconnect() {
	_ = c.send(disconnectPacket(c.nsp))
	c.t.close(true)
}

// ackRing holds the send times of a connection's outstanding emits,
// indexed by ack id (ids are sequential per connection, so a ring of the
// outstanding span suffices). It grows by doubling up to maxOutstanding;
// at that limit push refuses (the caller counts an error and skips the
// emit).
type ackRing struct {
	lo, next uint64  // ids in [lo, next) may be outstanding
	t        []int64 // send time by id & (len-1); 0 when acked
	n        int     // outstanding ids
}

const maxOutstanding = 1 << 16

func (r *ackRing) reset() {
	clear(r.t)
	r.lo, r.next, r.n = 0, 0, 0
}

func (r *ackRing) outstanding() int { return r.n }

// push records t (> 0) as the send time of the next id and returns it.
func (r *ackRing) push(t int64) (uint64, bool) {
	if t <= 0 {
		t = 1
	}
	if r.next-r.lo >= uint64(len(r.t)) {
		if len(r.t) >= maxOutstanding {
			return 0, false
		}
		n := max(8, 2*len(r.t))
		nt := make([]int64, n)
		for id := r.lo; id < r.next; id++ {
			nt[id&uint64(n-1)] = r.t[id&uint64(len(r.t)-1)]
		}
		r.t = nt
	}
	id := r.next
	r.t[id&uint64(len(r.t)-1)] = t
	r.next++
	r.n++
	return id, true
}

// pop takes the send time of id off the ring.
func (r *ackRing) pop(id uint64) (int64, bool) {
	if id < r.lo || id >= r.next {
		return 0, false
	}
	mask := uint64(len(r.t) - 1)
	t := r.t[id&mask]
	if t == 0 {
		return 0, false
	}
	r.t[id&mask] = 0
	r.n--
	for r.lo < r.next && r.t[r.lo&mask] == 0 {
		r.lo++
	}
	return t, true
}

// epoch anchors now: a monotonic clock in ns, never 0.
var epoch = time.Now()

func now() int64 { return int64(time.Since(epoch)) + 1 }
