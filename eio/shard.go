package eio

import (
	"strconv"
	"time"

	"github.com/sioloop/sioloop/internal/wheel"
)

// wheelTick is the resolution of a shard's timing wheel.
const wheelTick = time.Millisecond

// Shard holds the sessions one event loop owns and their deadlines.
//
// Ownership: a Shard and its sessions belong to one goroutine (its loop);
// every method must run there. Other loops reach a session by posting a
// task to the loop whose index the session id names (ShardOf).
type Shard struct {
	srv      *Server
	index    int
	sessions sessionTable
	wheel    *wheel.Wheel
	ids      sidSource
	scratch  []byte // encode buffer, reused by every write of the loop
	exec     Executor
	// peers holds each session's address count, with MaxConnectionsPerIP
	// only (limits.go): the option's cost, not every session's.
	peers map[*Session]*peerCount
}

// Executor runs a shard's code on the shard's goroutine. The host (the
// loop) implements it.
type Executor interface {
	// Execute runs fn on the shard's goroutine, after the functions the
	// same goroutine posted before it. Safe from any goroutine.
	Execute(fn func())
	// OnLoop reports whether the caller runs on the shard's goroutine.
	OnLoop() bool
}

// Flusher is implemented by an Executor whose loop holds output of its
// own: Unflushed returns how many of the loop's connections have bytes
// not yet handed to the kernel. Runs on the loop.
type Flusher interface {
	Unflushed() int
}

// Unflushed returns how many connections of the shard's loop have output
// not yet in the kernel, if its host says (Flusher), else 0. A graceful
// shutdown waits for them. Runs on the loop.
func (sh *Shard) Unflushed() int {
	if f, ok := sh.exec.(Flusher); ok {
		return f.Unflushed()
	}
	return 0
}

// NewShard returns the shard with the given index (0 ≤ index < MaxShards),
// its clock started at now, run by exec. Each loop serving srv needs its
// own; Server.Shard finds it by index afterwards.
func (srv *Server) NewShard(index int, now time.Time, exec Executor) *Shard {
	if index < 0 || index >= MaxShards {
		panic("eio: shard index out of range")
	}
	sh := &Shard{
		srv:   srv,
		index: index,
		wheel: wheel.New(wheelTick, srv.opts.PingInterval+srv.opts.PingTimeout, now),
		ids:   newSIDSource(),
		exec:  exec,
	}
	sh.ids.node = srv.opts.NodeID
	srv.shards[index].Store(sh)
	return sh
}

// Execute runs fn on the shard's goroutine. Safe from any goroutine.
func (sh *Shard) Execute(fn func()) { sh.exec.Execute(fn) }

// OnLoop reports whether the caller runs on the shard's goroutine.
func (sh *Shard) OnLoop() bool { return sh.exec.OnLoop() }

// Wheel returns the shard's timing wheel, for the deadlines of the layers
// above (Socket.IO ack and connect timeouts). Owner loop only.
func (sh *Shard) Wheel() *wheel.Wheel { return sh.wheel }

// NewID returns a fresh unguessable id that names this shard in its first
// character, like session ids (ShardOf reads it). The Socket.IO layer
// uses it for socket ids. Owner loop only.
func (sh *Shard) NewID() SID { return sh.ids.next(sh.index) }

// Server returns the server the shard serves.
func (sh *Shard) Server() *Server { return sh.srv }

// Index returns the shard's index, the one its session ids carry.
func (sh *Shard) Index() int { return sh.index }

// Len returns the number of sessions the shard owns.
func (sh *Shard) Len() int { return sh.sessions.n }

// Advance runs the deadlines due at now (heartbeats, timeouts). The host
// calls it periodically, at least every few milliseconds.
func (sh *Shard) Advance(now time.Time) { sh.wheel.Advance(now) }

// Sessions calls fn for every session of the shard; fn may close
// sessions (a session closed before its turn is skipped).
func (sh *Shard) Sessions(fn func(*Session)) {
	sh.sessions.each(fn)
}

// Lookup returns the session with id sid, or nil.
func (sh *Shard) Lookup(sid []byte) *Session { return sh.lookup(sid) }

func (sh *Shard) lookup(sid []byte) *Session {
	if len(sid) != SIDLen {
		return nil
	}
	return sh.sessions.get((*SID)(sid))
}

// GeneratedIDLen is the length of the ids Options.GenerateID returns: a
// session id less the two characters that route it.
const GeneratedIDLen = SIDLen - 2

// errIDGeneration refuses a handshake whose GenerateID failed.
var errIDGeneration = &RequestError{Code: BadRequest}

// NewSessionID returns the id of the session the handshake r opens on
// this shard: a random one, or Options.GenerateID's behind the shard's
// index and the node's. A RequestError (GenerateID failed) refuses the
// handshake. The host calls it before it answers the handshake (the
// cookie carries the id), then OpenPolling or OpenWebSocket with the id.
// Owner loop only.
func (sh *Shard) NewSessionID(r *Request) (SID, *RequestError) {
	gen := sh.srv.opts.GenerateID
	if gen == nil {
		return sh.ids.next(sh.index), nil
	}
	user, err := gen(r)
	if err != nil || len(user) != GeneratedIDLen {
		return SID{}, errIDGeneration
	}
	var id SID
	id[0], id[1] = sidAlphabet[sh.index], sidAlphabet[sh.ids.node]
	for i := range len(user) {
		if sidIndex[user[i]] < 0 {
			return SID{}, errIDGeneration
		}
		id[2+i] = user[i]
	}
	if sh.sessions.get(&id) != nil {
		return SID{}, errIDGeneration // not unique
	}
	return id, nil
}

// newSession creates and registers session id on transport ws or polling.
func (sh *Shard) newSession(r *Request, id SID, ws WebSocket) *Session {
	s := &Session{id: id}
	s.heartbeat.Init(s)
	s.shard = sh
	sh.sessions.put(s)
	sh.srv.countOpen(s, r)
	if sh.srv.opts.AllowEIO3 && string(r.Query("EIO")) != "4" {
		// In v3 the client pings: the server waits for each ping for
		// pingInterval + pingTimeout. refreshed stays true, so no packet
		// extends the wait as in v4.
		s.eio3, s.refreshed = true, true
		s.b64 = len(r.Query("b64")) > 0 // engine.io's supportsBinary = !b64
		s.phase = phaseTimeout
		sh.wheel.Schedule(&s.heartbeat, sh.srv.opts.PingInterval+sh.srv.opts.PingTimeout)
	} else {
		s.phase = phaseInterval
		sh.wheel.Schedule(&s.heartbeat, sh.srv.opts.PingInterval)
	}
	if ws != nil {
		s.transport = transportWebSocket
		s.ws = ws
	}
	return s
}

// OpenPolling opens session id (NewSessionID) whose handshake is the
// long-polling GET r; the open packet answers it. The caller has passed r
// through Check.
func (sh *Shard) OpenPolling(r *Request, id SID, reply Responder) *Session {
	s := sh.newSession(r, id, nil)
	sh.scratch = sh.srv.appendOpen(append(sh.scratch[:0], byte('0'+PacketOpen)), s.id, false)
	body := sh.scratch
	if s.eio3 {
		// A v3 payload of one packet, framed after the packet in the
		// scratch buffer. The JSON is ASCII: its length in UTF-16 code
		// units is its length in bytes.
		n := len(sh.scratch)
		sh.scratch = append(strconv.AppendInt(sh.scratch, int64(n), 10), ':')
		sh.scratch = append(sh.scratch, sh.scratch[:n]...)
		body = sh.scratch[n:]
	}
	reply.Respond(200, ContentTypeText, body)
	s.connected(r)
	return s
}

// OpenWebSocket opens session id (NewSessionID) on a WebSocket whose
// handshake r just completed, and sends the open packet. The host then
// delivers the connection's messages with Session.ReceiveMessage.
func (sh *Shard) OpenWebSocket(r *Request, id SID, ws WebSocket) *Session {
	s := sh.newSession(r, id, ws)
	sh.scratch = sh.srv.appendOpen(append(sh.scratch[:0], byte('0'+PacketOpen)), s.id, true)
	ws.WriteMessage(false, sh.scratch)
	s.connected(r)
	return s
}

// Poll handles a long-polling GET for session sid, with the flags Check
// read from it: answered at once when packets are waiting, else held
// until there are (or the next ping).
func (sh *Shard) Poll(sid []byte, f RequestFlags, reply Responder) {
	s := sh.lookup(sid)
	if s != nil && s.lingering {
		sh.wheel.Stop(&s.heartbeat)
		sh.sessions.del(&s.id)
		reply.Respond(200, ContentTypeText, s.bareBody(PacketNoop))
		return
	}
	if err := sh.checkPolling(s, f); err != nil {
		sh.refuse(reply, err)
		return
	}
	s.poll(reply)
}

// Post handles a long-polling POST body for session sid, with the flags
// Check read from it, and answers it. body is valid until return (binary
// packets are decoded in place in it).
func (sh *Shard) Post(sid []byte, f RequestFlags, body []byte, reply Responder) {
	s := sh.lookup(sid)
	if err := sh.checkPolling(s, f); err != nil {
		sh.refuse(reply, err)
		return
	}
	s.post(f, body, reply)
}

// Probe starts the upgrade of session sid to the WebSocket ws, whose
// handshake carried the sid and the flags f; ws must be a connection of
// this shard's loop (a host moves the connection there first). A
// RequestError means the handshake must be refused with 400 (unknown sid,
// or a protocol revision not the session's); IsAlreadyUpgrading
// means the official server accepts the handshake and then closes the
// WebSocket at once. On success the host delivers ws's messages with
// Session.ReceiveMessage; after the upgrade ws is the session's transport.
func (sh *Shard) Probe(sid []byte, f RequestFlags, ws WebSocket) (*Session, error) {
	s := sh.lookup(sid)
	if s == nil {
		return nil, errUnknownSID
	}
	if s.eio3 != (f&FlagEIO3 != 0) {
		return nil, errBadRequest
	}
	return s, s.probe(ws)
}

// Refuser is implemented by a Responder whose host reports the refusals
// decided on the session's loop to Server.OnConnectionError: a
// long-polling request whose session is unknown, on another transport or
// of another protocol revision is answered with Refuse (the error's
// status and body, and Server.Refused with the request) instead of
// Respond when a function is set.
type Refuser interface {
	Refuse(err *RequestError)
}

// refuse answers reply with err, through Refuse when the host reports it.
func (sh *Shard) refuse(reply Responder, err *RequestError) {
	if rf, ok := reply.(Refuser); ok && sh.srv.onConnectionError != nil {
		rf.Refuse(err)
		return
	}
	respondError(reply, err)
}

func respondError(reply Responder, err *RequestError) {
	var buf [96]byte
	reply.Respond(err.Status(), ContentTypeJSON, err.AppendJSON(buf[:0]))
}
