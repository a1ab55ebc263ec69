package main

import (
	"fmt"
	"io"
	"sync"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

// coordinator runs a scenario: it drives the workers through their
// phases, samples the server (-pid) and itself around the measured
// window, prints progress on stderr and builds the result.
//
// Ownership: one goroutine (run's caller).
type coordinator struct {
	cfg     *config
	args    []string // the command line, passed on to children
	stderr  io.Writer
	workers []workerHandle
	began   time.Time
	errors  int64 // workers that failed to answer
	res     *result
}

// callTimeout bounds the commands other than setup and stop.
const callTimeout = 30 * time.Second

// run runs cfg's scenario and returns its result.
func run(cfg *config, args []string, stderr io.Writer) (*result, error) {
	limit := raiseFileLimit()
	c := &coordinator{cfg: cfg, args: args, stderr: stderr, began: time.Now(), res: newResult()}
	per := (cfg.totalConns() + cfg.procs - 1) / cfg.procs
	if cfg.transport == "polling" {
		per *= 2
	}
	if limit > 0 && uint64(per)+64 > limit {
		fmt.Fprintf(stderr, "sio-bench: warning: %d sockets per process but the open-files limit is %d; raise -procs\n", per, limit)
	}
	if cfg.procs == 1 {
		c.workers = []workerHandle{localHandle{newWorker(cfg)}}
	} else {
		for i := 0; i < cfg.procs; i++ {
			h, err := startChild(args, i, cfg.procs)
			if err != nil {
				c.closeWorkers()
				return nil, err
			}
			c.workers = append(c.workers, h)
		}
	}
	defer c.closeWorkers()

	r := c.res
	r.set("scenario", cfg.scenario)
	r.set("transport", cfg.transport)
	r.set("procs", cfg.procs)
	switch cfg.scenario {
	case "idle":
		c.idle()
	case "echo", "polling":
		c.echo()
	case "fanout":
		c.fanout()
	case "slow":
		c.slow()
	case "storm":
		c.storm()
	}
	return r, nil
}

func (c *coordinator) closeWorkers() {
	var wg sync.WaitGroup
	for _, w := range c.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w.close()
		}()
	}
	wg.Wait()
}

// callAll sends cmd to every worker at once and merges the answers.
func (c *coordinator) callAll(cmd string, timeout time.Duration) *merged {
	reps := make([]*report, len(c.workers))
	var wg sync.WaitGroup
	var mu sync.Mutex
	for i, w := range c.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := w.call(cmd, timeout)
			if err != nil {
				mu.Lock()
				c.errors++
				mu.Unlock()
				fmt.Fprintf(c.stderr, "sio-bench: worker %d: %s: %v\n", i, cmd, err)
				return
			}
			reps[i] = r
		}()
	}
	wg.Wait()
	m := mergeReports(reps)
	if m.Err != "" {
		fmt.Fprintf(c.stderr, "sio-bench: %s\n", m.Err)
	}
	return m
}

// setup has every worker open its connections and reports the connect
// figures.
func (c *coordinator) setup() *merged {
	n := c.cfg.totalConns()
	m := c.callAll("setup", c.cfg.setupBudget(n, c.cfg.connectRate)+30*time.Second)
	span := time.Duration(0)
	if m.ConnectEnd > m.ConnectStart && m.ConnectStart > 0 {
		span = time.Duration(m.ConnectEnd - m.ConnectStart)
	}
	fmt.Fprintf(c.stderr, "[%s] %.1fs connected %d/%d in %.1fs errors=%d\n",
		c.cfg.scenario, c.elapsed(), m.Connected, n, span.Seconds(), m.Errors)
	if m.Opened > 0 && span > 0 {
		c.res.set("connect_rate", perSec(m.Opened, span))
	}
	c.setHandshake(m.hs)
	return m
}

func (c *coordinator) setHandshake(h *hdr.Histogram) {
	if h.TotalCount() == 0 {
		return
	}
	c.res.set("handshake_p50_us", h.ValueAtQuantile(50))
	c.res.set("handshake_p99_us", h.ValueAtQuantile(99))
}

func (c *coordinator) setLatency(h *hdr.Histogram) {
	if h.TotalCount() == 0 {
		return
	}
	c.res.set("p50_us", h.ValueAtQuantile(50))
	c.res.set("p99_us", h.ValueAtQuantile(99))
	c.res.set("p999_us", h.ValueAtQuantile(99.9))
	c.res.set("max_us", h.Max())
}

func (c *coordinator) elapsed() float64 { return time.Since(c.began).Seconds() }

// wait sleeps d, printing a progress line every cfg.progress; line says
// what the merged progress reports mean for the scenario. until, when
// not nil, ends the wait early once it holds (checked every 100ms).
func (c *coordinator) wait(d time.Duration, line func(m *merged, dt time.Duration, prev *merged) string, until func(m *merged) bool) {
	end := time.Now().Add(d)
	tick := c.cfg.progress
	check := tick
	if until != nil {
		check = 100 * time.Millisecond
	}
	if check <= 0 {
		check = d
	}
	var prev *merged
	lastLine, lastAt := time.Now(), time.Now()
	for {
		left := time.Until(end)
		if left <= 0 {
			return
		}
		time.Sleep(min(left, check))
		if time.Until(end) <= 0 && until == nil {
			return
		}
		needLine := tick > 0 && time.Since(lastLine) >= tick-10*time.Millisecond
		if !needLine && until == nil {
			continue
		}
		m := c.callAll("progress", callTimeout)
		if needLine {
			now := time.Now()
			fmt.Fprintf(c.stderr, "[%s] %.1fs %s\n", c.cfg.scenario, c.elapsed(), line(m, now.Sub(lastAt), prev))
			prev, lastLine, lastAt = m, now, now
		}
		if until != nil && until(m) {
			return
		}
	}
}

// window is one measured window: the server and this process sampled at
// both ends.
type window struct {
	s0, s1      procSample
	cpu0, cpu1  time.Duration
	t0, t1      time.Time
	childrenCPU time.Duration
	span        time.Duration // the span rates are taken over, when not t1-t0 (a burst)
	// -syscalls: the server's system calls over the window (syscalls.go).
	sys      *syscallCounter
	syscalls map[string]int64
	sysErr   error
}

func (c *coordinator) openWindow() *window {
	c.callAll("measure", callTimeout)
	w := &window{}
	if c.cfg.syscalls {
		w.sys, w.sysErr = startSyscallCounter(c.cfg.pid)
	}
	w.s0, w.cpu0, w.t0 = sampleProc(c.cfg.pid), selfCPU(), time.Now()
	return w
}

func (w *window) close(pid int) {
	w.t1, w.cpu1, w.s1 = time.Now(), selfCPU(), sampleProc(pid)
	if w.sys != nil {
		w.syscalls, w.sysErr = w.sys.stop()
		w.sys = nil
	}
}

func (w *window) wall() time.Duration { return w.t1.Sub(w.t0) }

// rateSpan is the span the window's rates are taken over.
func (w *window) rateSpan() time.Duration {
	if w.span > 0 {
		return w.span
	}
	return w.wall()
}

// setCPU reports the server's and the client's CPU over the window; per
// names the unit of work for server_cpu_us_per_msg.
func (c *coordinator) setCPU(w *window, per int64) {
	if w.s0.ok && w.s1.ok {
		cpu := w.s1.cpu - w.s0.cpu
		c.res.set("server_cpu_us_per_msg", usPer(cpu, per))
		c.res.set("server_cpu_pct", pct(cpu, w.wall()))
		c.res.set("server_rss_kib", w.s1.rssKiB)
	}
	c.res.set("client_cpu_pct", pct(w.cpu1-w.cpu0+w.childrenCPU, w.wall()))
}

// setClientRSS reports the client processes' RSS (with -procs, the
// parent's is left out: it holds no connection).
func (c *coordinator) setClientRSS(m *merged) {
	if m.RSSKiB > 0 {
		c.res.set("client_rss_kib", m.RSSKiB)
	}
}

func (c *coordinator) stop() *merged {
	return c.callAll("stop", c.cfg.timeout+10*time.Second)
}

func (c *coordinator) setErrors(m *merged) {
	if m.FirstErr != "" {
		fmt.Fprintf(c.stderr, "sio-bench: %d errors; the first: %s\n", m.Errors, m.FirstErr)
	}
	c.res.set("dropped", m.Dropped)
	c.res.set("errors", m.Errors+c.errors+int64(m.decodeErrors))
}

// idle: connect, hold through two heartbeats, compare the server's RSS
// with its baseline.
func (c *coordinator) idle() {
	cfg, r := c.cfg, c.res
	base := sampleProc(cfg.pid)
	m := c.setup()
	hold := cfg.hold
	if hold <= 0 {
		pi := time.Duration(m.PingInterval) * time.Millisecond
		if pi <= 0 {
			pi = 25 * time.Second
		}
		hold = 2*pi + 5*time.Second
	}
	w := &window{s0: sampleProc(cfg.pid), cpu0: selfCPU(), t0: time.Now()}
	c.wait(hold, func(m *merged, _ time.Duration, _ *merged) string {
		return fmt.Sprintf("holding conns=%d dropped=%d errors=%d", m.Connected, m.Dropped, m.Errors)
	}, nil)
	held := c.callAll("progress", callTimeout)
	w.close(cfg.pid)
	final := c.stop()
	w.childrenCPU = time.Duration(final.CPUNs)

	r.set("conns", cfg.conns)
	r.set("connected", held.Connected)
	r.set("hold_s", hold.Seconds())
	if base.ok && w.s1.ok {
		r.set("rss_baseline_kib", base.rssKiB)
		r.set("server_rss_kib", w.s1.rssKiB)
		if held.Connected > 0 {
			r.set("rss_per_conn_kib", float64(w.s1.rssKiB-base.rssKiB)/float64(held.Connected))
		}
		r.set("server_cpu_pct", pct(w.s1.cpu-w.s0.cpu, w.wall()))
	}
	r.set("client_cpu_pct", pct(w.cpu1-w.cpu0+w.childrenCPU, w.wall()))
	c.setClientRSS(held)
	c.moveLast("connect_rate", "handshake_p50_us", "handshake_p99_us")
	c.setErrors(final)
}

// moveLast re-appends keys (set early) so the JSON reads in a stable
// order whatever the phase that set them.
func (c *coordinator) moveLast(keys ...string) {
	for _, k := range keys {
		v, ok := c.res.get(k)
		if !ok {
			continue
		}
		for i, kk := range c.res.keys {
			if kk == k {
				c.res.keys = append(c.res.keys[:i], c.res.keys[i+1:]...)
				break
			}
		}
		delete(c.res.vals, k)
		c.res.set(k, v)
	}
}

// echoLine is the progress line of the ack-counting scenarios.
func echoLine(m *merged, dt time.Duration, prev *merged) string {
	rate := ""
	if prev != nil && dt > 0 && m.Acks >= prev.Acks {
		rate = fmt.Sprintf(" (%.0f/s)", perSec(m.Acks-prev.Acks, dt))
	}
	return fmt.Sprintf("acks=%d%s p99=%dus conns=%d errors=%d",
		m.Acks, rate, m.lat.ValueAtQuantile(99), m.Connected, m.Errors)
}

// echo: closed or open loop of acked emits.
func (c *coordinator) echo() {
	cfg, r := c.cfg, c.res
	c.setup()
	c.callAll("start", callTimeout)
	c.wait(cfg.warmup, func(m *merged, dt time.Duration, p *merged) string { return "warmup " + echoLine(m, dt, p) }, nil)
	w := c.openWindow()
	c.wait(cfg.duration, echoLine, nil)
	w.close(cfg.pid)
	final := c.stop()
	w.childrenCPU = time.Duration(final.CPUNs)

	r.set("conns", cfg.conns)
	r.set("connected", final.Connected)
	r.set("payload", cfg.payload)
	r.set("rate", cfg.rate)
	r.set("inflight", cfg.inflight)
	r.set("batch", cfg.batch)
	r.set("duration_s", w.wall().Seconds())
	r.set("acks", final.Acks)
	r.set("acks_per_sec", perSec(final.Acks, w.wall()))
	c.setLatency(final.lat)
	c.setCPU(w, final.Acks)
	c.setSyscalls(w, final.Acks)
	c.setClientRSS(final)
	c.moveLast("connect_rate", "handshake_p50_us", "handshake_p99_us")
	c.setErrors(final)
}

// fanout: broadcasts from one sender to every receiver.
func (c *coordinator) fanout() {
	cfg, r := c.cfg, c.res
	m := c.setup()
	// Everyone receives in mode all (the sender too); in mode room only
	// the receivers that joined.
	receivers := m.Opened
	if cfg.mode == "room" && receivers > 0 {
		receivers-- // the sender
	}
	line := func(m *merged, dt time.Duration, prev *merged) string {
		rate := ""
		if prev != nil && dt > 0 && m.Delivered >= prev.Delivered {
			rate = fmt.Sprintf(" (%.0f/s)", perSec(m.Delivered-prev.Delivered, dt))
		}
		return fmt.Sprintf("sent=%d delivered=%d%s p99=%dus errors=%d",
			m.Sent, m.Delivered, rate, m.lat.ValueAtQuantile(99), m.Errors)
	}
	var w *window
	var final *merged
	expected := int64(0)
	if cfg.burst > 0 {
		expected = int64(cfg.burst) * receivers
		w = c.openWindow()
		c.callAll("start", callTimeout)
		c.wait(cfg.duration, line, func(m *merged) bool { return m.Delivered >= expected })
		w.close(cfg.pid)
		final = c.stop()
		// The window of a burst: from its first send to its last delivery.
		if final.BurstStart > 0 && final.LastRecv > final.BurstStart {
			w.span = time.Duration(final.LastRecv - final.BurstStart)
		}
	} else {
		c.callAll("start", callTimeout)
		c.wait(cfg.warmup, func(m *merged, dt time.Duration, p *merged) string { return "warmup " + line(m, dt, p) }, nil)
		w = c.openWindow()
		c.wait(cfg.duration, line, nil)
		w.close(cfg.pid)
		final = c.stop()
	}
	w.childrenCPU = time.Duration(final.CPUNs)

	r.set("conns", cfg.receivers)
	r.set("receivers", cfg.receivers)
	r.set("connected", m.Connected)
	r.set("mode", cfg.mode)
	r.set("payload", cfg.payload)
	if cfg.burst > 0 {
		r.set("burst", cfg.burst)
		r.set("expected", expected)
	} else {
		r.set("rate", cfg.rate)
	}
	r.set("duration_s", w.rateSpan().Seconds())
	r.set("broadcasts", final.Sent)
	r.set("delivered", final.Delivered)
	r.set("delivered_per_sec", perSec(final.Delivered, w.rateSpan()))
	c.setLatency(final.lat)
	c.setCPU(w, final.Delivered)
	c.setSyscalls(w, final.Delivered)
	c.setClientRSS(final)
	c.moveLast("connect_rate", "handshake_p50_us", "handshake_p99_us")
	c.setErrors(final)
}

// storm: whole sessions in a loop; does the server's RSS come back down?
func (c *coordinator) storm() {
	cfg, r := c.cfg, c.res
	base := sampleProc(cfg.pid)
	line := func(m *merged, dt time.Duration, prev *merged) string {
		rate := ""
		if prev != nil && dt > 0 && m.Sessions >= prev.Sessions {
			rate = fmt.Sprintf(" (%.0f/s)", perSec(m.Sessions-prev.Sessions, dt))
		}
		return fmt.Sprintf("sessions=%d%s p99=%dus errors=%d", m.Sessions, rate, m.lat.ValueAtQuantile(99), m.Errors)
	}
	c.callAll("start", callTimeout)
	c.wait(cfg.warmup, func(m *merged, dt time.Duration, p *merged) string { return "warmup " + line(m, dt, p) }, nil)
	w := c.openWindow()
	c.wait(cfg.duration, line, nil)
	w.close(cfg.pid)
	final := c.stop()
	w.childrenCPU = time.Duration(final.CPUNs)
	end := sampleProc(cfg.pid)
	var after procSample
	if cfg.pid > 0 {
		time.Sleep(cfg.settle)
		after = sampleProc(cfg.pid)
	}

	r.set("conns", cfg.conns)
	r.set("duration_s", w.wall().Seconds())
	r.set("sessions", final.Sessions)
	r.set("sessions_per_sec", perSec(final.Sessions, w.wall()))
	c.setLatency(final.lat)
	c.setHandshake(final.hs)
	c.setCPU(w, final.Sessions)
	if base.ok {
		r.set("rss_baseline_kib", base.rssKiB)
	}
	if w.s1.ok {
		r.set("rss_end_kib", w.s1.rssKiB)
	}
	if end.ok {
		r.set("rss_closed_kib", end.rssKiB)
	}
	if after.ok {
		r.set("rss_after_kib", after.rssKiB)
	}
	c.setErrors(final)
}
