package redisadapter

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"
	"unicode/utf16"

	"github.com/redis/go-redis/v9"

	"github.com/sioloop/sioloop/parser"
	"github.com/sioloop/sioloop/sio"
)

// SubscriptionMode is the sharded variant's subscriptionMode: which
// broadcasts to exactly one room (without ack) travel on the room's own
// channel, <key>#<nsp>#<room>#, to which only the nodes holding the room
// subscribe. Every node of a cluster must use the same mode.
type SubscriptionMode int

const (
	// SubscriptionDynamic gives a channel to each room but the sockets'
	// own-id rooms (private rooms): the default.
	SubscriptionDynamic SubscriptionMode = iota
	// SubscriptionStatic sends everything on the namespace's channel.
	SubscriptionStatic
	// SubscriptionDynamicPrivate gives a channel to every room, own-id
	// rooms too: one subscription per socket.
	SubscriptionDynamicPrivate
)

// The message types of socket.io-adapter's ClusterAdapter.
const (
	msgInitialHeartbeat       = 1
	msgHeartbeat              = 2
	msgBroadcast              = 3
	msgSocketsJoin            = 4
	msgSocketsLeave           = 5
	msgDisconnectSockets      = 6
	msgFetchSockets           = 7
	msgFetchSocketsResponse   = 8
	msgServerSideEmit         = 9
	msgServerSideEmitResponse = 10
	msgBroadcastClientCount   = 11
	msgBroadcastAck           = 12
	msgAdapterClose           = 13
)

// clusterTypes maps a request or answer type of the classic variant (the
// Adapter's own vocabulary) to the ClusterAdapter message carrying it;
// an answer to REMOTE_FETCH has type 0 (none) in the classic variant.
var clusterTypes = map[int]int{
	reqRemoteJoin:           msgSocketsJoin,
	reqRemoteLeave:          msgSocketsLeave,
	reqRemoteDisconnect:     msgDisconnectSockets,
	reqRemoteFetch:          msgFetchSockets,
	reqServerSideEmit:       msgServerSideEmit,
	reqBroadcast:            msgBroadcast,
	reqBroadcastClientCount: msgBroadcastClientCount,
	reqBroadcastAck:         msgBroadcastAck,
}

// requestTypes and responseTypes map ClusterAdapter messages back.
var (
	requestTypes = map[int]int{
		msgSocketsJoin: reqRemoteJoin, msgSocketsLeave: reqRemoteLeave, msgDisconnectSockets: reqRemoteDisconnect,
		msgFetchSockets: reqRemoteFetch, msgServerSideEmit: reqServerSideEmit,
	}
	responseTypes = map[int]int{
		msgFetchSocketsResponse: 0, msgServerSideEmitResponse: reqServerSideEmit,
		msgBroadcastClientCount: reqBroadcastClientCount, msgBroadcastAck: reqBroadcastAck,
	}
)

// clusterMsg is a ClusterAdapter message, JSON or (when data holds
// binary) MessagePack: {type, data, uid, nsp}.
type clusterMsg struct {
	Type int          `json:"type"`
	Data *clusterData `json:"data,omitempty"`
	UID  string       `json:"uid"`
	Nsp  string       `json:"nsp"`
}

// clusterData is a message's data; which members are set depends on the
// type. Packet is a BROADCAST's packet {type, data, nsp}, a
// SERVER_SIDE_EMIT's [event, args...], or an answer's value.
type clusterData struct {
	RequestID   string          `json:"requestId,omitempty"`
	Packet      json.RawMessage `json:"packet,omitempty"`
	Opts        *optsMsg        `json:"opts,omitempty"`
	Rooms       *[]string       `json:"rooms,omitempty"`
	Close       *bool           `json:"close,omitempty"`
	Sockets     json.RawMessage `json:"sockets,omitempty"`
	ClientCount *int            `json:"clientCount,omitempty"`
}

// sharded is the wire format of createShardedAdapter: ClusterAdapter
// messages on sharded channels (see the package doc).
type sharded struct {
	c    *Cluster
	mode SubscriptionMode
	ps   *redis.PubSub
	wake chan struct{} // a namespace's rooms changed
}

// shardedNsp is a namespace's part of the sharded variant.
type shardedNsp struct {
	nspJSON []byte // the namespace's name as a JSON string

	// Dynamic modes: the rooms this node holds, each with its channel.
	mu    sync.Mutex
	loops map[string]int      // room → how many loops hold it
	dirty map[string]struct{} // rooms whose count went to or from zero
	subs  map[string]bool     // rooms subscribed to; the subscriber goroutine's
}

func newSharded(c *Cluster) wire {
	return &sharded{c: c, mode: c.opts.SubscriptionMode, wake: make(chan struct{}, 1)}
}

func (s *sharded) open() *redis.PubSub {
	s.ps = s.c.rdb.SSubscribe(s.c.ctx)
	if s.mode != SubscriptionStatic {
		s.c.done.Add(1)
		go s.subscriptions()
	}
	return s.ps
}

// subscribe subscribes to the namespace's channel and this node's
// response channel, <key>#<nsp>#<uid>#, then announces the node
// (INITIAL_HEARTBEAT). In the dynamic modes a's rooms are watched.
func (s *sharded) subscribe(a *Adapter) {
	c := s.c
	name, _ := json.Marshal(a.nsp.Name())
	a.shard = &shardedNsp{nspJSON: name}
	a.requestChannel, a.specificResponseChannel = "", ""
	a.responseChannel = a.channel + c.uid + "#"
	if s.mode != SubscriptionStatic {
		a.shard.loops, a.shard.dirty, a.shard.subs = map[string]int{}, map[string]struct{}{}, map[string]bool{}
		a.Adapter = sio.NewMemoryAdapterWithHook(a.nsp, func(room string, own, created bool) { s.onRoom(a, room, own, created) })
	}
	c.mu.Lock()
	c.channels[a.channel] = a
	c.channels[a.responseChannel] = a
	c.mu.Unlock()
	if err := s.ps.SSubscribe(c.ctx, a.channel, a.responseChannel); err != nil {
		c.opts.Logger.Error("redisadapter: ssubscribe", "namespace", a.nsp.Name(), "err", err)
	}
	s.send(a, a.channel, msgInitialHeartbeat, nil, nil)
}

// onRoom counts the loops holding room and, when the count leaves or
// reaches zero, wakes the subscriber goroutine. Runs on a loop: it takes
// a mutex only when a room is created or deleted on that loop.
func (s *sharded) onRoom(a *Adapter, room string, own, created bool) {
	if own && s.mode != SubscriptionDynamicPrivate {
		return
	}
	n := a.shard
	n.mu.Lock()
	k := n.loops[room]
	if created {
		k++
	} else {
		k--
	}
	if k > 0 {
		n.loops[room] = k
	} else {
		delete(n.loops, room)
	}
	if k == 0 || created && k == 1 {
		n.dirty[room] = struct{}{}
	}
	n.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// subscriptions keeps the room channels subscribed to those of the rooms
// this node holds, as the official adapter's "create-room" and
// "delete-room" listeners. Runs on its own goroutine.
func (s *sharded) subscriptions() {
	c := s.c
	defer c.done.Done()
	for {
		select {
		case <-c.ctx.Done():
			return
		case <-s.wake:
		}
		c.mu.Lock()
		as := slices.Clone(c.adapters)
		c.mu.Unlock()
		for _, a := range as {
			if a.shard == nil || a.shard.subs == nil {
				continue
			}
			n := a.shard
			var add, del []string
			n.mu.Lock()
			for room := range n.dirty {
				if want := n.loops[room] > 0; want != n.subs[room] {
					if want {
						add = append(add, a.channel+room+"#")
						n.subs[room] = true
					} else {
						del = append(del, a.channel+room+"#")
						delete(n.subs, room)
					}
				}
			}
			clear(n.dirty)
			n.mu.Unlock()
			c.mu.Lock()
			for _, ch := range add {
				c.channels[ch] = a
			}
			for _, ch := range del {
				if ch != a.responseChannel {
					delete(c.channels, ch)
				}
			}
			c.mu.Unlock()
			if len(add) > 0 {
				if err := s.ps.SSubscribe(c.ctx, add...); err != nil && c.ctx.Err() == nil {
					c.opts.Logger.Error("redisadapter: ssubscribe", "namespace", a.nsp.Name(), "err", err)
				}
			}
			if len(del) > 0 {
				if err := s.ps.SUnsubscribe(c.ctx, del...); err != nil && c.ctx.Err() == nil {
					c.opts.Logger.Error("redisadapter: sunsubscribe", "namespace", a.nsp.Name(), "err", err)
				}
			}
		}
	}
}

// receive decodes a message (JSON when it starts with '{', else
// MessagePack, transcoded to JSON with its binary values as attachments)
// and hands it on by type.
func (s *sharded) receive(a *Adapter, msg *redis.Message) {
	c := s.c
	m, atts, err := decodeCluster([]byte(msg.Payload))
	if err != nil {
		c.opts.Logger.Debug("redisadapter: malformed message", "channel", msg.Channel, "err", err)
		return
	}
	if m.UID == c.uid || m.Nsp != a.nsp.Name() {
		return
	}
	d := m.Data
	if d == nil {
		d = &clusterData{}
	}
	switch m.Type {
	case msgInitialHeartbeat:
		c.heard(m.UID)
		s.send(a, a.channel, msgHeartbeat, nil, nil)
	case msgHeartbeat:
		c.heard(m.UID)
	case msgAdapterClose:
		c.forget(m.UID)
	case msgBroadcast:
		pkt, err := a.clusterPacket(d, atts)
		if err != nil {
			c.opts.Logger.Debug("redisadapter: malformed packet", "channel", msg.Channel, "err", err)
			return
		}
		if d.RequestID == "" {
			a.Adapter.Broadcast(pkt, d.Opts.options())
			return
		}
		a.onRequest(&request{UID: m.UID, RequestID: d.RequestID, Type: reqBroadcast, Opts: d.Opts, pkt: pkt})
	case msgSocketsJoin, msgSocketsLeave, msgDisconnectSockets, msgFetchSockets, msgServerSideEmit:
		if d.Opts == nil && m.Type != msgServerSideEmit {
			return
		}
		r := &request{UID: m.UID, RequestID: d.RequestID, Type: requestTypes[m.Type], Opts: d.Opts, Data: d.Packet, Atts: atts}
		if d.Rooms != nil {
			r.Rooms = *d.Rooms
		}
		if d.Close != nil {
			r.Close = *d.Close
		}
		a.onRequest(r)
	case msgFetchSocketsResponse, msgServerSideEmitResponse, msgBroadcastClientCount, msgBroadcastAck:
		if d.RequestID == "" {
			return
		}
		r := &response{Type: responseTypes[m.Type], RequestID: d.RequestID, Sockets: d.Sockets, Data: d.Packet, ClientCount: d.ClientCount, Atts: atts}
		if c.member(m.UID) { // a sioloop node: Node nodes send no heartbeat
			r.UID = m.UID
		}
		c.onResponse(r)
	}
}

// errMalformed reports a message that is not a ClusterAdapter message.
var errMalformed = errors.New("redisadapter: malformed message")

// decodeCluster reads a message: JSON when it starts with '{', else
// MessagePack, transcoded to JSON with its binary values as attachments.
// It walks the JSON itself (every broadcast from another node comes this
// way): the raw members (packet, sockets) alias payload, and what a
// member holds is checked where it is used — a packet's data by
// NewBroadcastPacket, the small members by encoding/json.
func decodeCluster(payload []byte) (*clusterMsg, [][]byte, error) {
	var atts [][]byte
	if len(payload) > 0 && payload[0] != '{' {
		j, end, _, err := msgpackToJSON(nil, payload, 0, &atts, 0)
		if err != nil {
			return nil, nil, err
		}
		if end != len(payload) {
			return nil, nil, errTranscode
		}
		payload = j
	}
	m := &clusterMsg{}
	var data []byte
	var err error
	ok := jsonMembers(payload, func(key, v []byte) {
		switch string(key) {
		case "type":
			m.Type, err = jsonInt(v)
		case "uid":
			m.UID, err = jsonString(v)
		case "nsp":
			m.Nsp, err = jsonString(v)
		case "data":
			data = v
		}
	})
	if !ok || err != nil {
		return nil, nil, errors.Join(errMalformed, err)
	}
	if len(data) == 0 || string(data) == "null" {
		return m, atts, nil
	}
	d := &clusterData{}
	m.Data = d
	ok = jsonMembers(data, func(key, v []byte) {
		if err != nil {
			return
		}
		switch string(key) {
		case "requestId":
			d.RequestID, err = jsonString(v)
		case "packet":
			d.Packet = v
		case "opts":
			d.Opts, err = jsonOpts(v)
		case "rooms":
			err = json.Unmarshal(v, &d.Rooms)
		case "close":
			err = json.Unmarshal(v, &d.Close)
		case "sockets":
			d.Sockets = v
		case "clientCount":
			err = json.Unmarshal(v, &d.ClientCount)
		}
	})
	if !ok || err != nil {
		return nil, nil, errors.Join(errMalformed, err)
	}
	return m, atts, nil
}

// clusterPacket builds the packet of a BROADCAST to write to this node's
// clients (with an ack id when it asks for acks).
func (a *Adapter) clusterPacket(d *clusterData, atts [][]byte) (*sio.BroadcastPacket, error) {
	var data []byte
	if !jsonMembers(d.Packet, func(key, v []byte) {
		if string(key) == "data" {
			data = v
		}
	}) || data == nil {
		return nil, errMalformed
	}
	return a.nsp.NewBroadcastPacket(data, atts, d.RequestID != "")
}

// jsonMembers calls fn with each member of the JSON object b: its key as
// written between the quotes, and its value's raw JSON (aliasing b). It
// reports whether b is an object it could walk; the values are delimited,
// not validated.
func jsonMembers(b []byte, fn func(key, value []byte)) bool {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return false
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		return skipSpace(b, i+1) == len(b)
	}
	for {
		if i >= len(b) || b[i] != '"' {
			return false
		}
		k := stringEnd(b, i)
		if k < 0 {
			return false
		}
		key := b[i+1 : k-1]
		if i = skipSpace(b, k); i >= len(b) || b[i] != ':' {
			return false
		}
		i = skipSpace(b, i+1)
		end := jsonValueEnd(b, i)
		if end < 0 {
			return false
		}
		fn(key, b[i:end])
		if i = skipSpace(b, end); i >= len(b) {
			return false
		}
		switch b[i] {
		case '}':
			return skipSpace(b, i+1) == len(b)
		case ',':
			i = skipSpace(b, i+1)
		default:
			return false
		}
	}
}

// jsonElements calls fn with the raw JSON of each element of the JSON
// array b, and reports whether b is an array it could walk.
func jsonElements(b []byte, fn func(value []byte)) bool {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '[' {
		return false
	}
	if i = skipSpace(b, i+1); i < len(b) && b[i] == ']' {
		return skipSpace(b, i+1) == len(b)
	}
	for {
		end := jsonValueEnd(b, i)
		if end < 0 {
			return false
		}
		fn(b[i:end])
		if i = skipSpace(b, end); i >= len(b) {
			return false
		}
		switch b[i] {
		case ']':
			return skipSpace(b, i+1) == len(b)
		case ',':
			i = skipSpace(b, i+1)
		default:
			return false
		}
	}
}

// jsonOpts reads a selection {rooms, except, flags} (null: none).
func jsonOpts(v []byte) (*optsMsg, error) {
	if string(v) == "null" {
		return nil, nil
	}
	o := &optsMsg{}
	var err error
	strs := func(v []byte) []string {
		out := []string{}
		if !jsonElements(v, func(e []byte) {
			s, e2 := jsonString(e)
			out = append(out, s)
			err = errors.Join(err, e2)
		}) {
			err = errMalformed
		}
		return out
	}
	if !jsonMembers(v, func(key, v []byte) {
		switch string(key) {
		case "rooms":
			o.Rooms = strs(v)
		case "except":
			o.Except = strs(v)
		case "flags":
			o.Flags = &flagsMsg{}
			if !jsonMembers(v, func(key, v []byte) {
				switch string(key) {
				case "volatile":
					o.Flags.Volatile = string(v) == "true"
				case "local":
					o.Flags.Local = string(v) == "true"
				}
			}) && string(v) != "null" {
				err = errMalformed
			}
		}
	}) {
		return nil, errMalformed
	}
	return o, err
}

// jsonValueEnd returns the index after the JSON value at b[i], found by
// its delimiters (strings, and brackets outside them), or -1.
func jsonValueEnd(b []byte, i int) int {
	if i >= len(b) {
		return -1
	}
	switch b[i] {
	case '"':
		return stringEnd(b, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				e := stringEnd(b, j)
				if e < 0 {
					return -1
				}
				j = e - 1
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return j + 1
				}
			}
		}
		return -1
	}
	j := i // a number, true, false or null
	for j < len(b) && b[j] != ',' && b[j] != '}' && b[j] != ']' && b[j] != ' ' && b[j] != '\t' && b[j] != '\n' && b[j] != '\r' {
		j++
	}
	if j == i {
		return -1
	}
	return j
}

// jsonString returns the JSON string v unquoted.
func jsonString(v []byte) (string, error) {
	if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' && bytes.IndexByte(v, '\\') < 0 {
		return string(v[1 : len(v)-1]), nil
	}
	var s string
	err := json.Unmarshal(v, &s)
	return s, err
}

// jsonInt returns the JSON number v, which must be a small integer.
func jsonInt(v []byte) (int, error) {
	n := 0
	for i, c := range v {
		if c < '0' || c > '9' || i >= 9 {
			var f float64
			if err := json.Unmarshal(v, &f); err != nil || f != float64(int(f)) {
				return 0, errMalformed
			}
			return int(f), nil
		}
		n = n*10 + int(c-'0')
	}
	if len(v) == 0 {
		return 0, errMalformed
	}
	return n, nil
}

func (*sharded) publish(ctx context.Context, pipe redis.Pipeliner, channel string, payload []byte) {
	pipe.SPublish(ctx, channel, payload)
}

// serverCount is PUBSUB SHARDNUMSUB of the namespace's channel.
func (s *sharded) serverCount(ctx context.Context, a *Adapter) (int, error) {
	m, err := s.c.rdb.PubSubShardNumSub(ctx, a.channel).Result()
	if err != nil {
		return 0, err
	}
	return int(m[a.channel]), nil
}

// heartbeat sends HEARTBEAT on every namespace's channel (Node's sharded
// adapter, a ClusterAdapter without heartbeats, ignores it).
func (s *sharded) heartbeat(as []*Adapter) {
	for _, a := range as {
		s.send(a, a.channel, msgHeartbeat, nil, nil)
	}
}

// leave publishes ADAPTER_CLOSE on every namespace's channel, at once.
func (s *sharded) leave(as []*Adapter) {
	if len(as) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	pipe := s.c.rdb.Pipeline()
	for _, a := range as {
		if payload, err := s.encode(a, msgAdapterClose, nil, nil); err == nil {
			pipe.SPublish(ctx, a.channel, payload)
		}
	}
	_, _ = pipe.Exec(ctx)
}

func (*sharded) roomRequests() bool { return false }

// broadcast writes {type: 3, data: {packet, opts}, uid, nsp} around the
// payload this node writes to its clients; with binary, transcoded to
// MessagePack.
func (s *sharded) broadcast(a *Adapter, pkt *sio.BroadcastPacket, opts *sio.BroadcastOptions) (string, []byte, error) {
	payload, atts, err := pkt.JSON()
	if err != nil {
		return "", nil, err
	}
	o, err := json.Marshal(wireOpts(opts))
	if err != nil {
		return "", nil, err
	}
	n := a.shard.nspJSON
	b := make([]byte, 0, 80+len(payload)+len(o)+len(s.c.uid)+2*len(n))
	b = append(b, `{"type":3,"data":{"packet":{"type":2,"data":`...)
	b = append(b, payload...)
	b = append(append(b, `,"nsp":`...), n...)
	b = append(append(b, `},"opts":`...), o...)
	b = append(append(append(b, `},"uid":"`...), s.c.uid...), `","nsp":`...)
	b = append(append(b, n...), '}')
	if len(atts) > 0 {
		if b, _, err = jsonToMsgpack(nil, b, 0, atts, 0); err != nil {
			return "", nil, err
		}
	}
	return s.broadcastChannel(a, opts.Rooms), b, nil
}

// broadcastChannel returns the room's channel when the subscription mode
// gives it one (one room, not a socket's id in SubscriptionDynamic), else
// the namespace's, as the official adapter's computeChannel.
func (s *sharded) broadcastChannel(a *Adapter, rooms []string) string {
	if len(rooms) == 1 && (s.mode == SubscriptionDynamicPrivate || s.mode == SubscriptionDynamic && !looksLikeSocketID(rooms[0])) {
		return a.channel + rooms[0] + "#"
	}
	return a.channel
}

// looksLikeSocketID reports whether room is 20 UTF-16 units long, as the
// official adapter tells a socket's own-id room.
func looksLikeSocketID(room string) bool {
	n := 0
	for _, r := range room {
		n += utf16.RuneLen(r)
	}
	return n == 20
}

// errNoSuchRequest refuses a request the sharded variant does not have.
var errNoSuchRequest = errors.New("redisadapter: no such request in the sharded adapter")

// request encodes a request as a ClusterAdapter message on the
// namespace's channel.
func (s *sharded) request(a *Adapter, req *request) (string, []byte, error) {
	typ, ok := clusterTypes[req.Type]
	if !ok {
		return "", nil, errNoSuchRequest
	}
	d := &clusterData{RequestID: req.RequestID, Opts: req.Opts}
	var atts [][]byte
	var err error
	switch req.Type {
	case reqRemoteJoin, reqRemoteLeave:
		rooms := nonNil(req.Rooms)
		d.Rooms = &rooms
	case reqRemoteDisconnect:
		d.Close = &req.Close
	case reqServerSideEmit:
		d.Opts = nil
		d.Packet, atts, err = jsonArray(parser.Event, req.event, req.args)
	case reqBroadcast:
		var payload []byte
		if payload, atts, err = req.pkt.JSON(); err == nil {
			d.Packet = slices.Concat([]byte(`{"type":2,"data":`), payload, []byte(`,"nsp":`), a.shard.nspJSON, []byte{'}'})
		}
	}
	if err != nil {
		return "", nil, err
	}
	payload, err := s.encode(a, typ, d, atts)
	return a.channel, payload, err
}

// response encodes an answer as a ClusterAdapter message on the
// requester's response channel, <key>#<nsp>#<uid>#.
func (s *sharded) response(a *Adapter, r *request, resp *response) (string, []byte, error) {
	d := &clusterData{RequestID: resp.RequestID}
	typ := msgFetchSocketsResponse
	var atts [][]byte
	var err error
	switch resp.Type {
	case reqServerSideEmit:
		typ = msgServerSideEmitResponse
		if resp.value != nil {
			d.Packet, atts, err = jsonValue(resp.value)
		}
	case reqBroadcastClientCount:
		typ, d.ClientCount = msgBroadcastClientCount, resp.ClientCount
	case reqBroadcastAck:
		typ = msgBroadcastAck
		if resp.args.Len() > 0 {
			var v any
			if v, err = resp.args.Value(0); err == nil {
				d.Packet, atts, err = jsonValue(v)
			}
		}
	case 0:
		d.Sockets = resp.Sockets
	default:
		return "", nil, errNoSuchRequest
	}
	if err != nil {
		return "", nil, err
	}
	payload, err := s.encode(a, typ, d, atts)
	return a.channel + r.UID + "#", payload, err
}

// send publishes a message of a's namespace (through the queue).
func (s *sharded) send(a *Adapter, channel string, typ int, d *clusterData, atts [][]byte) {
	if payload, err := s.encode(a, typ, d, atts); err == nil {
		s.c.send(channel, payload)
	}
}

// encode returns the message {type, data, uid, nsp}: JSON, MessagePack
// when data holds binary (placeholders naming atts), as the official
// adapter chooses.
func (s *sharded) encode(a *Adapter, typ int, d *clusterData, atts [][]byte) ([]byte, error) {
	b, err := json.Marshal(&clusterMsg{Type: typ, Data: d, UID: s.c.uid, Nsp: a.nsp.Name()})
	if err != nil || len(atts) == 0 {
		return b, err
	}
	b, _, err = jsonToMsgpack(nil, b, 0, atts, 0)
	return b, err
}

// jsonArray returns the JSON array [event, args...] (an Ack's [args...])
// as the JSON parser writes it, binary values as placeholders, and the
// attachments.
func jsonArray(typ parser.Type, event string, args []any) ([]byte, [][]byte, error) {
	var f parser.Frames
	if err := parser.JSON.NewEncoder().Encode(&f, typ, "/", -1, event, args); err != nil {
		return nil, nil, err
	}
	i := bytes.IndexByte(f.Head, '[')
	if i < 0 {
		return nil, nil, fmt.Errorf("redisadapter: encode: no payload in %q", f.Head)
	}
	return f.Head[i:], f.Attachments, nil
}

// jsonValue returns v as jsonArray writes it, not in an array.
func jsonValue(v any) ([]byte, [][]byte, error) {
	b, atts, err := jsonArray(parser.Ack, "", []any{v})
	if err != nil {
		return nil, nil, err
	}
	return b[1 : len(b)-1], atts, nil
}
