package sio

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
	"time"
)

// checkIndex fails unless every membership points at its socket's slot
// and every member of every room holds a membership of it.
func checkIndex(t *testing.T, ix *localIndex) {
	t.Helper()
	for name, rm := range ix.rooms {
		if rm.name != name || len(rm.members) == 0 {
			t.Fatalf("room %q: name %q, %d members", name, rm.name, len(rm.members))
		}
		for i, s := range rm.members {
			k := slices.IndexFunc(s.rooms, func(m membership) bool { return m.room == rm })
			if k < 0 || s.rooms[k].at != i {
				t.Fatalf("room %q member %d (%s): memberships %v", name, i, s.id, s.rooms)
			}
		}
	}
	for _, s := range ix.sockets {
		for _, m := range s.rooms {
			if m.room.members[m.at] != s || ix.rooms[m.room.name] != m.room {
				t.Fatalf("socket %s: stale membership of %q", s.id, m.room.name)
			}
		}
	}
}

// TestRoomIndexStaysConsistentThroughChurn joins and leaves at random and
// checks after each step that memberships and member slices agree and
// that a room selects exactly its members.
func TestRoomIndexStaysConsistentThroughChurn(t *testing.T) {
	srv := NewServer(nil)
	sh := srv.engine.NewShard(0, time.Now(), inlineExec{})
	a := srv.main.adapter.(*memoryAdapter)
	rng := rand.New(rand.NewPCG(1, 2))
	socks := make([]*Socket, 200)
	for i := range socks {
		socks[i] = &Socket{id: "s" + strconv.Itoa(i), nsp: srv.main, sh: sh, connected: true}
		a.AddAll(socks[i], []string{socks[i].id})
	}
	want := map[string]map[*Socket]bool{}
	for step := range 5000 {
		s := socks[rng.IntN(len(socks))]
		r := "r" + strconv.Itoa(rng.IntN(8))
		switch rng.IntN(3) {
		case 0, 1:
			a.AddAll(s, []string{r})
			if want[r] == nil {
				want[r] = map[*Socket]bool{}
			}
			want[r][s] = true
		default:
			a.Del(s, r)
			delete(want[r], s)
		}
		if step%50 == 0 {
			ix := a.local[sh.Index()]
			checkIndex(t, ix)
			for r, set := range want {
				got := map[*Socket]bool{}
				a.selectOn(sh, &BroadcastOptions{Rooms: []string{r}}, func(s *Socket) bool { got[s] = true; return true })
				if len(got) != len(set) {
					t.Fatalf("step %d room %s: selected %d, members %d", step, r, len(got), len(set))
				}
				for s := range set {
					if !got[s] {
						t.Fatalf("step %d room %s: %s not selected", step, r, s.id)
					}
				}
			}
		}
	}
	for _, s := range socks {
		a.DelAll(s)
	}
	if ix := a.local[sh.Index()]; len(ix.rooms) != 0 || len(ix.sockets) != 0 {
		t.Fatalf("after DelAll: %d rooms, %d sockets", len(ix.rooms), len(ix.sockets))
	}
}

// TestRoomBroadcastVisitsEachMemberOnceWhileMembersLeave: a receiver that
// leaves during the broadcast (a slow consumer disconnected) neither hides
// another member nor is visited twice.
func TestRoomBroadcastVisitsEachMemberOnceWhileMembersLeave(t *testing.T) {
	srv := NewServer(nil)
	sh := srv.engine.NewShard(0, time.Now(), inlineExec{})
	a := srv.main.adapter.(*memoryAdapter)
	socks := make([]*Socket, 50)
	for i := range socks {
		socks[i] = &Socket{id: "s" + strconv.Itoa(i), nsp: srv.main, sh: sh, connected: true}
		a.AddAll(socks[i], []string{socks[i].id, "room", "other"})
	}
	visits := map[*Socket]int{}
	n := a.selectOn(sh, &BroadcastOptions{Rooms: []string{"room", "other"}}, func(s *Socket) bool {
		visits[s]++
		if s.id[len(s.id)-1]%2 == 0 {
			a.DelAll(s)
		}
		return true
	})
	if n != len(socks) || len(visits) != len(socks) {
		t.Fatalf("visited %d sockets (%d counted) of %d", len(visits), n, len(socks))
	}
	for s, k := range visits {
		if k != 1 {
			t.Fatalf("%s visited %d times", s.id, k)
		}
	}
	checkIndex(t, a.local[sh.Index()])
}
