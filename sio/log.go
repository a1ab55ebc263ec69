package sio

import (
	"context"
	"log/slog"
)

// Logging: every record is at Debug and about a connection's life (a
// client closed, a socket connected, refused or disconnected); nothing is
// logged per packet, and a disabled level costs one Enabled check (the
// attributes are built only past it). Errors the application must see
// come back to it (Emit's error, CONNECT_ERROR to the client) rather
// than through the log.

// debugOn reports whether the server logs at Debug.
func (srv *Server) debugOn() bool { return srv.log.Enabled(context.Background(), slog.LevelDebug) }

// logClientClosed records the end of a client's session. Runs on the loop.
func (c *client) logClientClosed(reason string) {
	if c.srv.debugOn() {
		id := c.sess.ID()
		c.srv.log.LogAttrs(context.Background(), slog.LevelDebug, "sio: client closed",
			slog.String("sid", string(id[:])), slog.String("transport", c.sess.Transport()), slog.String("reason", reason))
	}
}

// logSocket records a socket's connection, refusal (err) or
// disconnection (reason). Runs on the loop.
func (s *Socket) logSocket(msg string, key, value string) {
	if s.nsp.srv.debugOn() {
		s.nsp.srv.log.LogAttrs(context.Background(), slog.LevelDebug, msg,
			slog.String("nsp", s.nsp.name), slog.String("id", s.id), slog.String(key, value))
	}
}
