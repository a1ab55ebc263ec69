package eio

import (
	"bytes"
	"strconv"
	"sync/atomic"
	"time"
)

// Server is one Engine.IO endpoint: its options and connection handler.
// Its sessions live in Shards, one per event loop, made with NewShard.
//
// Ownership: a Server is configured (OnConnection) before it serves and is
// read-only afterwards, so any loop may read it; its shard table is
// written once per shard and read with atomics.
type Server struct {
	opts         Options
	onConnection func(*Session, *Request)
	onMessage    func(*Session, []byte, bool)
	onClose      func(*Session, string)
	onDrain      func(*Session)
	onUpgrade    func(*Session)
	shards       [MaxShards]atomic.Pointer[Shard]
	limits       connLimits // written by every loop, see limits.go

	// The hooks of headers.go and errors.go; nil unless set.
	onInitialHeaders, onHeaders func(*ResponseHeader, *Request)
	onConnectionError           func(*ConnectionError)
	cookie                      *[2]string // the session cookie around its value (Options.Cookie)

	// Counters, safe from any goroutine.
	slowConsumers, dropped atomic.Uint64

	allowPolling, allowWebSocket bool
	// The open packet's JSON after the sid, per transport.
	openTailPolling, openTailWebSocket []byte
}

// NewServer returns a server with opts (nil means the defaults).
func NewServer(opts *Options) *Server {
	if opts == nil {
		opts = &Options{}
	}
	srv := &Server{opts: opts.withDefaults()}
	srv.cookie = cookieParts(srv.opts.Cookie)
	for _, t := range srv.opts.Transports {
		switch t {
		case TransportPolling:
			srv.allowPolling = true
		case TransportWebSocket:
			srv.allowWebSocket = true
		}
	}
	upgrades := srv.allowWebSocket && !srv.opts.DisallowUpgrades
	srv.openTailPolling = srv.appendOpenTail(nil, upgrades)
	srv.openTailWebSocket = srv.appendOpenTail(nil, false)
	return srv
}

// OnConnection sets the function called, on the session's loop, for every
// new session, with the handshake request (valid only during the call).
// Call it before the server serves.
func (srv *Server) OnConnection(fn func(s *Session, r *Request)) { srv.onConnection = fn }

// OnMessage sets the function called, on the session's loop, with every
// message a client sends; data is valid only until it returns. One
// handler serves every session (a session costs no handler fields); keep
// per-session state with Session.SetContext. Call it before the server
// serves.
func (srv *Server) OnMessage(fn func(s *Session, data []byte, binary bool)) { srv.onMessage = fn }

// OnClose sets the function called once, on the session's loop, when a
// session closes, with one of the Reason constants. Call it before the
// server serves.
func (srv *Server) OnClose(fn func(s *Session, reason string)) { srv.onClose = fn }

// OnUpgrade sets the function called, on the session's loop, when a
// session has moved from polling to WebSocket (Node's socket "upgrade"
// event). Nil, the default, costs nothing. Call it before the server
// serves.
func (srv *Server) OnUpgrade(fn func(s *Session)) { srv.onUpgrade = fn }

// Shard returns the shard with index i, or nil when no loop made it yet.
// Safe from any goroutine.
func (srv *Server) Shard(i int) *Shard {
	if i < 0 || i >= MaxShards {
		return nil
	}
	return srv.shards[i].Load()
}

// MaxHTTPBufferSize returns the largest message or polling body accepted.
func (srv *Server) MaxHTTPBufferSize() int64 { return srv.opts.MaxHTTPBufferSize }

// TrailingSlash reports whether a host adds a trailing slash to the path
// it serves the server on (not Options.DisableTrailingSlash).
func (srv *Server) TrailingSlash() bool { return !srv.opts.DisableTrailingSlash }

// NodeID returns the node id written in this server's session ids
// (Options.NodeID), 0 for none.
func (srv *Server) NodeID() int { return srv.opts.NodeID }

// OutboundHighWaterMark returns the bound of a session's outbound bytes.
func (srv *Server) OutboundHighWaterMark() int { return srv.opts.OutboundHighWaterMark }

// WriteStallTimeout returns how long a WebSocket may accept no bytes.
func (srv *Server) WriteStallTimeout() time.Duration { return srv.opts.WriteStallTimeout }

// HTTPCompression returns the size from which the host compresses
// long-polling answers, and whether it does (Options.DisableHTTPCompression).
func (srv *Server) HTTPCompression() (threshold int, ok bool) {
	return srv.opts.HTTPCompressionThreshold, !srv.opts.DisableHTTPCompression
}

// PerMessageDeflate returns the size from which the host sends WebSocket
// messages compressed, and whether it offers compression at all
// (Options.PerMessageDeflate).
func (srv *Server) PerMessageDeflate() (threshold int, ok bool) {
	return srv.opts.PerMessageDeflateThreshold, srv.opts.PerMessageDeflate
}

// PingInterval returns the heartbeat period.
func (srv *Server) PingInterval() time.Duration { return srv.opts.PingInterval }

func (srv *Server) appendOpenTail(dst []byte, upgrades bool) []byte {
	dst = append(dst, `","upgrades":[`...)
	if upgrades {
		dst = append(dst, `"websocket"`...)
	}
	dst = append(dst, `],"pingInterval":`...)
	dst = strconv.AppendInt(dst, srv.opts.PingInterval.Milliseconds(), 10)
	dst = append(dst, `,"pingTimeout":`...)
	dst = strconv.AppendInt(dst, srv.opts.PingTimeout.Milliseconds(), 10)
	dst = append(dst, `,"maxPayload":`...)
	dst = strconv.AppendInt(dst, srv.opts.MaxHTTPBufferSize, 10)
	return append(dst, '}')
}

// appendOpen appends the open packet's data for session id on transport.
func (srv *Server) appendOpen(dst []byte, id SID, websocket bool) []byte {
	dst = append(dst, `{"sid":"`...)
	dst = append(dst, id[:]...)
	if websocket {
		return append(dst, srv.openTailWebSocket...)
	}
	return append(dst, srv.openTailPolling...)
}

// Query holds the Engine.IO query parameters of a request, raw, and the
// flags the session checks a request for it against.
type Query struct {
	Transport, SID, EIO []byte
	Flags               RequestFlags
}

// RequestFlags are what Check reads from a request that the session it
// names checks: the host passes them to Poll, Post and Probe (a byte, so a
// request forwarded to another loop carries them for nothing).
type RequestFlags uint8

const (
	// FlagEIO3 marks a request whose EIO parameter names protocol v3:
	// any value but "4", as engine.io's computeProtocolRevision reads it.
	// A request whose revision is not its session's is refused with 400
	// {"code":3} (engine.io's PROTOCOL_MISMATCH).
	FlagEIO3 RequestFlags = 1 << iota
	// FlagBinaryBody marks a POST whose Content-Type is
	// application/octet-stream: a v3 binary payload. A v4 session answers
	// it 400 and closes, as engine.io does ("invalid content").
	FlagBinaryBody
)

// Check validates what can be validated without the session, in the
// official server's order: the transport, the Origin header and, for a
// handshake (no sid), the method, the protocol version and the connection
// limits; Allow asks AllowRequest next.
// upgrade is true for a WebSocket handshake request. The returned query is
// valid as long as r is. Runs on any loop.
func (srv *Server) Check(r *Request, upgrade bool) (Query, *RequestError) {
	q := Query{
		Transport: r.Query("transport"),
		SID:       r.Query("sid"),
		EIO:       r.Query("EIO"),
	}
	if string(q.EIO) != "4" {
		q.Flags |= FlagEIO3
	}
	if string(r.Method) == "POST" && string(r.Header("Content-Type")) == "application/octet-stream" {
		q.Flags |= FlagBinaryBody
	}
	switch {
	case bytes.Equal(q.Transport, []byte(TransportPolling)) && srv.allowPolling:
	case bytes.Equal(q.Transport, []byte(TransportWebSocket)) && srv.allowWebSocket:
	default:
		return q, errUnknownTransport
	}
	if !validHeaderValue(r.Header("Origin")) {
		return q, errBadRequest
	}
	if upgrade != bytes.Equal(q.Transport, []byte(TransportWebSocket)) {
		// A WebSocket handshake for polling, or a websocket request
		// without one. The official server answers the latter with
		// BAD_REQUEST and opens then closes the former; both are 400 here.
		return q, errBadRequest
	}
	if len(q.SID) > 0 {
		return q, nil
	}
	if string(r.Method) != "GET" {
		return q, errBadMethod
	}
	if q.Flags&FlagEIO3 != 0 && !srv.opts.AllowEIO3 {
		return q, errUnsupported
	}
	if err := srv.checkLimits(r); err != nil {
		return q, err
	}
	return q, nil
}

// Allow asks Options.AllowRequest about the handshake r, which passed
// Check, and calls done with nil (accepted) or the refusal (Forbidden, with
// the error's text). done runs exactly once: during the call when there is
// no AllowRequest or it answers at once, else later, on the goroutine that
// answers (a second answer is ignored). The host serves the handshake only
// once done has run, and must not block its loop meanwhile. Safe from any
// goroutine.
func (srv *Server) Allow(r *Request, done func(*RequestError)) {
	if srv.opts.AllowRequest == nil {
		done(nil)
		return
	}
	var answered atomic.Bool
	srv.opts.AllowRequest(r, func(err error) {
		if !answered.CompareAndSwap(false, true) {
			return
		}
		if err != nil {
			done(&RequestError{Code: Forbidden, Message: err.Error()})
			return
		}
		done(nil)
	})
}

// validHeaderValue reports whether v has no character Node's
// checkInvalidHeaderChar rejects (controls other than tab, and DEL).
func validHeaderValue[T string | []byte](v T) bool {
	for i := range len(v) {
		if c := v[i]; (c < ' ' && c != '\t') || c == 0x7f {
			return false
		}
	}
	return true
}
