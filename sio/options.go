package sio

import (
	"log/slog"
	"strings"
	"time"

	"github.com/sioloop/sioloop/eio"
	"github.com/sioloop/sioloop/parser"
)

// Options configures a Server. Its zero value means the official socket.io
// 4.8 defaults; each field's comment gives its default.
type Options struct {
	// Engine configures the Engine.IO layer: heartbeats, the message size
	// limit, transports, AllowRequest. Its zero value means the official
	// engine.io defaults (ping every 25s, 20s timeout, 1e6 bytes).
	Engine eio.Options
	// ConnectTimeout is how long a client may stay connected without
	// joining a namespace before it is closed. Zero means 45s.
	ConnectTimeout time.Duration
	// Adapter makes each namespace's adapter. Nil means the in-memory
	// adapter (single node, a room index per loop).
	Adapter func(nsp *Namespace) Adapter
	// ConnectionStateRecovery, when set, keeps the state of a socket that
	// lost its connection (its id, rooms, data and the packets it missed)
	// so that its client gets it back by reconnecting in time; see
	// RecoveryOptions and Socket.Recovered. Nil means off, as in the
	// official server. It needs a SessionAwareAdapter (the in-memory one
	// is).
	ConnectionStateRecovery *RecoveryOptions

	// CleanupEmptyChildNamespaces removes a child of a dynamic namespace
	// (OfRegexp, OfFunc) from the server when its last socket leaves, as
	// socket.io's cleanupEmptyChildNamespaces (4.6+): Of, Namespaces and
	// the parent's broadcasts no longer see it, and a client connecting to
	// the name again gets a new child, through the parent's handlers and
	// middlewares. A socket counts from its CONNECT (middlewares running)
	// until it disconnects or is refused; unlike Node, whose check counts
	// connected sockets only, a child is never removed while a socket is
	// still in its middlewares, so no socket is left in a removed child.
	// False, the default, keeps every child for the server's life.
	CleanupEmptyChildNamespaces bool

	// Serving: where and how a host (package sioloop, or loop.Server.Handle
	// given Path and CORS) serves the server, as `path` and `cors` in the
	// options of Node's `new Server(opts)`.

	// Path is the URL path the server answers under. Zero means
	// "/socket.io/"; a trailing slash is added, as socket.io's
	// addTrailingSlash does by default, unless Engine.DisableTrailingSlash
	// is set (addTrailingSlash: false).
	Path string
	// CORS sets the CORS headers of the server's answers. Nil means none,
	// as socket.io without the cors option.
	CORS *eio.CORSOptions
	// ServeClient is where the official client bundle comes from, served
	// under Path (/socket.io/socket.io.js, .min.js, .msgpack.min.js,
	// .esm.min.js and their source maps, with socket.io's ETag and cache
	// headers) by both of sioloop's serving modes, as Node's serveClient:
	// the dist folder of the socket.io-client npm package, the package's
	// folder, or an npm project holding it in node_modules. Empty means no
	// bundle. Node serves it by default from the socket.io-client it
	// depends on; sioloop has no copy of those files to embed, so the
	// default cannot be Node's: name the package you have (npm install
	// socket.io-client). The files are read once, when the server is
	// made; a folder without them makes ListenAndServe (or Start) fail.
	// With package loop by hand, loop.Server.ServeClient does the same.
	ServeClient string

	// Logger receives the server's records: at Debug, each client's and
	// socket's connection, refusal and end; nothing per packet, nothing
	// above Debug (errors reach the application through return values)
	// but each slow-consumer disconnect at Warn (Engine.Logger, unless
	// set, is this one).
	// Nil means slog.Default(), so a server logs where the rest of the
	// program does, and its Debug records stay silent under the default
	// handler (Info) until the program asks for them. sioloop passes it
	// to the gnet engine too.
	Logger *slog.Logger

	// Parser is the packet format, the same for every client (the Node
	// server's parser option): parser.JSON, or msgpack.Parser from
	// package parser/msgpack for clients using socket.io-msgpack-parser.
	// Nil means parser.JSON. ConnectionStateRecovery needs parser.JSON
	// for now: it appends each packet's offset to its JSON text.
	Parser parser.Parser

	// Limits are the abuse limits: rates per socket, rooms per socket,
	// attachments per packet. The zero value is the official server's.
	Limits Limits
}

// DefaultPath is the path Options.Path defaults to.
const DefaultPath = "/socket.io/"

func (o *Options) withDefaults() Options {
	c := *o
	if c.ConnectTimeout <= 0 {
		c.ConnectTimeout = 45 * time.Second
	}
	if c.Adapter == nil {
		c.Adapter = NewMemoryAdapter
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Engine.Logger == nil {
		c.Engine.Logger = c.Logger
	}
	if c.Path == "" {
		c.Path = DefaultPath
	}
	c.Path = strings.TrimSuffix(c.Path, "/")
	if !c.Engine.DisableTrailingSlash {
		c.Path += "/"
	}
	if c.ConnectionStateRecovery != nil {
		c.ConnectionStateRecovery = c.ConnectionStateRecovery.withDefaults()
	}
	if c.Parser == nil {
		c.Parser = parser.JSON
	}
	return c
}
