package sio

import (
	"time"

	"github.com/sioloop/sioloop/parser"
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

// options returns the operator's selection as adapter options.
func (b *BroadcastOperator) options() *BroadcastOptions {
	return &BroadcastOptions{Rooms: b.rooms, Except: b.except, Volatile: b.volatile, Local: b.local, Timeout: b.timeout}
}

// Emit sends an event to every selected socket. A last argument of type
// BroadcastAckHandler (or func([]*Args, error)) collects every client's
// answer, or fails with ErrTimeout after Timeout with those that came.
// Its error is the same from any goroutine: ErrReservedEvent,
// ErrAckHandler, or the parser's for an argument it cannot encode; then
// nothing was sent.
func (b *BroadcastOperator) Emit(event string, args ...any) error {
	if reservedEvents[event] {
		return ErrReservedEvent
	}
	fn, args, err := broadcastAckOf(args)
	if err != nil {
		return err
	}
	opts := b.options()
	for _, nsp := range b.nsps {
		pkt := &BroadcastPacket{Event: event, Args: args, ID: -1}
		if fn != nil {
			pkt.ID = nsp.nextAckID()
		}
		enc := nsp.srv.encoders.Get().(parser.Encoder)
		err := enc.Encode(&pkt.frames, parser.Event, nsp.name, pkt.ID, event, args) // Head from nil: pkt owns it
		nsp.srv.encoders.Put(enc)
		if err != nil {
			return err
		}
		pkt.frames.Attachments = copyAttachments(pkt.frames.Attachments)
		if fn == nil {
			nsp.adapter.Broadcast(pkt, opts)
			continue
		}
		c := &ackCollector{srv: nsp.srv, fn: fn, shards: nsp.adapter.Shards()}
		nsp.adapter.BroadcastWithAck(pkt, opts, c.counted, c.answer)
		if b.timeout > 0 {
			c.mu.Lock()
			if !c.done {
				c.timer = time.AfterFunc(b.timeout, c.timeout)
			}
			c.mu.Unlock()
		}
	}
	return nil
}

// writeBroadcast writes pkt to s unless it is volatile and the transport
// is not ready, or it does not fit under the connection's high-water mark
// (ErrDropped); it reports whether it wrote. Every receiver on the loop
// shares one copy of the packet. Runs on s's loop.
func (s *Socket) writeBroadcast(pkt *BroadcastPacket, opts *BroadcastOptions) bool {
	c := s.client
	if opts.Volatile && !c.sess.Writable() {
		c.srv.shardState(s.sh).volatileDropped++
		return false
	}
	return c.writeShared(c.srv.shardState(s.sh).sharedOf(pkt), opts.Volatile) == nil
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

// SocketsJoin makes the selected sockets join rooms.
func (b *BroadcastOperator) SocketsJoin(rooms ...string) {
	kept := append([]string(nil), rooms...)
	for _, nsp := range b.nsps {
		nsp.adapter.AddSockets(b.options(), kept)
	}
}

// SocketsLeave makes the selected sockets leave rooms.
func (b *BroadcastOperator) SocketsLeave(rooms ...string) {
	kept := append([]string(nil), rooms...)
	for _, nsp := range b.nsps {
		nsp.adapter.DelSockets(b.options(), kept)
	}
}

// DisconnectSockets disconnects the selected sockets; with close, their
// whole connections close.
func (b *BroadcastOperator) DisconnectSockets(close bool) {
	for _, nsp := range b.nsps {
		nsp.adapter.DisconnectSockets(b.options(), close)
	}
}

// RemoteSocket is a snapshot of a socket, as FetchSockets returns it: one
// of this node's, or one another node of a cluster described.
type RemoteSocket struct {
	ID        string
	Namespace string
	Rooms     []string
	Data      any
	Handshake *Handshake
	nsp       *Namespace
	socket    *Socket // nil for another node's socket
}

// NewRemoteSocket describes a socket of another node, for a cluster
// adapter's FetchSockets: its methods act through nsp's adapter on the
// room of the socket's id.
func NewRemoteSocket(nsp *Namespace, id string, rooms []string, data any, hs *Handshake) *RemoteSocket {
	return &RemoteSocket{ID: id, Namespace: nsp.name, Rooms: rooms, Data: data, Handshake: hs, nsp: nsp}
}

// Emit sends an event to the socket, like Socket.Emit whichever node
// holds it: a last AckHandler (or func(*Args, error)) argument gets the
// client's answer (as Node's remoteSocket.emit, which expects a single
// response).
func (r *RemoteSocket) Emit(event string, args ...any) error { return r.emit(event, args, 0) }

// Timeout returns an emitter to the socket whose ack fails with
// ErrTimeout after d, like remoteSocket.timeout(d).
func (r *RemoteSocket) Timeout(d time.Duration) *RemoteEmitter {
	return &RemoteEmitter{r: r, timeout: d}
}

// RemoteEmitter is an emit to a RemoteSocket with a Timeout.
type RemoteEmitter struct {
	r       *RemoteSocket
	timeout time.Duration
}

// Emit emits with the emitter's timeout; see RemoteSocket.Emit.
func (e *RemoteEmitter) Emit(event string, args ...any) error {
	return e.r.emit(event, args, e.timeout)
}

func (r *RemoteSocket) emit(event string, args []any, timeout time.Duration) error {
	if r.socket != nil {
		return r.socket.emitWith(event, args, timeout, false)
	}
	fn, args, err := ackHandlerOf(args)
	if err != nil {
		return err
	}
	op := r.nsp.To(r.ID)
	op.timeout = timeout
	if fn == nil {
		return op.Emit(event, args...)
	}
	one := BroadcastAckHandler(func(responses []*Args, err error) {
		switch {
		case err != nil:
			fn(nil, err)
		case len(responses) == 0: // the socket was gone
			fn(nil, ErrDisconnected)
		default:
			fn(responses[0], nil)
		}
	})
	return op.Emit(event, append(args[:len(args):len(args)], one)...)
}

// Join adds the socket to rooms.
func (r *RemoteSocket) Join(rooms ...string) {
	if r.socket == nil {
		r.nsp.In(r.ID).SocketsJoin(rooms...)
		return
	}
	r.socket.Join(rooms...)
}

// Leave removes the socket from rooms.
func (r *RemoteSocket) Leave(rooms ...string) {
	if r.socket == nil {
		r.nsp.In(r.ID).SocketsLeave(rooms...)
		return
	}
	r.socket.Leave(rooms...)
}

// Disconnect disconnects the socket.
func (r *RemoteSocket) Disconnect(close bool) {
	if r.socket == nil {
		r.nsp.In(r.ID).DisconnectSockets(close)
		return
	}
	r.socket.Disconnect(close)
}

// FetchSockets returns a snapshot of the selected sockets. It waits for
// every loop (and every node of a cluster): call it from a goroutine of
// your own (ErrOnLoop otherwise). With a cluster adapter, a node that did
// not answer in time makes it return the sockets it got with an error.
func (b *BroadcastOperator) FetchSockets() ([]*RemoteSocket, error) {
	var out []*RemoteSocket
	for _, nsp := range b.nsps {
		if nsp.srv.onALoop() {
			return nil, ErrOnLoop
		}
		got, err := nsp.adapter.FetchSockets(b.options())
		out = append(out, got...)
		if err != nil {
			return out, err
		}
	}
	return out, nil
}
