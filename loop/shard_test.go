package loop

import (
	"runtime"
	"testing"
)

// BenchmarkOnLoop measures the check every exported sio method makes to
// run inline on its loop: a compare of goroutine identities (loopID).
func BenchmarkOnLoop(b *testing.B) {
	sh := &shard{}
	b.ReportAllocs()
	for b.Loop() {
		_ = sh.OnLoop()
	}
}

// TestOnLoop: a shard's OnLoop is true on the goroutine that created it
// and false on any other, also one started on the same thread.
func TestOnLoop(t *testing.T) {
	sh := &shard{id: loopID()}
	if !sh.OnLoop() {
		t.Fatal("OnLoop is false on the shard's own goroutine")
	}
	for range 100 {
		other := make(chan bool)
		go func() { other <- sh.OnLoop() }()
		if <-other {
			t.Fatal("OnLoop is true on another goroutine")
		}
	}
	runtime.Gosched()
	if !sh.OnLoop() {
		t.Fatal("OnLoop is false on the shard's own goroutine after it was rescheduled")
	}
}
