package sio

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strconv"
	"time"

	"github.com/sioloop/sioloop/parser"
)

// RecoveryOptions configures connection state recovery, the official
// connectionStateRecovery option (Options.ConnectionStateRecovery). Its
// zero value means the official defaults.
type RecoveryOptions struct {
	// MaxDisconnectionDuration is how long the session of a socket that
	// lost its connection, and the packets it misses, are kept. Zero means
	// 2 minutes.
	MaxDisconnectionDuration time.Duration
	// RunMiddlewares makes a recovered socket go through its namespace's
	// middlewares again (the official skipMiddlewares: false). False, the
	// default, skips them, as skipMiddlewares: true does.
	RunMiddlewares bool
	// MaxLogBytes bounds the packets each loop keeps for one namespace:
	// their encoded bytes plus logEntrySize each (a broadcast's bytes,
	// shared by the loops, count on each). Past it the oldest packets are
	// dropped, and a client whose last packet is gone gets a fresh session.
	// Zero means 16 MiB. (The official server bounds its log by the
	// duration only.)
	MaxLogBytes int
}

func (o *RecoveryOptions) withDefaults() *RecoveryOptions {
	c := *o
	if c.MaxDisconnectionDuration <= 0 {
		c.MaxDisconnectionDuration = 2 * time.Minute
	}
	if c.MaxLogBytes <= 0 {
		c.MaxLogBytes = 16 << 20
	}
	return &c
}

// PersistedSession is the state connection state recovery keeps of a
// socket that lost its connection, like socket.io-adapter's Session.
type PersistedSession struct {
	SID   string   // the socket id, which the recovered socket gets back
	PID   string   // the private id the client sends back to recover (derived from SID)
	Rooms []string // the joined rooms, not the own-id room
	Data  any      // the socket's Data
	// MissedPackets, set by RestoreSession, are the packets the socket
	// missed since the client's offset, in order, each ending with its
	// offset. A packet of this node carries its encoding (Event and Args
	// may then be empty); an adapter that sets only Event and Args has
	// them encoded.
	MissedPackets []*BroadcastPacket
}

// SessionAwareAdapter is an Adapter that keeps the sessions of
// disconnected sockets and the packets they miss, for connection state
// recovery, like the official SessionAwareAdapter. The in-memory adapter
// is one; with another adapter, recovery is on only if it is one too.
//
// Its Broadcast appends an offset to every packet that can be recovered
// (an event without ack, not volatile) as the last argument, so that the
// client can name the last one it got.
type SessionAwareAdapter interface {
	Adapter
	// PersistSession keeps ps, the state of s (without MissedPackets),
	// for the recovery duration. It is called on s's loop while s is still
	// in its rooms.
	PersistSession(s *Socket, ps *PersistedSession)
	// RestoreSession looks for the session pid and the packets it missed
	// after offset and calls done once, from any goroutine, with them, or
	// with nil when the session is unknown or expired or the offset no
	// longer kept. A session is restored at most once.
	RestoreSession(pid, offset string, done func(*PersistedSession))
}

// recoverableReasons are the disconnect reasons after which a socket's
// session is kept: its connection failed or the server cut it, rather
// than either side leaving on purpose (socket.io's
// RECOVERABLE_DISCONNECT_REASONS).
func recoverable(reason string) bool {
	switch reason {
	case ReasonTransportError, ReasonTransportClose, ReasonForcedClose, ReasonPingTimeout,
		ReasonServerShuttingDown, ReasonForcedServerClose:
		return true
	}
	return false
}

// recoveryAuth returns the pid and offset a reconnecting client puts in
// its CONNECT payload ({"pid":"…","offset":"…",…}); ok is false unless
// both are strings, as the official server requires.
func recoveryAuth(auth []byte) (pid, offset string, ok bool) {
	if len(auth) == 0 {
		return "", "", false
	}
	var a struct {
		PID    any `json:"pid"`
		Offset any `json:"offset"`
	}
	if json.Unmarshal(auth, &a) != nil {
		return "", "", false
	}
	pid, ok1 := a.PID.(string)
	offset, ok2 := a.Offset.(string)
	return pid, offset, ok1 && ok2
}

// appendOffset makes off the last argument of the encoded EVENT text (a
// JSON array ending the packet): `2["ev",1]` becomes `2["ev",1,"5a"]`.
// The offset is written in base 36, as short as Node's yeast ids.
func appendOffset(text []byte, off uint64) []byte {
	text = append(text[:len(text)-1], ',', '"')
	text = strconv.AppendUint(text, off, 36)
	return append(text, '"', ']')
}

// parseOffset reads an offset written by appendOffset.
func parseOffset(s string) (uint64, bool) {
	off, err := strconv.ParseUint(s, 36, 64)
	return off, err == nil
}

// appendPID appends the private id of s: the HMAC-SHA256 of its id under
// a key the server draws at start, 15 bytes of it in base64url (20
// characters, like Node's random pid). Derived rather than stored, it costs
// a socket no field, a recovered socket (its id back) has the same one,
// and without the key it cannot be told from the id. A cluster adapter
// will need its nodes to share the key. Runs on s's loop.
func (s *Socket) appendPID(dst []byte) []byte {
	st := s.client.srv.shardState(s.sh)
	if st.pid == nil {
		st.pid = hmac.New(sha256.New, s.client.srv.pidKey[:])
	}
	st.pid.Reset()
	st.pid.Write([]byte(s.id))
	var sum [sha256.Size]byte
	return base64.RawURLEncoding.AppendEncode(dst, st.pid.Sum(sum[:0])[:15])
}

// connectPayload appends the CONNECT payload of s: {"sid":"…"}, and the
// private id when recovery is on.
func (s *Socket) connectPayload(dst []byte) []byte {
	dst = append(append(append(dst, `{"sid":"`...), s.id...), '"')
	if s.nsp.sessions != nil {
		dst = append(s.appendPID(append(dst, `,"pid":"`...)), '"')
	}
	return append(dst, '}')
}

// restore gives s the state of the session it recovers: its id, private
// id, rooms and data; then writes the packets it missed, which the
// official client buffers until the CONNECT answer that follows. Runs on
// the loop, before the socket connects.
func (s *Socket) restore(ps *PersistedSession) {
	s.id, s.recovered = ps.SID, true
	s.nsp.adapter.AddAll(s, append([]string{ps.SID}, ps.Rooms...))
	if ps.Data != nil {
		s.SetData(ps.Data)
	}
	for _, p := range ps.MissedPackets {
		if p.frames.Head != nil {
			_ = s.client.write(&p.frames, false)
			continue
		}
		_ = s.client.sendPacket(parser.Event, s.nsp.name, -1, p.Event, p.Args)
	}
}

// persist hands the state of s, which lost its connection, to the
// adapter. Runs on the loop, before s leaves its rooms.
func (s *Socket) persist(sa SessionAwareAdapter) {
	pid := string(s.appendPID(make([]byte, 0, 20)))
	sa.PersistSession(s, &PersistedSession{SID: s.id, PID: pid, Rooms: s.appendJoined(nil), Data: s.Data()})
}

// connectRecovering connects s, a socket whose client asked to recover the
// session pid from offset: the adapter looks for the session, then s gets
// it back (skipping the middlewares unless RunMiddlewares) or goes the
// usual way. Runs on the loop.
func (s *Socket) connectRecovering(sa SessionAwareAdapter, pid, offset string) {
	sa.RestoreSession(pid, offset, func(ps *PersistedSession) {
		s.onLoop(func() {
			if s.client.closed {
				return
			}
			mws := s.nsp.middlewareList()
			if ps != nil {
				s.restore(ps)
				if !s.nsp.srv.recovery.RunMiddlewares {
					mws = nil
				}
			}
			s.runMiddlewares(mws, 0)
		})
	})
}
