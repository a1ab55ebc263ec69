package eio

import "encoding/binary"

// sessionTable is a shard's sessions by id: open addressing with linear
// probing over a power-of-two slice of pointers, deletion by backward
// shift (no tombstones). A slot is 8 bytes and the table grows at 3/4
// full (it stays 3/8 to 3/4 full while sessions only come): 11–21 bytes a session where a map[SID]*Session took
// ~33 bytes a slot (its 20-byte keys stored beside the pointers) and
// ~50 a session. The key is read from the session itself.
//
// The hash is bits of the id's random part (characters 1 to 8, 48 random
// bits from the shard's ChaCha8 stream), so a client cannot choose which
// slots the sessions land in; a made-up sid costs one probe sequence.
//
// Ownership: the shard's loop.
type sessionTable struct {
	slots []*Session
	n     int
	shift uint // 64 - log2(len(slots))
}

// minTableSlots is the smallest table, and the size it starts at.
const minTableSlots = 64

// home returns the slot where id's probe sequence starts.
func (t *sessionTable) home(id *SID) int {
	// Fibonacci hashing: the characters carry 6 random bits each, spread
	// over the high bits by the multiplication.
	return int((binary.LittleEndian.Uint64(id[1:9]) * 0x9E3779B97F4A7C15) >> t.shift)
}

// get returns the session with id, or nil.
func (t *sessionTable) get(id *SID) *Session {
	if t.n == 0 {
		return nil
	}
	mask := len(t.slots) - 1
	for i := t.home(id); ; i = (i + 1) & mask {
		s := t.slots[i]
		if s == nil || s.id == *id {
			return s
		}
	}
}

// put adds s, or replaces the session with its id.
func (t *sessionTable) put(s *Session) {
	if (t.n+1)*4 > len(t.slots)*3 {
		t.resize(max(2*len(t.slots), minTableSlots))
	}
	mask := len(t.slots) - 1
	for i := t.home(&s.id); ; i = (i + 1) & mask {
		switch x := t.slots[i]; {
		case x == nil:
			t.slots[i] = s
			t.n++
			return
		case x.id == s.id:
			t.slots[i] = s
			return
		}
	}
}

// del removes the session with id, if there is one.
func (t *sessionTable) del(id *SID) {
	if t.n == 0 {
		return
	}
	mask := len(t.slots) - 1
	i := t.home(id)
	for ; ; i = (i + 1) & mask {
		s := t.slots[i]
		if s == nil {
			return
		}
		if s.id == *id {
			break
		}
	}
	// Backward shift: move up every later session of the cluster whose
	// home is not cyclically in (i, j], so no probe sequence has a hole.
	for j := i; ; {
		j = (j + 1) & mask
		s := t.slots[j]
		if s == nil {
			break
		}
		k := t.home(&s.id)
		if (i <= j && (k <= i || k > j)) || (i > j && k <= i && k > j) {
			t.slots[i] = s
			i = j
		}
	}
	t.slots[i] = nil
	t.n--
	// It never shrinks (as Go's maps): shrinking on the global load while
	// Server.Close deleted in slot order (sorted by hash) packed the
	// sessions left into one end of the smaller table, one giant cluster —
	// minutes to close 500,000 sessions instead of 0.4 s.
}

// resize rehashes every session into size slots (a power of two).
func (t *sessionTable) resize(size int) {
	old := t.slots
	t.slots = make([]*Session, size)
	t.shift = 64
	for s := size; s > 1; s >>= 1 {
		t.shift--
	}
	t.n = 0
	for _, s := range old {
		if s != nil {
			t.put(s)
		}
	}
}

// each calls fn for every session there when it starts and still there
// when its turn comes. fn may add and remove sessions (Server.Close
// closes each): it walks a snapshot, since a removal shifts later
// sessions back over the slots already walked (Server.Close closes each in turn).
func (t *sessionTable) each(fn func(*Session)) {
	snap := make([]*Session, 0, t.n)
	for _, s := range t.slots {
		if s != nil {
			snap = append(snap, s)
		}
	}
	for _, s := range snap {
		if t.get(&s.id) == s {
			fn(s)
		}
	}
}
