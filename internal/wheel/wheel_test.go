package wheel

import (
	"testing"
	"time"
)

type recorder struct {
	fired  []*Timer
	onFire func(t *Timer)
}

func (r *recorder) OnTimer(t *Timer) {
	r.fired = append(r.fired, t)
	if r.onFire != nil {
		r.onFire(t)
	}
}

func TestTimerFiresNoEarlierThanItsDeadline(t *testing.T) {
	start := time.Unix(0, 0)
	w := New(10*time.Millisecond, time.Minute, start)
	r := &recorder{}
	var a, b Timer
	a.Init(r)
	b.Init(r)
	w.Schedule(&a, 25*time.Millisecond)
	w.Schedule(&b, 50*time.Second) // more than one revolution
	w.Advance(start.Add(20 * time.Millisecond))
	if len(r.fired) != 0 {
		t.Fatalf("fired early: %d", len(r.fired))
	}
	w.Advance(start.Add(30 * time.Millisecond))
	if len(r.fired) != 1 || r.fired[0] != &a || a.Active() {
		t.Fatalf("a did not fire at 30ms")
	}
	w.Advance(start.Add(49 * time.Second))
	if len(r.fired) != 1 {
		t.Fatalf("b fired a revolution early")
	}
	w.Advance(start.Add(50 * time.Second))
	if len(r.fired) != 2 || r.fired[1] != &b || w.Len() != 0 {
		t.Fatalf("b did not fire at 50s")
	}
}

func TestRescheduleAndStop(t *testing.T) {
	start := time.Unix(0, 0)
	w := New(10*time.Millisecond, time.Minute, start)
	r := &recorder{}
	var a Timer
	a.Init(r)
	w.Schedule(&a, 20*time.Millisecond)
	w.Schedule(&a, 100*time.Millisecond)
	if w.Len() != 1 {
		t.Fatalf("len %d after reschedule", w.Len())
	}
	w.Advance(start.Add(50 * time.Millisecond))
	if len(r.fired) != 0 {
		t.Fatal("old deadline fired")
	}
	w.Stop(&a)
	w.Stop(&a)
	w.Advance(start.Add(time.Second))
	if len(r.fired) != 0 || w.Len() != 0 {
		t.Fatal("stopped timer fired")
	}
}

func TestHandlerMayStopAndScheduleTimersOfTheSameBucket(t *testing.T) {
	start := time.Unix(0, 0)
	w := New(10*time.Millisecond, time.Minute, start)
	var a, b, c Timer
	r := &recorder{}
	r.onFire = func(t *Timer) {
		if t == &a {
			w.Stop(&b)                          // due in the same tick
			w.Schedule(&a, 10*time.Millisecond) // back into a near bucket
			w.Schedule(&c, 2*time.Minute)       // more than a revolution
		}
	}
	a.Init(r)
	b.Init(r)
	c.Init(r)
	w.Schedule(&a, 10*time.Millisecond)
	w.Schedule(&b, 10*time.Millisecond)
	w.Advance(start.Add(10 * time.Millisecond))
	if len(r.fired) != 1 || b.Active() {
		t.Fatalf("fired %d, b active %v", len(r.fired), b.Active())
	}
	w.Advance(start.Add(20 * time.Millisecond))
	if len(r.fired) != 2 || r.fired[1] != &a {
		t.Fatal("rescheduled a did not fire once")
	}
}

func BenchmarkScheduleStop(b *testing.B) {
	w := New(10*time.Millisecond, time.Minute, time.Now())
	r := &recorder{}
	ts := make([]Timer, 1024)
	for i := range ts {
		ts[i].Init(r)
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		t := &ts[i&1023]
		w.Schedule(t, time.Duration(i&4095)*time.Millisecond)
	}
}

func BenchmarkAdvanceExpiring(b *testing.B) {
	start := time.Unix(0, 0)
	w := New(time.Millisecond, time.Minute, start)
	r := &recorder{}
	r.onFire = func(t *Timer) { w.Schedule(t, 25*time.Second) }
	ts := make([]Timer, 100_000)
	for i := range ts {
		ts[i].Init(r)
		w.Schedule(&ts[i], time.Duration(i%25000)*time.Millisecond)
	}
	r.fired = make([]*Timer, 0, 1)
	b.ReportAllocs()
	now := start
	for b.Loop() {
		now = now.Add(time.Millisecond)
		r.fired = r.fired[:0]
		w.Advance(now)
	}
}

func TestDeadlineChainsKeepTheirScheduleWhenAdvanceIsLate(t *testing.T) {
	start := time.Unix(0, 0)
	w := New(10*time.Millisecond, time.Minute, start)
	var a, b Timer
	r := &recorder{}
	r.onFire = func(t *Timer) {
		if t == &a {
			w.Schedule(&b, 100*time.Millisecond)
		}
	}
	a.Init(r)
	b.Init(r)
	w.Schedule(&a, 300*time.Millisecond)
	// One late Advance past both deadlines (300ms, then 400ms) fires both.
	w.Advance(start.Add(410 * time.Millisecond))
	if len(r.fired) != 2 || r.fired[1] != &b {
		t.Fatalf("fired %d timers, want the whole chain", len(r.fired))
	}
}
