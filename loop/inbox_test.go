package loop_test

import (
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sioloop/sioloop/eio"
	"github.com/sioloop/sioloop/internal/testserver"
	"github.com/sioloop/sioloop/internal/testwait"
	"github.com/sioloop/sioloop/loop"
)

// TestInboxMakesGoroutinesWaitWhenFullButNeverALoop stalls a loop, then
// posts to its inbox from a goroutine: the goroutine waits once
// InboxCap tasks are queued, and goes on when the loop takes them. The
// loop itself, posting to its own full inbox, does not wait (two loops
// posting to each other would deadlock). Every task runs, in order.
func TestInboxMakesGoroutinesWaitWhenFullButNeverALoop(t *testing.T) {
	engine := eio.NewServer(nil)
	srv := loop.New(&loop.Options{NumLoops: 1})
	srv.Handle("/engine.io/", engine, nil)
	_ = handshake(t, testserver.Start(t, srv)) // the loop registers its shard on its first connection
	sh := engine.Shard(0)

	const extra, fromLoop = 100, 10
	gate, stalled := make(chan struct{}), make(chan struct{})
	var ran, seq, posted atomic.Int64
	var order atomic.Bool // set if a task ran out of order
	sh.Execute(func() {
		close(stalled)
		<-gate
		for range fromLoop { // the inbox is full now: a loop must not wait
			sh.Execute(func() { ran.Add(1) })
		}
	})
	testwait.Recv(t, stalled, testwait.Timeout, "the stalled loop")
	producer := make(chan struct{})
	go func() {
		defer close(producer)
		for i := range int64(loop.InboxCap + extra) {
			sh.Execute(func() {
				if seq.Add(1)-1 != i {
					order.Store(true)
				}
				ran.Add(1)
			})
			posted.Add(1)
		}
	}()
	testwait.Until(t, testwait.Timeout, "InboxCap tasks posted", func() bool { return posted.Load() >= loop.InboxCap })
	time.Sleep(100 * time.Millisecond) // time to go past the bound, if it could
	if n := posted.Load(); n != loop.InboxCap {
		t.Fatalf("%d tasks queued for a stalled loop; the bound is %d", n, loop.InboxCap)
	}
	close(gate)
	testwait.Recv(t, producer, testwait.Timeout, "the producer's end")
	testwait.Until(t, testwait.Timeout, "every task run", func() bool { return ran.Load() == loop.InboxCap+extra+fromLoop })
	if order.Load() {
		t.Fatal("tasks from one producer ran out of order")
	}
}

// BenchmarkInboxFlood posts b.N tasks from one goroutine to a loop whose
// tasks each take ~2 µs, as a user's goroutine emitting in a tight loop
// does to a busy loop, and reports the peak heap in use while they are
// queued (peak-heap-MiB) and the producer's cost per post.
func BenchmarkInboxFlood(b *testing.B) {
	engine := eio.NewServer(nil)
	srv := loop.New(&loop.Options{NumLoops: 1})
	srv.Handle("/engine.io/", engine, nil)
	_ = handshake(b, testserver.Start(b, srv))
	sh := engine.Shard(0)
	var peak atomic.Uint64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-time.After(10 * time.Millisecond):
			}
		}
	}()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapInuse
	done := make(chan struct{})
	var ran atomic.Int64
	b.ResetTimer()
	for i := range b.N {
		last := i == b.N-1
		sh.Execute(func() {
			for start := time.Now(); time.Since(start) < 2*time.Microsecond; {
			}
			ran.Add(1)
			if last {
				close(done)
			}
		})
	}
	b.StopTimer()
	testwait.Recv(b, done, time.Minute, "the last task")
	close(stop)
	<-sampled
	b.ReportMetric(float64(peak.Load()-min(base, peak.Load()))/(1<<20), "peak-heap-MiB")
}
