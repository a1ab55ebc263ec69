// Package wheel is a hashed timing wheel: one per event loop, holding every
// deadline of the connections that loop owns (heartbeats, upgrade and
// connect timeouts, ack timeouts, HTTP header timeouts).
//
// Ownership: a Wheel and the Timers scheduled on it belong to one goroutine
// (the owner loop); no method is safe for concurrent use. Scheduling,
// rescheduling and stopping a timer are O(1) and never allocate: a Timer is
// an intrusive list node embedded in the struct whose deadline it is.
package wheel

import "time"

// Handler is told when one of its timers expires.
type Handler interface {
	// OnTimer runs on the owner loop when t expires. t is no longer
	// scheduled; OnTimer may schedule it again.
	OnTimer(t *Timer)
}

// Timer is one deadline. Embed it in the struct it belongs to and call Init
// once before the first Schedule. The zero Timer is not scheduled.
type Timer struct {
	// The bucket's list: next, and the pointer that points at t (the
	// bucket's head or the previous timer's next), nil when t is not
	// scheduled. A bucket is then one pointer, not a sentinel Timer.
	next    *Timer
	pprev   **Timer
	expires int64 // tick at which the timer fires
	h       Handler
}

// Init sets the handler that t's expiry calls.
func (t *Timer) Init(h Handler) { t.h = h }

// Active reports whether t is scheduled.
func (t *Timer) Active() bool { return t.pprev != nil }

func (t *Timer) unlink() {
	*t.pprev = t.next
	if t.next != nil {
		t.next.pprev = t.pprev
	}
	t.next, t.pprev = nil, nil
}

// pushTo inserts t at the head of the list *head.
func (t *Timer) pushTo(head **Timer) {
	t.next = *head
	if t.next != nil {
		t.next.pprev = &t.next
	}
	t.pprev = head
	*head = t
}

// Wheel is a hashed timing wheel. The zero value is not usable: use New.
//
// Each bucket is the head of a list kept newest first (8 bytes a bucket:
// a 1 ms wheel spanning 45 s is 512 KiB, not the 2.6 MiB of sentinel
// Timers); expire reverses it, so timers due at the same tick fire in the
// order they were scheduled.
type Wheel struct {
	tick    time.Duration
	start   time.Time
	current int64 // the last tick processed
	mask    int64 // len(buckets)-1
	buckets []*Timer
	due     *Timer // the bucket being expired, oldest first
	n       int
}

// New returns a wheel whose resolution is tick, started at now. span is
// the longest deadline it usually holds: one revolution covers it, so
// such a timer fires on the first visit to its bucket rather than being
// passed over once per revolution (a 25 s heartbeat on a 4 s wheel was
// re-inserted 6 times: 70% of a heartbeat round at 1M sessions).
func New(tick time.Duration, span time.Duration, now time.Time) *Wheel {
	n := int64(64)
	for n*int64(tick) < int64(span) && n < 1<<20 {
		n <<= 1
	}
	return &Wheel{tick: tick, start: now, mask: n - 1, buckets: make([]*Timer, n)}
}

// Elapsed returns the time of the last Advance, counted from the wheel's
// start: a clock for the owner loop that costs no system call.
func (w *Wheel) Elapsed() time.Duration { return time.Duration(w.current) * w.tick }

// Len reports how many timers are scheduled.
func (w *Wheel) Len() int { return w.n }

// Schedule (re)schedules t to fire d from the last Advance. A timer fires
// no earlier than d and at most one tick (plus the Advance period) late.
func (w *Wheel) Schedule(t *Timer, d time.Duration) {
	if t.pprev != nil {
		t.unlink()
		w.n--
	}
	ticks := int64((d + w.tick - 1) / w.tick)
	if ticks < 1 {
		ticks = 1
	}
	t.expires = w.current + ticks
	t.pushTo(&w.buckets[t.expires&w.mask])
	w.n++
}

// Stop unschedules t; stopping an unscheduled timer does nothing.
func (w *Wheel) Stop(t *Timer) {
	if t.pprev != nil {
		t.unlink()
		w.n--
	}
}

// Advance fires, in deadline order per tick, every timer due at now. A
// handler that schedules a timer counts from the tick being expired, as
// if timers were exact: a chain of deadlines (ping interval, then ping
// timeout) keeps its schedule even when Advance comes late, so input that
// arrives after the chain's last deadline finds it expired.
func (w *Wheel) Advance(now time.Time) {
	target := int64(now.Sub(w.start) / w.tick)
	for w.current < target {
		w.current++
		w.expire(&w.buckets[w.current&w.mask])
	}
}

// expire fires the due timers of bucket b. The bucket's list is first
// moved onto w.due, reversed (oldest first), so a handler may stop or
// schedule any timer (even one still waiting in w.due, or one landing in
// b again) while the walk goes on; timers of a later revolution go back
// to b, newest first again.
func (w *Wheel) expire(b **Timer) {
	for t := *b; t != nil; {
		next := t.next
		t.unlink()
		t.pushTo(&w.due)
		t = next
	}
	for w.due != nil {
		t := w.due
		t.unlink()
		if t.expires <= w.current {
			w.n--
			t.h.OnTimer(t)
			continue
		}
		t.pushTo(b)
	}
}
