package eio

import (
	"errors"
	"time"

	"github.com/sioloop/sioloop/internal/wheel"
)

// The WebSocket transport, and the upgrade to it from polling.

// errAlreadyUpgrading refuses a second probe of one session.
var errAlreadyUpgrading = errors.New("eio: session is upgrading or upgraded")

// IsAlreadyUpgrading reports whether err is Probe's refusal of a session
// that is already upgrading or upgraded (the handshake is then accepted and
// the WebSocket closed at once, as the official server does).
func IsAlreadyUpgrading(err error) bool { return err == errAlreadyUpgrading }

var (
	probePong   = []byte("3probe")
	probePacket = []byte("probe")
)

// ReceiveMessage handles one WebSocket message of ws, the session's
// transport or the WebSocket it is probing. data is valid until return.
func (s *Session) ReceiveMessage(ws WebSocket, data []byte, binary bool) {
	if s.state == stateClosed {
		return
	}
	var p Packet
	var err error
	if s.eio3 {
		p, err = decodePacketV3(data, binary)
	} else {
		p, err = DecodePacket(data, binary)
	}
	if s.up != nil && ws == s.up.ws {
		s.onProbePacket(p, err)
		return
	}
	if ws != s.ws {
		return
	}
	if err != nil {
		s.closeWith(ReasonParseError)
		return
	}
	s.onPacket(p)
}

// WebSocketClosed tells the session that ws ended: cleanly (err nil: a
// close frame or EOF) or on a protocol error.
func (s *Session) WebSocketClosed(ws WebSocket, err error) {
	switch {
	case s.state == stateClosed:
	case s.up != nil && ws == s.up.ws:
		s.up.ws = nil // gone: nothing to close
		s.cancelUpgrade()
	case ws == s.ws:
		s.ws = nil // gone: nothing to close
		if err != nil {
			s.closed(ReasonTransportError)
		} else {
			s.closed(ReasonTransportClose)
		}
	}
}

// probe starts an upgrade to ws. Runs on the owner loop.
func (s *Session) probe(ws WebSocket) error {
	if s.state != stateOpen || s.up != nil || s.transport != transportPolling {
		return errAlreadyUpgrading
	}
	if s.shard.srv.opts.DisallowUpgrades {
		return errBadRequest
	}
	s.up = &upgrade{s: s, ws: ws}
	s.up.timer.Init(s.up)
	s.up.check.Init(s.up)
	s.shard.wheel.Schedule(&s.up.timer, s.shard.srv.opts.UpgradeTimeout)
	return nil
}

// onProbePacket follows the official maybeUpgrade: "2probe" is answered
// "3probe" and releases the held GET; "5" completes the upgrade; anything
// else ends the probe.
func (s *Session) onProbePacket(p Packet, err error) {
	switch {
	case err == nil && p.Type == PacketPing && string(p.Data) == string(probePacket):
		s.up.ws.WriteMessage(false, probePong)
		if !s.up.check.Active() {
			// engine.io (re)starts a 100 ms interval here that releases a
			// held GET with a noop, so the client can pause polling. The
			// first noop is never sooner: the official client counts what
			// polling brings in that time.
			s.shard.wheel.Schedule(&s.up.check, upgradeCheck)
		}
	case err == nil && p.Type == PacketUpgrade: // also while closing, as the official server
		s.upgrade()
	default:
		s.cancelUpgrade()
	}
}

// upgradeCheck is the period of engine.io's upgrade check (maybeUpgrade's
// setInterval(check, 100)): while a probed upgrade waits for its "5", a held
// polling GET is answered with a noop on each tick.
const upgradeCheck = 100 * time.Millisecond

// upgrade is the state of a session's upgrade, allocated for its
// duration only.
type upgrade struct {
	s     *Session
	ws    WebSocket   // the WebSocket being probed
	timer wheel.Timer // upgradeTimeout
	check wheel.Timer // the 100 ms noop cycle, once "2probe" came
}

// OnTimer runs the upgrade's deadlines: on the check cycle a held GET gets
// a noop; an upgrade that took too long ends, as the official server
// closes the probe and keeps the session on polling.
func (u *upgrade) OnTimer(t *wheel.Timer) {
	s := u.s
	if t != &u.check {
		s.cancelUpgrade()
		return
	}
	if s.parked != nil {
		s.respondParked(200, ContentTypeText, s.bareBody(PacketNoop))
	}
	s.shard.wheel.Schedule(&u.check, upgradeCheck)
}

// cancelUpgrade closes the probed WebSocket, if any; the session stays on
// polling.
func (s *Session) cancelUpgrade() {
	u := s.up
	if u == nil {
		return
	}
	s.up = nil
	s.shard.wheel.Stop(&u.timer)
	s.shard.wheel.Stop(&u.check)
	if u.ws != nil {
		u.ws.Close()
	}
}

// upgrade makes the probed WebSocket the session's transport: the
// polling transport is discarded and what was queued is sent on the
// WebSocket.
//
// A GET still held here is answered as one that arrives after the
// upgrade: 400 "Bad request". An official client never has a poll in
// flight when it sends "5" (it pauses polling and waits for the held GET's
// noop first), so a held GET was sent beside the "5", and which of the two
// the server sees first is a race between two connections. On the gnet
// engine epoll reports them in arrival order; mounted on net/http the GET
// comes through another goroutine and can overtake a "5" that is already
// in the socket's buffer. Answering it as the later of the two makes the
// outcome the same either way (the official protocol suite's "ignores HTTP
// requests with same sid after upgrade" is that race).
func (s *Session) upgrade() {
	u := s.up
	s.up = nil
	s.shard.wheel.Stop(&u.timer)
	s.shard.wheel.Stop(&u.check)
	s.ws = u.ws
	if s.parked != nil {
		reply := s.parked
		s.parked = nil
		respondError(reply, errBadRequest)
	}
	s.transport = transportWebSocket
	closing := s.state == stateClosing
	s.state = stateOpen
	s.eachPending(func(p Packet) {
		if p.Type != PacketClose { // a Close during the upgrade: done below
			s.writeWS(s.ws, p)
		}
	})
	if closing {
		s.Close()
		return
	}
	if fn := s.shard.srv.onUpgrade; fn != nil {
		fn(s)
	}
}
