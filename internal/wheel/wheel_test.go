package wheel

import (
	"math/rand/v2"
	"slices"
	"sort"
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

type orderRecorder struct {
	w     *Wheel
	fired []int // timer numbers, in firing order
	at    []int64
	ts    []Timer
	index map[*Timer]int
}

func (r *orderRecorder) OnTimer(t *Timer) {
	r.fired = append(r.fired, r.index[t])
	r.at = append(r.at, r.w.current)
}

// Checked against a naive model: random schedules, reschedules and stops
// (some more than a revolution away); every timer fires at its deadline's
// tick, and timers due at one tick fire in the order they were scheduled.
func TestTimersFireAtTheirTickInScheduleOrder(t *testing.T) {
	start := time.Unix(0, 0)
	w := New(time.Millisecond, 64*time.Millisecond, start)
	r := &orderRecorder{w: w, ts: make([]Timer, 200), index: map[*Timer]int{}}
	for i := range r.ts {
		r.ts[i].Init(r)
		r.index[&r.ts[i]] = i
	}
	rng := rand.New(rand.NewPCG(1, 2))
	type want struct {
		at  int64
		seq int
	}
	model := map[int]want{} // scheduled timers: their tick and schedule sequence number
	seq := 0
	now := int64(0)
	for step := 0; step < 20000; step++ {
		i := rng.IntN(len(r.ts))
		switch rng.IntN(4) {
		case 0:
			w.Stop(&r.ts[i])
			delete(model, i)
		default:
			d := int64(1 + rng.IntN(150))
			w.Schedule(&r.ts[i], time.Duration(d)*time.Millisecond)
			seq++
			model[i] = want{w.current + d, seq}
		}
		if rng.IntN(8) == 0 {
			now += int64(rng.IntN(40))
			r.fired, r.at = r.fired[:0], r.at[:0]
			w.Advance(start.Add(time.Duration(now) * time.Millisecond))
			var exp []int
			for j, m := range model {
				if m.at <= now {
					exp = append(exp, j)
				}
			}
			sort.Slice(exp, func(a, b int) bool {
				ma, mb := model[exp[a]], model[exp[b]]
				return ma.at < mb.at || ma.at == mb.at && ma.seq < mb.seq
			})
			if !slices.Equal(r.fired, exp) {
				t.Fatalf("step %d: fired %v, want %v", step, r.fired, exp)
			}
			for k, j := range r.fired {
				if r.at[k] != model[j].at {
					t.Fatalf("timer %d fired at tick %d, due %d", j, r.at[k], model[j].at)
				}
				delete(model, j)
			}
			if w.Len() != len(model) {
				t.Fatalf("Len %d, want %d", w.Len(), len(model))
			}
		}
	}
}
