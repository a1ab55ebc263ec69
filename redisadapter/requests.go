package redisadapter

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sync/atomic"
	"time"

	"github.com/sioloop/sioloop/sio"
)

// RequestError reports a cluster request that did not get every node's
// answer: the result it comes with holds the answers that came.
type RequestError struct {
	Op       string   // "fetchSockets", "serverSideEmit", "allRooms", "sockets"
	Expected int      // answers awaited (other nodes subscribed when it was sent)
	Got      int      // answers received
	Silent   []string // uids of the sioloop nodes that did not answer
	// Unnamed counts the silent nodes without a heartbeat (official Node
	// nodes, or sioloop nodes not heard from yet).
	Unnamed int
}

func (e *RequestError) Error() string {
	return fmt.Sprintf("redisadapter: %s: timeout reached: only %d responses received out of %d; silent nodes %v and %d without heartbeat",
		e.Op, e.Got, e.Expected, e.Silent, e.Unnamed)
}

// pending is a request of this node awaiting answers: a blocking one
// (answers), or a broadcast with an ack (clientCount and ack, until its
// timer forgets it).
type pending struct {
	answers     chan *response
	clientCount func(n int)
	ack         func(a *sio.Args)
}

// newRequestID returns a fresh request id.
func newRequestID() string { return newUID() }

// onResponse hands an answer, decoded by the variant, to the request it
// answers. Runs on the reader goroutine.
func (c *Cluster) onResponse(r *response) {
	c.mu.Lock()
	p := c.pending[r.RequestID]
	c.mu.Unlock()
	if p == nil {
		return
	}
	if p.answers != nil {
		select {
		case p.answers <- r:
		default: // more answers than nodes counted: ignored
		}
		return
	}
	switch r.Type {
	case reqBroadcastClientCount:
		if r.ClientCount != nil {
			p.clientCount(*r.ClientCount)
		}
	case reqBroadcastAck:
		if a, err := argsOf(r.Data, r.Atts, false); err == nil {
			p.ack(a)
		}
	}
}

// argsOf returns the Args of one answer's value in JSON, binary values as
// placeholders naming atts: none when it is absent (undefined), or null
// with orNull.
func argsOf(value json.RawMessage, atts [][]byte, orNull bool) (*sio.Args, error) {
	if len(value) == 0 && orNull {
		value = json.RawMessage("null")
	}
	data := append(append(make([]byte, 0, len(value)+2), '['), value...)
	return sio.ArgsFromJSON(append(data, ']'), atts)
}

// request publishes req to the other nodes of the namespace and collects
// their answers until each has answered or the timeout; on timeout it
// returns those that came with a *RequestError.
func (a *Adapter) request(ctx context.Context, op string, req *request) ([]*response, error) {
	c := a.c
	n, err := c.serverCount(ctx, a)
	if err != nil {
		return nil, fmt.Errorf("redisadapter: %s: %w", op, err)
	}
	expect := n - 1
	if expect <= 0 {
		return nil, nil
	}
	req.UID, req.RequestID = c.uid, newRequestID()
	channel, payload, err := c.wire.request(a, req)
	if err != nil {
		return nil, fmt.Errorf("redisadapter: %s: %w", op, err)
	}
	p := &pending{answers: make(chan *response, expect)}
	c.mu.Lock()
	c.pending[req.RequestID] = p
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		delete(c.pending, req.RequestID)
		c.mu.Unlock()
	}()
	c.send(channel, payload)
	timeout := c.opts.RequestsTimeout
	if d, ok := ctx.Deadline(); ok {
		timeout = time.Until(d)
	}
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	// Every check, the wait is cut short when the nodes yet to answer have
	// left (NUMSUB fell: a killed node's connection is gone) or are
	// sioloop nodes whose heartbeat stopped.
	check := time.NewTicker(checkInterval)
	defer check.Stop()
	var out []*response
	answered := map[string]bool{}
	fail := func() ([]*response, error) {
		alive, stale := c.silent(answered)
		silent := append(alive, stale...)
		return out, &RequestError{Op: op, Expected: expect, Got: len(out), Silent: silent, Unnamed: max(expect-len(out)-len(silent), 0)}
	}
	for len(out) < expect {
		select {
		case r := <-p.answers:
			out = append(out, r)
			if r.UID != "" {
				answered[r.UID] = true
				c.heard(r.UID)
			}
		case <-check.C:
			if n, err := c.serverCount(ctx, a); err == nil && n-1 <= len(out) {
				return out, nil // the silent ones left the cluster
			}
			if _, stale := c.silent(answered); len(stale) > 0 && len(stale) >= expect-len(out) {
				return fail()
			}
		case <-timer.C:
			return fail()
		case <-ctx.Done():
			return fail()
		case <-c.ctx.Done():
			return out, ErrClosed
		}
	}
	return out, nil
}

// checkInterval is how often a waiting request recounts the nodes.
const checkInterval = 200 * time.Millisecond

// FetchSockets returns the selected sockets of every node: this node's,
// then the others' (with opts.Local, this node's only).
func (a *Adapter) FetchSockets(opts *sio.BroadcastOptions) ([]*sio.RemoteSocket, error) {
	local, err := a.Adapter.FetchSockets(opts)
	if err != nil || opts.Local {
		return local, err
	}
	ctx := context.Background()
	if opts.Timeout > 0 { // the per-call timeout: io.Timeout(d).FetchSockets()
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, opts.Timeout)
		defer cancel()
	}
	rs, err := a.request(ctx, "fetchSockets", &request{Type: reqRemoteFetch, Opts: wireOpts(&sio.BroadcastOptions{Rooms: opts.Rooms, Except: opts.Except})})
	for _, r := range rs {
		var socks []fetchedSocket
		if json.Unmarshal(r.Sockets, &socks) != nil {
			continue
		}
		for _, s := range socks {
			var data any
			if args, err := argsOf(s.Data, r.Atts, true); err == nil {
				data, _ = args.Value(0)
			}
			local = append(local, sio.NewRemoteSocket(a.nsp, s.ID, s.Rooms, data, s.Handshake.handshake()))
		}
	}
	return local, err
}

// fetchedSocket is a socket in a REMOTE_FETCH answer.
type fetchedSocket struct {
	ID        string          `json:"id"`
	Handshake *nodeHandshake  `json:"handshake"`
	Rooms     []string        `json:"rooms"`
	Data      json.RawMessage `json:"data"`
}

// AllRooms returns the rooms of every node: those with a member, each
// socket's own-id room among them, as the official adapter's allRooms.
// The sharded variant, which has no ALL_ROOMS request, gathers them from
// every node's sockets.
func (a *Adapter) AllRooms() ([]string, error) {
	set := map[string]struct{}{}
	if !a.c.wire.roomRequests() {
		socks, err := a.FetchSockets(&sio.BroadcastOptions{})
		for _, s := range socks {
			for _, r := range s.Rooms {
				set[r] = struct{}{}
			}
		}
		return slices.Collect(maps.Keys(set)), err
	}
	for _, r := range a.localRooms() {
		set[r] = struct{}{}
	}
	rs, err := a.request(context.Background(), "allRooms", &request{Type: reqAllRooms})
	for _, r := range rs {
		for _, room := range r.Rooms {
			set[room] = struct{}{}
		}
	}
	out := make([]string, 0, len(set))
	for r := range set {
		out = append(out, r)
	}
	return out, err
}

// Sockets returns the ids of the sockets in any of rooms (every socket
// when none) on every node: the SOCKETS request (REMOTE_FETCH in the
// sharded variant, which has none).
func (a *Adapter) Sockets(rooms ...string) ([]string, error) {
	set := map[string]struct{}{}
	if !a.c.wire.roomRequests() {
		socks, err := a.FetchSockets(&sio.BroadcastOptions{Rooms: rooms})
		for _, s := range socks {
			set[s.ID] = struct{}{}
		}
		return slices.Collect(maps.Keys(set)), err
	}
	local, _ := a.Adapter.FetchSockets(&sio.BroadcastOptions{Rooms: rooms})
	for _, s := range local {
		set[s.ID] = struct{}{}
	}
	rs, err := a.request(context.Background(), "sockets", &request{Type: reqSockets, Rooms: nonNil(rooms)})
	for _, r := range rs {
		var ids []string
		if json.Unmarshal(r.Sockets, &ids) == nil {
			for _, id := range ids {
				set[id] = struct{}{}
			}
		}
	}
	out := make([]string, 0, len(set))
	for id := range set {
		out = append(out, id)
	}
	return out, err
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// localRooms returns this node's rooms with a member.
func (a *Adapter) localRooms() []string {
	socks, _ := a.Adapter.FetchSockets(&sio.BroadcastOptions{})
	set := map[string]struct{}{}
	var out []string
	for _, s := range socks {
		for _, r := range s.Rooms {
			if _, ok := set[r]; !ok {
				set[r] = struct{}{}
				out = append(out, r)
			}
		}
	}
	return out
}

// AddSockets makes the selected sockets of every node join rooms.
func (a *Adapter) AddSockets(opts *sio.BroadcastOptions, rooms []string) {
	a.Adapter.AddSockets(opts, rooms)
	if !opts.Local {
		a.notify(&request{Type: reqRemoteJoin, Opts: wireOpts(opts), Rooms: nonNil(rooms)})
	}
}

// DelSockets makes the selected sockets of every node leave rooms.
func (a *Adapter) DelSockets(opts *sio.BroadcastOptions, rooms []string) {
	a.Adapter.DelSockets(opts, rooms)
	if !opts.Local {
		a.notify(&request{Type: reqRemoteLeave, Opts: wireOpts(opts), Rooms: nonNil(rooms)})
	}
}

// DisconnectSockets disconnects the selected sockets of every node.
func (a *Adapter) DisconnectSockets(opts *sio.BroadcastOptions, close bool) {
	a.Adapter.DisconnectSockets(opts, close)
	if !opts.Local {
		a.notify(&request{Type: reqRemoteDisconnect, Opts: wireOpts(opts), Close: close})
	}
}

// notify publishes a request that expects no answer.
func (a *Adapter) notify(req *request) error {
	channel, payload, err := a.c.wire.request(a, notification(a.c.uid, req))
	if err == nil {
		a.c.send(channel, payload)
	}
	return err
}

// notifyPayload encodes a request that expects no answer, from uid, in
// the classic variant: JSON.
func notifyPayload(uid string, req *request) ([]byte, error) {
	return json.Marshal(notification(uid, req))
}

// notification makes req a request from uid that expects no answer: its
// selection without flags.
func notification(uid string, req *request) *request {
	req.UID = uid
	if req.Opts != nil {
		req.Opts.Flags = nil
	}
	return req
}

// serverSideEmitRequest returns the SERVER_SIDE_EMIT request of
// [event, args...], its data as JSON.
func serverSideEmitRequest(event string, args []any) (*request, error) {
	data, err := json.Marshal(append([]any{event}, args...))
	if err != nil {
		return nil, err
	}
	return &request{Type: reqServerSideEmit, Data: data}, nil
}

// ServerSideEmit sends [event, args...] to the other nodes (JSON, or
// MessagePack in the sharded variant when it holds binary); with ack, it
// counts them and gives ack their answers (or a *RequestError with those
// that came in time).
func (a *Adapter) ServerSideEmit(event string, args []any, ack sio.BroadcastAckHandler) {
	req := &request{Type: reqServerSideEmit, event: event, args: args}
	if ack == nil {
		if err := a.notify(req); err != nil {
			a.c.opts.Logger.Error("redisadapter: serverSideEmit", "namespace", a.nsp.Name(), "err", err)
		}
		return
	}
	go func() {
		rs, err := a.request(context.Background(), "serverSideEmit", req)
		out := make([]*sio.Args, 0, len(rs))
		for _, r := range rs {
			if arg, err := argsOf(r.Data, r.Atts, true); err == nil {
				out = append(out, arg)
			}
		}
		ack(out, err)
	}()
}

// BroadcastWithAck writes pkt to this node's selected sockets and sends it
// to the others as a BROADCAST request; each answers with its client
// count, then with one ack per client, until opts.Timeout (or
// RequestsTimeout) has passed.
func (a *Adapter) BroadcastWithAck(pkt *sio.BroadcastPacket, opts *sio.BroadcastOptions, clientCount func(int), ack func(*sio.Args)) {
	if !opts.Local {
		a.publishBroadcastWithAck(pkt, opts, clientCount, ack)
	}
	a.Adapter.BroadcastWithAck(pkt, opts, clientCount, ack)
}

func (a *Adapter) publishBroadcastWithAck(pkt *sio.BroadcastPacket, opts *sio.BroadcastOptions, clientCount func(int), ack func(*sio.Args)) {
	c := a.c
	id := newRequestID()
	channel, payload, err := c.wire.request(a, &request{UID: c.uid, RequestID: id, Type: reqBroadcast, Opts: wireOpts(opts), pkt: pkt})
	if err != nil {
		c.opts.Logger.Error("redisadapter: encode broadcast", "namespace", a.nsp.Name(), "err", err)
		return
	}
	c.mu.Lock()
	c.pending[id] = &pending{clientCount: clientCount, ack: ack}
	c.mu.Unlock()
	wait := opts.Timeout
	if wait <= 0 {
		wait = c.opts.RequestsTimeout
	}
	time.AfterFunc(wait, func() {
		c.mu.Lock()
		delete(c.pending, id)
		c.mu.Unlock()
	})
	c.send(channel, payload)
}

// onRequest runs another node's request, decoded by the variant (never
// this node's own: those are applied when made). Runs on the reader
// goroutine; the requests that wait for this node's loops run on a
// goroutine of their own, started in order after the earlier requests
// were posted.
func (a *Adapter) onRequest(r *request) {
	switch r.Type {
	case reqSockets:
		go func() {
			socks, _ := a.Adapter.FetchSockets(&sio.BroadcastOptions{Rooms: r.Rooms})
			ids := make([]string, len(socks))
			for i, s := range socks {
				ids[i] = s.ID
			}
			raw, _ := json.Marshal(ids)
			a.respond(r, &response{Sockets: raw})
		}()
	case reqAllRooms:
		go func() { a.respond(r, &response{Rooms: nonNil(a.localRooms())}) }()
	case reqRemoteJoin, reqRemoteLeave, reqRemoteDisconnect:
		a.onRemoteChange(r)
	case reqRemoteFetch:
		go func() {
			socks, _ := a.Adapter.FetchSockets(r.Opts.options())
			out := make([]fetchedSocket, len(socks))
			for i, s := range socks {
				data, err := json.Marshal(s.Data)
				if err != nil {
					data = []byte("null")
				}
				out[i] = fetchedSocket{ID: s.ID, Handshake: nodeHandshakeOf(s.Handshake), Rooms: s.Rooms, Data: data}
			}
			raw, _ := json.Marshal(out)
			a.respond(r, &response{Sockets: raw})
		}()
	case reqServerSideEmit:
		a.onServerSideEmit(r)
	case reqBroadcast:
		a.onBroadcastWithAck(r)
	}
}

// onRemoteChange applies REMOTE_JOIN, REMOTE_LEAVE or REMOTE_DISCONNECT:
// to a selection (adapters since 7.0, no answer), or to one socket by id
// (older adapters, answered).
func (a *Adapter) onRemoteChange(r *request) {
	opts, rooms := r.Opts.options(), r.Rooms
	if r.Opts == nil {
		if r.SID == "" {
			return
		}
		opts, rooms = &sio.BroadcastOptions{Rooms: []string{r.SID}}, []string{r.Room}
	}
	switch r.Type {
	case reqRemoteJoin:
		a.Adapter.AddSockets(opts, rooms)
	case reqRemoteLeave:
		a.Adapter.DelSockets(opts, rooms)
	case reqRemoteDisconnect:
		a.Adapter.DisconnectSockets(opts, r.Close)
	}
	if r.Opts == nil && r.RequestID != "" {
		a.respond(r, &response{})
	}
}

// onServerSideEmit runs the namespace's handlers of a server-side event
// and sends their answer back.
func (a *Adapter) onServerSideEmit(r *request) {
	var ack func(v any)
	if r.RequestID != "" {
		ack = func(v any) { a.respond(r, &response{Type: reqServerSideEmit, value: v}) }
	}
	a.nsp.ServerSideEvent(r.Data, r.Atts, ack)
}

// onBroadcastWithAck writes another node's broadcast with an ack to this
// node's sockets, answers with their count once every loop has counted,
// then with each client's ack.
func (a *Adapter) onBroadcastWithAck(r *request) {
	loops := int32(a.Adapter.Shards())
	var left atomic.Int32
	var total atomic.Int64
	left.Store(loops)
	count := func(n int) {
		total.Add(int64(n))
		if left.Add(-1) == 0 {
			n := int(total.Load())
			a.respond(r, &response{Type: reqBroadcastClientCount, ClientCount: &n})
		}
	}
	ack := func(args *sio.Args) { a.respond(r, &response{Type: reqBroadcastAck, args: args}) }
	if loops == 0 { // no loop will count: answer 0 now
		left.Store(1)
		count(0)
	}
	a.Adapter.BroadcastWithAck(r.pkt, r.Opts.options(), count, ack)
}

// respond publishes an answer to r, with r's request id and our uid.
func (a *Adapter) respond(r *request, resp *response) {
	resp.RequestID, resp.UID = r.RequestID, a.c.uid
	channel, payload, err := a.c.wire.response(a, r, resp)
	if err != nil {
		a.c.opts.Logger.Debug("redisadapter: encode answer", "namespace", a.nsp.Name(), "err", err)
		return
	}
	a.c.send(channel, payload)
}
