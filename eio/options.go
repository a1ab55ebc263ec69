package eio

import (
	"log/slog"
	"net/http"
	"time"
)

// Transport names, as the client sends them in the transport query parameter.
const (
	TransportPolling   = "polling"
	TransportWebSocket = "websocket"
)

// Options configures a Server. Its zero value means the official engine.io
// 6.6 defaults; a field's comment gives its default.
type Options struct {
	// PingInterval is how often the server pings a session. Zero means 25s.
	PingInterval time.Duration
	// PingTimeout is how long the server waits for the pong before it
	// closes the session with reason "ping timeout". Zero means 20s.
	PingTimeout time.Duration
	// UpgradeTimeout is how long a probed WebSocket may take to complete
	// the upgrade before it is closed (the session stays on polling).
	// Zero means 10s.
	UpgradeTimeout time.Duration
	// MaxHTTPBufferSize is the largest message (WebSocket) or request body
	// (polling) a client may send, in bytes; it is also announced to the
	// client as maxPayload. Larger polling bodies are answered 413, larger
	// WebSocket messages close the connection with 1009. Zero means 1e6.
	MaxHTTPBufferSize int64
	// Transports lists the transports clients may use. Nil means polling
	// and websocket.
	Transports []string
	// AllowEIO3 accepts clients of Engine.IO protocol v3 (engine.io's
	// allowEIO3, off by default): socket.io-client 2.x and the clients of
	// its generation. A handshake whose EIO parameter is not "4" opens a
	// v3 session (its payload framing, its base64 and binary forms, pings
	// sent by the client and answered by the server); without AllowEIO3 it
	// is refused with 400 {"code":5,"message":"Unsupported protocol
	// version"}.
	AllowEIO3 bool
	// DisallowUpgrades stops polling sessions from upgrading to WebSocket
	// (engine.io's allowUpgrades: false).
	DisallowUpgrades bool
	// AllowRequest decides whether a handshake is accepted, like Node's
	// allowRequest(req, callback). It runs on the loop and must not block:
	// it answers by calling done once, at once or later from any goroutine
	// (after a lookup); the handshake waits, the loop goes on. A non-nil
	// error refuses the handshake: polling with 403
	// {"code":4,"message":err.Error()}, a WebSocket handshake with 400 and
	// the message. r is valid only until AllowRequest returns: copy what a
	// later answer needs. Nil accepts every handshake.
	AllowRequest func(r *Request, done func(err error))

	// Connection limits (none in the official server; off when zero). A
	// handshake over a limit is refused, before AllowRequest is asked, as
	// AllowRequest refuses one:
	// polling with 403 {"code":4,"message":"Too many connections"}, a
	// WebSocket handshake with 400 and the message; the official client
	// reports a connect_error. Counted when a session opens and closes, so
	// handshakes racing on several loops may pass a limit by at most one
	// per loop.

	// MaxConnections caps the sessions open on the server.
	MaxConnections int
	// MaxConnectionsPerIP caps the sessions open from one IP address (the
	// TCP peer's: behind a proxy, use AllowRequest with the forwarded
	// address instead).
	MaxConnectionsPerIP int

	// OutboundHighWaterMark bounds a session's outbound bytes: those sent
	// to it that its client has not taken yet — the long-polling queue,
	// or on WebSocket the host's queue plus the socket's send queue in
	// the kernel (which absorbs a few MB on its own before a user-space
	// bound would see a stalled client). It is checked before a packet is
	// queued: a packet that would go past it is not queued; a volatile
	// one is just dropped (Session.Admit), any other closes the session
	// with ReasonSlowConsumer, counted (Server.SlowConsumers) and logged
	// at Warn. Zero means 4 MiB. The official server has no such bound: a
	// stalled client's queue grows until its heartbeat fails.
	OutboundHighWaterMark int
	// Logger receives the slow-consumer disconnects, at Warn. Nil means
	// slog.Default() (package sio passes its own Logger).
	Logger *slog.Logger
	// WriteStallTimeout bounds how long a WebSocket's client may take
	// none of the bytes written to it while some wait — in the host's
	// queue or in the kernel's send queue, which absorbs a few MB of a
	// client that stopped reading before a write fails; the session then
	// closes with ReasonSlowConsumer. A client that reads slowly but
	// keeps taking bytes is not cut by it (the high-water mark bounds
	// what it may hold). Zero means 10s (nats-server's write deadline).
	WriteStallTimeout time.Duration

	// DisableHTTPCompression stops the compression of long-polling
	// answers (engine.io's httpCompression: false). By default an answer
	// of at least HTTPCompressionThreshold bytes goes out with gzip or
	// deflate when the request's Accept-Encoding takes one.
	DisableHTTPCompression bool
	// HTTPCompressionThreshold is the smallest long-polling answer, in
	// bytes, that is compressed. Zero means 1024.
	HTTPCompressionThreshold int
	// PerMessageDeflate offers WebSocket compression (RFC 7692
	// permessage-deflate; engine.io's perMessageDeflate, off by default):
	// with a client that asks for it, messages of at least
	// PerMessageDeflateThreshold bytes are sent compressed, and compressed
	// messages are accepted. No context is taken over between messages, so
	// a compressed connection keeps no compressor of its own.
	PerMessageDeflate bool
	// PerMessageDeflateThreshold is the smallest message, in bytes, sent
	// compressed. Zero means 1024.
	PerMessageDeflateThreshold int
	// NodeID, from 1 to MaxNodes-1, names this server in a cluster whose
	// nodes forward each other the requests a load balancer sent to the
	// wrong node (no sticky sessions: loop.Options.Peers): it is written in
	// every session id (NodeOf), and a session id naming another node is
	// that node's. Zero (or a value out of range) means none: the second
	// character of a session id is random, as the others.
	NodeID int

	// DisableTrailingSlash matches the path a host serves the server on
	// as given (engine.io's addTrailingSlash: false): "/socket.io" then
	// answers "/socket.io?EIO=4…" as the official server does, which
	// compares the URL's start with the path. By default a trailing slash
	// is added ("/socket.io/").
	DisableTrailingSlash bool
	// Cookie, when set, makes the answer to a long-polling handshake set a
	// cookie holding the session id (engine.io's cookie option, off by
	// default): with the zero CookieOptions, "Set-Cookie: io=<sid>;
	// Path=/; HttpOnly; SameSite=Lax", as cookie: true. A WebSocket
	// handshake sets none, as in the official server.
	Cookie *CookieOptions
	// GenerateID makes the session ids (engine.io's generateId(req)). A
	// session id names the loop that owns its session (and, with NodeID,
	// its node), so that any loop or node routes a request to it in O(1)
	// (ShardOf, NodeOf): the id is those two characters followed by what
	// GenerateID returns, which must be exactly GeneratedIDLen characters
	// of the URL-safe base64 alphabet (A–Z, a–z, 0–9, '-', '_'). The
	// second character is 'A' when NodeID is not set. An error, or an id
	// of another form, refuses the handshake with 400 {"code":3,"message":
	// "Bad request"}, as the official server refuses an id its generator
	// failed to make. It runs on the loop that opens the session and must
	// not block; r is valid only during the call. Nil means random ids
	// (20 characters, as the official server's base64id).
	GenerateID func(r *Request) (string, error)
}

// CookieOptions are the attributes of the session cookie
// (Options.Cookie). The zero value is the official default.
type CookieOptions struct {
	// Name is the cookie's name. Empty means "io".
	Name string
	// Path is the cookie's Path. Empty means "/".
	Path string
	// Domain is the cookie's Domain; empty means none.
	Domain string
	// MaxAge is the cookie's Max-Age, in seconds; zero means none.
	MaxAge int
	// Expires is the cookie's Expires; the zero time means none.
	Expires time.Time
	// NoHTTPOnly leaves HttpOnly out (httpOnly: false).
	NoHTTPOnly bool
	// Secure adds Secure.
	Secure bool
	// Partitioned adds Partitioned.
	Partitioned bool
	// SameSite is the cookie's SameSite. Zero means Lax;
	// http.SameSiteDefaultMode leaves the attribute out (sameSite: false).
	SameSite http.SameSite
}

// closeTimeout is how long a closing polling session waits for the GET that
// carries its close packet (engine.io's Polling.closeTimeout).
const closeTimeout = 30 * time.Second

func (o *Options) withDefaults() Options {
	c := *o
	if c.NodeID < 0 || c.NodeID >= MaxNodes {
		c.NodeID = 0
	}
	if c.PingInterval <= 0 {
		c.PingInterval = 25 * time.Second
	}
	if c.PingTimeout <= 0 {
		c.PingTimeout = 20 * time.Second
	}
	if c.UpgradeTimeout <= 0 {
		c.UpgradeTimeout = 10 * time.Second
	}
	if c.MaxHTTPBufferSize <= 0 {
		c.MaxHTTPBufferSize = 1e6
	}
	if c.OutboundHighWaterMark <= 0 {
		c.OutboundHighWaterMark = 4 << 20
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.WriteStallTimeout <= 0 {
		c.WriteStallTimeout = 10 * time.Second
	}
	if c.HTTPCompressionThreshold <= 0 {
		c.HTTPCompressionThreshold = 1024
	}
	if c.PerMessageDeflateThreshold <= 0 {
		c.PerMessageDeflateThreshold = 1024
	}
	if c.Transports == nil {
		c.Transports = []string{TransportPolling, TransportWebSocket}
	} else {
		c.Transports = append([]string(nil), c.Transports...)
	}
	return c
}
