package sio

import (
	"slices"
	"sync"
	"time"
	"unsafe"

	"github.com/sioloop/sioloop/eio"
	"github.com/sioloop/sioloop/internal/wheel"
	"github.com/sioloop/sioloop/parser"
)

// The in-memory adapter's connection state recovery: each loop keeps, per
// namespace, the sessions of the sockets that lost their connection on it
// and a log of the packets that can be recovered, in the order the loop
// wrote them.

// logEntrySize is what a kept packet costs beside its bytes, counted
// against MaxLogBytes.
const logEntrySize = int(unsafe.Sizeof(logEntry{}))

// slabSize is the size of the chunks a loop copies direct emits into, so
// that keeping one costs no allocation of its own.
const slabSize = 32 << 10

// logEntry is one packet kept for recovery. A broadcast's text and
// attachments are the very bytes its receivers were written (shared by
// every loop and never modified); a direct emit's are a copy in the
// loop's slab.
type logEntry struct {
	off  uint64
	at   time.Duration // the loop's clock when kept
	text []byte
	atts [][]byte
	sel  *BroadcastOptions // a broadcast's selection; nil for a direct emit
	to   string            // a direct emit's socket id
}

func (e *logEntry) size() int {
	n := logEntrySize + len(e.text)
	for _, a := range e.atts {
		n += len(a)
	}
	return n
}

// reaches reports whether e was meant for the socket ps was, as
// socket.io-adapter's shouldIncludePacket: selected by the broadcast's
// rooms (its own id counts), in none of its excluded rooms.
func (e *logEntry) reaches(ps *PersistedSession) bool {
	if e.sel == nil {
		return e.to == ps.SID
	}
	in := func(rooms []string) bool {
		for _, r := range rooms {
			if r == ps.SID || slices.Contains(ps.Rooms, r) {
				return true
			}
		}
		return false
	}
	return (len(e.sel.Rooms) == 0 || in(e.sel.Rooms)) && !in(e.sel.Except)
}

// keptSession is a persisted session and when it was kept.
type keptSession struct {
	ps *PersistedSession
	at time.Duration
}

// expiring is a session in the order of expiry.
type expiring struct {
	pid string
	at  time.Duration
}

// recoveryLog is one loop's part of a namespace's recovery state: the
// sessions of the sockets that lost their connection on this loop, and the
// packets written here that can be recovered, oldest first. Both expire
// after the recovery duration; the log is also bounded in bytes. One
// timer on the loop's wheel prunes them, armed for the oldest item.
//
// Ownership: touched only by its loop.
type recoveryLog struct {
	opts  *RecoveryOptions
	wheel *wheel.Wheel
	timer wheel.Timer

	entries []logEntry // live from head, oldest first
	head    int
	bytes   int    // size of the live entries
	slab    []byte // the chunk direct emits are copied into

	sessions map[string]keptSession // by private id
	expiry   []expiring             // live from expHead, oldest first
	expHead  int
}

func newRecoveryLog(opts *RecoveryOptions, w *wheel.Wheel) *recoveryLog {
	l := &recoveryLog{opts: opts, wheel: w, sessions: map[string]keptSession{}}
	l.timer.Init(l)
	return l
}

// keep appends e, drops the oldest entries past MaxLogBytes and arms the
// pruning.
func (l *recoveryLog) keep(e logEntry) {
	e.at = l.wheel.Elapsed()
	l.entries = append(l.entries, e)
	l.bytes += e.size()
	for l.bytes > l.opts.MaxLogBytes && l.head < len(l.entries) {
		l.dropOldest()
	}
	l.arm()
}

// copy returns a copy of b in the loop's slab.
func (l *recoveryLog) copy(b []byte) []byte {
	if cap(l.slab)-len(l.slab) < len(b) {
		l.slab = make([]byte, 0, max(slabSize, len(b)))
	}
	i := len(l.slab)
	l.slab = append(l.slab, b...)
	return l.slab[i:len(l.slab):len(l.slab)]
}

func (l *recoveryLog) dropOldest() {
	l.bytes -= l.entries[l.head].size()
	l.entries[l.head] = logEntry{}
	l.head++
	l.entries, l.head = compactFront(l.entries, l.head)
}

// compactFront keeps a queue stored as q[head:] from growing without
// bound: an emptied queue restarts at the front, and once more than half
// of it (past 64 entries) is consumed, the live part moves to the front.
func compactFront[T any](q []T, head int) ([]T, int) {
	if head == len(q) {
		return q[:0], 0
	}
	if head > 64 && head*2 > len(q) {
		n := copy(q, q[head:])
		clear(q[n:])
		return q[:n], 0
	}
	return q, head
}

// persist keeps ps until the recovery duration has passed.
func (l *recoveryLog) persist(ps *PersistedSession) {
	now := l.wheel.Elapsed()
	l.sessions[ps.PID] = keptSession{ps: ps, at: now}
	l.expiry = append(l.expiry, expiring{pid: ps.PID, at: now})
	l.arm()
}

// restore takes the session pid, if kept and not expired, with the
// packets it missed after offset; nil if the offset is no longer in the
// log.
func (l *recoveryLog) restore(pid, offset string) *PersistedSession {
	k, ok := l.sessions[pid]
	if !ok {
		return nil
	}
	delete(l.sessions, pid)
	off, ok := parseOffset(offset)
	if !ok || l.wheel.Elapsed()-k.at > l.opts.MaxDisconnectionDuration {
		return nil
	}
	i := len(l.entries) - 1
	for i >= l.head && l.entries[i].off != off {
		i--
	}
	if i < l.head {
		return nil // the offset expired or was never written here
	}
	ps := k.ps
	for _, e := range l.entries[i+1:] {
		if e.reaches(ps) {
			ps.MissedPackets = append(ps.MissedPackets, &BroadcastPacket{ID: -1, frames: parser.Frames{Head: e.text, Attachments: e.atts}})
		}
	}
	return ps
}

// live reports whether anything on this loop could recover from the log:
// a connected socket or a kept session.
func (l *recoveryLog) live(ix *localIndex) bool {
	return ix.sockets.len() > 0 || len(l.sessions) > 0
}

// arm schedules the pruning for when the oldest item expires (not sooner
// than an eighth of the duration from now, so that it runs rarely).
func (l *recoveryLog) arm() {
	if l.timer.Active() {
		return
	}
	oldest, ok := l.oldest()
	if !ok {
		return
	}
	d := l.opts.MaxDisconnectionDuration
	delay := max(oldest+d-l.wheel.Elapsed(), d/8)
	l.wheel.Schedule(&l.timer, delay)
}

func (l *recoveryLog) oldest() (time.Duration, bool) {
	var at time.Duration
	ok := false
	if l.head < len(l.entries) {
		at, ok = l.entries[l.head].at, true
	}
	if l.expHead < len(l.expiry) && (!ok || l.expiry[l.expHead].at < at) {
		at, ok = l.expiry[l.expHead].at, true
	}
	return at, ok
}

// OnTimer drops the expired packets and sessions.
func (l *recoveryLog) OnTimer(*wheel.Timer) {
	threshold := l.wheel.Elapsed() - l.opts.MaxDisconnectionDuration
	for l.head < len(l.entries) && l.entries[l.head].at < threshold {
		l.dropOldest()
	}
	for l.expHead < len(l.expiry) && l.expiry[l.expHead].at < threshold {
		x := l.expiry[l.expHead]
		if k, ok := l.sessions[x.pid]; ok && k.at == x.at {
			delete(l.sessions, x.pid)
		}
		l.expiry[l.expHead] = expiring{}
		l.expHead++
	}
	l.expiry, l.expHead = compactFront(l.expiry, l.expHead)
	if l.head == len(l.entries) {
		l.slab = nil // nothing refers to it any more
	}
	l.arm()
}

// The in-memory adapter as a SessionAwareAdapter.

// log returns the loop's recovery log, or nil when recovery is off.
// Runs on that loop.
func (a *memoryAdapter) log(sh *eio.Shard) *recoveryLog {
	if a.recovery == nil {
		return nil
	}
	return a.index(sh).log
}

// PersistSession keeps ps on s's loop, the loop whose log holds the
// offsets its client got. Runs on that loop.
func (a *memoryAdapter) PersistSession(s *Socket, ps *PersistedSession) {
	if l := a.log(s.sh); l != nil {
		l.persist(ps)
	}
}

// RestoreSession asks every loop for the session: after a recovery on
// another loop, the private id no longer names the loop that holds it.
func (a *memoryAdapter) RestoreSession(pid, offset string, done func(*PersistedSession)) {
	var (
		mu    sync.Mutex
		left  = a.Shards()
		found *PersistedSession
	)
	a.nsp.srv.eachShard(func(sh *eio.Shard) {
		var ps *PersistedSession
		if ix := a.local[sh.Index()]; ix != nil && ix.log != nil {
			ps = ix.log.restore(pid, offset)
		}
		mu.Lock()
		left--
		if ps != nil {
			found = ps
		}
		last := left == 0
		mu.Unlock()
		if last {
			done(found)
		}
	}, false)
}

// keepBroadcast logs pkt, which selects opts, on sh's loop, if a socket
// or session there could recover it. Runs on that loop.
func (a *memoryAdapter) keepBroadcast(sh *eio.Shard, off uint64, pkt *BroadcastPacket, opts *BroadcastOptions) {
	ix := a.local[sh.Index()]
	if ix == nil || !ix.log.live(ix) {
		return
	}
	ix.log.keep(logEntry{off: off, text: pkt.frames.Head, atts: pkt.frames.Attachments, sel: opts})
}

// keepEmit gives the encoded event text (and its attachments), which s
// emits, an offset and logs a copy of it; it returns the copy to write.
// Runs on s's loop.
func (a *memoryAdapter) keepEmit(s *Socket, text []byte, atts [][]byte) ([]byte, [][]byte) {
	l := a.log(s.sh)
	e := logEntry{off: a.offsets.Add(1), to: s.id}
	e.text = l.copy(appendOffset(text, e.off))
	if len(atts) > 0 {
		e.atts = make([][]byte, len(atts))
		for i, b := range atts {
			e.atts[i] = l.copy(b)
		}
	}
	l.keep(e)
	return e.text, e.atts
}
