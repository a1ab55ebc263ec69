package eio

import (
	"encoding/binary"
	"time"

	"github.com/sioloop/sioloop/internal/wheel"
	"github.com/valyala/bytebufferpool"
)

// Close reasons, named as the official server names them.
const (
	ReasonTransportClose = "transport close"
	ReasonTransportError = "transport error"
	ReasonPingTimeout    = "ping timeout"
	ReasonParseError     = "parse error"
	ReasonForcedClose    = "forced close"
)

type sessionState uint8

const (
	stateOpen    sessionState = iota
	stateClosing              // polling: the close packet waits for a GET
	stateClosed
)

type transportKind uint8

const (
	transportPolling transportKind = iota
	transportWebSocket
)

// heartbeat phases: what the heartbeat timer does when it fires.
type heartbeatPhase uint8

const (
	phaseInterval heartbeatPhase = iota // send a ping
	phaseTimeout                        // no pong: close
	phaseClosing                        // no GET came for the close packet
	phaseLinger                         // closed by the client: stop waiting for its GET
)

// lingerTimeout is how long a polling session closed by the client's close
// packet still answers a GET: one sent before the close but processed
// after it (it came on another connection, maybe via another loop) gets
// the noop it would have got had it been held, not "unknown sid".
const lingerTimeout = 100 * time.Millisecond

// Session is one Engine.IO client session.
//
// Ownership: a Session belongs to its shard's loop; every method must run
// there (Shard says how to reach it). Bytes passed to the message handler
// are valid only until it returns.
type Session struct {
	// Set at creation, then read-only. The server is shard.srv.
	id SID

	// Owner loop state. The flags sit in the 4 bytes after id and the 8
	// before ws that alignment leaves, and the count of MaxConnectionsPerIP
	// is the shard's (Shard.peers), not a field: a session is 144 bytes,
	// a size class, where it took 160.
	state     sessionState
	transport transportKind
	phase     heartbeatPhase
	// refreshed records that a packet already extended the current ping
	// timeout once (the official server extends it once per ping).
	refreshed bool
	lingering bool // closed by the client, still answering a late GET
	// eio3 marks a session of Engine.IO protocol v3 (Options.AllowEIO3),
	// and b64 one whose client takes no binary payloads (b64 in its
	// handshake query); both are decided at the handshake.
	eio3, b64 bool
	// closeQueued records that a closing polling session's close packet
	// is queued: Close sends what was queued before it on its own GET.
	closeQueued bool
	// unpolled records that Close found no GET held and none came since:
	// the client may be gone, and a graceful shutdown does not wait long
	// for it (Unsent).
	unpolled bool
	shard    *Shard
	ws       WebSocket // the WebSocket transport
	up       *upgrade  // the WebSocket being probed, during an upgrade only
	parked   Responder // the held long-polling GET
	// pending holds packets not yet written: while polling without a held
	// GET, and during an upgrade. Each is a header byte (type, 0x80 when
	// binary), a 4-byte big-endian length, then the data.
	pending   *bytebufferpool.ByteBuffer
	heartbeat wheel.Timer

	// User state, set by the connection handler. The message and close
	// handlers are the Server's: nothing per session.
	ctx any
}

// ID returns the session id.
func (s *Session) ID() SID { return s.id }

// Protocol returns the session's Engine.IO protocol revision: 4, or 3
// for a client of Engine.IO v3 (Options.AllowEIO3).
func (s *Session) Protocol() int {
	if s.eio3 {
		return 3
	}
	return 4
}

// Shard returns the shard that owns the session.
func (s *Session) Shard() *Shard { return s.shard }

// Transport returns the name of the current transport.
func (s *Session) Transport() string {
	if s.transport == transportWebSocket {
		return TransportWebSocket
	}
	return TransportPolling
}

// SetContext stores a value for the caller (the Socket.IO client).
func (s *Session) SetContext(v any) { s.ctx = v }

// Context returns the value stored by SetContext.
func (s *Session) Context() any { return s.ctx }

// Writable reports whether a packet sent now would go out at once: a
// WebSocket with nothing waiting to be sent, or a held long-polling GET.
// Volatile Socket.IO emits are dropped otherwise.
func (s *Session) Writable() bool {
	if s.state != stateOpen {
		return false
	}
	if s.transport == transportWebSocket {
		return s.ws.Writable()
	}
	return s.parked != nil
}

// Closed reports whether the session has closed.
func (s *Session) Closed() bool { return s.state == stateClosed }

// Unsent reports whether the session holds packets its client has not
// been given yet and is known to come for: queued for its next
// long-polling GET, or waiting in its WebSocket's backlog. A closing
// polling session counts only once its client has polled since Close (it
// is there and comes for the rest); one whose client had no GET held at
// Close may be gone — engine.io waits 30 s for it. A graceful shutdown
// waits for what this reports.
func (s *Session) Unsent() bool {
	switch {
	case s.state == stateClosed:
		return false
	case s.transport == transportWebSocket:
		return !s.ws.Writable()
	default:
		return s.pending != nil && !s.unpolled
	}
}

// Send sends a message packet: text, or binary when binary. data is not
// retained. It returns ErrDropped, having sent nothing, when the session
// is closing or closed, or when the packet would take its outbound bytes
// past OutboundHighWaterMark (the session then closes with
// ReasonSlowConsumer).
func (s *Session) Send(data []byte, binary bool) error {
	return s.sendPacket(PacketMessage, data, binary, nil)
}

// SendShared is Send for a packet encoded once for many sessions (a
// broadcast): on WebSocket its bytes are shared, not copied.
func (s *Session) SendShared(m *Shared) error {
	return s.sendPacket(PacketMessage, m.data(), m.binary, m)
}

// Close closes the session with reason "forced close". Packets already
// sent are delivered first.
func (s *Session) Close() {
	if s.state != stateOpen {
		return
	}
	if s.transport == transportWebSocket {
		s.ws.Close()
		s.closed(ReasonForcedClose)
		return
	}
	// As the official socket.close(): packets already queued go out
	// first, on a GET of their own (the client handles a payload's close
	// packet before the Socket.IO packets beside it, so a DISCONNECT
	// sharing its payload would read as "transport close"); the close
	// packet on the next GET.
	s.state = stateClosing
	s.unpolled = s.parked == nil
	if s.pending == nil {
		s.queueClose(s.unpolled)
	}
	if s.parked != nil {
		s.flushPoll()
		if s.state == stateClosed {
			return
		}
	}
	s.phase = phaseClosing
	s.shard.wheel.Schedule(&s.heartbeat, closeTimeout)
}

// queueClose queues a closing session's close packet. One that waits for
// a later GET follows a noop, as the official polling transport's
// shouldClose sends it ("6\x1e1").
func (s *Session) queueClose(later bool) {
	if later {
		s.queue(PacketNoop, nil, false)
	}
	s.queue(PacketClose, nil, false)
	s.closeQueued = true
}

func (s *Session) connected(r *Request) {
	if h := s.shard.srv.onConnection; h != nil {
		h(s, r)
	}
}

// OnTimer runs the session's deadlines. It is called by the shard's wheel.
func (s *Session) OnTimer(t *wheel.Timer) {
	switch s.phase {
	case phaseInterval:
		s.refreshed = false
		if s.sendPacket(PacketPing, nil, false, nil) != nil && s.state == stateClosed {
			return // a slow consumer
		}
		s.phase = phaseTimeout
		s.shard.wheel.Schedule(&s.heartbeat, s.shard.srv.opts.PingTimeout)
	case phaseTimeout:
		s.closeWith(ReasonPingTimeout)
	case phaseClosing:
		s.closed(ReasonForcedClose)
	case phaseLinger:
		s.shard.sessions.del(&s.id)
	}
}

// onPacket handles one packet received on the session's transport.
func (s *Session) onPacket(p Packet) {
	if s.state != stateOpen {
		return
	}
	if s.phase == phaseTimeout && !s.refreshed && p.Type != PacketPong {
		// Like the official server, any packet extends the wait for the
		// pong once.
		s.refreshed = true
		s.shard.wheel.Schedule(&s.heartbeat, s.shard.srv.opts.PingTimeout)
	}
	switch p.Type {
	case PacketPong:
		if s.eio3 { // "invalid heartbeat direction"
			s.closeWith(ReasonTransportError)
			return
		}
		s.phase = phaseInterval
		s.shard.wheel.Schedule(&s.heartbeat, s.shard.srv.opts.PingInterval)
	case PacketPing:
		if !s.eio3 { // in v4 only the server pings
			s.closeWith(ReasonTransportError)
			return
		}
		o := &s.shard.srv.opts
		s.shard.wheel.Schedule(&s.heartbeat, o.PingInterval+o.PingTimeout)
		_ = s.sendPacket(PacketPong, nil, false, nil) // a slow consumer closes
	case PacketClose:
		if s.parked != nil {
			// The official polling transport releases the held GET with a
			// noop when the client closes.
			s.respondParked(200, ContentTypeText, s.bareBody(PacketNoop))
		} else if s.transport == transportPolling {
			s.closed(ReasonTransportClose)
			s.lingering = true
			s.phase = phaseLinger
			s.shard.sessions.put(s)
			s.shard.wheel.Schedule(&s.heartbeat, lingerTimeout)
			return
		}
		s.closeWith(ReasonTransportClose)
	case PacketMessage:
		if h := s.shard.srv.onMessage; h != nil {
			h(s, p.Data, p.Binary)
		}
	}
}

// sendPacket writes a packet (shared as m, if not nil) on the WebSocket,
// or queues it for polling, if it fits under the high-water mark.
func (s *Session) sendPacket(t PacketType, data []byte, binary bool, m *Shared) error {
	if s.state != stateOpen {
		return ErrDropped
	}
	if b, ok := s.fits(len(data) + 1); !ok {
		s.slowConsumer("high-water mark", b)
		return ErrDropped
	}
	if s.transport == transportWebSocket {
		if m != nil && !(m.binary && s.eio3) {
			s.ws.WriteShared(m)
		} else {
			s.writeWS(s.ws, Packet{Type: t, Data: data, Binary: binary})
		}
		return nil
	}
	s.queue(t, data, binary)
	if s.parked != nil {
		s.flushPoll()
	}
	return nil
}

func (s *Session) writeWS(ws WebSocket, p Packet) {
	sh := s.shard
	if p.Binary && s.eio3 {
		sh.scratch = appendPacketV3(sh.scratch[:0], p)
	} else {
		sh.scratch = AppendPacket(sh.scratch[:0], p)
	}
	ws.WriteMessage(p.Binary, sh.scratch)
}

func (s *Session) queue(t PacketType, data []byte, isBinary bool) {
	if s.pending == nil {
		s.pending = bytebufferpool.Get()
	}
	h := byte(t)
	if isBinary {
		h |= 0x80
	}
	var hdr [5]byte
	hdr[0] = h
	binary.BigEndian.PutUint32(hdr[1:], uint32(len(data)))
	s.pending.B = append(append(s.pending.B, hdr[:]...), data...)
}

// pendingBinary reports whether a queued packet is binary.
func (s *Session) pendingBinary() bool {
	for b := s.pending.B; len(b) >= 5; b = b[5+binary.BigEndian.Uint32(b[1:5]):] {
		if b[0]&0x80 != 0 {
			return true
		}
	}
	return false
}

// eachPending calls fn for every queued packet, in order, and empties the
// queue.
func (s *Session) eachPending(fn func(Packet)) {
	if s.pending == nil {
		return
	}
	b := s.pending.B
	for len(b) >= 5 {
		n := int(binary.BigEndian.Uint32(b[1:5]))
		fn(Packet{Type: PacketType(b[0] & 0x7f), Binary: b[0]&0x80 != 0, Data: b[5 : 5+n]})
		b = b[5+n:]
	}
	bytebufferpool.Put(s.pending)
	s.pending = nil
}

// closeWith closes the session for reason, as the official server's
// onClose does: a held GET gets the close packet, a WebSocket is closed.
func (s *Session) closeWith(reason string) {
	if s.state == stateClosed {
		return
	}
	if s.parked != nil {
		s.respondParked(200, ContentTypeText, s.bareBody(PacketClose))
	}
	if s.transport == transportWebSocket && s.ws != nil {
		s.ws.Close()
	}
	s.closed(reason)
}

// closed ends the session: timers, the shard entry, the probe and the
// queue go, and the close handler runs.
func (s *Session) closed(reason string) {
	if s.state == stateClosed {
		return
	}
	s.state = stateClosed
	s.cancelUpgrade()
	sh := s.shard
	sh.wheel.Stop(&s.heartbeat)
	sh.sessions.del(&s.id)
	sh.srv.countClose(s)
	if s.pending != nil {
		bytebufferpool.Put(s.pending)
		s.pending = nil
	}
	if h := s.shard.srv.onClose; h != nil {
		h(s, reason)
	}
}
