//go:build !amd64 && !arm64

package loop

import "syscall"

// lockLoops says whether each loop goroutine is locked to its OS thread
// (gnet.WithLockOSThread): here it is, and a loop is told by its thread
// (goroutine.go has the g-based identity of amd64 and arm64).
const lockLoops = true

// loopID returns what tells a loop from the other goroutines: the id of
// the OS thread the caller runs on (gettid(2), ~100 ns), the loop's own
// since its goroutine is locked to it.
func loopID() uintptr { return uintptr(syscall.Gettid()) }
