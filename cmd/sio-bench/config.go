package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// config is the parsed command line. A worker process parses the same
// arguments as its parent and then takes its share (config.share).
type config struct {
	url        string
	host       string // "ip:port", what is dialed and sent as Host
	senderURL  string // fanout: the sender's server, when not url's
	senderHost string // its "ip:port" (host when senderURL is empty)
	path       string // "/socket.io/"
	nsp        string
	scenario   string
	transport  string // "websocket" or "polling"

	conns     int
	receivers int
	procs     int
	pid       int
	syscalls  bool

	duration time.Duration
	warmup   time.Duration
	hold     time.Duration // idle: 0 means 2×pingInterval + 5s
	timeout  time.Duration // extra time every phase may take before it is cut

	connectRate float64
	connectConc int
	src         string
	srcIPs      []net.IP

	payload  int
	rate     float64
	inflight int
	batch    int
	mode     string // fanout: "all" or "room"
	burst    int
	room     string

	stalled    int // slow: receivers that stop reading after the handshake
	rcvbuf     int // slow: their SO_RCVBUF
	broadcasts int // fanout, slow: stop after this many broadcasts (0: at the end of -duration)

	progress time.Duration
	settle   time.Duration // storm: wait before the last RSS sample

	// Set in worker processes only: this process is worker index of count.
	worker      string
	workerIndex int
	workerCount int
}

// scenarios lists the -scenario values.
var scenarios = []string{"idle", "echo", "fanout", "slow", "storm", "polling"}

// newFlagSet declares every flag on a fresh FlagSet bound to cfg.
func newFlagSet(cfg *config, out io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("sio-bench", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.StringVar(&cfg.url, "url", "http://127.0.0.1:3000", "server `URL` (loopback only)")
	fs.StringVar(&cfg.senderURL, "sender-url", "", "fanout: the sender's server `URL` (default -url): another node of a cluster, so that every broadcast crosses the cluster")
	fs.StringVar(&cfg.path, "path", "/socket.io/", "Socket.IO path")
	fs.StringVar(&cfg.nsp, "nsp", "/", "namespace")
	fs.StringVar(&cfg.scenario, "scenario", "echo", "idle|echo|fanout|slow|storm|polling")
	fs.StringVar(&cfg.transport, "transport", "websocket", "websocket|polling (the polling scenario forces polling)")
	fs.IntVar(&cfg.conns, "conns", 100, "connections (idle, echo, storm workers, polling)")
	fs.IntVar(&cfg.receivers, "receivers", 0, "fanout: receiving connections (0: -conns)")
	fs.IntVar(&cfg.procs, "procs", 1, "child processes sharing the connections")
	fs.IntVar(&cfg.pid, "pid", 0, "server `PID`: report its RSS and CPU from /proc")
	fs.BoolVar(&cfg.syscalls, "syscalls", false, "echo, polling, fanout: count the server's (-pid) system calls over the measured window with perf stat, per message")
	fs.DurationVar(&cfg.duration, "duration", 10*time.Second, "measured window")
	fs.DurationVar(&cfg.warmup, "warmup", 2*time.Second, "load before the measured window")
	fs.DurationVar(&cfg.hold, "hold", 0, "idle: how long to hold the connections (0: 2×pingInterval + 5s)")
	fs.DurationVar(&cfg.timeout, "timeout", 60*time.Second, "how much longer than planned a phase may take (connecting, draining)")
	fs.Float64Var(&cfg.connectRate, "connect-rate", 0, "connections opened per second (0: as fast as -connect-concurrency allows)")
	fs.IntVar(&cfg.connectConc, "connect-concurrency", 200, "connection attempts in flight")
	fs.StringVar(&cfg.src, "src", "127.0.0.2-127.0.0.50", "source address `range` the connections rotate over")
	fs.IntVar(&cfg.payload, "payload", 32, "payload `bytes` (echo string; fanout padding)")
	fs.Float64Var(&cfg.rate, "rate", 0, "echo/polling: emits/s in total, open loop (0: closed loop); fanout: broadcasts/s (default 2)")
	fs.IntVar(&cfg.inflight, "inflight", 1, "closed loop: emits outstanding per connection")
	fs.IntVar(&cfg.batch, "batch", 1, "emits written per write() call")
	fs.StringVar(&cfg.mode, "mode", "all", "fanout: all (io.emit) | room (io.to(room).emit)")
	fs.IntVar(&cfg.burst, "burst", 0, "fanout: send K broadcasts back to back instead of -rate")
	fs.StringVar(&cfg.room, "room", "r", "fanout -mode room: the room name")
	fs.IntVar(&cfg.stalled, "stalled", 10, "slow: receivers (of -receivers) that stop reading after the handshake")
	fs.IntVar(&cfg.rcvbuf, "rcvbuf", 4096, "slow: the stalled receivers' SO_RCVBUF `bytes`")
	fs.IntVar(&cfg.broadcasts, "broadcasts", 0, "fanout: stop after N broadcasts (0: at the end of -duration); slow: default 2000")
	fs.DurationVar(&cfg.progress, "progress", 2*time.Second, "progress line interval on stderr (0: none)")
	fs.DurationVar(&cfg.settle, "settle", 5*time.Second, "storm: how long after the end the server's RSS is sampled again (rss_after_kib)")
	fs.StringVar(&cfg.worker, "worker", "", "internal: run as worker `i/n` of a -procs parent")
	fs.Usage = func() {
		fmt.Fprintf(out, "usage: sio-bench -url http://127.0.0.1:3000 -scenario idle|echo|fanout|slow|storm|polling [flags]\n")
		fs.VisitAll(func(f *flag.Flag) {
			if f.Name == "worker" {
				return // hidden: the parent passes it to its children
			}
			name, usage := flag.UnquoteUsage(f)
			fmt.Fprintf(out, "  -%s %s\n    \t%s", f.Name, name, usage)
			if f.DefValue != "" && f.DefValue != "0" && f.DefValue != "0s" {
				fmt.Fprintf(out, " (default %s)", f.DefValue)
			}
			fmt.Fprintln(out)
		})
	}
	return fs
}

// parseConfig parses args (without the program name) and checks them.
func parseConfig(args []string, out io.Writer) (*config, error) {
	cfg := &config{}
	fs := newFlagSet(cfg, out)
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	return cfg, cfg.check()
}

// check validates the flags and fills the derived fields.
func (c *config) check() error {
	known := false
	for _, s := range scenarios {
		known = known || s == c.scenario
	}
	if !known {
		return fmt.Errorf("-scenario %q: want one of %s", c.scenario, strings.Join(scenarios, ", "))
	}
	if c.scenario == "polling" {
		c.transport = "polling"
	}
	if c.transport != "websocket" && c.transport != "polling" {
		return fmt.Errorf("-transport %q: want websocket or polling", c.transport)
	}
	if c.scenario == "slow" {
		if c.transport != "websocket" {
			return errors.New("-scenario slow: websocket only")
		}
		c.mode = "all"
		if c.rate <= 0 {
			c.rate = 50
		}
		if c.broadcasts <= 0 {
			c.broadcasts = 2000
		}
	}
	if c.fanoutLike() {
		if c.receivers <= 0 {
			c.receivers = c.conns
		}
		if c.mode != "all" && c.mode != "room" {
			return fmt.Errorf("-mode %q: want all or room", c.mode)
		}
		if c.rate <= 0 && c.burst <= 0 {
			c.rate = 2
		}
	}
	if c.scenario == "slow" && (c.stalled < 0 || c.stalled >= c.receivers) {
		return fmt.Errorf("-stalled %d: want 0 to -receivers - 1", c.stalled)
	}
	if c.conns < 1 || c.receivers < 0 {
		return errors.New("-conns must be at least 1")
	}
	if c.syscalls && c.worker == "" {
		if c.pid <= 0 {
			return errors.New("-syscalls needs the server's -pid")
		}
		if err := checkPerf(); err != nil {
			return err
		}
	}
	if c.procs < 1 {
		c.procs = 1
	}
	if c.inflight < 1 {
		c.inflight = 1
	}
	if c.batch < 1 {
		c.batch = 1
	}
	if c.inflight < c.batch {
		c.inflight = c.batch // a closed loop writes whole batches
	}
	if c.connectConc < 1 {
		c.connectConc = 1
	}
	if c.payload < 0 {
		c.payload = 0
	}
	if c.duration <= 0 {
		return errors.New("-duration must be positive")
	}
	if c.warmup < 0 {
		c.warmup = 0
	}
	if c.timeout <= 0 {
		c.timeout = 60 * time.Second
	}
	if !strings.HasPrefix(c.path, "/") {
		c.path = "/" + c.path
	}
	if !strings.HasSuffix(c.path, "/") {
		c.path += "/"
	}
	if c.nsp == "" {
		c.nsp = "/"
	}
	if !strings.HasPrefix(c.nsp, "/") {
		return fmt.Errorf("-nsp %q: a namespace starts with /", c.nsp)
	}
	host, err := loopbackHost(c.url)
	if err != nil {
		return err
	}
	c.host, c.senderHost = host, host
	if c.senderURL != "" {
		if c.senderHost, err = loopbackHost(c.senderURL); err != nil {
			return fmt.Errorf("-sender-url: %w", err)
		}
	}
	if c.srcIPs, err = parseSrcRange(c.src); err != nil {
		return err
	}
	if c.worker != "" {
		if _, err := fmt.Sscanf(c.worker, "%d/%d", &c.workerIndex, &c.workerCount); err != nil ||
			c.workerCount < 1 || c.workerIndex < 0 || c.workerIndex >= c.workerCount {
			return fmt.Errorf("-worker %q: want i/n", c.worker)
		}
	}
	return nil
}

// loopbackHost returns the "ip:port" of rawURL, refusing anything that is
// not a loopback address: this tool loads only servers on this machine.
func loopbackHost(rawURL string) (string, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "", fmt.Errorf("-url: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "ws" {
		return "", fmt.Errorf("-url %q: want http:// or ws:// (no TLS)", rawURL)
	}
	h, port := u.Hostname(), u.Port()
	if port == "" {
		port = "80"
	}
	if h == "localhost" {
		h = "127.0.0.1"
	}
	ip := net.ParseIP(h)
	if ip == nil || !ip.IsLoopback() {
		return "", fmt.Errorf("-url %q: only loopback addresses (127.0.0.0/8, ::1) may be loaded", rawURL)
	}
	return net.JoinHostPort(ip.String(), port), nil
}

// parseSrcRange parses "127.0.0.2-127.0.0.50" (or one address, or a comma
// list) into loopback IPv4 addresses; an empty range means "let the kernel
// choose".
func parseSrcRange(s string) ([]net.IP, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	var ips []net.IP
	for _, part := range strings.Split(s, ",") {
		lo, hi, isRange := strings.Cut(strings.TrimSpace(part), "-")
		a := net.ParseIP(lo).To4()
		b := a
		if isRange {
			b = net.ParseIP(hi).To4()
		}
		if a == nil || b == nil || !a.IsLoopback() || !b.IsLoopback() {
			return nil, fmt.Errorf("-src %q: want loopback IPv4 addresses like 127.0.0.2-127.0.0.50", s)
		}
		x, y := ipv4Int(a), ipv4Int(b)
		if y < x || y-x > 1<<16 {
			return nil, fmt.Errorf("-src %q: bad range", s)
		}
		for v := x; v <= y; v++ {
			ips = append(ips, net.IPv4(byte(v>>24), byte(v>>16), byte(v>>8), byte(v)).To4())
		}
	}
	return ips, nil
}

func ipv4Int(ip net.IP) uint32 {
	return uint32(ip[0])<<24 | uint32(ip[1])<<16 | uint32(ip[2])<<8 | uint32(ip[3])
}

// share returns how many of n items worker index of count takes: an even
// split, the first workers taking the remainder.
func share(n, index, count int) int {
	s := n / count
	if index < n%count {
		s++
	}
	return s
}

// fanoutLike reports whether the scenario is fanout's: one sender's
// broadcasts to -receivers.
func (c *config) fanoutLike() bool { return c.scenario == "fanout" || c.scenario == "slow" }

// localConns is how many connections this process opens (fanout: the
// receivers, slow: those that read; the sender and the stalled receivers
// are extra, on worker 0).
func (c *config) localConns() int {
	n := c.conns
	if c.fanoutLike() {
		n = c.receivers
	}
	if c.scenario == "slow" {
		n -= c.stalled
	}
	if c.workerCount > 1 {
		return share(n, c.workerIndex, c.workerCount)
	}
	return n
}

// totalConns is the connection count the scenario asks for in total.
func (c *config) totalConns() int {
	if c.fanoutLike() {
		return c.receivers
	}
	return c.conns
}

// perProcess divides a total rate by the processes, weighted by this
// process's share of connections.
func (c *config) perProcess(total float64) float64 {
	if c.workerCount <= 1 || total <= 0 {
		return total
	}
	all := c.totalConns()
	if all == 0 {
		return total / float64(c.workerCount)
	}
	return total * float64(c.localConns()) / float64(all)
}

// setupBudget is how long opening n connections may take before the
// attempts left are abandoned (and counted as errors): -timeout, plus
// n/-connect-rate when paced, or 1ms a connection when not.
func (c *config) setupBudget(n int, rate float64) time.Duration {
	if rate > 0 {
		return c.timeout + time.Duration(float64(n)/rate*float64(time.Second))
	}
	return c.timeout + time.Duration(n)*time.Millisecond
}

// connectConcurrency is this process's share of -connect-concurrency.
func (c *config) connectConcurrency() int {
	if c.workerCount <= 1 {
		return c.connectConc
	}
	n := (c.connectConc + c.workerCount - 1) / c.workerCount
	return max(n, 1)
}

// connectRateLocal is this process's share of -connect-rate.
func (c *config) connectRateLocal() float64 {
	if c.workerCount <= 1 || c.connectRate <= 0 {
		return c.connectRate
	}
	return c.connectRate / float64(c.workerCount)
}

// wsURL is the WebSocket handshake URL.
func (c *config) wsURL() string {
	return "ws://" + c.host + c.path + "?EIO=4&transport=websocket"
}

// pollingURI is the request URI of the polling transport, without sid.
func (c *config) pollingURI() string {
	return c.path + "?EIO=4&transport=polling"
}

func itoa(n int) string { return strconv.Itoa(n) }
