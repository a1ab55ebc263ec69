package eio

import (
	"math/rand/v2"
	"testing"
)

// The table against a map: random puts, replacements and deletes, with
// ids that share their hash (same characters 1–8) so clusters form and
// wrap around the end, through growth and mass deletion.
func TestSessionTableAgreesWithAMap(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var tab sessionTable
	model := map[SID]*Session{}
	pool := make([]*Session, 3000)
	for i := range pool {
		var id SID
		for j := range id {
			id[j] = sidAlphabet[rng.IntN(64)]
		}
		if i%3 > 0 {
			copy(id[1:9], pool[i-1].id[1:9]) // same home as the previous one
		}
		pool[i] = &Session{id: id}
	}
	for step := range 200_000 {
		s := pool[rng.IntN(len(pool))]
		if step > 100_000 && rng.IntN(3) > 0 {
			tab.del(&s.id) // the second half mostly deletes: clusters break up
			delete(model, s.id)
		} else if rng.IntN(2) == 0 {
			tab.put(s)
			model[s.id] = s
		} else {
			tab.del(&s.id)
			delete(model, s.id)
		}
		if tab.n != len(model) {
			t.Fatalf("step %d: n %d, want %d", step, tab.n, len(model))
		}
		if step%997 == 0 {
			for _, p := range pool {
				if got := tab.get(&p.id); got != model[p.id] {
					t.Fatalf("step %d: get %s = %v, want %v", step, p.id, got, model[p.id])
				}
			}
			seen := 0
			tab.each(func(*Session) { seen++ })
			if seen != len(model) {
				t.Fatalf("each saw %d of %d", seen, len(model))
			}
		}
	}
}

// each visits every session even when fn removes sessions (the one it is
// given and others) (their clusters shift back meanwhile).
func TestSessionTableEachSurvivesRemovals(t *testing.T) {
	var tab sessionTable
	src := newSIDSource()
	for range 1000 {
		tab.put(&Session{id: src.next(0)})
	}
	var other *Session
	seen := map[*Session]bool{}
	tab.each(func(s *Session) {
		if seen[s] {
			t.Fatalf("visited twice")
		}
		seen[s] = true
		tab.del(&s.id)
		if other == nil {
			tab.each(func(o *Session) { other = o }) // some session not yet visited, removed early
			tab.del(&other.id)
		}
	})
	if len(seen) != 999 || seen[other] || tab.n != 0 {
		t.Fatalf("visited %d of 999, the removed one %v, left %d", len(seen), seen[other], tab.n)
	}
}

func BenchmarkSessionTableGet(b *testing.B) {
	var tab sessionTable
	src := newSIDSource()
	ids := make([]SID, 100_000)
	for i := range ids {
		ids[i] = src.next(0)
		tab.put(&Session{id: ids[i]})
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if tab.get(&ids[i%len(ids)]) == nil {
			b.Fatal("missing")
		}
	}
}

// BenchmarkSessionMapGet is the map the table replaced.
func BenchmarkSessionMapGet(b *testing.B) {
	m := map[SID]*Session{}
	src := newSIDSource()
	ids := make([]SID, 100_000)
	for i := range ids {
		ids[i] = src.next(0)
		m[ids[i]] = &Session{id: ids[i]}
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if m[ids[i%len(ids)]] == nil {
			b.Fatal("missing")
		}
	}
}

// Real ids spread over the table as random keys would: at its fullest (3/4)
// linear probing's mean displacement is ~1.5 slots (Knuth: ½(1+1/(1−α)) probes).
func TestSessionTableSpreadsRealIDs(t *testing.T) {
	var tab sessionTable
	src := newSIDSource()
	for range 98_000 { // just under 3/4 of 2^17 slots
		tab.put(&Session{id: src.next(0)})
	}
	total, worst := 0, 0
	mask := len(tab.slots) - 1
	for i, s := range tab.slots {
		if s == nil {
			continue
		}
		d := (i - tab.home(&s.id)) & mask
		total += d
		worst = max(worst, d)
	}
	if mean := float64(total) / float64(tab.n); mean > 2 || worst > 1000 {
		t.Fatalf("%d sessions in %d slots: mean displacement %.2f, worst %d", tab.n, len(tab.slots), mean, worst)
	}
}
