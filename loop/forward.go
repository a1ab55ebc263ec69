package loop

import (
	"bytes"
	"context"
	"net"
	"time"

	"github.com/panjf2000/gnet/v2"
	"github.com/sioloop/sioloop/eio"
	"github.com/valyala/bytebufferpool"
)

// Forwarding: no sticky sessions. In a cluster whose nodes set
// eio.Options.NodeID and Options.Peers, a session id names its node; a
// request for another node's session — a long-polling GET or POST, or a
// WebSocket handshake — that a load balancer sent here is forwarded to
// that node over a direct TCP connection, and its answer relayed back, so
// a plain round-robin balancer works.
//
// The link is the owner's own listener, spoken to in HTTP/1.1: the owner
// serves a forwarded request as any other (it needs nothing special).
// This loop dials the owner from the client's conn's loop (gnet's
// EventLoop.Register), so the client conn and its upstream live on one
// loop and talk without tasks. A request is written as it came (its raw
// bytes); the answer is read back by its head's Content-Length (the
// owner is a sioloop node: it always sends one) and appended to the
// client conn's output as it arrives. An upstream carries one request at
// a time and goes back to its loop's pool of idle upstreams to that node
// (at most maxIdleUpstreams each) when its answer is relayed. A forwarded
// WebSocket handshake that the owner accepts (101) turns the pair into a
// splice for the WebSocket's life: bytes each way, untouched. Either side
// closing closes the other.
//
// Bounds: the client conn's output is bounded by MaxOutboundBytes, as any
// HTTP conn's (a slow client is dropped, which closes its upstream); an
// upstream whose unsent bytes pass MaxOutboundBytes is closed with its
// client. An unknown node, a node that cannot be dialled or that closes
// before answering get the official answer to an unknown session id
// (400, code 1; a WebSocket handshake's text), and the client reconnects.

// Peers is a cluster's directory of nodes, for forwarding: the Redis
// adapter's Cluster implements it (redisadapter.Cluster.PeerAddr).
type Peers interface {
	// PeerAddr returns where the server of the node with id node listens,
	// or nil when no live node has that id. It runs on the event loops
	// and must not block.
	PeerAddr(node int) net.Addr
}

// maxIdleUpstreams bounds a loop's idle upstreams to one node.
const maxIdleUpstreams = 32

// upstreamIdleLimit is how long an idle upstream may be reused: the
// owner closes a keep-alive conn that sends nothing for its
// HeaderTimeout (60s by default), and a request must not race that close;
// half this node's HeaderTimeout when that is shorter (the nodes of a
// cluster are configured alike).
const upstreamIdleLimit = 20 * time.Second

// upstream is a connection from this loop to another node's server; it
// is the gnet conn's context.
//
// Ownership: the loop that dialed it, which is its client conn's.
type upstream struct {
	sh     *shard
	node   int
	c      gnet.Conn // nil while dialing
	client *conn     // the conn whose request or WebSocket it carries; nil when idle
	req    *bytebufferpool.ByteBuffer
	// Relaying an answer: body bytes still to relay, -1 while its head
	// is awaited; whether any byte of it reached the client.
	body       int
	relayed    bool
	closeAfter bool // the answer said "Connection: close"
	upgrade    bool // the request is a WebSocket handshake
	splice     bool // a WebSocket: bytes both ways
	closed     bool
	idleSince  time.Time
}

// forwardTo reports whether sid belongs to another node of the cluster;
// then the request raw (a WebSocket handshake when upgrade) has been
// forwarded to it or answered. Runs on the loop.
func (cn *conn) forwardTo(rt *route, sid []byte, raw []byte, upgrade bool) bool {
	peers := cn.sh.srv.opts.Peers
	self := rt.engine.NodeID()
	if peers == nil || self == 0 {
		return false
	}
	node := eio.NodeOf(sid)
	if node == self {
		return false
	}
	var addr net.Addr
	if node > 0 {
		addr = peers.PeerAddr(node)
	}
	if addr == nil {
		cn.unknownSession(upgrade)
		return true
	}
	cn.http.pending = true
	up := cn.sh.idleUpstream(node)
	if up == nil {
		up = &upstream{sh: cn.sh, node: node}
		ctx := gnet.NewContext(context.Background(), up)
		res, err := cn.sh.loop.Register(ctx, addr)
		if err != nil {
			cn.http.pending = false
			cn.unknownSession(upgrade)
			return true
		}
		// Register dials on gnet's worker goroutine; a failure comes back
		// only through res, so it is watched until the dial ends.
		go func() {
			if r := <-res; r.Err != nil {
				cn.sh.post(task{op: opFunc, fn: up.dialFailed})
			}
		}()
	}
	up.client, up.body, up.relayed, up.closeAfter, up.upgrade = cn, -1, false, false, upgrade
	cn.fwd = up
	if up.c != nil {
		up.write(raw)
	} else {
		up.req = copyBuf(raw)
	}
	return true
}

// unknownSession answers a request whose session no node has.
func (cn *conn) unknownSession(upgrade bool) {
	err := &eio.RequestError{Code: eio.UnknownSID}
	if upgrade {
		cn.abortUpgrade(err.Text())
		return
	}
	cn.respondError(err)
}

// idleUpstream takes an idle upstream to node from the pool, or nil.
func (sh *shard) idleUpstream(node int) *upstream {
	pool := sh.upstreams[node]
	for len(pool) > 0 {
		up := pool[len(pool)-1]
		pool[len(pool)-1] = nil
		pool = pool[:len(pool)-1]
		if time.Since(up.idleSince) < min(upstreamIdleLimit, sh.srv.opts.HeaderTimeout/2) {
			sh.upstreams[node] = pool
			return up
		}
		up.close()
	}
	sh.upstreams[node] = pool
	return nil
}

// opened is the dialed connection, registered on the loop (OnOpen).
func (up *upstream) opened(c gnet.Conn) {
	up.c = c
	if up.closed || up.client == nil { // the client left during the dial
		up.closed = true
		_ = c.Close()
		return
	}
	if up.req != nil {
		up.write(up.req.B)
		bytebufferpool.Put(up.req)
		up.req = nil
	}
}

// dialFailed: the owner could not be reached. Runs on the loop.
func (up *upstream) dialFailed() {
	up.closed = true
	up.fail()
}

// write sends p to the owner; an owner that takes nothing until
// MaxOutboundBytes are held is dropped with the client.
func (up *upstream) write(p []byte) {
	if up.closed || up.c == nil {
		return
	}
	_, _ = up.c.Write(p)
	if up.c.OutboundBuffered() > up.sh.srv.opts.MaxOutboundBytes {
		up.close()
	}
}

// onTraffic relays the owner's bytes to the client. Runs on the loop.
func (up *upstream) onTraffic() {
	for !up.closed {
		buf, _ := up.c.Peek(-1)
		if len(buf) == 0 {
			return
		}
		cn := up.client
		if cn == nil || cn.closed {
			up.close() // nothing is asked of an idle upstream
			return
		}
		if up.splice {
			cn.relay(buf)
			_, _ = up.c.Discard(len(buf))
			return
		}
		if up.body < 0 {
			end := bytes.Index(buf, []byte("\r\n\r\n"))
			if end < 0 {
				if len(buf) > up.sh.srv.opts.MaxHeaderBytes {
					up.close()
				}
				return
			}
			head := buf[:end+4]
			status, length, closeAfter, ok := parseResponseHead(head)
			if !ok {
				up.close()
				return
			}
			cn.relay(head)
			up.relayed = true
			_, _ = up.c.Discard(len(head))
			if status == 101 {
				up.splice = true
				cn.http.pending = false
				cn.onTraffic() // what the client sent after its handshake
				continue
			}
			up.body, up.closeAfter = length, closeAfter
			continue
		}
		n := min(len(buf), up.body)
		cn.relay(buf[:n])
		_, _ = up.c.Discard(n)
		up.body -= n
		if up.body == 0 {
			up.answered()
		}
	}
}

// answered: the client has the whole answer. The upstream goes back to
// the pool, and the client conn serves its next request.
func (up *upstream) answered() {
	cn := up.client
	up.client, cn.fwd, up.body = nil, nil, -1
	pool := up.sh.upstreams[up.node]
	if up.closeAfter || len(pool) >= maxIdleUpstreams {
		up.close()
	} else {
		up.idleSince = time.Now()
		up.sh.upstreams[up.node] = append(pool, up)
	}
	cn.http.pending = false
	if !cn.http.keepAlive {
		cn.closeOnSend = true
		return
	}
	cn.headerTimeout()
	cn.onTraffic()
}

// relay appends p to the client's output.
func (cn *conn) relay(p []byte) {
	out := cn.buffer()
	out.B = append(out.B, p...)
}

// pipe sends the client's bytes to the owner, once spliced.
func (cn *conn) pipe() {
	buf, _ := cn.c.Peek(-1)
	if len(buf) > 0 {
		cn.fwd.write(buf)
		_, _ = cn.c.Discard(len(buf))
	}
}

// close closes the upstream (and the pool forgets it when it closes).
func (up *upstream) close() {
	if up.closed {
		return
	}
	up.closed = true
	if up.c != nil {
		_ = up.c.Close()
	}
	up.fail()
}

// onClose: the upstream closed (OnClose): it leaves the pool, and its
// client, if any, is answered or closed.
func (up *upstream) onClose() {
	up.closed = true
	pool := up.sh.upstreams[up.node]
	for i, p := range pool {
		if p == up {
			up.sh.upstreams[up.node] = append(pool[:i], pool[i+1:]...)
			break
		}
	}
	up.fail()
}

// fail ends the upstream's part in its client's life: a client that got
// no byte of its answer gets the answer to an unknown session (the owner
// is gone, and its sessions with it), one in the middle of an answer or a
// WebSocket is closed.
func (up *upstream) fail() {
	if up.req != nil {
		bytebufferpool.Put(up.req)
		up.req = nil
	}
	cn := up.client
	up.client = nil
	if cn == nil || cn.closed {
		return
	}
	cn.fwd = nil
	if up.relayed {
		cn.closeNow()
		return
	}
	cn.http.pending = false
	cn.http.keepAlive = false
	cn.unknownSession(up.upgrade)
	cn.closeNow()
}

// parseResponseHead reads the status and Content-Length of an HTTP/1.1
// response head (through its blank line) as a sioloop node writes it.
func parseResponseHead(head []byte) (status, length int, closeAfter, ok bool) {
	if len(head) < 12 || !bytes.HasPrefix(head, []byte("HTTP/1.1 ")) {
		return 0, 0, false, false
	}
	for _, c := range head[9:12] {
		if c < '0' || c > '9' {
			return 0, 0, false, false
		}
		status = status*10 + int(c-'0')
	}
	length = -1
	for rest := head; len(rest) > 0; {
		var line []byte
		line, rest, _ = bytes.Cut(rest, []byte("\r\n"))
		name, value, found := bytes.Cut(line, []byte(":"))
		if !found {
			continue
		}
		value = bytes.TrimSpace(value)
		switch {
		case bytes.EqualFold(name, []byte("Content-Length")):
			n := 0
			for _, c := range value {
				if c < '0' || c > '9' || n > 1<<40 {
					return 0, 0, false, false
				}
				n = n*10 + int(c-'0')
			}
			length = n
		case bytes.EqualFold(name, []byte("Connection")):
			closeAfter = bytes.EqualFold(value, []byte("close"))
		}
	}
	if status == 101 {
		return status, 0, false, true
	}
	return status, length, closeAfter, length >= 0
}
