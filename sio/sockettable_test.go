package sio

import (
	"math/rand/v2"
	"strconv"
	"testing"
)

// TestSocketTableChurn adds and removes sockets at random, through the
// index's growth and its backward-shift deletions, and checks that every
// socket is found at its place and no removed one is found.
func TestSocketTableChurn(t *testing.T) {
	var tb socketTable
	rng := rand.New(rand.NewPCG(3, 4))
	in := map[string]*Socket{}
	var all []*Socket
	for step := range 20_000 {
		if len(in) == 0 || rng.IntN(5) < 3 {
			s := &Socket{id: "id" + strconv.Itoa(step)}
			tb.add(s)
			in[s.id] = s
			all = append(all, s)
		} else {
			s := all[rng.IntN(len(all))]
			if in[s.id] == nil {
				continue
			}
			tb.remove(s)
			delete(in, s.id)
		}
		if step%1000 != 999 {
			continue
		}
		if tb.len() != len(in) || len(tb.list) != len(in) {
			t.Fatalf("step %d: %d sockets, %d entries, want %d", step, tb.len(), len(tb.list), len(in))
		}
		for i, s := range tb.list {
			if in[s.id] != s || tb.slots[tb.slotOf(s)] != int32(i+1) {
				t.Fatalf("step %d: entry %d is %s", step, i, s.id)
			}
		}
		for _, s := range all {
			if got := tb.get(s.id); got != in[s.id] || tb.has(s) != (in[s.id] != nil) {
				t.Fatalf("step %d: get(%s) = %v", step, s.id, got)
			}
		}
	}
	for _, s := range in {
		tb.remove(s)
	}
	if tb.len() != 0 || len(tb.list) != 0 || cap(tb.list) > 64 || tb.get("id1") != nil {
		t.Fatalf("emptied: %d sockets, %d entries, capacity %d", tb.len(), len(tb.list), cap(tb.list))
	}
}
