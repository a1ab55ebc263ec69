package sio

import (
	"sync"
	"time"

	"github.com/sioloop/sioloop/eio"
)

// BroadcastOperator selects sockets of one or more namespaces — by rooms,
// minus excluded rooms — and acts on them all: emit, join, leave,
// disconnect, fetch. Each method returns a new operator, so chains can be
// kept and reused: io.To("a").Except("b").Emit(…).
//
// A broadcast encodes its packet once; every loop then walks its own part
// of the room index and writes the same bytes to its members.
type BroadcastOperator struct {
	nsps     []*Namespace
	rooms    []string
	except   []string
	volatile bool
	local    bool
	timeout  time.Duration
}

func (b *BroadcastOperator) clone() *BroadcastOperator {
	c := *b
	c.rooms = append([]string(nil), b.rooms...)
	c.except = append([]string(nil), b.except...)
	return &c
}

// To adds rooms to select (a socket in any of them).
func (b *BroadcastOperator) To(rooms ...string) *BroadcastOperator {
	c := b.clone()
	c.rooms = append(c.rooms, rooms...)
	return c
}

// In is To.
func (b *BroadcastOperator) In(rooms ...string) *BroadcastOperator { return b.To(rooms...) }

// Except excludes the sockets in any of rooms.
func (b *BroadcastOperator) Except(rooms ...string) *BroadcastOperator {
	c := b.clone()
	c.except = append(c.except, rooms...)
	return c
}

// Volatile drops the packet for sockets whose transport is not ready.
func (b *BroadcastOperator) Volatile() *BroadcastOperator {
	c := b.clone()
	c.volatile = true
	return c
}

// Local restricts the operation to this node.
func (b *BroadcastOperator) Local() *BroadcastOperator { c := b.clone(); c.local = true; return c }

// Timeout sets how long an emit with a BroadcastAckHandler waits.
func (b *BroadcastOperator) Timeout(d time.Duration) *BroadcastOperator {
	c := b.clone()
	c.timeout = d
	return c
}

// encoded is a packet encoded once for every receiver; never modified.
type encoded struct {
	text []byte
	atts [][]byte
}

var encoderPool = sync.Pool{New: func() any { return new(Encoder) }}

// Emit sends an event to every selected socket. A last argument of type
// BroadcastAckHandler (or func([]*Args, error)) collects every client's
// answer, or fails with ErrTimeout after Timeout with those that came.
func (b *BroadcastOperator) Emit(event string, args ...any) error {
	if reservedEvents[event] {
		return ErrReservedEvent
	}
	var collector *ackCollector
	if len(args) > 0 {
		var fn BroadcastAckHandler
		switch f := args[len(args)-1].(type) {
		case BroadcastAckHandler:
			fn = f
		case func([]*Args, error):
			fn = f
		}
		if fn != nil {
			args = args[:len(args)-1]
			collector = &ackCollector{fn: fn}
		}
	}
	enc := encoderPool.Get().(*Encoder)
	defer encoderPool.Put(enc)
	for _, nsp := range b.nsps {
		id := int64(-1)
		if collector != nil {
			id = nsp.nextAckID()
		}
		text, atts, err := enc.Encode(nil, PacketEvent, nsp.name, id, event, args)
		if err != nil {
			return err
		}
		pkt := &encoded{text: text, atts: copyAttachments(atts)}
		b.apply(nsp, collector, func(s *Socket) bool {
			if b.volatile && !s.client.sess.Writable() {
				return false
			}
			if collector != nil {
				s.addAck(id, &pendingAck{bcast: collector}, 0)
			}
			s.client.write(pkt.text, pkt.atts)
			return true
		})
	}
	if collector != nil && b.timeout > 0 {
		collector.mu.Lock()
		if !collector.done {
			collector.timer = time.AfterFunc(b.timeout, collector.timeout)
		}
		collector.mu.Unlock()
	}
	return nil
}

// copyAttachments detaches attachments from the caller's slices, which
// the loops read after Emit returns.
func copyAttachments(atts [][]byte) [][]byte {
	if len(atts) == 0 {
		return nil
	}
	out := make([][]byte, len(atts))
	for i, a := range atts {
		out[i] = append([]byte(nil), a...)
	}
	return out
}

// apply runs fn for every selected socket of nsp, on each socket's loop:
// the caller's loop inline, the others as posted tasks. With a collector,
// each loop reports how many sockets fn counted (returned true).
func (b *BroadcastOperator) apply(nsp *Namespace, collector *ackCollector, fn func(s *Socket) bool) {
	engine := nsp.srv.engine
	if collector != nil {
		collector.mu.Lock()
		for i := range eio.MaxShards {
			if engine.Shard(i) != nil {
				collector.shards++
			}
		}
		collector.mu.Unlock()
	}
	run := func(sh *eio.Shard) {
		n := b.selectOn(nsp, sh, fn)
		if collector != nil {
			collector.counted(n)
		}
	}
	nsp.srv.eachShard(run, false)
}

// selectOn calls fn for each selected socket of nsp owned by sh's loop,
// once per socket even when it is in several rooms. Runs on that loop.
func (b *BroadcastOperator) selectOn(nsp *Namespace, sh *eio.Shard, fn func(s *Socket) bool) int {
	ns := nsp.local[sh.Index()]
	if ns == nil {
		return 0
	}
	n := 0
	visit := func(s *Socket) {
		if b.excluded(s) {
			return
		}
		if fn(s) {
			n++
		}
	}
	if len(b.rooms) == 0 {
		for _, s := range ns.sockets {
			visit(s)
		}
		return n
	}
	st := nsp.srv.shardState(sh)
	st.gen++
	gen := st.gen
	for _, room := range b.rooms {
		// A socket id is a room of its own, with no index entry.
		if s := ns.sockets[room]; s != nil && s.bcastGen != gen {
			s.bcastGen = gen
			visit(s)
		}
		for s := range ns.rooms[room] {
			if s.bcastGen != gen {
				s.bcastGen = gen
				visit(s)
			}
		}
	}
	return n
}

func (b *BroadcastOperator) excluded(s *Socket) bool {
	for _, r := range b.except {
		if s.inRoom(r) {
			return true
		}
	}
	return false
}

// SocketsJoin makes the selected sockets join rooms.
func (b *BroadcastOperator) SocketsJoin(rooms ...string) {
	kept := append([]string(nil), rooms...)
	b.each(func(s *Socket) { s.join(kept) })
}

// SocketsLeave makes the selected sockets leave rooms.
func (b *BroadcastOperator) SocketsLeave(rooms ...string) {
	kept := append([]string(nil), rooms...)
	b.each(func(s *Socket) {
		for _, r := range kept {
			s.leave(r)
		}
	})
}

// DisconnectSockets disconnects the selected sockets; with close, their
// whole connections close.
func (b *BroadcastOperator) DisconnectSockets(close bool) {
	b.each(func(s *Socket) { s.Disconnect(close) })
}

// each runs fn on every selected socket, on its loop. The selection is
// taken first, so fn may change rooms.
func (b *BroadcastOperator) each(fn func(s *Socket)) {
	for _, nsp := range b.nsps {
		nsp.srv.eachShard(func(sh *eio.Shard) {
			var picked []*Socket
			b.selectOn(nsp, sh, func(s *Socket) bool { picked = append(picked, s); return true })
			for _, s := range picked {
				fn(s)
			}
		}, false)
	}
}

// RemoteSocket is a snapshot of a socket, as FetchSockets returns it.
type RemoteSocket struct {
	ID        string
	Namespace string
	Rooms     []string
	Data      any
	Handshake *Handshake
	socket    *Socket
}

// Emit sends an event to the socket.
func (r *RemoteSocket) Emit(event string, args ...any) error { return r.socket.Emit(event, args...) }

// Join adds the socket to rooms.
func (r *RemoteSocket) Join(rooms ...string) { r.socket.Join(rooms...) }

// Leave removes the socket from room.
func (r *RemoteSocket) Leave(room string) { r.socket.Leave(room) }

// Disconnect disconnects the socket.
func (r *RemoteSocket) Disconnect(close bool) { r.socket.Disconnect(close) }

// FetchSockets returns a snapshot of the selected sockets. It waits for
// every loop: call it from a goroutine of your own (ErrOnLoop otherwise).
func (b *BroadcastOperator) FetchSockets() ([]*RemoteSocket, error) {
	var mu sync.Mutex
	var out []*RemoteSocket
	for _, nsp := range b.nsps {
		for i := range eio.MaxShards {
			if sh := nsp.srv.engine.Shard(i); sh != nil && sh.OnLoop() {
				return nil, ErrOnLoop
			}
		}
		nsp.srv.eachShard(func(sh *eio.Shard) {
			b.selectOn(nsp, sh, func(s *Socket) bool {
				r := &RemoteSocket{ID: s.id, Namespace: nsp.name, Rooms: s.roomList(), Data: s.Data(), Handshake: s.Handshake(), socket: s}
				mu.Lock()
				out = append(out, r)
				mu.Unlock()
				return true
			})
		}, true)
	}
	return out, nil
}
