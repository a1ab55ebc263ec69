package redisadapter

import (
	"bytes"
	"context"
	"fmt"
	"slices"

	"github.com/redis/go-redis/v9"

	"github.com/sioloop/sioloop/parser"
	"github.com/sioloop/sioloop/sio"
)

// emitterUID is the uid an emitter's messages carry, as
// @socket.io/redis-emitter's: no node has it, so every node applies them.
const emitterUID = "emitter"

// EmitterOptions configures an Emitter. Its zero value means the defaults
// of @socket.io/redis-emitter 5.1.
type EmitterOptions struct {
	// Key prefixes every channel; it must be the cluster's. Zero means
	// "socket.io".
	Key string
}

// Emitter publishes to a cluster's sockets from a process that is not a
// member (a worker, a cron job): what @socket.io/redis-emitter 5.1 does,
// on the same channels and in the same encoding, so sioloop nodes and
// official Node nodes (@socket.io/redis-adapter's createAdapter) alike
// apply it. It sees no sockets and gets no answers: nothing here waits
// for the nodes, and there are no acks.
//
//	e := redisadapter.NewEmitter(rdb, nil)
//	err := e.To("room1").Except("room2").Emit("news", "hello", []byte{1, 2})
//
// An Emitter is a value: To, Except, Of and Volatile return a new one
// and never change their receiver, so one may be shared by goroutines.
// Each operation publishes once and returns the Redis client's error.
type Emitter struct {
	rdb      redis.UniversalClient
	key, nsp string
	channel  string               // the namespace's broadcast channel
	requests string               // the namespace's request channel
	sel      sio.BroadcastOptions // Rooms, Except and Volatile only
}

// NewEmitter returns an emitter for the main namespace "/" publishing
// through rdb.
func NewEmitter(rdb redis.UniversalClient, opts *EmitterOptions) *Emitter {
	key := "socket.io"
	if opts != nil && opts.Key != "" {
		key = opts.Key
	}
	return newEmitter(rdb, key, "/")
}

func newEmitter(rdb redis.UniversalClient, key, nsp string) *Emitter {
	e := &Emitter{rdb: rdb, key: key, nsp: nsp}
	e.channel, e.requests = channelsOf(key, nsp)
	return e
}

func (e *Emitter) clone() *Emitter {
	c := *e
	c.sel.Rooms, c.sel.Except = slices.Clip(c.sel.Rooms), slices.Clip(c.sel.Except)
	return &c
}

// Of returns an emitter for the namespace nsp ("/" is prefixed when
// missing), with no selection.
func (e *Emitter) Of(nsp string) *Emitter {
	if len(nsp) == 0 || nsp[0] != '/' {
		nsp = "/" + nsp
	}
	return newEmitter(e.rdb, e.key, nsp)
}

// To selects the sockets in any of rooms (added to those already
// selected).
func (e *Emitter) To(rooms ...string) *Emitter {
	c := e.clone()
	c.sel.Rooms = addRooms(c.sel.Rooms, rooms)
	return c
}

// In is To.
func (e *Emitter) In(rooms ...string) *Emitter { return e.To(rooms...) }

// Except leaves out the sockets in any of rooms.
func (e *Emitter) Except(rooms ...string) *Emitter {
	c := e.clone()
	c.sel.Except = addRooms(c.sel.Except, rooms)
	return c
}

// Volatile makes Emit's packet droppable where a socket's transport is
// not ready (the volatile flag).
func (e *Emitter) Volatile() *Emitter {
	c := e.clone()
	c.sel.Volatile = true
	return c
}

// addRooms appends the rooms not already in set, as the emitter's Set.
func addRooms(set, rooms []string) []string {
	for _, r := range rooms {
		if !slices.Contains(set, r) {
			set = append(set, r)
		}
	}
	return set
}

// Emit sends an event to the selected sockets of every node. Every []byte
// in args, however deep, travels as binary. A reserved event name
// ("connect", "disconnect", ...) fails with sio.ErrReservedEvent.
func (e *Emitter) Emit(event string, args ...any) error {
	if sio.IsReservedEvent(event) {
		return fmt.Errorf("%w: %q", sio.ErrReservedEvent, event)
	}
	var f parser.Frames
	if err := parser.JSON.NewEncoder().Encode(&f, parser.Event, "/", -1, event, args); err != nil {
		return err
	}
	// With the main namespace and no ack id, the header is the type and
	// the attachment count: the payload starts at the array.
	p, err := wirePacket(f.Head[bytes.IndexByte(f.Head, '['):], f.Attachments, e.nsp, -1)
	if err != nil {
		return err
	}
	msg, err := marshal(&broadcastMsg{UID: emitterUID, Packet: p, Opts: wireOpts(&e.sel)})
	if err != nil {
		return err
	}
	return e.publish(roomChannel(e.channel, e.sel.Rooms), msg)
}

// SocketsJoin makes the selected sockets of every node join rooms.
func (e *Emitter) SocketsJoin(rooms ...string) error {
	return e.request(&request{Type: reqRemoteJoin, Opts: wireOpts(&e.sel), Rooms: nonNil(rooms)})
}

// SocketsLeave makes the selected sockets of every node leave rooms.
func (e *Emitter) SocketsLeave(rooms ...string) error {
	return e.request(&request{Type: reqRemoteLeave, Opts: wireOpts(&e.sel), Rooms: nonNil(rooms)})
}

// DisconnectSockets disconnects the selected sockets of every node, and
// with close their connections.
func (e *Emitter) DisconnectSockets(close bool) error {
	return e.request(&request{Type: reqRemoteDisconnect, Opts: wireOpts(&e.sel), Close: close})
}

// ServerSideEmit sends an event to every node's OnServerSideEmit handlers
// (arguments as JSON, as the official emitter sends them). There is no
// ack: the emitter does not count the nodes.
func (e *Emitter) ServerSideEmit(event string, args ...any) error {
	req, err := serverSideEmitRequest(event, args)
	if err != nil {
		return err
	}
	return e.request(req)
}

// request publishes req on the namespace's request channel.
func (e *Emitter) request(req *request) error {
	payload, err := notifyPayload(emitterUID, req)
	if err != nil {
		return err
	}
	return e.publish(e.requests, payload)
}

func (e *Emitter) publish(channel string, payload []byte) error {
	if err := e.rdb.Publish(context.Background(), channel, payload).Err(); err != nil {
		return fmt.Errorf("redisadapter: emitter: publish: %w", err)
	}
	return nil
}
