package sio

import (
	"encoding/json"
	"slices"
	"sync/atomic"
	"time"

	"github.com/sioloop/sioloop/eio"
	"github.com/sioloop/sioloop/parser"
)

// EventHandler handles an event a client emitted. ev is valid only until
// the handler returns (Clone what you keep; AckFunc to answer later).
type EventHandler func(s *Socket, ev *Event)

// AnyHandler sees every event (OnAny) or every emitted one (OnAnyOutgoing).
type AnyHandler func(s *Socket, event string, ev *Event)

// SocketMiddleware runs for every incoming event before its handlers;
// next(err) with an error drops the event and calls the socket's error
// handlers (OnError). It must call next on the loop, before returning.
type SocketMiddleware func(s *Socket, ev *Event, next func(err error))

// Socket is one client's connection to one namespace.
//
// Ownership: a Socket belongs to its session's loop; its handlers run
// there, one at a time, and must not block. Every exported method is safe
// from any goroutine: off the loop it is posted to the loop (and returns
// before it ran), except Rooms, which waits for the loop's answer.
type Socket struct {
	// Set at creation (id and recovered when a session is recovered,
	// before the socket connects), then read-only.
	id     string
	nsp    *Namespace
	client *client
	sh     *eio.Shard
	auth   *json.RawMessage // &emptyAuth for most: 8 bytes, not a 24-byte slice header
	data   atomic.Pointer[dataBox]
	// recovered: the socket got back the session of a socket that lost its
	// connection (connection state recovery).
	recovered bool

	// Loop state.
	connected bool
	// ended is set, on the loop, once the socket has disconnected or was
	// refused; any goroutine reads it, so that Emit fails the same way
	// from every goroutine (ErrDisconnected). It sits in connected's
	// padding: a Socket stays 160 bytes.
	ended        atomic.Bool
	handlers     []handlerEntry
	onDisconnect []func(*Socket, string)
	rooms        []membership // joined rooms, not the own-id room (adapter.go)
	acks         map[int64]*pendingAck
	bcastGen     uint64 // dedupes a socket across the rooms of one broadcast
	// Handlers most sockets never set, and the rate limits' state, allocated
	// on first use: an idle socket is smaller without them (160 bytes, a
	// size class, where 168 took 176).
	more *socketHooks
}

// socketHooks holds a socket's less common handlers, and its rate-limit
// buckets when Limits sets EventRate or ByteRate. Loop state.
type socketHooks struct {
	rate            *rateState
	anyIn           []AnyHandler
	anyOut          []AnyHandler
	middlewares     []SocketMiddleware
	onDisconnecting []func(*Socket, string)
	onError         []func(*Socket, error)
	onDrain         []func(*Socket)
}

// hooks returns the socket's less common handlers, allocating them.
// Runs on the loop.
func (s *Socket) hooks() *socketHooks {
	if s.more == nil {
		s.more = &socketHooks{}
	}
	return s.more
}

type dataBox struct{ v any }

// handlerEntry is one handler of a socket: 16 bytes (eventkey.go).
type handlerEntry struct {
	key *eventKey
	fn  EventHandler
}

func newSocket(c *client, nsp *Namespace, auth *json.RawMessage) *Socket {
	sh := c.sess.Shard()
	s := &Socket{nsp: nsp, client: c, sh: sh, auth: auth}
	if c.eio3 {
		s.id = socketIDV3(c.sess.ID(), nsp.name)
		return s
	}
	id := sh.NewID()
	s.id = string(id[:])
	return s
}

// ID returns the socket's id (20 characters, as the official server's).
func (s *Socket) ID() string { return s.id }

// Recovered reports whether the socket got back the state of a socket
// that lost its connection (Options.ConnectionStateRecovery): its id,
// rooms, data and the packets it missed, like socket.recovered. Set before
// the connection handlers run.
func (s *Socket) Recovered() bool { return s.recovered }

// Namespace returns the socket's namespace.
func (s *Socket) Namespace() *Namespace { return s.nsp }

// Data returns the user data set with SetData (like socket.data).
func (s *Socket) Data() any {
	if b := s.data.Load(); b != nil {
		return b.v
	}
	return nil
}

// SetData stores user data on the socket.
func (s *Socket) SetData(v any) {
	s.data.Store(&dataBox{v})
	if m := s.nsp.srv.monitor.Load(); m != nil && m.SocketDataSet != nil {
		m.SocketDataSet(s)
	}
}

// ConnID returns the id of the socket's Engine.IO connection, shared by
// the sockets of one client in every namespace (socket.conn.id). Safe
// from any goroutine.
func (s *Socket) ConnID() string {
	id := s.client.sess.ID()
	return string(id[:])
}

// Transport returns the name of the session's current transport
// ("polling" or "websocket"). Loop only.
func (s *Socket) Transport() string { return s.client.sess.Transport() }

// onLoop runs fn on the socket's loop: now if the caller is on it, else
// posted. Callers copy what fn captures from their arguments.
func (s *Socket) onLoop(fn func()) {
	if s.sh.OnLoop() {
		fn()
		return
	}
	s.sh.Execute(fn)
}

// onLoopWith runs fn(s, arg) on the socket's loop, like onLoop; fn
// captures nothing, so on the loop — a connection handler registering
// its socket's handlers — no closure is allocated (four a connection
// were the largest garbage of connecting: RSS an idle connection keeps).
func onLoopWith[A any](s *Socket, arg A, fn func(*Socket, A)) {
	if s.sh.OnLoop() {
		fn(s, arg)
		return
	}
	s.sh.Execute(func() { fn(s, arg) })
}

// On registers a handler for event; several may be registered, and run in
// order.
func (s *Socket) On(event string, fn EventHandler) {
	onLoopWith(s, handlerEntry{key: eventKeyOf(event, false), fn: fn}, (*Socket).addHandler)
}

// Once registers a handler that runs for the next event only.
func (s *Socket) Once(event string, fn EventHandler) {
	onLoopWith(s, handlerEntry{key: eventKeyOf(event, true), fn: fn}, (*Socket).addHandler)
}

// addHandler appends h. A socket's first handler sizes its list for as
// many as the last socket on the loop had when its connection handlers
// returned (shardState.handlers): an application registers the same
// handlers on every socket, so the list is allocated once, at its size —
// not grown 1, 2, 4, whose discarded arrays were garbage of every connect.
// Runs on the loop.
func (s *Socket) addHandler(h handlerEntry) {
	if s.handlers == nil {
		n := max(s.client.srv.shardState(s.client.sess.Shard()).handlers, 1)
		s.handlers = make([]handlerEntry, 0, n)
	}
	s.handlers = append(s.handlers, h)
}

// Off removes every handler of event.
//
// With fns, Off removes one handler of event per fn instead — the last one
// registered with that func value, as Node's socket.off(event, fn) (which
// removes one listener, the most recently added): keep the value On got
// in a variable, since two evaluations of a func literal or of a method
// value are two handlers, as two arrow functions are in JavaScript.
func (s *Socket) Off(event string, fns ...EventHandler) {
	ids := funcIDs(fns)
	s.onLoop(func() {
		if len(ids) == 0 {
			s.handlers = slices.DeleteFunc(s.handlers, func(h handlerEntry) bool { return h.key.name == event })
			return
		}
		for _, id := range ids {
			for i := len(s.handlers) - 1; i >= 0; i-- {
				if h := s.handlers[i]; h.key.name == event && funcID(h.fn) == id {
					s.handlers = slices.Delete(s.handlers, i, i+1)
					break
				}
			}
		}
	})
}

// OnAny registers a handler of every incoming event, run before the
// event's own handlers.
func (s *Socket) OnAny(fn AnyHandler) {
	s.onLoop(func() { h := s.hooks(); h.anyIn = append(h.anyIn, fn) })
}

// PrependAny registers a catch-all handler that runs before the others.
func (s *Socket) PrependAny(fn AnyHandler) {
	s.onLoop(func() { h := s.hooks(); h.anyIn = append([]AnyHandler{fn}, h.anyIn...) })
}

// OffAny removes every catch-all handler.
func (s *Socket) OffAny() { s.onLoop(func() { s.hooks().anyIn = nil }) }

// OnAnyOutgoing registers a handler of every event the server emits to
// this socket (not broadcasts), run before the packet is sent.
func (s *Socket) OnAnyOutgoing(fn AnyHandler) {
	s.onLoop(func() { h := s.hooks(); h.anyOut = append(h.anyOut, fn) })
}

// OffAnyOutgoing removes every outgoing catch-all handler.
func (s *Socket) OffAnyOutgoing() { s.onLoop(func() { s.hooks().anyOut = nil }) }

// Use adds a middleware for the socket's incoming events.
func (s *Socket) Use(fn SocketMiddleware) {
	s.onLoop(func() { h := s.hooks(); h.middlewares = append(h.middlewares, fn) })
}

// OnDisconnect registers fn, called with the reason when the socket
// disconnects ("disconnect" event); the socket has left its rooms.
func (s *Socket) OnDisconnect(fn func(s *Socket, reason string)) {
	onLoopWith(s, fn, func(s *Socket, fn func(*Socket, string)) { s.onDisconnect = append(s.onDisconnect, fn) })
}

// OnDisconnecting registers fn, called when the socket is about to
// disconnect, while it is still in its rooms ("disconnecting" event).
func (s *Socket) OnDisconnecting(fn func(s *Socket, reason string)) {
	s.onLoop(func() { h := s.hooks(); h.onDisconnecting = append(h.onDisconnecting, fn) })
}

// OnDrain registers fn, called when the connection's backlog has been
// written out: on WebSocket when the bytes its socket could not take at
// once are all sent, on polling when a GET carried the queued packets
// away (Node's socket.conn.on("drain")). A client that keeps up never
// leaves a backlog on WebSocket, so fn runs only after a burst it could
// not take at once: the moment to send more.
func (s *Socket) OnDrain(fn func(s *Socket)) {
	s.onLoop(func() { h := s.hooks(); h.onDrain = append(h.onDrain, fn) })
}

// OnError registers fn, called when a socket middleware refuses an event.
func (s *Socket) OnError(fn func(s *Socket, err error)) {
	s.onLoop(func() { h := s.hooks(); h.onError = append(h.onError, fn) })
}

// Emit sends an event with args to the client. []byte values anywhere in
// args travel as binary attachments. A last argument of type AckHandler
// (or func(*Args, error)) is called with the client's answer; without
// Timeout it waits as long as the socket lives.
//
// Emit returns the same error whichever goroutine calls it, and an error
// means nothing was sent (nor will the ack handler be called):
// ErrReservedEvent for a name the protocol reserves, ErrAckHandler for a
// BroadcastAckHandler (an ack of a broadcast), the parser's error for an
// argument it cannot encode (Emit encodes on the caller's goroutine), and
// ErrDisconnected once the socket has disconnected (its OnDisconnect
// handlers have run, or were about to) — unless connection state recovery
// keeps the packet for the client's return. What happens to the packet
// later, on the socket's loop, is told the same way from every goroutine:
// a packet dropped there (a volatile one whose transport was not ready,
// or any past the connection's outbound high-water mark, which also
// disconnects the client with ReasonSlowConsumer) fails its ack handler
// with ErrDropped and counts in Stats; a socket that disconnects between
// the call and the loop's turn drops it.
func (s *Socket) Emit(event string, args ...any) error { return s.emitWith(event, args, 0, false) }

// Send emits the "message" event, like socket.send.
func (s *Socket) Send(args ...any) error { return s.Emit("message", args...) }

// Timeout returns an emitter whose acks fail with ErrTimeout after d.
func (s *Socket) Timeout(d time.Duration) *SocketEmitter {
	return &SocketEmitter{s: s, timeout: d}
}

// Volatile returns an emitter whose packets are dropped when the
// transport is not ready to send them at once.
func (s *Socket) Volatile() *SocketEmitter { return &SocketEmitter{s: s, volatile: true} }

// SocketEmitter is an emit with flags (Timeout, Volatile).
type SocketEmitter struct {
	s        *Socket
	timeout  time.Duration
	volatile bool
}

// Timeout sets the ack timeout.
func (e *SocketEmitter) Timeout(d time.Duration) *SocketEmitter { e.timeout = d; return e }

// Volatile marks the emit as droppable.
func (e *SocketEmitter) Volatile() *SocketEmitter { e.volatile = true; return e }

// Emit emits with the emitter's flags; see Socket.Emit.
func (e *SocketEmitter) Emit(event string, args ...any) error {
	return e.s.emitWith(event, args, e.timeout, e.volatile)
}

// EmitWithAck emits and waits for the client's answer (or ErrTimeout when
// a Timeout is set). It blocks: call it from a goroutine of your own, not
// from a handler (ErrOnLoop).
func (e *SocketEmitter) EmitWithAck(event string, args ...any) (*Args, error) {
	return e.s.emitWithAck(event, args, e.timeout)
}

// EmitWithAck emits and waits for the client's answer; see
// SocketEmitter.EmitWithAck.
func (s *Socket) EmitWithAck(event string, args ...any) (*Args, error) {
	return s.emitWithAck(event, args, 0)
}

func (s *Socket) emitWithAck(event string, args []any, timeout time.Duration) (*Args, error) {
	if s.sh.OnLoop() {
		return nil, ErrOnLoop
	}
	type result struct {
		args *Args
		err  error
	}
	done := make(chan result, 1)
	cb := AckHandler(func(a *Args, err error) {
		var kept *Args
		if a != nil {
			kept = a.Clone()
		}
		done <- result{kept, err}
	})
	all := append(append(make([]any, 0, len(args)+1), args...), cb)
	if err := s.emitWith(event, all, timeout, false); err != nil {
		return nil, err
	}
	r := <-done
	return r.args, r.err
}

// emitWith checks and encodes an emit on the caller's goroutine, so that
// it fails the same way from any goroutine, then sends it on the loop:
// now on the loop (with the loop's encoder), else posted (encoded with a
// pooled encoder into bytes the task owns).
func (s *Socket) emitWith(event string, args []any, timeout time.Duration, volatile bool) error {
	if reservedEvents[event] {
		return ErrReservedEvent
	}
	e := emission{event: event, id: -1, timeout: timeout, volatile: volatile}
	var err error
	if e.ack, args, err = ackHandlerOf(args); err != nil {
		return err
	}
	e.args = args
	if s.ended.Load() && !s.keeps(e.ack != nil, volatile) {
		return ErrDisconnected
	}
	if e.ack != nil {
		e.id = s.nsp.nextAckID()
	}
	onLoop := s.sh.OnLoop()
	if onLoop && (s.more == nil || len(s.more.anyOut) == 0) {
		f, err := s.client.encode(parser.Event, s.nsp.name, e.id, event, args)
		if err != nil {
			return err
		}
		s.send(&e, f)
		return nil
	}
	// Off the loop, or before OnAnyOutgoing handlers, which may emit (and
	// so reuse the loop's frames) before this packet is written.
	f, err := s.encodeOwned(parser.Event, e.id, event, args)
	if err != nil {
		return err
	}
	if onLoop {
		s.send(&e, f)
		return nil
	}
	e.args = append([]any(nil), args...) // for the OnAnyOutgoing handlers
	s.sh.Execute(func() { s.send(&e, f) })
	return nil
}

// encodeOwned encodes a packet of the socket's namespace with a pooled
// encoder into bytes of its own, attachments copied: the caller's
// arguments may change once it returns. Safe from any goroutine.
func (s *Socket) encodeOwned(typ parser.Type, id int64, event string, args []any) (*parser.Frames, error) {
	f := &parser.Frames{}
	enc := s.nsp.srv.encoders.Get().(parser.Encoder)
	err := enc.Encode(f, typ, s.nsp.name, id, event, args) // Head from nil: f owns it
	s.nsp.srv.encoders.Put(enc)
	if err != nil {
		return nil, err
	}
	f.Attachments = copyAttachments(f.Attachments)
	return f, nil
}

// emission is one Socket.Emit: its event, arguments and flags.
type emission struct {
	event    string
	args     []any      // without the ack handler
	ack      AckHandler // nil: no ack
	id       int64      // the ack id, -1 without ack
	timeout  time.Duration
	volatile bool
}

// keeps reports whether connection state recovery keeps an emit to this
// socket while it is disconnected: one without ack, not volatile, with
// the in-memory adapter, as the official server logs socket.emit then.
// Safe from any goroutine.
func (s *Socket) keeps(ack, volatile bool) bool {
	_, keep := s.nsp.sessions.(*memoryAdapter)
	return keep && !ack && !volatile
}

// send writes the emit e, encoded as f, or drops it (ErrDropped to its ack
// handler). Runs on the loop.
func (s *Socket) send(e *emission, f *parser.Frames) {
	ma, keep := s.nsp.sessions.(*memoryAdapter)
	if !s.connected {
		// With recovery, a packet for a socket that lost its connection
		// is still kept for its return: the official server's socket.emit
		// is then a broadcast to the socket's own room, which it logs.
		if s.keeps(e.ack != nil, e.volatile) {
			s.emitKept(ma, f, false)
		}
		if e.ack != nil { // posted before the socket disconnected
			e.ack(nil, ErrDisconnected)
		}
		return
	}
	err := ErrDropped
	if e.volatile && !s.client.sess.Writable() {
		s.client.srv.shardState(s.sh).volatileDropped++
	} else {
		if s.more != nil && len(s.more.anyOut) > 0 {
			s.runAnyOutgoing(e.event, e.args)
		}
		if !keep || e.ack != nil || e.volatile {
			err = s.client.write(f, e.volatile)
		} else {
			err = s.emitKept(ma, f, true)
		}
	}
	switch {
	case err != nil && e.ack != nil:
		e.ack(nil, err)
	case e.ack != nil && s.connected:
		s.addAck(e.id, &pendingAck{fn: e.ack}, e.timeout)
	}
}

// emitKept logs an encoded event that can be recovered (no ack, not
// volatile) with its offset and, with write, writes it. Runs on the loop.
func (s *Socket) emitKept(ma *memoryAdapter, f *parser.Frames, write bool) error {
	if f.Binary { // offsets go into the JSON text form only (see Broadcast)
		if write {
			return s.client.write(f, false)
		}
		return nil
	}
	text, atts := ma.keepEmit(s, f.Head, f.Attachments)
	if write {
		return s.client.write(&parser.Frames{Head: text, Binary: f.Binary, Attachments: atts}, false)
	}
	return nil
}

// Join adds the socket to rooms.
func (s *Socket) Join(rooms ...string) { s.roomsOnLoop(rooms, (*Socket).join) }

// Leave removes the socket from rooms (socket.leave, one room or more).
func (s *Socket) Leave(rooms ...string) { s.roomsOnLoop(rooms, (*Socket).leave) }

// roomsOnLoop runs fn(s, rooms) on the socket's loop: now on it, else
// posted with a copy of rooms.
func (s *Socket) roomsOnLoop(rooms []string, fn func(*Socket, []string)) {
	if s.sh.OnLoop() {
		fn(s, rooms)
		return
	}
	kept := append([]string(nil), rooms...)
	s.sh.Execute(func() { fn(s, kept) })
}

func (s *Socket) join(rooms []string) {
	if !s.connected {
		return
	}
	if max := s.client.srv.opts.Limits.MaxRoomsPerSocket; max > 0 && len(s.rooms)+len(rooms) > max {
		rooms = s.roomsWithin(rooms, max)
	}
	s.nsp.adapter.AddAll(s, rooms)
}

// roomsWithin returns the rooms of a Join that keep s within max rooms,
// and tells the OnError handlers when some do not fit. Runs on the loop.
func (s *Socket) roomsWithin(rooms []string, max int) []string {
	kept := make([]string, 0, len(rooms))
	n := len(s.rooms)
	for _, r := range rooms {
		switch {
		case r == s.id || s.inRoom(r) || slices.Contains(kept, r):
			kept = append(kept, r)
		case n < max:
			kept = append(kept, r)
			n++
		}
	}
	if len(kept) < len(rooms) && s.more != nil {
		for _, fn := range s.more.onError {
			fn(s, ErrTooManyRooms)
		}
	}
	return kept
}

func (s *Socket) leave(rooms []string) {
	for _, r := range rooms {
		s.nsp.adapter.Del(s, r)
	}
}

// inRoom reports whether s is in room (its own id counts).
func (s *Socket) inRoom(room string) bool {
	if room == s.id {
		return true
	}
	for _, m := range s.rooms {
		if m.room.name == room {
			return true
		}
	}
	return false
}

// Rooms returns the socket's rooms, its own id first. Off the loop it
// waits for the loop's answer: do not call it from another loop's handler.
func (s *Socket) Rooms() []string {
	if s.sh.OnLoop() {
		return s.roomList()
	}
	done := make(chan []string, 1)
	s.sh.Execute(func() { done <- s.roomList() })
	return <-done
}

func (s *Socket) roomList() []string {
	return s.appendJoined(append(make([]string, 0, 1+len(s.rooms)), s.id))
}

// appendJoined appends the names of the rooms s joined, not its own id.
func (s *Socket) appendJoined(dst []string) []string {
	for _, m := range s.rooms {
		dst = append(dst, m.room.name)
	}
	return dst
}

// To selects the sockets in rooms, except this one (socket.to(room)).
func (s *Socket) To(rooms ...string) *BroadcastOperator { return s.Broadcast().To(rooms...) }

// In is To.
func (s *Socket) In(rooms ...string) *BroadcastOperator { return s.To(rooms...) }

// Except selects every other socket of the namespace not in rooms.
func (s *Socket) Except(rooms ...string) *BroadcastOperator { return s.Broadcast().Except(rooms...) }

// Broadcast selects every other socket of the namespace
// (socket.broadcast).
func (s *Socket) Broadcast() *BroadcastOperator {
	return &BroadcastOperator{nsps: []*Namespace{s.nsp}, except: []string{s.id}}
}

// Disconnect disconnects the socket from its namespace with reason
// "server namespace disconnect"; with close, the whole connection closes
// (every namespace of the client).
func (s *Socket) Disconnect(close bool) {
	s.onLoop(func() {
		if !s.connected {
			return
		}
		if close {
			s.client.kick(ReasonServerNamespaceDisconnect)
			return
		}
		_ = s.client.sendPacket(parser.Disconnect, s.nsp.name, -1, "", nil)
		s.onClose(ReasonServerNamespaceDisconnect)
	})
}

// runMiddlewares runs the namespace middlewares from i, then connects.
func (s *Socket) runMiddlewares(mws []Middleware, i int) {
	if s.client.closed {
		return
	}
	if i == len(mws) {
		s.onConnect()
		return
	}
	var called atomic.Bool
	mws[i](s, func(err error) {
		if !called.CompareAndSwap(false, true) {
			return
		}
		s.onLoop(func() {
			if err != nil {
				s.refuse(err)
				return
			}
			s.runMiddlewares(mws, i+1)
		})
	})
}

// refuse answers the CONNECT with CONNECT_ERROR.
func (s *Socket) refuse(err error) {
	c := s.client
	s.forget()
	if c.closed {
		return
	}
	s.logSocket("sio: socket refused", "error", err.Error())
	payload := connectErrorPayload{Message: err.Error()}
	if ce, ok := err.(*ConnectError); ok {
		payload.Data = ce.Data
	}
	if c.eio3 {
		_ = c.sendPacket(parser.ConnectError, s.nsp.name, -1, "", []any{payload.v3()})
		return
	}
	_ = c.sendPacket(parser.ConnectError, s.nsp.name, -1, "", []any{payload})
}

// onConnect joins the namespace, answers CONNECT and runs the connection
// handlers. Runs on the loop.
func (s *Socket) onConnect() {
	s.connected = true
	s.nsp.connected.Add(1)
	st := s.client.srv.shardState(s.sh)
	st.connects++
	s.logSocket("sio: socket connected", "transport", s.client.sess.Transport())
	if s.client.connect != nil { // the client's first namespace
		st.handshake.observe(latencyBounds, since(s.client.opened))
		s.client.stopConnectTimer()
	}
	s.nsp.adapter.AddAll(s, []string{s.id})
	if s.client.eio3 {
		_ = s.client.sendPacket(parser.Connect, s.nsp.name, -1, "", nil) // no payload in v4
	} else {
		// The loop's scratch, not an array of ours: boxed in an any, an
		// array on the stack would escape — 120 bytes of garbage a connect.
		st.connectPayload = s.connectPayload(st.connectPayload[:0])
		st.connectArgs[0] = json.RawMessage(st.connectPayload)
		_ = s.client.sendPacket(parser.Connect, s.nsp.name, -1, "", st.connectArgs[:])
		st.connectArgs[0] = nil
	}
	if m := s.nsp.srv.monitor.Load(); m != nil && m.SocketConnected != nil {
		m.SocketConnected(s)
	}
	for _, fn := range s.nsp.connectionHandlers() {
		if !s.connected {
			return
		}
		fn(s)
	}
	st.handlers = len(s.handlers) // the next socket's list size (addHandler)
}

// onClose disconnects the socket for reason: "disconnecting" handlers,
// rooms left, acks failed, "disconnect" handlers. Runs on the loop.
func (s *Socket) onClose(reason string) {
	c := s.client
	if !s.connected {
		s.forget()
		return
	}
	if s.more != nil {
		for _, fn := range s.more.onDisconnecting {
			fn(s, reason)
		}
	}
	s.logSocket("sio: socket disconnected", "reason", reason)
	if s.nsp.sessions != nil && recoverable(reason) {
		s.persist(s.nsp.sessions)
	}
	s.nsp.adapter.DelAll(s)
	c.remove(s)
	s.connected = false
	s.nsp.connected.Add(-1)
	s.ended.Store(true)
	s.failAcks()
	if m := s.nsp.srv.monitor.Load(); m != nil && m.SocketDisconnected != nil {
		m.SocketDisconnected(s, reason)
	}
	for _, fn := range s.onDisconnect {
		fn(s, reason)
	}
}

// forget removes s, which never connected, from its client, and from the
// rooms it rejoined if it recovered a session. Runs on the loop.
func (s *Socket) forget() {
	s.ended.Store(true)
	if s.recovered {
		s.nsp.adapter.DelAll(s)
	}
	s.client.remove(s)
}

// Connected reports whether the socket is connected. Loop only.
func (s *Socket) Connected() bool { return s.connected }

// CloseTransport closes the socket's Engine.IO connection (socket.conn.close()
// in Node): every socket of the client disconnects, with reason
// "forced close", and the official client reconnects.
func (s *Socket) CloseTransport() {
	s.onLoop(func() { s.client.sess.Close() })
}

// runAnyOutgoing shows an emit's arguments to the OnAnyOutgoing handlers,
// as an Event built from their encoding (so they see what the client will).
func (s *Socket) runAnyOutgoing(event string, args []any) {
	prs := s.client.srv.opts.Parser
	var f parser.Frames
	if prs.NewEncoder().Encode(&f, parser.Ack, "/", -1, "", args) != nil {
		return
	}
	ev := &Event{socket: s, ackID: -1}
	var st parser.DecodeState
	p := parser.Packet{Args: &ev.Args}
	done, err := prs.Decode(&st, f.Head, f.Binary, &p)
	for k := 0; k < len(f.Attachments) && err == nil; k++ {
		done, err = prs.Decode(&st, f.Attachments[k], true, &p)
	}
	if !done || err != nil {
		return
	}
	for _, fn := range s.more.anyOut {
		fn(s, event, ev)
	}
}
