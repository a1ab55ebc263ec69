package loop

import (
	"context"

	"github.com/sioloop/sioloop/internal/quiesce"
)

// Timers returns the deadlines pending on every loop's timing wheels: the
// loop's own (header timeouts, WebSocket close waits) and its eio
// shards' (heartbeats, the layers above's timeouts). Test hook.
func Timers(ctx context.Context, srv *Server) (int, error) {
	return quiesce.Sum(ctx, int(srv.nshards.Load()),
		func(i int, fn func()) { srv.shardByIndex(i).Execute(fn) },
		func(i int) int {
			sh := srv.shardByIndex(i)
			n := sh.wheel.Len()
			for _, e := range sh.eio {
				n += e.Wheel().Len()
			}
			return n
		})
}

// InboxCap is inboxCap, for the tests.
const InboxCap = inboxCap
