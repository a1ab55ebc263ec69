package sio

import (
	"encoding/json"

	"github.com/sioloop/sioloop/eio"
	"github.com/sioloop/sioloop/internal/wheel"
	"github.com/sioloop/sioloop/parser"
)

// client is the Socket.IO side of one Engine.IO session: its sockets (one
// per namespace) and the binary packet being reassembled.
//
// Ownership: a client belongs to its session's loop, like the session.
type client struct {
	srv    *Server
	sess   *eio.Session // sess.Shard() is the loop's shard
	hs     handshakeData
	opened int64 // monotime of the handshake (Stats.HandshakeSeconds)

	// Loop state.
	sockets []*Socket // connected or connecting, one per namespace
	closed  bool
	// eio3 marks a client of Engine.IO v3, which speaks Socket.IO
	// protocol v4 (socket.io-client 2.x; eio3.go). Set at the handshake.
	eio3 bool
	dec  parser.DecodeState // a binary packet waiting for its attachments
	// connect is connectTimeout's timer, until a namespace connects; then
	// nil (stopConnectTimer): a connected client does not keep 32 bytes
	// of timer for its whole life.
	connect *wheel.Timer
	// The packet being decoded, for Limits: its binary messages
	// (attachments) and bytes so far.
	inParts, inBytes int32
}

// onSession is the Engine.IO connection handler. Runs on the loop.
func (srv *Server) onSession(s *eio.Session, r *eio.Request) {
	c := &client{srv: srv, sess: s, hs: newHandshakeData(r), opened: monotime(), eio3: s.Protocol() == 3, connect: new(wheel.Timer)}
	c.connect.Init(c)
	c.sess.Shard().Wheel().Schedule(c.connect, srv.opts.ConnectTimeout)
	s.SetContext(c)
	if m := srv.monitor.Load(); m != nil && m.SessionOpened != nil {
		m.SessionOpened(s.Transport())
	}
	if c.eio3 {
		// The v4 protocol's client never sends CONNECT for the main
		// namespace: the official server connects it at once.
		c.connectTo("/", nil)
	}
}

func onSessionMessage(s *eio.Session, data []byte, binary bool) {
	s.Context().(*client).onData(data, binary)
}

func onSessionClose(s *eio.Session, reason string) {
	c := s.Context().(*client)
	c.onClose(reason)
	if m := c.srv.monitor.Load(); m != nil && m.SessionClosed != nil {
		m.SessionClosed(reason)
	}
}

// onSessionDrain is the Engine.IO drain handler: each socket's OnDrain
// handlers run.
func onSessionDrain(s *eio.Session) {
	c, ok := s.Context().(*client)
	if !ok || c.closed {
		return
	}
	for _, sk := range c.sockets {
		if sk.more != nil {
			for _, fn := range sk.more.onDrain {
				fn(sk)
			}
		}
	}
}

// stopConnectTimer stops connectTimeout's timer and lets it go. Runs on
// the loop.
func (c *client) stopConnectTimer() {
	if c.connect != nil {
		c.sess.Shard().Wheel().Stop(c.connect)
		c.connect = nil
	}
}

// OnTimer closes a client that connected to no namespace in time.
func (c *client) OnTimer(*wheel.Timer) {
	c.connect = nil
	if len(c.sockets) == 0 {
		c.closeWith(ReasonForcedServerClose)
	}
}

// onData handles one Engine.IO message: a packet, or a part of one (an
// attachment of a binary packet being reassembled).
func (c *client) onData(data []byte, binary bool) {
	if c.closed {
		return
	}
	st := c.srv.shardState(c.sess.Shard())
	st.packetsIn++
	st.bytesIn += uint64(len(data))
	in := &st.in
	if st.busy {
		in = &incoming{} // a handler's emit led here: don't clobber its event
	} else {
		st.busy = true
		defer func() { st.busy = false }()
	}
	in.pkt.Args = &in.ev.Args
	done, err := c.srv.opts.Parser.Decode(&c.dec, data, binary, &in.pkt)
	if err != nil {
		c.closeWith(ReasonParseError)
		return
	}
	c.inBytes += int32(len(data)) // a message is at most maxHttpBufferSize
	if binary {
		if c.inParts++; int(c.inParts) > c.srv.opts.Limits.MaxAttachments {
			c.closeWith(ReasonParseError) // socket.io-parser: "too many attachments"
			return
		}
	}
	if done {
		size := int(c.inBytes)
		c.inParts, c.inBytes = 0, 0
		c.dispatch(&in.pkt, &in.ev, size)
	}
}

// dispatch routes a complete packet of size bytes (text and
// attachments), as the official client.ondecoded; ev holds its arguments.
func (c *client) dispatch(p *parser.Packet, ev *Event, size int) {
	nsp := p.Namespace
	if c.eio3 {
		nsp = namespacePathV3(nsp)
	}
	s := c.socketOf(nsp)
	switch {
	case s == nil && p.Type == parser.Connect && c.eio3:
		c.connectTo(string(nsp), authFromQueryV3(p.Namespace[len(nsp):]))
	case s == nil && p.Type == parser.Connect:
		c.connectTo(string(nsp), p.Data)
	case s != nil && s.connected && p.Type != parser.Connect && p.Type != parser.ConnectError:
		if lim := c.srv.rate; lim != nil && !s.allow(lim, p, size) {
			c.kick(ReasonRateLimited)
			return
		}
		s.onPacket(p, ev)
	default:
		// A packet for a namespace not connected (or still in its
		// middlewares), a second CONNECT, a CONNECT_ERROR from the client:
		// the official server closes the connection.
		c.closeWith(ReasonForcedServerClose)
	}
}

func (c *client) socketOf(nsp []byte) *Socket {
	for _, s := range c.sockets {
		if s.nsp.name == string(nsp) {
			return s
		}
	}
	return nil
}

// connectTo runs the namespace's middlewares for a new socket, then
// connects it or refuses it with CONNECT_ERROR.
func (c *client) connectTo(name string, auth []byte) {
	nsp := c.srv.lookup(name, auth)
	if nsp == nil {
		if c.srv.debugOn() {
			c.srv.log.Debug("sio: unknown namespace refused", "nsp", name)
		}
		c.sendPacket(parser.ConnectError, name, -1, "", []any{connectErrorPayload{Message: "Invalid namespace"}})
		return
	}
	kept := &emptyAuth // shared: most clients send none
	if len(auth) > 0 {
		a := json.RawMessage(append([]byte(nil), auth...))
		kept = &a
	}
	s := newSocket(c, nsp, kept)
	c.sockets = append(c.sockets, s)
	if nsp.sessions != nil {
		if pid, offset, ok := recoveryAuth(auth); ok {
			s.connectRecovering(nsp.sessions, pid, offset)
			return
		}
	}
	s.runMiddlewares(nsp.middlewareList(), 0)
}

// emptyAuth is the handshake auth of a client that sent none. Read-only.
var emptyAuth = json.RawMessage("{}")

// remove forgets s, which disconnected or was refused; a dynamic child
// namespace it leaves empty goes with CleanupEmptyChildNamespaces.
func (c *client) remove(s *Socket) {
	for i, x := range c.sockets {
		if x == s {
			c.sockets = append(c.sockets[:i], c.sockets[i+1:]...)
			if p := s.nsp.parent; p != nil && c.srv.opts.CleanupEmptyChildNamespaces {
				p.release(s.nsp)
			}
			return
		}
	}
}

// sendPacket encodes a packet with the loop's encoder and writes it, with
// its attachments, to the session. Runs on the loop.
func (c *client) sendPacket(typ parser.Type, nsp string, id int64, event string, args []any) error {
	return c.emitPacket(typ, nsp, id, event, args, false)
}

// emitPacket is sendPacket for a packet that may be volatile.
func (c *client) emitPacket(typ parser.Type, nsp string, id int64, event string, args []any, volatile bool) error {
	f, err := c.encode(typ, nsp, id, event, args)
	if err != nil {
		return err
	}
	return c.write(f, volatile)
}

// encode encodes a packet with the loop's encoder into the loop's frames:
// they are valid until the loop's next encode. Runs on the loop.
func (c *client) encode(typ parser.Type, nsp string, id int64, event string, args []any) (*parser.Frames, error) {
	st := c.srv.shardState(c.sess.Shard())
	st.frames.Head = st.frames.Head[:0]
	if err := st.enc.Encode(&st.frames, typ, nsp, id, event, args); err != nil {
		return nil, err
	}
	return &st.frames, nil
}

// write sends an encoded packet, its messages in order, all or nothing:
// they must fit together under the session's high-water mark (see
// ErrDropped).
func (c *client) write(f *parser.Frames, volatile bool) error {
	n := len(f.Head) + 1
	for _, a := range f.Attachments {
		n += len(a)
	}
	if c.sess.Admit(n, volatile) != nil {
		return ErrDropped
	}
	c.count(1+len(f.Attachments), n-1)
	_ = c.sess.Send(f.Head, f.Binary)
	for _, a := range f.Attachments {
		_ = c.sess.Send(a, true)
	}
	return nil
}

// writeShared is write for a broadcast's packet, encoded once per loop.
func (c *client) writeShared(parts []*eio.Shared, volatile bool) error {
	n := 0
	for _, m := range parts {
		n += len(m.Bytes())
	}
	if c.sess.Admit(n, volatile) != nil {
		return ErrDropped
	}
	c.count(len(parts), n)
	for _, m := range parts {
		_ = c.sess.SendShared(m)
	}
	return nil
}

// closeWith disconnects every socket with reason and closes the session.
// kick disconnects every socket of the client (a DISCONNECT packet each,
// reason on the server side), then closes the connection: Node's
// socket.disconnect(true). Runs on the loop.
func (c *client) kick(reason string) {
	for len(c.sockets) > 0 {
		x := c.sockets[0]
		_ = c.sendPacket(parser.Disconnect, x.nsp.name, -1, "", nil)
		x.onClose(reason)
	}
	c.closeWith(ReasonForcedServerClose)
}

func (c *client) closeWith(reason string) {
	if c.closed {
		return
	}
	c.disconnectAll(reason)
	c.sess.Close()
}

// onClose runs when the session closed, whoever closed it.
func (c *client) onClose(reason string) {
	c.logClientClosed(reason)
	c.disconnectAll(reason)
}

func (c *client) disconnectAll(reason string) {
	if c.closed {
		return
	}
	c.closed = true
	c.stopConnectTimer()
	for len(c.sockets) > 0 {
		c.sockets[0].onClose(reason)
	}
}

// connectErrorPayload is the CONNECT_ERROR body.
type connectErrorPayload struct {
	Message string `json:"message"`
	Data    any    `json:"data,omitempty"`
}

// count adds a written packet's messages and bytes to the loop's counters
// (stats.go). Runs on the client's loop.
func (c *client) count(messages, bytes int) {
	st := c.srv.shardState(c.sess.Shard())
	st.packetsOut += uint64(messages)
	st.bytesOut += uint64(bytes)
}
