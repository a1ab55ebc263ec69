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
	if len(ix.sockets.list) != ix.sockets.len() || ix.sockets.holes != 0 {
		t.Fatalf("socket table: %d entries, %d sockets, %d holes", len(ix.sockets.list), ix.sockets.len(), ix.sockets.holes)
	}
	for i, s := range ix.sockets.list {
		if s == nil || ix.sockets.get(s.id) != s || ix.sockets.slots[ix.sockets.slotOf(s)] != int32(i+1) {
			t.Fatalf("socket table entry %d: %v", i, s)
		}
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
	if ix := a.local[sh.Index()]; len(ix.rooms) != 0 || ix.sockets.len() != 0 {
		t.Fatalf("after DelAll: %d rooms, %d sockets", len(ix.rooms), ix.sockets.len())
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

// TestBroadcastToAllWhileSocketsComeAndGo: while a broadcast to all
// walks the loop's socket table, a receiver's handlers may disconnect
// other sockets (before and after it in the table) and connect new ones;
// every socket still there when its turn comes is visited once, one
// removed before its turn is not, one added is not, and the table is
// whole again after the walk.
func TestBroadcastToAllWhileSocketsComeAndGo(t *testing.T) {
	srv := NewServer(nil)
	sh := srv.engine.NewShard(0, time.Now(), inlineExec{})
	a := srv.main.adapter.(*memoryAdapter)
	socks := make([]*Socket, 100)
	for i := range socks {
		socks[i] = &Socket{id: "s" + strconv.Itoa(i), nsp: srv.main, sh: sh, connected: true}
		a.AddAll(socks[i], []string{socks[i].id, "room"})
	}
	gone := map[*Socket]bool{}
	var added []*Socket
	visits := map[*Socket]int{}
	n := a.selectOn(sh, &BroadcastOptions{}, func(s *Socket) bool {
		visits[s]++
		if gone[s] {
			t.Fatalf("%s visited after it left", s.id)
		}
		i, _ := strconv.Atoi(s.id[1:])
		if i%10 == 0 { // it leaves, and takes the sockets 5 before and 5 after it
			for _, x := range []*Socket{s, socks[(i+95)%100], socks[(i+5)%100]} {
				if !gone[x] {
					gone[x] = true
					a.DelAll(x)
				}
			}
			x := &Socket{id: "new" + strconv.Itoa(i), nsp: srv.main, sh: sh, connected: true}
			a.AddAll(x, []string{x.id, "room"})
			added = append(added, x)
		}
		return true
	})
	for _, x := range added {
		if visits[x] != 0 {
			t.Fatalf("%s, added during the walk, was visited", x.id)
		}
	}
	for _, s := range socks {
		if visits[s] > 1 {
			t.Fatalf("%s visited %d times", s.id, visits[s])
		}
		if visits[s] == 0 && !gone[s] {
			t.Fatalf("%s not visited", s.id)
		}
	}
	if n != len(visits) {
		t.Fatalf("counted %d, visited %d", n, len(visits))
	}
	ix := a.local[sh.Index()]
	if want := len(socks) - len(gone) + len(added); ix.sockets.len() != want {
		t.Fatalf("%d sockets left, want %d", ix.sockets.len(), want)
	}
	checkIndex(t, ix)
	for _, s := range socks {
		if got := ix.sockets.get(s.id); (got == s) == gone[s] {
			t.Fatalf("%s: get returned %v, gone %v", s.id, got, gone[s])
		}
	}
}
