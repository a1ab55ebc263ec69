package sio

import (
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sioloop/sioloop/eio"
	"github.com/sioloop/sioloop/parser"
)

// BroadcastOptions selects the sockets of a namespace an adapter operation
// applies to, like the official adapter's BroadcastOptions.
type BroadcastOptions struct {
	Rooms    []string      // sockets in any of them; none means every socket
	Except   []string      // minus the sockets in any of them
	Volatile bool          // drop the packet where the transport is not ready
	Local    bool          // this node only
	Timeout  time.Duration // how long a broadcast with an ack waits (0: no limit)
}

// BroadcastPacket is an event packet to broadcast: its event and
// arguments (for adapters that re-encode it elsewhere) and its encoding
// for this node, shared by every receiver and never modified.
type BroadcastPacket struct {
	Event string
	Args  []any
	ID    int64 // the ack id, -1 without ack

	frames parser.Frames
	fanout fanout // its receivers on this node, counted by the loops
}

// Adapter keeps a namespace's rooms and carries its broadcasts: the
// official socket.io-adapter's interface in Go, so that a cluster adapter
// (Redis) can replace the in-memory one.
//
// AddAll, Del and DelAll are called on the socket's loop. The other
// methods are called from any goroutine; the in-memory adapter runs the
// per-socket work on each socket's loop.
type Adapter interface {
	// AddAll adds s to rooms (its own id among them on connect).
	AddAll(s *Socket, rooms []string)
	// Del removes s from room.
	Del(s *Socket, room string)
	// DelAll removes s from every room: it disconnected.
	DelAll(s *Socket)
	// Broadcast writes pkt to every selected socket.
	Broadcast(pkt *BroadcastPacket, opts *BroadcastOptions)
	// BroadcastWithAck is Broadcast registering pkt.ID as an ack on each
	// socket: clientCount is called once per loop (and node) with how many
	// sockets it reached, ack with each answer.
	BroadcastWithAck(pkt *BroadcastPacket, opts *BroadcastOptions, clientCount func(n int), ack func(a *Args))
	// FetchSockets returns the selected sockets; it waits for every loop
	// (and node). A cluster adapter returns what it got with an error
	// when some node did not answer.
	FetchSockets(opts *BroadcastOptions) ([]*RemoteSocket, error)
	// AddSockets makes the selected sockets join rooms.
	AddSockets(opts *BroadcastOptions, rooms []string)
	// DelSockets makes the selected sockets leave rooms.
	DelSockets(opts *BroadcastOptions, rooms []string)
	// DisconnectSockets disconnects the selected sockets.
	DisconnectSockets(opts *BroadcastOptions, close bool)
	// ServerSideEmit sends an event to the other nodes; ack (may be nil)
	// gets their answers.
	ServerSideEmit(event string, args []any, ack BroadcastAckHandler)
	// Shards reports how many loops (times nodes) will call clientCount.
	Shards() int
}

// memoryAdapter is the single-node adapter. Each loop keeps its own part
// of the index (shared nothing): its sockets, and for every room the
// members it owns. A socket's own-id room has no entry (the socket table
// answers it), and its list of rooms is kept in the Socket itself.
type memoryAdapter struct {
	nsp    *Namespace
	local  [eio.MaxShards]*localIndex // each touched only by its loop
	onRoom RoomHook                   // nil: nobody listens

	// Connection state recovery (recovery_log.go): nil when off.
	recovery *RecoveryOptions
	offsets  atomic.Uint64 // the last offset given to a packet
}

// localIndex is one loop's part of a namespace's index.
type localIndex struct {
	sockets socketTable
	rooms   map[string]*room
	log     *recoveryLog // nil unless recovery is on
}

// room is one loop's members of a room, a dense slice: each member's
// membership records its index, so leaving is a swap with the last member
// (bench/million, 3 rooms a socket: 61 B less heap a session than a
// map[*Socket]struct{} per room).
type room struct {
	name    string
	members []*Socket
}

// membership is a socket's place in one of its rooms.
type membership struct {
	room *room
	at   int // s == room.members[at]
}

// add appends s to r's members and returns its membership.
func (r *room) add(s *Socket) membership {
	r.members = append(r.members, s)
	return membership{room: r, at: len(r.members) - 1}
}

// remove takes the member at index at out: the last member moves into its
// place and its membership follows. A slice left a quarter full is halved,
// so a room that emptied out gives its memory back.
func (r *room) remove(at int) {
	last := len(r.members) - 1
	if at != last {
		moved := r.members[last]
		r.members[at] = moved
		for i := range moved.rooms {
			if moved.rooms[i].room == r {
				moved.rooms[i].at = at
				break
			}
		}
	}
	r.members[last] = nil
	r.members = r.members[:last]
	if c := cap(r.members); c > 16 && last <= c/4 {
		r.members = append(make([]*Socket, 0, c/2), r.members...)
	}
}

// NewMemoryAdapter returns the in-memory adapter of nsp: the default, and
// the local part a cluster adapter delegates to.
func NewMemoryAdapter(nsp *Namespace) Adapter {
	return &memoryAdapter{nsp: nsp, recovery: nsp.srv.recovery}
}

// RoomHook is told that a room of a loop got its first member (created)
// or lost its last one, as the official adapter's "create-room" and
// "delete-room" events, per loop: a room several loops hold is created
// once on each. own marks a socket's own-id room (created on connect,
// deleted on disconnect). It runs on the loop and must not block.
type RoomHook func(room string, own, created bool)

// NewMemoryAdapterWithHook returns the in-memory adapter of nsp telling
// onRoom of its rooms' creation and deletion (a cluster adapter that
// subscribes to a channel per room, say).
func NewMemoryAdapterWithHook(nsp *Namespace, onRoom RoomHook) Adapter {
	return &memoryAdapter{nsp: nsp, recovery: nsp.srv.recovery, onRoom: onRoom}
}

// index returns the loop's part of the index. Runs on that loop.
func (a *memoryAdapter) index(sh *eio.Shard) *localIndex {
	ix := a.local[sh.Index()]
	if ix == nil {
		ix = &localIndex{rooms: map[string]*room{}}
		if a.recovery != nil {
			ix.log = newRecoveryLog(a.recovery, sh.Wheel())
		}
		a.local[sh.Index()] = ix
	}
	return ix
}

func (a *memoryAdapter) AddAll(s *Socket, rooms []string) {
	ix := a.index(s.sh)
	if len(rooms) > 1 {
		// One Join of several rooms sizes the list once: appending 3
		// one by one leaves room for 4 (bench/million: 16 B a socket).
		s.rooms = slices.Grow(s.rooms, len(rooms))
	}
	for _, r := range rooms {
		if r == s.id {
			if !ix.sockets.has(s) {
				if a.onRoom != nil {
					a.onRoom(r, true, true)
				}
				ix.sockets.add(s)
				a.roomJoined(r, s.id)
			}
			continue
		}
		if s.inRoom(r) {
			continue
		}
		rm := ix.rooms[r]
		if rm == nil {
			rm = &room{name: r}
			ix.rooms[r] = rm
			if a.onRoom != nil {
				a.onRoom(r, false, true)
			}
		}
		s.rooms = append(s.rooms, rm.add(s))
		a.roomJoined(r, s.id)
	}
}

func (a *memoryAdapter) Del(s *Socket, name string) {
	for i, m := range s.rooms {
		if m.room.name == name {
			a.leave(s, i)
			return
		}
	}
}

// leave takes s out of its i-th room.
func (a *memoryAdapter) leave(s *Socket, i int) {
	m := s.rooms[i]
	s.rooms = slices.Delete(s.rooms, i, i+1)
	m.room.remove(m.at)
	if len(m.room.members) == 0 {
		delete(a.index(s.sh).rooms, m.room.name)
		if a.onRoom != nil {
			a.onRoom(m.room.name, false, false)
		}
	}
	a.roomLeft(m.room.name, s.id)
}

func (a *memoryAdapter) DelAll(s *Socket) {
	for len(s.rooms) > 0 {
		a.leave(s, len(s.rooms)-1)
	}
	ix := a.index(s.sh)
	if ix.sockets.has(s) {
		if a.onRoom != nil {
			a.onRoom(s.id, true, false)
		}
		ix.sockets.remove(s)
		a.roomLeft(s.id, s.id)
	}
}

// Broadcast writes pkt to the selected sockets of every loop. With
// recovery on, a packet that can be recovered (no ack, not volatile) first
// gets its offset, and each loop logs it before writing it: the log and
// the receivers share its bytes. (Offsets are written into the JSON text
// form: a parser with a binary head, MessagePack, gets none yet.)
func (a *memoryAdapter) Broadcast(pkt *BroadcastPacket, opts *BroadcastOptions) {
	if a.recovery == nil || pkt.ID >= 0 || opts.Volatile || pkt.frames.Binary {
		a.apply(pkt, opts, nil, func(s *Socket) bool { return s.writeBroadcast(pkt, opts) })
		return
	}
	off := a.offsets.Add(1)
	pkt.frames.Head = appendOffset(pkt.frames.Head, off)
	pkt.fanout.expect(a.Shards())
	a.nsp.srv.eachShard(func(sh *eio.Shard) {
		a.keepBroadcast(sh, off, pkt, opts)
		n := a.selectOn(sh, opts, func(s *Socket) bool { return s.writeBroadcast(pkt, opts) })
		a.nsp.srv.shardState(sh).walked(pkt, n)
	}, false)
}

func (a *memoryAdapter) BroadcastWithAck(pkt *BroadcastPacket, opts *BroadcastOptions, clientCount func(int), ack func(*Args)) {
	a.apply(pkt, opts, clientCount, func(s *Socket) bool {
		if !s.writeBroadcast(pkt, opts) {
			return false
		}
		s.addAck(pkt.ID, &pendingAck{bcast: ack}, 0)
		return true
	})
}

func (a *memoryAdapter) Shards() int {
	n := 0
	for i := range eio.MaxShards {
		if a.nsp.srv.engine.Shard(i) != nil {
			n++
		}
	}
	return n
}

// apply runs fn, which writes pkt, for each selected socket, on each loop
// (the caller's own inline, the others as tasks); count, if set, gets
// each loop's total of fn returning true.
func (a *memoryAdapter) apply(pkt *BroadcastPacket, opts *BroadcastOptions, count func(int), fn func(s *Socket) bool) {
	pkt.fanout.expect(a.Shards())
	a.nsp.srv.eachShard(func(sh *eio.Shard) {
		n := a.selectOn(sh, opts, fn)
		a.nsp.srv.shardState(sh).walked(pkt, n)
		if count != nil {
			count(n)
		}
	}, false)
}

// selectOn calls fn for each selected socket of sh's loop, once per socket
// even when it is in several rooms. Runs on that loop.
func (a *memoryAdapter) selectOn(sh *eio.Shard, opts *BroadcastOptions, fn func(s *Socket) bool) int {
	ix := a.local[sh.Index()]
	if ix == nil {
		return 0
	}
	n := 0
	visit := func(s *Socket) {
		if !excluded(s, opts.Except) && fn(s) {
			n++
		}
	}
	if len(opts.Rooms) == 0 {
		ix.sockets.each(visit)
		return n
	}
	st := a.nsp.srv.shardState(sh)
	st.gen++
	gen := st.gen
	for _, room := range opts.Rooms {
		if s := ix.sockets.get(room); s != nil && s.bcastGen != gen {
			s.bcastGen = gen
			visit(s)
		}
		rm := ix.rooms[room]
		if rm == nil {
			continue
		}
		// From the last member down: fn may take s out of its rooms (a
		// slow consumer is disconnected), which moves an already visited
		// member into its place.
		for i := len(rm.members) - 1; i >= 0; i-- {
			if i >= len(rm.members) {
				continue
			}
			if s := rm.members[i]; s.bcastGen != gen {
				s.bcastGen = gen
				visit(s)
			}
		}
	}
	return n
}

func excluded(s *Socket, except []string) bool {
	for _, r := range except {
		if s.inRoom(r) {
			return true
		}
	}
	return false
}

// each runs fn on every selected socket, on its loop; the selection is
// taken first, so fn may change rooms or disconnect.
func (a *memoryAdapter) each(opts *BroadcastOptions, fn func(s *Socket)) {
	a.nsp.srv.eachShard(func(sh *eio.Shard) {
		var picked []*Socket
		a.selectOn(sh, opts, func(s *Socket) bool { picked = append(picked, s); return true })
		for _, s := range picked {
			fn(s)
		}
	}, false)
}

func (a *memoryAdapter) AddSockets(opts *BroadcastOptions, rooms []string) {
	a.each(opts, func(s *Socket) { a.AddAll(s, rooms) })
}

func (a *memoryAdapter) DelSockets(opts *BroadcastOptions, rooms []string) {
	a.each(opts, func(s *Socket) {
		for _, r := range rooms {
			a.Del(s, r)
		}
	})
}

func (a *memoryAdapter) DisconnectSockets(opts *BroadcastOptions, close bool) {
	a.each(opts, func(s *Socket) { s.Disconnect(close) })
}

func (a *memoryAdapter) FetchSockets(opts *BroadcastOptions) ([]*RemoteSocket, error) {
	var mu sync.Mutex
	var out []*RemoteSocket
	a.nsp.srv.eachShard(func(sh *eio.Shard) {
		a.selectOn(sh, opts, func(s *Socket) bool {
			r := &RemoteSocket{ID: s.id, Namespace: a.nsp.name, Rooms: s.roomList(), Data: s.Data(), Handshake: s.Handshake(), nsp: a.nsp, socket: s}
			mu.Lock()
			out = append(out, r)
			mu.Unlock()
			return true
		})
	}, true)
	return out, nil
}

// ServerSideEmit has no peers to reach on a single node: ack gets no
// answers at once.
func (a *memoryAdapter) ServerSideEmit(_ string, _ []any, ack BroadcastAckHandler) {
	if ack != nil {
		ack(nil, nil)
	}
}
