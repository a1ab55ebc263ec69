// Package testwait bounds the waits of a test: each helper fails the test
// with a message naming what it waited for, instead of blocking until go
// test's -timeout kills the whole binary with a goroutine dump. VerifyMain
// is the TestMain of every package whose tests start loops or goroutines.
package testwait

import (
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// Timeout is how long a helper waits when the caller has no better bound:
// long enough for a loaded 2-core machine, short against the 10-minute test
// timeout.
const Timeout = 10 * time.Second

// Recv receives one value from ch, failing t after d ("what" names the
// value in the failure message).
func Recv[T any](t testing.TB, ch <-chan T, d time.Duration, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(d):
		t.Fatalf("no %s after %v", what, d)
		var zero T
		return zero
	}
}

// Wait waits for wg, failing t after d.
func Wait(t testing.TB, wg *sync.WaitGroup, d time.Duration, what string) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()
	Recv(t, done, d, what)
}

// Until polls cond every few milliseconds until it holds, failing t after
// d. For state with no event to wait on (a count the server keeps, a port
// becoming free); anything that signals should be waited for with Recv.
func Until(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not after %v", what, d)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// VerifyMain runs the tests, then fails the binary if a goroutine is left
// behind. gnet's process-wide worker pool (ants: its purger, its clock and
// its idle workers) outlives every server and is not a leak.
func VerifyMain(m *testing.M, opts ...goleak.Option) {
	goleak.VerifyTestMain(m, append(opts,
		goleak.IgnoreTopFunction("github.com/panjf2000/ants/v2.(*poolCommon).purgeStaleWorkers"),
		goleak.IgnoreTopFunction("github.com/panjf2000/ants/v2.(*poolCommon).ticktock"),
		goleak.IgnoreTopFunction("github.com/panjf2000/ants/v2.(*goWorker).run.func1"))...)
}
