// Command million is the million-session core benchmark: it drives the
// Engine.IO + Socket.IO core (packages eio and sio) through its callback
// API with an in-process WebSocket transport — no sockets, so it scales
// past the machine's open-file limit — and reports what a session costs.
//
//	go run ./bench/million -sessions 1000000 -shards 2 -rooms 1000 -rooms-per-session 3
//
// Each shard is a goroutine locked to its OS thread with a FIFO task
// queue (the eio.Executor), like a loop of package loop. On it, sessions
// are opened with Shard.OpenWebSocket on a fake WebSocket, connect to "/"
// (a CONNECT packet "40" through Session.ReceiveMessage) and join
// -rooms-per-session of -rooms rooms in the connection handler. Then:
//
//   - heartbeat rounds: each shard's synthetic clock moves by the ping
//     interval and Shard.Advance runs the real timing wheel, which pings
//     every session; every session then pongs ("3"). A round's time is the
//     wall time until every shard has pinged and received every pong.
//   - broadcasts: io.Emit to every session, and io.To(room).Emit, timed from
//     the call until every shard has written to all its receivers.
//
// Reported: Go heap (runtime.MemStats.HeapAlloc after a GC) and process RSS
// (/proc/self/status VmRSS) deltas per session, heartbeat round and
// broadcast times, and the GC pauses (runtime/metrics) during the measured
// phases. The last line of output is the same as one JSON object.
//
// The fake WebSocket is one 24-byte object per session (a pointer to its
// shard, the session, and three small counters), kept in per-shard slabs;
// it is counted in the per-session figures (the "harness" line says how
// much of them it is). It never stores what is written.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/sioloop/sioloop/eio"
	"github.com/sioloop/sioloop/sio"
)

// config is one benchmark run.
type config struct {
	Sessions        int
	Shards          int
	Rooms           int
	RoomsPerSession int
	Rounds          int // heartbeat rounds
	Broadcasts      int // of each kind (all, one room)
	PingInterval    time.Duration
	PingTimeout     time.Duration
	Headers         bool // handshake carries a browser's usual headers
	Close           bool // close the server at the end and check every session closed
	MemProfile      string
	CPUProfile      string
	Log             io.Writer // progress and summary; nil: silent
}

// result is what a run measured; it is printed as the JSON line.
type result struct {
	Sessions        int    `json:"sessions"`
	Shards          int    `json:"shards"`
	Rooms           int    `json:"rooms"`
	RoomsPerSession int    `json:"rooms_per_session"`
	GOMAXPROCS      int    `json:"gomaxprocs"`
	GOGC            string `json:"gogc"`
	Go              string `json:"go"`

	ConnectSeconds float64 `json:"connect_s"`
	// Per session, after connecting (GC'd heap; RSS as it stood, then
	// after a GC and returning free memory to the OS).
	HeapBytesPerSession     float64 `json:"heap_bytes_per_session"`
	RSSBytesPerSession      float64 `json:"rss_bytes_per_session"`
	RSSBytesPerSessionAfter float64 `json:"rss_bytes_per_session_after_gc"`
	// The same after the heartbeat rounds and broadcasts (steady state).
	HeapBytesPerSessionSteady float64 `json:"heap_bytes_per_session_steady"`
	RSSBytesPerSessionSteady  float64 `json:"rss_bytes_per_session_steady"`
	HarnessBytesPerSession    float64 `json:"harness_bytes_per_session"`
	PeakRSSMiB                float64 `json:"peak_rss_mib"`
	HeapMiB                   float64 `json:"heap_mib"`
	RSSMiB                    float64 `json:"rss_mib"`

	HeartbeatRoundsMs []float64 `json:"heartbeat_rounds_ms"` // wall, every shard pinged and ponged
	HeartbeatLapsMs   []float64 `json:"heartbeat_laps_ms"`   // slowest shard's Advance up to the ping tick
	HeartbeatPingMs   []float64 `json:"heartbeat_ping_ms"`   // slowest shard's Advance of the ping tick (the pings)
	HeartbeatPongMs   []float64 `json:"heartbeat_pong_ms"`   // slowest shard's pong handling
	PingIntervalMs    float64   `json:"ping_interval_ms"`

	BroadcastAllMs  []float64 `json:"broadcast_all_ms"`
	BroadcastRoomMs []float64 `json:"broadcast_room_ms"`
	RoomMembers     int       `json:"room_members"`

	GCCount      uint64  `json:"gc_count"`        // GC cycles during the measured phases
	GCPauseP99Ms float64 `json:"gc_pause_p99_ms"` // upper bound of the p99 bucket
	GCPauseMaxMs float64 `json:"gc_pause_max_ms"` // upper bound of the highest bucket
	GCPauses     uint64  `json:"gc_pauses"`
	GCCPUFrac    float64 `json:"gc_cpu_fraction"` // GC CPU / total CPU over the measured phases

	CloseSeconds float64 `json:"close_s,omitempty"`
	OK           bool    `json:"ok"`
}

func main() {
	cfg := config{Log: os.Stdout}
	flag.IntVar(&cfg.Sessions, "sessions", 100000, "sessions to open")
	flag.IntVar(&cfg.Shards, "shards", runtime.GOMAXPROCS(0), "shards (event loops), one goroutine each")
	flag.IntVar(&cfg.Rooms, "rooms", 1000, "rooms in the namespace")
	flag.IntVar(&cfg.RoomsPerSession, "rooms-per-session", 3, "rooms each socket joins")
	flag.IntVar(&cfg.Rounds, "rounds", 3, "heartbeat rounds")
	flag.IntVar(&cfg.Broadcasts, "broadcasts", 3, "broadcasts of each kind (to all, to one room)")
	flag.DurationVar(&cfg.PingInterval, "ping-interval", 25*time.Second, "Engine.IO ping interval (synthetic clock)")
	flag.DurationVar(&cfg.PingTimeout, "ping-timeout", 20*time.Second, "Engine.IO ping timeout")
	flag.BoolVar(&cfg.Headers, "headers", false, "handshakes carry a browser's usual headers (copied per session)")
	flag.BoolVar(&cfg.Close, "close", true, "close the server at the end and check every session closed")
	flag.StringVar(&cfg.MemProfile, "memprofile", "", "write a heap profile, taken after connecting, to this file")
	flag.StringVar(&cfg.CPUProfile, "cpuprofile", "", "write a CPU profile of the whole run to this file")
	flag.Parse()
	res, err := run(cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "million:", err)
	}
	line, _ := json.Marshal(res)
	fmt.Println(string(line))
	if err != nil {
		os.Exit(1)
	}
}

// Incoming client packets.
var (
	pktConnect = []byte("40") // Socket.IO CONNECT to "/"
	pktPong    = []byte("3")
)

// fakeWS is the in-process WebSocket of one session. It counts what the
// session writes (per shard, and per session for the checks) and stores
// none of it.
type fakeWS struct {
	r      *runner
	s      *eio.Session
	pings  uint16 // "2" written
	pongs  uint16 // "3" delivered back
	events uint16 // EVENT packets ("42…") written
	closed uint16 // Close called
}

// WriteMessage implements eio.WebSocket. Runs on the shard.
func (f *fakeWS) WriteMessage(binary bool, p []byte) {
	r := f.r
	r.writes++
	r.bytes += uint64(len(p))
	switch {
	case len(p) == 1 && p[0] == '2':
		f.pings++
		r.pings++
	case len(p) >= 2 && p[0] == '4' && p[1] == '2':
		f.events++
		r.events++
	}
}

// WriteShared implements eio.WebSocket: a shared packet counts as a
// write of its bytes. Runs on the shard.
func (f *fakeWS) WriteShared(m *eio.Shared) { f.WriteMessage(m.Binary(), m.Bytes()) }

// Close implements eio.WebSocket.
func (f *fakeWS) Close() {
	f.closed++
	f.r.closes++
}

// Abort implements eio.WebSocket, as Close.
func (f *fakeWS) Abort() { f.Close() }

// Writable implements eio.WebSocket: the fake never has output waiting.
func (f *fakeWS) Writable() bool { return true }

// Backlog implements eio.WebSocket: the fake's client takes everything.
func (f *fakeWS) Backlog(int) int { return 0 }

// slabSize is how many fakes one slab allocation holds.
const slabSize = 4096

// runner is one shard's goroutine: it implements eio.Executor with a FIFO
// queue and owns the shard, its synthetic clock and its fakes.
type runner struct {
	idx   int
	tid   int // the goroutine's locked OS thread
	mu    sync.Mutex
	q     []func()
	spare []func()
	bell  chan struct{}
	quit  bool
	done  chan struct{}

	// Shard state, touched only on the runner.
	sh                                          *eio.Shard
	now                                         time.Time
	slabs                                       [][]fakeWS
	n                                           int // fakes made
	connected                                   int // sockets connected (connection handler runs)
	writes, bytes, pings, events, closes, pongs uint64
}

func newRunner(idx int) *runner {
	r := &runner{idx: idx, bell: make(chan struct{}, 1), done: make(chan struct{})}
	ready := make(chan struct{})
	go r.loop(ready)
	<-ready
	return r
}

func (r *runner) loop(ready chan struct{}) {
	runtime.LockOSThread() // OnLoop compares thread ids, as package loop does
	r.tid = syscall.Gettid()
	close(ready)
	for !r.quit {
		<-r.bell
		r.drain()
	}
	close(r.done)
}

func (r *runner) drain() {
	for {
		r.mu.Lock()
		batch := r.q
		r.q = r.spare[:0]
		r.mu.Unlock()
		if len(batch) == 0 {
			r.spare = batch
			return
		}
		for i := range batch {
			batch[i]()
			batch[i] = nil
		}
		r.spare = batch[:0]
	}
}

// Execute implements eio.Executor. Safe from any goroutine; FIFO per sender.
func (r *runner) Execute(fn func()) {
	r.mu.Lock()
	r.q = append(r.q, fn)
	r.mu.Unlock()
	select {
	case r.bell <- struct{}{}:
	default:
	}
}

// OnLoop implements eio.Executor.
func (r *runner) OnLoop() bool { return syscall.Gettid() == r.tid }

func (r *runner) stop() {
	r.Execute(func() { r.quit = true })
	<-r.done
}

// newFake returns the next fake from the shard's slabs.
func (r *runner) newFake() *fakeWS {
	i := r.n % slabSize
	if i == 0 {
		r.slabs = append(r.slabs, make([]fakeWS, slabSize))
	}
	f := &r.slabs[len(r.slabs)-1][i]
	f.r = r
	r.n++
	return f
}

// each calls fn for every fake of the shard with its position.
func (r *runner) each(fn func(pos int, f *fakeWS)) {
	for si, slab := range r.slabs {
		for i := range slab {
			pos := si*slabSize + i
			if pos >= r.n {
				return
			}
			fn(pos, &slab[i])
		}
	}
}

// onAll runs fn on every runner and waits for all; it returns the wall
// time from the first post to the last completion.
func onAll(rs []*runner, fn func(r *runner)) time.Duration {
	var wg sync.WaitGroup
	start := time.Now()
	for _, r := range rs {
		wg.Add(1)
		r.Execute(func() { fn(r); wg.Done() })
	}
	wg.Wait()
	return time.Since(start)
}

// roomSet returns the rooms socket number k joins: rps consecutive ones
// from k*rps, modulo rooms, so every room gets the same share.
func roomSet(names []string, rps, k int) []string {
	out := make([]string, 0, rps)
	for j := range rps {
		out = append(out, names[(k*rps+j)%len(names)])
	}
	return out
}

// browserHeaders is what a browser's WebSocket handshake carries, for -headers.
var browserHeaders = []eio.Header{
	{Name: []byte("Host"), Value: []byte("chat.example.com")},
	{Name: []byte("Connection"), Value: []byte("Upgrade")},
	{Name: []byte("Upgrade"), Value: []byte("websocket")},
	{Name: []byte("Origin"), Value: []byte("https://chat.example.com")},
	{Name: []byte("Sec-WebSocket-Version"), Value: []byte("13")},
	{Name: []byte("Sec-WebSocket-Key"), Value: []byte("dGhlIHNhbXBsZSBub25jZQ==")},
	{Name: []byte("Sec-WebSocket-Extensions"), Value: []byte("permessage-deflate; client_max_window_bits")},
	{Name: []byte("User-Agent"), Value: []byte("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0")},
	{Name: []byte("Accept-Language"), Value: []byte("en-US,en;q=0.5")},
	{Name: []byte("Cookie"), Value: []byte("io=; session=4f1c2a9b7e3d")},
}

func run(cfg config) (res result, err error) {
	logf := func(format string, args ...any) {
		if cfg.Log != nil {
			fmt.Fprintf(cfg.Log, format, args...)
		}
	}
	switch {
	case cfg.Sessions <= 0, cfg.Shards <= 0, cfg.Shards > eio.MaxShards, cfg.Rooms <= 0,
		cfg.RoomsPerSession < 0, cfg.RoomsPerSession > cfg.Rooms, cfg.Rounds < 0, cfg.Broadcasts < 0:
		return res, fmt.Errorf("bad configuration %+v", cfg)
	case cfg.Rounds > 60000 || cfg.Broadcasts > 30000:
		return res, fmt.Errorf("too many rounds or broadcasts for the 16-bit counters")
	}
	res = result{
		Sessions: cfg.Sessions, Shards: cfg.Shards, Rooms: cfg.Rooms, RoomsPerSession: cfg.RoomsPerSession,
		GOMAXPROCS: runtime.GOMAXPROCS(0), GOGC: os.Getenv("GOGC"), Go: runtime.Version(),
		PingIntervalMs: ms(cfg.PingInterval),
	}
	if res.GOGC == "" {
		res.GOGC = "100"
	}
	if cfg.CPUProfile != "" {
		f, err := os.Create(cfg.CPUProfile)
		if err != nil {
			return res, err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return res, err
		}
		defer pprof.StopCPUProfile()
	}

	// The room names and each socket's set, made once (a set depends on
	// k mod rooms only), so joining allocates no strings.
	names := make([]string, cfg.Rooms)
	for i := range names {
		names[i] = "room-" + strconv.Itoa(i)
	}
	sets := make([][]string, cfg.Rooms)
	for k := range sets {
		sets[k] = roomSet(names, cfg.RoomsPerSession, k)
	}
	const target = "room-7"
	inTarget := func(k int) bool { return cfg.Rooms > 7 && slices.Contains(sets[k%cfg.Rooms], target) }

	srv := sio.NewServer(&sio.Options{Engine: eio.Options{
		PingInterval: cfg.PingInterval,
		PingTimeout:  cfg.PingTimeout,
		Transports:   []string{eio.TransportWebSocket},
	}})
	eng := srv.Engine()
	rs := make([]*runner, cfg.Shards)
	t0 := time.Now()
	for i := range rs {
		rs[i] = newRunner(i)
	}
	defer func() {
		for _, r := range rs {
			r.stop()
		}
	}()
	onAll(rs, func(r *runner) {
		r.now = t0
		r.sh = eng.NewShard(r.idx, t0, r)
	})
	// The connection handler runs on the socket's shard; socket number k
	// is the runner's index + shards × its count of connections there, so
	// the checks know each fake's rooms from its position.
	srv.OnConnection(func(s *sio.Socket) {
		r := rs[shardOf(s.ID())]
		k := r.idx + cfg.Shards*r.connected
		r.connected++
		if cfg.RoomsPerSession > 0 {
			s.Join(sets[k%cfg.Rooms]...)
		}
	})
	req := &eio.Request{
		Method:   []byte("GET"),
		Path:     []byte("/socket.io/"),
		RawQuery: []byte("EIO=4&transport=websocket"),
	}
	if cfg.Headers {
		req.Headers = browserHeaders
	}
	if _, qerr := eng.Check(req, true); qerr != nil {
		return res, fmt.Errorf("handshake refused: %v", qerr)
	}
	perShard := func(r *runner) int {
		n := cfg.Sessions / cfg.Shards
		if r.idx < cfg.Sessions%cfg.Shards {
			n++
		}
		return n
	}

	// Baseline.
	heap0, rss0 := settle()
	logf("sioloop million-session core benchmark: %d sessions, %d shards, %d rooms × %d per session, GOMAXPROCS %d, %s\n",
		cfg.Sessions, cfg.Shards, cfg.Rooms, cfg.RoomsPerSession, res.GOMAXPROCS, runtime.Version())
	logf("baseline: heap %.1f MiB, RSS %.1f MiB\n", mib(heap0), mib(rss0))

	var gcw gcWindow
	// Connect: open every session, CONNECT to "/", join rooms.
	gcw.begin()
	d := onAll(rs, func(r *runner) {
		for range perShard(r) {
			f := r.newFake()
			id, _ := r.sh.NewSessionID(req)
			f.s = r.sh.OpenWebSocket(req, id, f)
			f.s.ReceiveMessage(f, pktConnect, false)
		}
	})
	gcw.end()
	res.ConnectSeconds = d.Seconds()
	rssRaw := vmRSS()
	heap1, rss1 := settle()
	n := float64(cfg.Sessions)
	res.HeapBytesPerSession = float64(heap1-heap0) / n
	res.RSSBytesPerSession = float64(rssRaw-rss0) / n
	res.RSSBytesPerSessionAfter = float64(rss1-rss0) / n
	res.HarnessBytesPerSession = float64(24*slabSize*totalSlabs(rs)) / n
	logf("connect: %d sessions in %.2fs (%.0f/s)\n", cfg.Sessions, d.Seconds(), n/d.Seconds())
	logf("memory after connect: heap %.0f B/session, RSS %.0f B/session (%.0f after GC+scavenge); harness (fake ws) %.0f B/session included\n",
		res.HeapBytesPerSession, res.RSSBytesPerSession, res.RSSBytesPerSessionAfter, res.HarnessBytesPerSession)
	if cfg.MemProfile != "" {
		if err := writeHeapProfile(cfg.MemProfile); err != nil {
			return res, err
		}
	}
	var connected, opened int
	for _, r := range rs {
		connected += r.connected
		opened += r.sh.Len()
	}
	if connected != cfg.Sessions || opened != cfg.Sessions {
		return res, fmt.Errorf("connect: %d sockets connected and %d sessions open, want %d", connected, opened, cfg.Sessions)
	}

	// Heartbeat rounds.
	type hb struct{ laps, ping, pong time.Duration }
	hbs := make([]hb, len(rs))
	gcw.begin()
	for round := 1; round <= cfg.Rounds; round++ {
		pings0 := sum(rs, func(r *runner) uint64 { return r.pings })
		d := onAll(rs, func(r *runner) {
			r.now = r.now.Add(cfg.PingInterval)
			start := time.Now()
			// Up to the tick before the pings: the wheel's laps over
			// timers not yet due (eio's wheel turns every 4.096 s).
			r.sh.Advance(r.now.Add(-time.Millisecond))
			lap := time.Now()
			r.sh.Advance(r.now)
			mid := time.Now()
			r.each(func(_ int, f *fakeWS) {
				if f.pings > f.pongs && f.closed == 0 {
					f.pongs++
					r.pongs++
					f.s.ReceiveMessage(f, pktPong, false)
				}
			})
			hbs[r.idx] = hb{lap.Sub(start), mid.Sub(lap), time.Since(mid)}
		})
		var laps, ping, pong time.Duration
		for _, h := range hbs {
			laps, ping, pong = max(laps, h.laps), max(ping, h.ping), max(pong, h.pong)
		}
		res.HeartbeatRoundsMs = append(res.HeartbeatRoundsMs, ms(d))
		res.HeartbeatLapsMs = append(res.HeartbeatLapsMs, ms(laps))
		res.HeartbeatPingMs = append(res.HeartbeatPingMs, ms(ping))
		res.HeartbeatPongMs = append(res.HeartbeatPongMs, ms(pong))
		got := sum(rs, func(r *runner) uint64 { return r.pings }) - pings0
		logf("heartbeat round %d: %.1f ms (slowest shard: wheel laps %.1f ms, pings %.1f ms, pongs %.1f ms), %d pings, ping interval %v\n",
			round, ms(d), ms(laps), ms(ping), ms(pong), got, cfg.PingInterval)
		if got != uint64(cfg.Sessions) {
			gcw.end()
			return res, fmt.Errorf("heartbeat round %d: %d pings, want %d", round, got, cfg.Sessions)
		}
	}
	gcw.end()

	// Broadcasts: to all, then to one room. A marker task posted after
	// Emit returns runs on each shard after the broadcast's task (FIFO).
	res.RoomMembers = 0
	for k := range cfg.Sessions {
		if inTarget(k) {
			res.RoomMembers++
		}
	}
	timed := func(emit func() error) (time.Duration, error) {
		start := time.Now()
		if err := emit(); err != nil {
			return 0, err
		}
		var wg sync.WaitGroup
		for _, r := range rs {
			wg.Add(1)
			r.Execute(wg.Done)
		}
		wg.Wait()
		return time.Since(start), nil
	}
	gcw.begin()
	for i := 1; i <= cfg.Broadcasts; i++ {
		ev0 := sum(rs, func(r *runner) uint64 { return r.events })
		d, err := timed(func() error { return srv.Emit("tick", "x") })
		if err != nil {
			gcw.end()
			return res, err
		}
		got := sum(rs, func(r *runner) uint64 { return r.events }) - ev0
		res.BroadcastAllMs = append(res.BroadcastAllMs, ms(d))
		logf("broadcast to all %d: %.1f ms, %d receivers\n", i, ms(d), got)
		if got != uint64(cfg.Sessions) {
			gcw.end()
			return res, fmt.Errorf("broadcast to all: %d receivers, want %d", got, cfg.Sessions)
		}
	}
	for i := 1; i <= cfg.Broadcasts; i++ {
		ev0 := sum(rs, func(r *runner) uint64 { return r.events })
		d, err := timed(func() error { return srv.To(target).Emit("news", "x") })
		if err != nil {
			gcw.end()
			return res, err
		}
		got := sum(rs, func(r *runner) uint64 { return r.events }) - ev0
		res.BroadcastRoomMs = append(res.BroadcastRoomMs, ms(d))
		logf("broadcast to %q %d: %.3f ms, %d receivers\n", target, i, ms(d), got)
		if got != uint64(res.RoomMembers) {
			gcw.end()
			return res, fmt.Errorf("broadcast to %s: %d receivers, want %d", target, got, res.RoomMembers)
		}
	}
	gcw.end()

	// Every session: pinged and ponged once per round, each broadcast
	// received exactly once, not closed.
	var bad []string
	var mu sync.Mutex
	onAll(rs, func(r *runner) {
		var msgs []string
		r.each(func(pos int, f *fakeWS) {
			if len(msgs) >= 5 {
				return
			}
			k := r.idx + cfg.Shards*pos
			want := cfg.Broadcasts
			if inTarget(k) {
				want += cfg.Broadcasts
			}
			if int(f.pings) != cfg.Rounds || int(f.pongs) != cfg.Rounds || int(f.events) != want || f.closed != 0 {
				msgs = append(msgs, fmt.Sprintf("socket %d: %d pings, %d pongs, %d events (want %d), closed %d",
					k, f.pings, f.pongs, f.events, want, f.closed))
			}
		})
		mu.Lock()
		bad = append(bad, msgs...)
		mu.Unlock()
	})
	if len(bad) > 0 {
		return res, fmt.Errorf("per-session check failed: %s", strings.Join(bad, "; "))
	}

	heap2, rss2 := settle()
	res.HeapBytesPerSessionSteady = float64(heap2-heap0) / n
	res.RSSBytesPerSessionSteady = float64(rss2-rss0) / n
	res.HeapMiB, res.RSSMiB = mib(heap2), mib(rss2)
	res.PeakRSSMiB = mib(procStatus("VmHWM:"))
	gcw.report(&res)
	logf("steady state: heap %.0f B/session, RSS %.0f B/session (heap %.0f MiB, RSS %.0f MiB, peak RSS %.0f MiB)\n",
		res.HeapBytesPerSessionSteady, res.RSSBytesPerSessionSteady, res.HeapMiB, res.RSSMiB, res.PeakRSSMiB)
	logf("GC during connect+heartbeats+broadcasts: %d cycles, %d pauses, p99 ≤ %.3f ms, max ≤ %.3f ms, GC CPU %.1f%%\n",
		res.GCCount, res.GCPauses, res.GCPauseP99Ms, res.GCPauseMaxMs, 100*res.GCCPUFrac)

	if cfg.Close {
		start := time.Now()
		srv.Close()
		res.CloseSeconds = time.Since(start).Seconds()
		var left int
		var closes uint64
		onAll(rs, func(r *runner) {}) // a barrier: the shards are idle
		for _, r := range rs {
			left += r.sh.Len()
			closes += r.closes
		}
		logf("close: %.2fs, %d WebSockets closed, %d sessions left\n", res.CloseSeconds, closes, left)
		if left != 0 || closes != uint64(cfg.Sessions) {
			return res, fmt.Errorf("close: %d sessions left, %d closed, want 0 and %d", left, closes, cfg.Sessions)
		}
	}
	res.OK = true
	return res, nil
}

const sidAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

// shardOf is eio.ShardOf for a socket id (made by Shard.NewID, so its
// first character names the shard too).
func shardOf(id string) int { return strings.IndexByte(sidAlphabet, id[0]) }

func totalSlabs(rs []*runner) int {
	n := 0
	for _, r := range rs {
		n += len(r.slabs)
	}
	return n
}

func sum(rs []*runner, f func(r *runner) uint64) uint64 {
	var t uint64
	for _, r := range rs {
		t += f(r)
	}
	return t
}

func ms(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e6 }

func mib(b uint64) float64 { return float64(b) / (1 << 20) }

// settle collects garbage, returns free memory to the OS and reports the
// live heap and the RSS.
func settle() (heap, rss uint64) {
	runtime.GC()
	debug.FreeOSMemory()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc, vmRSS()
}

func vmRSS() uint64 { return procStatus("VmRSS:") }

// procStatus returns a /proc/self/status field given in kB, in bytes.
func procStatus(field string) uint64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, field); ok {
			kb, _ := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}

func writeHeapProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	runtime.GC()
	if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// gcWindow accumulates the GC pauses and CPU of the measured phases only,
// leaving out the GCs the benchmark forces to measure memory.
type gcWindow struct {
	samples  []metrics.Sample
	pauses   []uint64 // bucket counts, summed over the windows
	buckets  []float64
	start    []uint64
	gcs      uint64
	gcCPU    float64
	totalCPU float64
	mark     struct {
		gcs          uint64
		gcCPU, total float64
	}
}

// pauseMetric is the GC stop-the-world pause histogram; "/gc/pauses:seconds"
// is its deprecated name.
func pauseMetric() string {
	for _, d := range metrics.All() {
		if d.Name == "/sched/pauses/total/gc:seconds" {
			return d.Name
		}
	}
	return "/gc/pauses:seconds"
}

func (w *gcWindow) read() {
	if w.samples == nil {
		w.samples = []metrics.Sample{
			{Name: pauseMetric()},
			{Name: "/gc/cycles/total:gc-cycles"},
			{Name: "/cpu/classes/gc/total:cpu-seconds"},
			{Name: "/cpu/classes/total:cpu-seconds"},
		}
	}
	metrics.Read(w.samples)
}

func (w *gcWindow) begin() {
	w.read()
	h := w.samples[0].Value.Float64Histogram()
	w.buckets = h.Buckets
	w.start = append(w.start[:0], h.Counts...)
	w.mark.gcs = w.samples[1].Value.Uint64()
	w.mark.gcCPU = w.samples[2].Value.Float64()
	w.mark.total = w.samples[3].Value.Float64()
}

func (w *gcWindow) end() {
	w.read()
	h := w.samples[0].Value.Float64Histogram()
	if w.pauses == nil {
		w.pauses = make([]uint64, len(h.Counts))
	}
	for i, c := range h.Counts {
		w.pauses[i] += c - w.start[i]
	}
	w.gcs += w.samples[1].Value.Uint64() - w.mark.gcs
	w.gcCPU += w.samples[2].Value.Float64() - w.mark.gcCPU
	w.totalCPU += w.samples[3].Value.Float64() - w.mark.total
}

func (w *gcWindow) report(res *result) {
	var total uint64
	for _, c := range w.pauses {
		total += c
	}
	res.GCCount, res.GCPauses = w.gcs, total
	if w.totalCPU > 0 {
		res.GCCPUFrac = w.gcCPU / w.totalCPU
	}
	if total == 0 {
		return
	}
	// Bucket i spans [buckets[i], buckets[i+1]); report upper bounds.
	upper := func(i int) float64 {
		if math.IsInf(w.buckets[i+1], 1) {
			return w.buckets[i] * 1e3
		}
		return w.buckets[i+1] * 1e3
	}
	need := (total*99 + 99) / 100
	var cum uint64
	for i, c := range w.pauses {
		cum += c
		if c > 0 {
			res.GCPauseMaxMs = upper(i)
		}
		if cum >= need && res.GCPauseP99Ms == 0 {
			res.GCPauseP99Ms = upper(i)
		}
	}
}
