package main

import (
	"context"
	"fmt"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// The slow scenario: fanout (mode all, paced, -broadcasts of them) to
// -receivers, -stalled of which stop reading right after the Socket.IO
// handshake with a small SO_RCVBUF (-rcvbuf), so the server's socket to
// them fills. It reports whether the receivers that read got every
// broadcast, in order, and how fast; the server's RSS before, at its
// peak and after every client closed; and when the server let go of each
// stalled socket (its TCP state leaves ESTABLISHED: a FIN or a reset
// came), counted from the first broadcast.

// connectStalled opens the stalled receivers; nothing reads them. Runs on
// worker 0 during setup.
func (w *worker) connectStalled() {
	d := newDialer(w.cfg.host, w.cfg.srcIPs, 3, w.cfg.rcvbuf)
	for i := range w.cfg.stalled {
		c := newClient(w.cfg, d, -2-i)
		ctx, cancel := context.WithTimeout(w.ctx, w.cfg.timeout)
		_, err := c.connect(ctx)
		cancel()
		if err != nil {
			c.t.close(false)
			w.fail(fmt.Errorf("stalled receiver: %w", err))
			continue
		}
		w.stalled = append(w.stalled, c)
	}
	w.running.Add(1)
	go w.watchStalled()
}

// watchStalled samples the stalled sockets' TCP state every 20 ms and
// records when each leaves ESTABLISHED. Runs on its own goroutine until
// stop.
func (w *worker) watchStalled() {
	defer w.running.Done()
	gone := make([]bool, len(w.stalled))
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-w.ctx.Done():
			return
		case <-tick.C:
		}
		for i, c := range w.stalled {
			if gone[i] || tcpEstablished(c) {
				continue
			}
			gone[i] = true
			now := time.Now().UnixNano()
			w.releaseFirst.CompareAndSwap(0, now)
			storeMax(&w.releaseLast, now)
			w.released.Add(1)
		}
	}
}

// tcpEstablished reports whether c's socket is still ESTABLISHED (the
// server has sent neither a FIN nor a reset).
func tcpEstablished(c *client) bool {
	t, ok := c.t.(*wsTransport)
	if !ok || t.conn == nil {
		return false
	}
	sc, ok := t.conn.(syscall.Conn)
	if !ok {
		return false
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return false
	}
	state := uint8(0)
	_ = rc.Control(func(fd uintptr) {
		if info, err := unix.GetsockoptTCPInfo(int(fd), unix.IPPROTO_TCP, unix.TCP_INFO); err == nil {
			state = info.State
		}
	})
	return state == tcpStateEstablished
}

// tcpStateEstablished is TCP_ESTABLISHED in Linux's tcp_states.h.
const tcpStateEstablished = 1

// complete returns how many of this worker's receivers (not the sender,
// not the stalled) got every one of -broadcasts.
func (w *worker) complete() int64 {
	if w.cfg.broadcasts <= 0 {
		return 0
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	n := int64(0)
	for _, c := range w.clients {
		if c != w.sender && c.got.Load() >= int64(w.cfg.broadcasts) {
			n++
		}
	}
	return n
}

// slow: paced broadcasts to readers and stalled receivers; the server's
// RSS sampled every 100 ms throughout.
func (c *coordinator) slow() {
	cfg, r := c.cfg, c.res
	base := sampleProc(cfg.pid)
	peak := base.rssKiB
	sample := func() {
		if s := sampleProc(cfg.pid); s.ok && s.rssKiB > peak {
			peak = s.rssKiB
		}
	}
	m := c.setup()
	readers := int64(cfg.receivers - cfg.stalled)
	expected := int64(cfg.broadcasts) * (readers + 1) // the sender receives too
	line := func(m *merged, _ time.Duration, _ *merged) string {
		return fmt.Sprintf("sent=%d delivered=%d/%d p99=%dus released=%d/%d rss=%dKiB errors=%d",
			m.Sent, m.Delivered, expected, m.lat.ValueAtQuantile(99), m.Released, m.Stalled, peak, m.Errors)
	}
	w := c.openWindow()
	c.callAll("start", callTimeout)
	planned := time.Duration(float64(cfg.broadcasts) / cfg.rate * float64(time.Second))
	c.wait(planned+cfg.timeout, line, func(m *merged) bool {
		sample()
		return m.Sent >= int64(cfg.broadcasts) && m.Delivered >= expected
	})
	w.close(cfg.pid)
	// Then until the server has let go of every stalled socket.
	hold := cfg.hold
	if hold <= 0 {
		pi := time.Duration(m.PingInterval) * time.Millisecond
		if pi <= 0 {
			pi = 25 * time.Second
		}
		hold = 4 * pi
	}
	c.wait(hold, line, func(m *merged) bool {
		sample()
		return m.Released >= m.Stalled
	})
	final := c.stop()
	w.childrenCPU = time.Duration(final.CPUNs)
	var after procSample
	if cfg.pid > 0 {
		time.Sleep(cfg.settle)
		after = sampleProc(cfg.pid)
	}

	r.set("receivers", cfg.receivers)
	r.set("stalled", final.Stalled)
	r.set("connected", m.Connected)
	r.set("payload", cfg.payload)
	r.set("rate", cfg.rate)
	r.set("broadcasts", final.Sent)
	r.set("delivered", final.Delivered)
	r.set("expected", expected)
	r.set("readers_complete", final.Complete)
	r.set("readers", readers)
	r.set("out_of_order", final.OutOfOrder)
	c.setLatency(final.lat)
	r.set("stalled_released", final.Released)
	if final.BurstStart > 0 && final.ReleaseFirst > 0 {
		r.set("release_first_s", time.Duration(final.ReleaseFirst-final.BurstStart).Seconds())
		r.set("release_last_s", time.Duration(final.ReleaseLast-final.BurstStart).Seconds())
	}
	if base.ok {
		r.set("rss_baseline_kib", base.rssKiB)
		r.set("rss_peak_kib", peak)
	}
	if after.ok {
		r.set("rss_after_close_kib", after.rssKiB)
	}
	c.setCPU(w, final.Delivered)
	c.setErrors(final)
}
