package loop

import (
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"
)

// Logging: errors at Error, conditions an operator must act on at Warn
// (at most once a second each, with a count: a flood of refused
// connections is one line a second), one line per refused request at
// Debug, nothing per packet.

// throttle lets a record through at most once a second and counts the
// ones it held back. Safe from any goroutine.
type throttle struct {
	last    atomic.Int64 // unix nanoseconds of the last record let through
	skipped atomic.Int64
}

// allow reports whether to log now, and how many records were held back
// since the last one.
func (t *throttle) allow() (bool, int64) {
	now := time.Now().UnixNano()
	last := t.last.Load()
	if now-last < int64(time.Second) || !t.last.CompareAndSwap(last, now) {
		t.skipped.Add(1)
		return false, 0
	}
	return true, t.skipped.Swap(0)
}

// logRefusedConn records a connection closed on accept for MaxConns.
func (srv *Server) logRefusedConn() {
	if ok, skipped := srv.refusals.allow(); ok {
		srv.log.Warn("loop: connection refused: MaxConns open", "max_conns", srv.opts.MaxConns, "refused_since_last_record", skipped+1)
	}
}

// gnetLogger routes gnet's warnings and errors to the server's logger and
// drops its informational chatter, so a server's first log line is the
// application's own.
type gnetLogger struct{ log *slog.Logger }

func (gnetLogger) Debugf(string, ...any) {}
func (gnetLogger) Infof(string, ...any)  {}
func (l gnetLogger) Warnf(format string, args ...any) {
	l.log.Warn("gnet: " + fmt.Sprintf(format, args...))
}
func (l gnetLogger) Errorf(format string, args ...any) {
	l.log.Error("gnet: " + fmt.Sprintf(format, args...))
}
func (l gnetLogger) Fatalf(format string, args ...any) {
	l.log.Error("gnet: " + fmt.Sprintf(format, args...))
}
