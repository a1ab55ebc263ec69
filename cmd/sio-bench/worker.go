package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// worker holds this process's share of the connections and generates
// its share of the load. The coordinator drives it with commands (see
// handle), directly with -procs 1, through a child's stdin otherwise.
//
// Ownership: handle runs on one goroutine at a time (the coordinator's,
// or a child's command loop); the connections' goroutines touch only the
// atomic counters, the sharded histograms and their own client.
type worker struct {
	cfg    *config
	d      *dialer
	ctx    context.Context // cancelled by stop
	cancel context.CancelFunc
	body   []byte // the echo event body

	// Connections: mu guards clients (appended by connecting goroutines).
	mu      sync.Mutex
	clients []*client
	sender  *client // fanout: the broadcasting connection (worker 0)

	// Goroutines that stop must wait for.
	running sync.WaitGroup

	// Counters. errors, dropped, opened and connected cover the whole
	// run; the others the current window (reset by "measure").
	errors, dropped, opened, connected atomic.Int64
	sent, acks, delivered, sessions    atomic.Int64
	lastRecv                           atomic.Int64 // unix ns of the last delivery
	connStart, connEnd                 atomic.Int64 // unix ns
	pingInterval                       atomic.Int64 // ms
	burstStart                         atomic.Int64 // unix ns
	lat, hs                            *shardedHist
	outOfOrder                         atomic.Int64

	// slow: the stalled receivers (worker 0), watched by watchStalled.
	stalled                   []*client
	released                  atomic.Int64
	releaseFirst, releaseLast atomic.Int64 // unix ns

	started, stopping atomic.Bool

	firstErr atomic.Pointer[string] // the first error's text, for stderr
}

var (
	errSetupTime        = errors.New("sio-bench: connection not attempted within the setup budget")
	errServerDisconnect = errors.New("sio-bench: the server disconnected the socket")
)

// fail counts an error and keeps the first one's text. Safe from any
// goroutine.
func (w *worker) fail(err error) { w.failN(1, err) }

func (w *worker) failN(n int64, err error) {
	w.errors.Add(n)
	if w.firstErr.Load() == nil {
		s := err.Error()
		w.firstErr.CompareAndSwap(nil, &s)
	}
}

func newWorker(cfg *config) *worker {
	ctx, cancel := context.WithCancel(context.Background())
	return &worker{
		cfg:    cfg,
		d:      newDialer(cfg.host, cfg.srcIPs, cfg.workerIndex*7, 0),
		ctx:    ctx,
		cancel: cancel,
		body:   echoBody(cfg.payload),
		lat:    newShardedHist(),
		hs:     newShardedHist(),
	}
}

// handle runs one command of the coordinator and returns the report it
// answers with. Unknown commands answer a report carrying an error.
func (w *worker) handle(cmd string) *report {
	switch cmd {
	case "setup":
		w.setup()
	case "start":
		w.start()
	case "measure":
		w.measure()
	case "progress":
	case "stop":
		return w.stop()
	default:
		r := w.snapshot()
		r.Err = "unknown command " + cmd
		return r
	}
	return w.snapshot()
}

// snapshot reports the counters now.
func (w *worker) snapshot() *report {
	return &report{
		Worker:       w.cfg.workerIndex,
		Connected:    w.connected.Load(),
		Opened:       w.opened.Load(),
		Errors:       w.errors.Load(),
		Dropped:      w.dropped.Load(),
		Sent:         w.sent.Load(),
		Acks:         w.acks.Load(),
		Delivered:    w.delivered.Load(),
		Sessions:     w.sessions.Load(),
		Lat:          encodeHist(w.lat.snapshot()),
		Handshake:    encodeHist(w.hs.snapshot()),
		ConnectStart: w.connStart.Load(),
		ConnectEnd:   w.connEnd.Load(),
		PingInterval: w.pingInterval.Load(),
		BurstStart:   w.burstStart.Load(),
		LastRecv:     w.lastRecv.Load(),
		RSSKiB:       sampleProc(os.Getpid()).rssKiB,
		FirstErr:     w.firstErrText(),
		OutOfOrder:   w.outOfOrder.Load(),
		Complete:     w.complete(),
		Stalled:      int64(len(w.stalled)),
		Released:     w.released.Load(),
		ReleaseFirst: w.releaseFirst.Load(),
		ReleaseLast:  w.releaseLast.Load(),
	}
}

func (w *worker) firstErrText() string {
	if p := w.firstErr.Load(); p != nil {
		return *p
	}
	return ""
}

// setup opens the long-lived connections (storm opens its own later).
func (w *worker) setup() {
	switch w.cfg.scenario {
	case "storm":
		return
	case "fanout", "slow":
		w.connectAll(w.cfg.localConns(), w.cfg.mode == "room")
		if w.cfg.workerIndex == 0 {
			w.sender = w.connectSender()
			if w.cfg.scenario == "slow" {
				w.connectStalled()
			}
		}
	default:
		w.connectAll(w.cfg.localConns(), false)
	}
}

// connectAll opens n connections, at most connectConcurrency at once and
// at connectRateLocal per second, each then served by its own goroutine.
// It returns when every attempt has succeeded or failed.
func (w *worker) connectAll(n int, join bool) {
	ctx, cancel := context.WithTimeout(w.ctx, w.cfg.setupBudget(n, w.cfg.connectRateLocal()))
	defer cancel()
	rate := w.cfg.connectRateLocal()
	sem := make(chan struct{}, w.cfg.connectConcurrency())
	var attempts sync.WaitGroup
	t0 := time.Now()
	w.connStart.CompareAndSwap(0, t0.UnixNano())
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for i := 0; i < n; i++ {
		if rate > 0 {
			due := t0.Add(time.Duration(float64(i) / rate * float64(time.Second)))
			if d := time.Until(due); d > 0 {
				timer.Reset(d)
				select {
				case <-timer.C:
				case <-ctx.Done():
				}
			}
		}
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			w.failN(int64(n-i), errSetupTime) // never attempted in time
			break
		}
		attempts.Add(1)
		w.running.Add(1)
		go func(i int) {
			defer w.running.Done()
			c, ok := w.open(ctx, newClient(w.cfg, w.d, i), join)
			<-sem
			attempts.Done()
			if ok {
				w.readLoop(c)
			}
		}(i)
	}
	attempts.Wait()
}

// connectSender opens the fanout sender's connection synchronously (to
// -sender-url's server when set) and starts its reader; nil when it
// failed.
func (w *worker) connectSender() *client {
	ctx, cancel := context.WithTimeout(w.ctx, w.cfg.timeout)
	defer cancel()
	cfg, d := w.cfg, w.d
	if cfg.senderHost != cfg.host { // -sender-url: another node of a cluster
		sc := *cfg
		sc.host = cfg.senderHost
		cfg, d = &sc, newDialer(sc.host, sc.srcIPs, cfg.workerIndex*7+3, 0)
	}
	c, ok := w.open(ctx, newClient(cfg, d, -1), false)
	if !ok {
		return nil
	}
	w.running.Add(1)
	go func() {
		defer w.running.Done()
		w.readLoop(c)
	}()
	return c
}

// open connects one client (and joins the fanout room) and registers it.
// Runs on the connection's goroutine.
func (w *worker) open(ctx context.Context, c *client, join bool) (*client, bool) {
	idx := c.idx
	hs, err := c.connect(ctx)
	if err == nil && join {
		err = w.join(c)
	}
	if err != nil {
		c.t.close(false)
		w.fail(err)
		return nil, false
	}
	w.hs.record(idx, hs.Microseconds())
	w.pingInterval.Store(c.pingInterval)
	w.mu.Lock()
	stopping := w.stopping.Load()
	if !stopping {
		w.clients = append(w.clients, c)
	}
	w.mu.Unlock()
	if stopping {
		c.t.close(false)
		return nil, false
	}
	w.opened.Add(1)
	w.connected.Add(1)
	storeMax(&w.connEnd, time.Now().UnixNano())
	return c, true
}

// join emits "join"(room) and waits for its ack (the first emit of the
// connection: ack id 0). Runs on the connection's goroutine.
func (w *worker) join(c *client) error {
	c.t.setDeadline(time.Now().Add(connectTimeout))
	defer c.t.setDeadline(time.Time{})
	body := []byte(`["join",`)
	body = strconv.AppendQuote(body, w.cfg.room) // the room names used here need no JSON-specific escape
	body = append(body, ']')
	if _, err := c.emitAcked(1, body, now()); err != nil {
		return err
	}
	_, err := c.awaitAck(0)
	return err
}

// readLoop serves one connection until it closes: pings are answered in
// nextSIO, acks and events go to the scenario. Runs on the connection's
// goroutine.
func (w *worker) readLoop(c *client) {
	defer func() {
		c.dead.Store(true)
		w.connected.Add(-1)
		c.t.close(false)
	}()
	for {
		p, err := c.nextSIO()
		if err != nil {
			if !w.stopping.Load() {
				w.dropped.Add(1)
				w.fail(fmt.Errorf("connection lost: %w", err))
			}
			return
		}
		pk, ok := parseSIO(p)
		if !ok || !sameNsp(pk.nsp, c.nsp) {
			continue
		}
		switch pk.typ {
		case sioAck:
			w.onAck(c, pk)
		case sioEvent:
			w.onEvent(c, pk)
		case sioDisconnect: // the server closed the socket
			if !w.stopping.Load() {
				w.dropped.Add(1)
				w.fail(errServerDisconnect)
			}
			return
		}
	}
}

// start begins the load.
func (w *worker) start() {
	if !w.started.CompareAndSwap(false, true) {
		return
	}
	switch w.cfg.scenario {
	case "echo", "polling":
		w.startEcho()
	case "fanout", "slow":
		w.startFanout()
	case "storm":
		w.startStorm()
	}
}

// measure opens the measured window: the window counters and the
// latency histogram start again from zero.
func (w *worker) measure() {
	w.sent.Store(0)
	w.acks.Store(0)
	w.delivered.Store(0)
	w.sessions.Store(0)
	w.lat.reset()
	if w.cfg.scenario == "storm" {
		w.hs.reset()
	}
}

// stop ends the window (the report is taken first), stops the load and
// closes every connection, waiting at most cfg.timeout for the
// goroutines.
func (w *worker) stop() *report {
	w.stopping.Store(true)
	r := w.snapshot()
	w.cancel()
	w.mu.Lock()
	clients := w.clients
	w.clients = nil
	w.mu.Unlock()
	for _, c := range clients {
		c.t.close(false)
	}
	for _, c := range w.stalled {
		c.t.close(false)
	}
	done := make(chan struct{})
	go func() {
		w.running.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(w.cfg.timeout):
		r.Errors++ // goroutines left behind; the process is about to end anyway
	}
	return r
}

// storeMax raises a to v.
func storeMax(a *atomic.Int64, v int64) {
	for {
		old := a.Load()
		if v <= old || a.CompareAndSwap(old, v) {
			return
		}
	}
}
