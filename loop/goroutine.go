//go:build amd64 || arm64

package loop

// lockLoops says whether each loop goroutine is locked to its OS thread
// (gnet.WithLockOSThread). Not where getg is: a loop is told by its
// goroutine, and a locked loop pays for every idle turn of gnet's poller,
// whose runtime.Gosched hands a locked thread's P to another thread and
// back (doc.go, "System calls").
const lockLoops = false

// getg returns the calling goroutine's runtime g pointer (getg_*.s), which
// stays the same for as long as the goroutine lives and is no other live
// goroutine's.
func getg() uintptr

// loopID returns what tells the calling goroutine from the others: its g.
// ~1 ns, no system call.
func loopID() uintptr { return getg() }
