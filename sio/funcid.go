package sio

import "unsafe"

// funcID is the identity of a handler: the pointer its func value holds
// (to its closure, or to the function's static closure when it captures
// nothing). Go does not compare func values; Off needs what JavaScript's
// === gives listeners — the same value matches, an equal literal
// evaluated again does not. A func value is one pointer (the gc ABI's
// funcval), which this reads.
func funcID(fn EventHandler) uintptr {
	return *(*uintptr)(unsafe.Pointer(&fn))
}

// funcIDs returns the identities of fns.
func funcIDs(fns []EventHandler) []uintptr {
	ids := make([]uintptr, len(fns))
	for i, fn := range fns {
		ids[i] = funcID(fn)
	}
	return ids
}
