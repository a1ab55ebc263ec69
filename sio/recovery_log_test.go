package sio

import (
	"strconv"
	"testing"
	"time"

	"github.com/sioloop/sioloop/internal/wheel"
)

// newTestLog returns a log on a wheel of its own, and the clock driving it.
func newTestLog(opts *RecoveryOptions) (*recoveryLog, func(d time.Duration)) {
	start := time.Now()
	now := start
	w := wheel.New(time.Millisecond, time.Minute, start)
	advance := func(d time.Duration) {
		now = now.Add(d)
		w.Advance(now)
	}
	return newRecoveryLog(opts.withDefaults(), w), advance
}

func TestRecoveryLogExpiresSessionsAndPacketsOnTheWheel(t *testing.T) {
	l, advance := newTestLog(&RecoveryOptions{MaxDisconnectionDuration: time.Second})
	l.keep(logEntry{off: 1, text: []byte(`2["a","1"]`), sel: &BroadcastOptions{}})
	l.persist(&PersistedSession{SID: "s", PID: "p"})
	advance(500 * time.Millisecond)
	l.keep(logEntry{off: 2, text: []byte(`2["b","2"]`), sel: &BroadcastOptions{}})
	if !l.timer.Active() || l.wheel.Len() != 1 {
		t.Fatalf("one pruning timer expected, wheel holds %d", l.wheel.Len())
	}
	advance(700 * time.Millisecond) // the first packet and the session expired
	if n := len(l.entries) - l.head; n != 1 || len(l.sessions) != 0 {
		t.Fatalf("after 1.2 s: %d packets, %d sessions; want 1, 0", n, len(l.sessions))
	}
	advance(time.Second)
	if len(l.entries) != 0 || l.bytes != 0 || l.timer.Active() || l.slab != nil {
		t.Fatalf("after 2.2 s: %d packets, %d bytes, timer %v", len(l.entries), l.bytes, l.timer.Active())
	}
}

func TestRecoveryLogRestoresOnlyInTimeAndOnce(t *testing.T) {
	l, advance := newTestLog(&RecoveryOptions{MaxDisconnectionDuration: time.Second})
	l.keep(logEntry{off: 7, text: []byte(`2["a","7"]`), to: "s"})
	l.persist(&PersistedSession{SID: "s", PID: "p"})
	l.keep(logEntry{off: 8, text: []byte(`2["b","8"]`), to: "s"})
	l.keep(logEntry{off: 9, text: []byte(`2["c","9"]`), to: "other"})
	l.keep(logEntry{off: 10, text: []byte(`2["d","a"]`), sel: &BroadcastOptions{Rooms: []string{"r"}}})
	l.keep(logEntry{off: 11, text: []byte(`2["e","b"]`), sel: &BroadcastOptions{Except: []string{"r"}}})
	ps := l.restore("p", strconv.FormatUint(7, 36))
	if ps == nil || len(ps.MissedPackets) != 2 || string(ps.MissedPackets[0].frames.Head) != `2["b","8"]` ||
		string(ps.MissedPackets[1].frames.Head) != `2["e","b"]` {
		t.Fatalf("restored %+v", ps)
	}
	if l.restore("p", "7") != nil {
		t.Fatal("a session restored twice")
	}
	l.persist(&PersistedSession{SID: "s2", PID: "p2", Rooms: []string{"r"}})
	if ps := l.restore("p2", "9"); ps == nil || len(ps.MissedPackets) != 1 || string(ps.MissedPackets[0].frames.Head) != `2["d","a"]` {
		t.Fatalf("room packets restored %+v", ps)
	}
	l.persist(&PersistedSession{SID: "s3", PID: "p3"})
	advance(1100 * time.Millisecond)
	if l.restore("p3", "b") != nil {
		t.Fatal("restored after the duration")
	}
}

func TestRecoveryLogDropsTheOldestPastMaxLogBytes(t *testing.T) {
	text := make([]byte, 100)
	l, _ := newTestLog(&RecoveryOptions{MaxLogBytes: 10 * (logEntrySize + len(text))})
	l.persist(&PersistedSession{SID: "s", PID: "p"})
	for i := range 25 {
		l.keep(logEntry{off: uint64(i), text: l.copy(text), to: "s"})
	}
	if n := len(l.entries) - l.head; n != 10 || l.bytes != 10*(logEntrySize+len(text)) {
		t.Fatalf("%d packets, %d bytes kept; want 10", n, l.bytes)
	}
	if l.restore("p", strconv.FormatUint(3, 36)) != nil {
		t.Fatal("restored from an offset that was dropped")
	}
}
