package sio

import "hash/maphash"

// socketTable is one loop's sockets of a namespace: a dense slice that a
// broadcast to all walks in order, and an index by id for the rooms of
// sockets' own ids.
//
// The walk is why the slice exists: sockets, their clients and sessions
// are allocated in the order they connect, so walking them in that order
// reads memory nearly in sequence, where a map hands them out in random
// order, a cache miss each (bench/million: the broadcast to all).
//
// Removing a socket moves the last one into its place (its index slot
// follows). During a walk (a receiver may be
// disconnected, and its handlers may disconnect others) a removal leaves
// a hole instead, and the slice is compacted when the last walk ends: no
// socket is skipped or visited twice. A socket added during a walk is not
// visited by it.
//
// The index is open addressing with linear probing over a power-of-two
// slice of positions in the slice plus one (0: empty), deletion by
// backward shift (as eio's session table): 4 bytes a slot, 3/8 to 3/4
// full, where a map[string]*Socket took ~43 bytes a socket. The key is
// read from the socket the slot names. A socket's place is found through
// the index, so a Socket carries nothing for the table.
//
// Ownership: the loop (localIndex).
type socketTable struct {
	list    []*Socket
	n       int // sockets in list (holes excluded)
	holes   int // nil entries left by removals during walks
	walking int // walks in progress (nested: a handler broadcasts)
	slots   []int32
	shift   uint // 64 - log2(len(slots))
	seed    maphash.Seed
}

// minSocketSlots is the smallest index, and the size it starts at.
const minSocketSlots = 16

// len returns how many sockets the table holds.
func (t *socketTable) len() int { return t.n }

func (t *socketTable) home(id string) int {
	return int(maphash.String(t.seed, id) >> t.shift)
}

// get returns the socket with id, or nil.
func (t *socketTable) get(id string) *Socket {
	if t.n == 0 {
		return nil
	}
	mask := len(t.slots) - 1
	for i := t.home(id); ; i = (i + 1) & mask {
		v := t.slots[i]
		if v == 0 {
			return nil
		}
		if s := t.list[v-1]; s.id == id {
			return s
		}
	}
}

// slotOf returns the index slot naming s, or -1 when s is not in the
// table.
func (t *socketTable) slotOf(s *Socket) int {
	if t.n == 0 {
		return -1
	}
	mask := len(t.slots) - 1
	for i := t.home(s.id); ; i = (i + 1) & mask {
		v := t.slots[i]
		if v == 0 {
			return -1
		}
		if t.list[v-1] == s {
			return i
		}
	}
}

// has reports whether s is in the table.
func (t *socketTable) has(s *Socket) bool { return t.slotOf(s) >= 0 }

// add appends s, which is not in the table.
func (t *socketTable) add(s *Socket) {
	if len(t.slots) == 0 {
		t.seed = maphash.MakeSeed()
	}
	t.list = append(t.list, s)
	t.n++
	if t.n*4 > len(t.slots)*3 {
		t.rehash(max(2*len(t.slots), minSocketSlots))
		return
	}
	t.put(s.id, int32(len(t.list)))
}

// put records position v (plus one) under id.
func (t *socketTable) put(id string, v int32) {
	mask := len(t.slots) - 1
	i := t.home(id)
	for t.slots[i] != 0 {
		i = (i + 1) & mask
	}
	t.slots[i] = v
}

// find returns the index slot holding position v (plus one) of the
// socket with id.
func (t *socketTable) find(id string, v int32) int {
	mask := len(t.slots) - 1
	i := t.home(id)
	for t.slots[i] != v {
		i = (i + 1) & mask
	}
	return i
}

// remove takes s out of the table, if it is there.
func (t *socketTable) remove(s *Socket) {
	i := t.slotOf(s)
	if i < 0 {
		return
	}
	at := int(t.slots[i]) - 1
	t.unindex(i)
	t.n--
	if t.walking > 0 {
		t.list[at] = nil
		t.holes++
		return
	}
	last := len(t.list) - 1
	if at != last {
		t.move(last, at)
	}
	t.list[last] = nil
	t.list = t.list[:last]
	t.shrink()
}

// move puts the socket at position from into position to.
func (t *socketTable) move(from, to int) {
	s := t.list[from]
	t.slots[t.find(s.id, int32(from+1))] = int32(to + 1)
	t.list[to] = s
}

// unindex empties index slot i, shifting back every later slot of the
// cluster whose home is not cyclically in (i, j], so that no probe
// sequence has a hole.
func (t *socketTable) unindex(i int) {
	mask := len(t.slots) - 1
	for j := i; ; {
		j = (j + 1) & mask
		v := t.slots[j]
		if v == 0 {
			break
		}
		k := t.home(t.list[v-1].id)
		if (i <= j && (k <= i || k > j)) || (i > j && k <= i && k > j) {
			t.slots[i] = v
			i = j
		}
	}
	t.slots[i] = 0
}

// rehash rebuilds the index in size slots (a power of two). The index
// never shrinks, as eio's session table (see its del).
func (t *socketTable) rehash(size int) {
	t.slots = make([]int32, size)
	t.shift = 64
	for s := size; s > 1; s >>= 1 {
		t.shift--
	}
	for i, s := range t.list {
		if s != nil {
			t.put(s.id, int32(i+1))
		}
	}
}

// shrink halves a slice left a quarter full, so that a loop whose
// sockets left gives the memory back (as room.remove).
func (t *socketTable) shrink() {
	if c := cap(t.list); c > 64 && len(t.list) <= c/4 {
		t.list = append(make([]*Socket, 0, c/2), t.list...)
	}
}

// each calls fn for every socket in the table, in order; fn may add and
// remove sockets (see socketTable).
func (t *socketTable) each(fn func(s *Socket)) {
	t.walking++
	for i, n := 0, len(t.list); i < n; i++ {
		if s := t.list[i]; s != nil {
			fn(s)
		}
	}
	t.walking--
	if t.walking == 0 && t.holes > 0 {
		t.compact()
	}
}

// compact closes the holes removals left during walks, keeping order.
func (t *socketTable) compact() {
	w := 0
	for r, s := range t.list {
		if s == nil {
			continue
		}
		if r != w {
			t.move(r, w)
		}
		w++
	}
	clear(t.list[w:])
	t.list = t.list[:w]
	t.holes = 0
	t.shrink()
}
