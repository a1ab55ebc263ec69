package sio_test

import (
	"context"
	"errors"
	"fmt"
	stdio "io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gobwas/ws/wsutil"
	"github.com/sioloop/sioloop/eio"
	"github.com/sioloop/sioloop/sio"
)

// reasonLog records the sockets' disconnect reasons, with their time.
type reasonLog struct {
	mu   sync.Mutex
	at   map[string]time.Time
	why  map[string]string
	conn chan struct{}
	gone chan struct{}
}

func newReasonLog(io *sio.Server, n int) *reasonLog {
	l := &reasonLog{at: map[string]time.Time{}, why: map[string]string{}, conn: make(chan struct{}, n), gone: make(chan struct{}, n)}
	io.OnConnection(func(s *sio.Socket) {
		s.OnDisconnect(func(s *sio.Socket, reason string) {
			l.mu.Lock()
			l.at[s.ID()], l.why[s.ID()] = time.Now(), reason
			l.mu.Unlock()
			l.gone <- struct{}{}
		})
		l.conn <- struct{}{}
	})
	return l
}

// wait waits for n events on ch, failing after d.
func wait(t *testing.T, ch chan struct{}, n int, d time.Duration, what string) {
	t.Helper()
	deadline := time.After(d)
	for i := range n {
		select {
		case <-ch:
		case <-deadline:
			t.Fatalf("%s: %d of %d after %v", what, i, n, d)
		}
	}
}

func TestStalledReceiversAreLetGoAtTheMarkAndFastOnesGetEveryBroadcast(t *testing.T) {
	const (
		mark    = 256 << 10
		size    = 1 << 10
		ticks   = 1000
		stalled = 3
		fast    = 4
	)
	io := sio.NewServer(&sio.Options{Engine: eio.Options{OutboundHighWaterMark: mark}})
	log := newReasonLog(io, stalled+fast)
	addr := serve(t, io)
	for range stalled {
		stalledClient(t, addr)
	}
	var readers []<-chan error
	for range fast {
		c, rw := dialWS(t, addr, nil)
		readers = append(readers, fastReader(c, rw, ticks))
	}
	wait(t, log.conn, stalled+fast, 10*time.Second, "connections")

	// Paced broadcasts: a stalled receiver's backlog (the kernel's send
	// queue included) crosses the mark near tick mark/size.
	payload := strings.Repeat("x", size)
	var crossed time.Time
	for i := range ticks {
		if i == mark/size+8 {
			crossed = time.Now()
		}
		if err := io.Emit("tick", i, payload); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Millisecond)
	}
	wait(t, log.gone, stalled, 10*time.Second, "stalled clients let go")
	for i, r := range readers {
		select {
		case err := <-r:
			if err != nil {
				t.Fatalf("fast reader %d: %v", i, err)
			}
		case <-time.After(20 * time.Second):
			t.Fatalf("fast reader %d has not got %d ticks", i, ticks)
		}
	}
	log.mu.Lock()
	defer log.mu.Unlock()
	for id, why := range log.why {
		if why != sio.ReasonSlowConsumer {
			t.Fatalf("socket %s: reason %q, want %q", id, why, sio.ReasonSlowConsumer)
		}
		if late := log.at[id].Sub(crossed); late > 5*time.Second {
			t.Fatalf("socket %s let go %v after its backlog crossed the mark", id, late)
		}
	}
	if n := io.Engine().SlowConsumers(); n != stalled {
		t.Fatalf("SlowConsumers = %d, want %d", n, stalled)
	}
	if st, err := io.Stats(); err != nil || st.SlowConsumers != stalled || st.VolatileDropped != 0 {
		t.Fatalf("Stats: SlowConsumers %d, VolatileDropped %d (%v), want %d, 0", st.SlowConsumers, st.VolatileDropped, err, stalled)
	}
}

func TestSocketThatAcceptsNothingIsLetGoAfterTheStallTimeout(t *testing.T) {
	io := sio.NewServer(&sio.Options{Engine: eio.Options{
		OutboundHighWaterMark: 1 << 30,
		WriteStallTimeout:     300 * time.Millisecond,
	}})
	log := newReasonLog(io, 1)
	addr := serve(t, io)
	stalledClient(t, addr)
	wait(t, log.conn, 1, 10*time.Second, "connection")
	// Far more than the kernel's send queue absorbs.
	payload := strings.Repeat("x", 64<<10)
	for i := range 200 {
		if err := io.Emit("tick", i, payload); err != nil {
			t.Fatal(err)
		}
	}
	wait(t, log.gone, 1, 10*time.Second, "stalled client let go")
	log.mu.Lock()
	defer log.mu.Unlock()
	for _, why := range log.why {
		if why != sio.ReasonSlowConsumer {
			t.Fatalf("reason %q", why)
		}
	}
}

// A client that stops reading below the high-water mark: what is sent to
// it fits in the kernel's send queue, so every write succeeds and nothing
// waits in user space; its send queue that the peer never acknowledges
// still lets it go after WriteStallTimeout. A reader beside it that is
// slower than the broadcasts, so that its send queue is never empty, but
// keeps taking bytes, gets every one of them.
func TestStallInTheKernelsSendQueueIsLetGoAndASlowSteadyReaderIsNot(t *testing.T) {
	const (
		stall = 500 * time.Millisecond
		ticks = 400
		size  = 1 << 10
	)
	io := sio.NewServer(&sio.Options{Engine: eio.Options{
		WriteStallTimeout: stall,
		PingInterval:      time.Minute, // no heartbeat to let the stalled client go
	}})
	log := newReasonLog(io, 2)
	addr := serve(t, io)
	stalledClient(t, addr)
	c, rw := dialWS(t, addr, smallRcvbuf)
	reader := fastReader(c, struct {
		stdio.Reader
		stdio.Writer
	}{&pacedReader{r: rw, perByte: 10 * time.Microsecond}, rw}, ticks)
	wait(t, log.conn, 2, 10*time.Second, "connections")

	// 400 KiB over 2 s: within what the kernel absorbs for the stalled
	// client, twice what the slow reader takes (100 KiB/s).
	start := time.Now()
	payload := strings.Repeat("x", size)
	for i := range ticks {
		if err := io.Emit("tick", i, payload); err != nil {
			t.Fatal(err)
		}
		time.Sleep(5 * time.Millisecond)
	}
	wait(t, log.gone, 1, 10*time.Second, "stalled client let go")
	select {
	case err := <-reader:
		if err != nil {
			t.Fatalf("slow reader: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("slow reader has not got %d ticks", ticks)
	}
	log.mu.Lock()
	defer log.mu.Unlock()
	if len(log.why) != 1 {
		t.Fatalf("%d clients disconnected, want the stalled one: %v", len(log.why), log.why)
	}
	for id, why := range log.why {
		if why != sio.ReasonSlowConsumer {
			t.Fatalf("reason %q, want %q", why, sio.ReasonSlowConsumer)
		}
		if late := log.at[id].Sub(start); late > stall+3*time.Second {
			t.Fatalf("stalled client let go %v after the first broadcast", late)
		}
	}
	if st, err := io.Stats(); err != nil || st.SlowConsumers != 1 {
		t.Fatalf("Stats.SlowConsumers = %d (%v), want 1", st.SlowConsumers, err)
	}
}

// pacedReader reads at most 1 KiB per call and then pauses for perByte
// each byte read: a reader slower than what is sent to it, but steady.
type pacedReader struct {
	r       stdio.Reader
	perByte time.Duration
}

func (p *pacedReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b[:min(len(b), 1<<10)])
	time.Sleep(time.Duration(n) * p.perByte)
	return n, err
}

func TestEmitReportsDropsAndDrainFollowsABacklog(t *testing.T) {
	io := sio.NewServer(&sio.Options{Engine: eio.Options{OutboundHighWaterMark: 64 << 20}})
	results := make(chan string, 4)
	io.OnConnection(func(s *sio.Socket) {
		s.OnDrain(func(*sio.Socket) { results <- "drain" })
		s.On("go", func(s *sio.Socket, _ *sio.Event) {
			// The first volatile emit finds the transport ready; the
			// second, in the same loop iteration, finds the first queued:
			// its ack handler gets ErrDropped (Emit's error is the same
			// from every goroutine, so it does not tell a later drop).
			first := s.Volatile().Emit("v", 1)
			var dropped error
			second := s.Volatile().Emit("v", 2, func(_ *sio.Args, err error) { dropped = err })
			results <- fmt.Sprint(first, "|", second, "|", errors.Is(dropped, sio.ErrDropped))
		})
		s.On("big", func(s *sio.Socket, _ *sio.Event) {
			// More than the kernel absorbs for a socket with a small
			// receive buffer (a few MB): a backlog, then drain.
			_ = s.Emit("big", make([]byte, 8<<20))
		})
	})
	c, rw := dialWS(t, serve(t, io), smallRcvbuf)
	read := func() string {
		t.Helper()
		c.SetReadDeadline(time.Now().Add(10 * time.Second))
		for {
			b, _, err := wsutil.ReadServerData(rw)
			if err != nil {
				t.Fatalf("read: %v", err)
			}
			if string(b) != "2" {
				return string(b)
			}
		}
	}
	send := func(p string) {
		if err := wsutil.WriteClientText(rw, []byte(p)); err != nil {
			t.Fatal(err)
		}
	}
	send(`42["go"]`)
	if got := read(); got != `42["v",1]` {
		t.Fatalf("first volatile %q", got)
	}
	select {
	case r := <-results:
		if r != "<nil>|<nil>|true" {
			t.Fatalf("volatile emits returned %s", r)
		}
		if st, err := io.Stats(); err != nil || st.VolatileDropped != 1 {
			t.Fatalf("Stats.VolatileDropped = %d (%v), want 1", st.VolatileDropped, err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no emit results")
	}
	send(`42["big"]`)
	if got := read(); !strings.HasPrefix(got, `451-["big"`) {
		t.Fatalf("big %q", got[:min(len(got), 20)])
	}
	if got := read(); len(got) != 8<<20 {
		t.Fatalf("attachment of %d bytes", len(got))
	}
	select {
	case r := <-results:
		if r != "drain" {
			t.Fatalf("got %s, want drain", r)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no drain after the backlog was read")
	}
}

// Shutdown waits for the acks the server awaits, but not for ever for a
// client that stopped reading: what was sent to it sits unacknowledged in
// the kernel's send queue, so the write-stall rule lets it go, and with it
// the ack it would never send.
func TestShutdownDoesNotWaitForTheAckOfAClientThatStoppedReading(t *testing.T) {
	const stall = 500 * time.Millisecond
	io := sio.NewServer(&sio.Options{Engine: eio.Options{
		WriteStallTimeout: stall,
		PingInterval:      time.Minute, // no heartbeat to let the client go
	}})
	asked := make(chan struct{}, 1)
	io.OnConnection(func(s *sio.Socket) {
		// More than the client's receive buffer takes.
		_ = s.Emit("question", strings.Repeat("x", 64<<10), func(*sio.Args, error) {})
		asked <- struct{}{}
	})
	stalledClient(t, serve(t, io))
	wait(t, asked, 1, 10*time.Second, "question")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	start := time.Now()
	if err := io.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v after %v", err, time.Since(start))
	}
	if took := time.Since(start); took > stall+3*time.Second {
		t.Fatalf("Shutdown took %v", took)
	}
}
