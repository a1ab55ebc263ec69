// Package testlog is a slog.Handler that keeps the records it receives,
// for the tests that check what a server logs.
package testlog

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
)

// Handler keeps every record at or above Level, formatted as "LEVEL msg
// key=value ...". Safe from any goroutine.
type Handler struct {
	Level slog.Level
	mu    sync.Mutex
	recs  []string
}

// Enabled implements slog.Handler.
func (h *Handler) Enabled(_ context.Context, l slog.Level) bool { return l >= h.Level }

// Handle implements slog.Handler.
func (h *Handler) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	b.WriteString(r.Level.String() + " " + r.Message)
	r.Attrs(func(a slog.Attr) bool { b.WriteString(" " + a.String()); return true })
	h.mu.Lock()
	h.recs = append(h.recs, b.String())
	h.mu.Unlock()
	return nil
}

// WithAttrs implements slog.Handler (the attributes are dropped).
func (h *Handler) WithAttrs([]slog.Attr) slog.Handler { return h }

// WithGroup implements slog.Handler (the group is dropped).
func (h *Handler) WithGroup(string) slog.Handler { return h }

// Records returns a copy of the records so far.
func (h *Handler) Records() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.recs...)
}

// Wait waits, at most 5 s, for a record containing want; the test fails
// without one.
func (h *Handler) Wait(t testing.TB, want string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		for _, r := range h.Records() {
			if strings.Contains(r, want) {
				return
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("no record with %q in %q", want, h.Records())
}
