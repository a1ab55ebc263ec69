package loop

import (
	"fmt"
	"log/slog"
)

// gnetLogger routes gnet's warnings and errors to slog's default logger
// and drops its informational chatter, so a server's first log line is
// the application's own.
type gnetLogger struct{}

func (gnetLogger) Debugf(string, ...any) {}
func (gnetLogger) Infof(string, ...any)  {}
func (gnetLogger) Warnf(format string, args ...any) {
	slog.Warn("gnet: " + fmt.Sprintf(format, args...))
}
func (gnetLogger) Errorf(format string, args ...any) {
	slog.Error("gnet: " + fmt.Sprintf(format, args...))
}
func (gnetLogger) Fatalf(format string, args ...any) {
	slog.Error("gnet: " + fmt.Sprintf(format, args...))
}
