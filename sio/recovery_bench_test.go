package sio

import (
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/sioloop/sioloop/internal/wheel"
)

// BenchmarkRecoveryMemory measures what connection state recovery keeps:
// the heap per persisted session (in one room besides its own; its id is
// the socket's, its private id made when it is persisted), per kept
// broadcast packet (its frame is shared with the receivers, so only the log
// entry counts) and per kept direct emit of a 40-byte frame (copied into
// the loop's slab). Go heap after GC, 100,000 of each:
//
//	go test -run '^$' -bench RecoveryMemory ./sio/
func BenchmarkRecoveryMemory(b *testing.B) {
	const n = 100_000
	opts := (&RecoveryOptions{MaxLogBytes: 1 << 30}).withDefaults()
	w := wheel.New(time.Millisecond, time.Minute, time.Now())
	ids := make([]string, n) // the sockets' own strings, not copied
	for i := range ids {
		ids[i] = strconv.Itoa(1e18+i) + "xx"
	}
	frame := []byte(`42["chat","hello world, how are you?"]`)
	sel := &BroadcastOptions{Rooms: []string{"room"}}
	measure := func(b *testing.B, unit string, fill func(l *recoveryLog, i int)) {
		var per float64
		for b.Loop() {
			l := newRecoveryLog(opts, w)
			before := heapInUse()
			for i := range n {
				fill(l, i)
			}
			per = float64(heapInUse()-before) / n
			runtime.KeepAlive(l)
		}
		b.ReportMetric(per, unit)
	}
	b.Run("session", func(b *testing.B) {
		measure(b, "B/session", func(l *recoveryLog, i int) {
			pid := string(append(make([]byte, 0, 20), ids[i]...))
			l.persist(&PersistedSession{SID: ids[i], PID: pid, Rooms: []string{"room"}})
		})
	})
	b.Run("broadcast-packet", func(b *testing.B) {
		measure(b, "B/packet", func(l *recoveryLog, i int) {
			l.keep(logEntry{off: uint64(i), text: frame, sel: sel})
		})
	})
	b.Run("direct-packet", func(b *testing.B) {
		measure(b, "B/packet", func(l *recoveryLog, i int) {
			l.keep(logEntry{off: uint64(i), text: l.copy(frame), to: ids[i]})
		})
	})
}

func heapInUse() int64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}
