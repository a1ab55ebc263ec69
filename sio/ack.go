package sio

import (
	"sync"
	"time"

	"github.com/sioloop/sioloop/internal/wheel"
	"github.com/sioloop/sioloop/parser"
)

// AckHandler receives a client's answer to an emit: args (valid until it
// returns; Clone to keep), or err (ErrTimeout, ErrDisconnected).
type AckHandler func(args *Args, err error)

// BroadcastAckHandler receives the answers to a broadcast with an ack,
// one Args per client (owned by the handler), or ErrTimeout with the
// answers that came in time. It runs on some loop or timer goroutine and
// must not block.
type BroadcastAckHandler func(responses []*Args, err error)

// Every emitting method takes its ack handler the same way: as its last
// argument, as the named type or the plain func type it names. An emit
// to one socket (Socket.Emit, SocketEmitter.Emit, RemoteSocket.Emit, like
// Node's socket.emit and remoteSocket.emit) takes an AckHandler, called
// with that client's answer; an emit to many (the Emit of Server,
// Namespace, ParentNamespace and BroadcastOperator, and ServerSideEmit)
// takes a BroadcastAckHandler, called once with every answer. The other
// kind is refused with ErrAckHandler, from any goroutine, before anything
// is sent; a nil handler is no handler. Timeout sets how long either
// waits, the same on every emitter: past it the handler gets ErrTimeout.

// ackHandlerOf takes the ack handler of an emit to one socket off the end
// of args, if there.
func ackHandlerOf(args []any) (AckHandler, []any, error) {
	if len(args) == 0 {
		return nil, args, nil
	}
	var fn AckHandler
	switch f := args[len(args)-1].(type) {
	case AckHandler:
		fn = f
	case func(*Args, error):
		fn = f
	case BroadcastAckHandler, func([]*Args, error):
		return nil, args, ErrAckHandler
	default:
		return nil, args, nil
	}
	return fn, args[:len(args)-1], nil
}

// broadcastAckOf takes the ack handler of an emit to many sockets (or to
// other nodes) off the end of args, if there.
func broadcastAckOf(args []any) (BroadcastAckHandler, []any, error) {
	if len(args) == 0 {
		return nil, args, nil
	}
	var fn BroadcastAckHandler
	switch f := args[len(args)-1].(type) {
	case BroadcastAckHandler:
		fn = f
	case func([]*Args, error):
		fn = f
	case AckHandler, func(*Args, error):
		return nil, args, ErrAckHandler
	default:
		return nil, args, nil
	}
	return fn, args[:len(args)-1], nil
}

// nextAckID returns a fresh ack id; like the official server's nsp._ids,
// one counter serves the namespace's sockets and broadcasts.
func (n *Namespace) nextAckID() int64 { return n.ackIDs.Add(1) - 1 }

// pendingAck is an ack the server waits for.
type pendingAck struct {
	s     *Socket
	id    int64
	fn    AckHandler
	bcast func(*Args) // a broadcast's answer collector
	sent  int64       // monotime of the emit (Stats.AckSeconds)
	timer wheel.Timer
}

// addAck registers a, failing it after timeout (0: no timeout). Runs on
// the socket's loop.
func (s *Socket) addAck(id int64, a *pendingAck, timeout time.Duration) {
	if s.acks == nil {
		s.acks = make(map[int64]*pendingAck)
	}
	a.s, a.id, a.sent = s, id, monotime()
	s.acks[id] = a
	if timeout > 0 {
		a.timer.Init(a)
		s.sh.Wheel().Schedule(&a.timer, timeout)
	}
}

// OnTimer fails an ack that did not come in time.
func (a *pendingAck) OnTimer(*wheel.Timer) {
	delete(a.s.acks, a.id)
	a.s.client.srv.shardState(a.s.sh).acksTimedOut++
	a.fn(nil, ErrTimeout)
}

// onAck delivers the client's answer. Runs on the loop.
func (s *Socket) onAck(p *parser.Packet, args *Args) {
	a := s.acks[p.ID]
	if a == nil {
		return
	}
	delete(s.acks, p.ID)
	s.sh.Wheel().Stop(&a.timer)
	s.client.srv.shardState(s.sh).ack.observe(latencyBounds, since(a.sent))
	if a.bcast != nil {
		a.bcast(args.Clone())
		return
	}
	a.fn(args, nil)
}

// failAcks fails the pending acks that have a timeout, as the official
// server does when a socket disconnects; the others are dropped.
func (s *Socket) failAcks() {
	for id, a := range s.acks {
		delete(s.acks, id)
		if a.timer.Active() {
			s.sh.Wheel().Stop(&a.timer)
			a.fn(nil, ErrDisconnected)
		}
	}
}

// ackCollector gathers the answers to one broadcast from every loop.
type ackCollector struct {
	mu        sync.Mutex
	srv       *Server
	fn        BroadcastAckHandler
	shards    int // loops yet to report how many sockets they sent to
	expected  int
	responses []*Args
	done      bool
	timer     *time.Timer
}

// counted records that one loop sent to n sockets.
func (c *ackCollector) counted(n int) {
	c.mu.Lock()
	c.shards--
	c.expected += n
	c.finishLocked(nil)
}

func (c *ackCollector) answer(a *Args) {
	c.mu.Lock()
	c.responses = append(c.responses, a)
	c.finishLocked(nil)
}

func (c *ackCollector) timeout() {
	c.mu.Lock()
	if !c.done && c.expected > len(c.responses) {
		c.srv.bcastAcksTimedOut.Add(uint64(c.expected - len(c.responses)))
	}
	c.finishLocked(ErrTimeout)
}

// finishLocked calls the handler once every answer came, or on err.
// Lock is held on entry and released.
func (c *ackCollector) finishLocked(err error) {
	if c.done || (err == nil && (c.shards > 0 || len(c.responses) < c.expected)) {
		c.mu.Unlock()
		return
	}
	c.done = true
	if c.timer != nil {
		c.timer.Stop()
	}
	responses := c.responses
	c.mu.Unlock()
	c.fn(responses, err)
}
