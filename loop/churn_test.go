package loop_test

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gobwas/ws"
	"github.com/gobwas/ws/wsutil"
	"github.com/sioloop/sioloop/eio"
	"github.com/sioloop/sioloop/internal/testserver"
	"github.com/sioloop/sioloop/internal/testwait"
	"github.com/sioloop/sioloop/loop"
	"github.com/sioloop/sioloop/sio"
)

// churnSessions is the size of TestChurnReturnsToBaseline: a few thousand
// in make test; `make soak` runs 50,000.
var churnSessions = flag.Int("churn", 3000, "TestChurnReturnsToBaseline: sessions in all (in waves of a tenth, at least 500)")

// How a churn session ends: every way a client leaves.
const (
	wsClean     = iota // DISCONNECT, close frame
	wsAbrupt           // TCP reset, no close frame
	pollClean          // DISCONNECT, Engine.IO close packet
	pollPending        // its GET held, then both connections reset
	pollVanish         // stops polling, connections reset: the ping timeout ends it
	churnModes
)

var churnModeNames = [churnModes]string{"websocket, clean", "websocket, reset", "polling, clean", "polling, GET held, reset", "polling, gone between GETs"}

// TestChurnReturnsToBaseline opens and ends sessions in waves — WebSocket
// and long-polling, closed cleanly, reset, with a GET held, gone between
// GETs — each joining a room and answering an ack, 100 at a time. After
// every wave the server must be back where it was: no session, socket or
// room left, the timing wheels as empty as at the start, as many
// goroutines and open files as after the first wave, and its heap (after
// a GC) within 4 MiB of it. Server and clients share the process; the
// figures are logged (`make soak` runs 50,000 sessions).
func TestChurnReturnsToBaseline(t *testing.T) {
	io := sio.NewServer(&sio.Options{Engine: eio.Options{PingInterval: 500 * time.Millisecond, PingTimeout: time.Second}})
	io.OnConnection(func(s *sio.Socket) {
		s.On("join", func(s *sio.Socket, ev *sio.Event) {
			room, _ := ev.String(0)
			s.Join(room)
			_ = ev.Ack("ok")
		})
	})
	srv := loop.New(&loop.Options{NumLoops: 2})
	srv.Handle(io.Path(), io.Engine(), nil)
	addr := testserver.Start(t, srv)

	wave := max(500, *churnSessions/10)
	waves := max(1, *churnSessions/wave)
	ctx, cancel := context.WithTimeout(context.Background(), testwait.Timeout)
	timers0, err := loop.Timers(ctx, srv)
	cancel()
	if err != nil {
		t.Fatal(err)
	}
	f := settleChurn(t, io, srv, timers0)
	t.Logf("fresh server: goroutines %d, open files %d, heap in use %.1f MiB, RSS %.1f MiB, timers %d",
		f.goroutines, f.files, mib(f.heap), mib(f.rss), f.timers)
	var base churnFigures
	start := time.Now()
	for w := 0; w <= waves; w++ { // wave 0 warms up: pools, slabs, tables
		if err := runChurnWave(addr, wave, w); err != nil {
			t.Fatalf("wave %d: %v", w, err)
		}
		f = settleChurn(t, io, srv, timers0)
		if w == 0 {
			base = f
		}
		t.Logf("wave %d (%d sessions): goroutines %d, open files %d, heap in use %.1f MiB, RSS %.1f MiB, timers %d",
			w, wave, f.goroutines, f.files, mib(f.heap), mib(f.rss), f.timers)
		if w > 0 {
			checkChurnBaseline(t, w, base, f)
		}
	}
	t.Logf("%d sessions in %d waves after a warm-up wave in %v", waves*wave, waves, time.Since(start).Round(time.Millisecond))
}

// churnFigures is what a wave must leave as it found.
type churnFigures struct {
	goroutines, files, timers int
	heap, rss                 uint64
}

func mib(b uint64) float64 { return float64(b) / (1 << 20) }

// settleChurn waits until the server holds no session, socket or room
// and its wheels are back to timers0, then samples the figures.
func settleChurn(t *testing.T, io *sio.Server, srv *loop.Server, timers0 int) churnFigures {
	t.Helper()
	var f churnFigures
	testwait.Until(t, testwait.Timeout, "sessions, sockets, rooms and timers gone", func() bool {
		st, err := io.Stats()
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), testwait.Timeout)
		defer cancel()
		if f.timers, err = loop.Timers(ctx, srv); err != nil {
			t.Fatal(err)
		}
		return sum(st.Sessions) == 0 && sum(st.Sockets) == 0 && sum(st.Rooms) == 0 && f.timers == timers0
	})
	runtime.GC()
	debug.FreeOSMemory()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	f.heap = ms.HeapInuse
	f.goroutines = runtime.NumGoroutine()
	f.files = openFiles(t)
	f.rss = rss(t)
	return f
}

// checkChurnBaseline fails t if a wave left more behind than the
// warm-up wave. Goroutines and files are sampled until they settle (a
// closed conn's fd is released as its loop sees the close).
func checkChurnBaseline(t *testing.T, w int, base, f churnFigures) {
	t.Helper()
	testwait.Until(t, testwait.Timeout, fmt.Sprintf("wave %d: goroutines back to %d and open files to %d", w, base.goroutines, base.files), func() bool {
		return runtime.NumGoroutine() <= base.goroutines && openFiles(t) <= base.files
	})
	if f.heap > base.heap+4<<20 {
		t.Errorf("wave %d: heap in use %.1f MiB, %.1f MiB after the warm-up wave", w, mib(f.heap), mib(base.heap))
	}
}

func sum[K comparable](m map[K]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// openFiles counts the process's open file descriptors.
func openFiles(t *testing.T) int {
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(fds)
}

// rss returns the process's resident set size.
func rss(t *testing.T) uint64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		t.Fatal(err)
	}
	var size, resident uint64
	fmt.Sscan(string(b), &size, &resident)
	return resident * uint64(os.Getpagesize())
}

// runChurnWave runs n sessions, 100 at a time, their ends cycling through
// the modes; it returns the first failure.
func runChurnWave(addr string, n, wave int) error {
	const workers = 100
	var next atomic.Int64
	var mu sync.Mutex
	var first error
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				room := fmt.Sprintf("room-%d", i%50)
				var err error
				if mode := i % churnModes; mode <= wsAbrupt {
					err = churnWebSocket(addr, room, mode)
				} else {
					err = churnPolling(addr, room, mode)
				}
				if err != nil {
					mu.Lock()
					if first == nil {
						first = fmt.Errorf("session %d (%s): %w", i, churnModeNames[i%churnModes], err)
					}
					mu.Unlock()
					return
				}
			}
		}()
	}
	wg.Wait()
	return first
}

// churnWebSocket runs one WebSocket session: CONNECT, a join with an ack,
// then the end mode says.
func churnWebSocket(addr, room string, mode int) error {
	ctx, cancel := context.WithTimeout(context.Background(), testwait.Timeout)
	defer cancel()
	c, br, _, err := ws.Dial(ctx, "ws://"+addr+"/socket.io/?EIO=4&transport=websocket")
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(testwait.Timeout))
	var rw io.ReadWriter = c
	if br != nil {
		rw = struct {
			io.Reader
			io.Writer
		}{br, c}
	}
	read := func(prefix string) error {
		for {
			msg, err := wsutil.ReadServerText(rw)
			if err != nil {
				return fmt.Errorf("waiting for %q: %w", prefix, err)
			}
			if strings.HasPrefix(string(msg), prefix) {
				return nil
			}
			if msg[0] == '2' { // a ping
				if err := wsutil.WriteClientText(c, []byte("3")); err != nil {
					return err
				}
			}
		}
	}
	steps := []struct{ send, want string }{
		{"", "0{"}, {"40", "40{"}, {`421["join","` + room + `"]`, `431["ok"]`},
	}
	for _, s := range steps {
		if s.send != "" {
			if err := wsutil.WriteClientText(c, []byte(s.send)); err != nil {
				return err
			}
		}
		if err := read(s.want); err != nil {
			return err
		}
	}
	if mode == wsAbrupt {
		return reset(c)
	}
	if err := wsutil.WriteClientText(c, []byte("41")); err != nil {
		return err
	}
	return ws.WriteFrame(c, ws.MaskFrame(ws.NewCloseFrame(ws.NewCloseFrameBody(ws.StatusNormalClosure, ""))))
}

// reset closes c with a TCP reset: no FIN, no close frame.
func reset(c net.Conn) error {
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	return c.Close()
}

// pollConn is one keep-alive HTTP/1.1 connection of a polling client.
type pollConn struct {
	c  net.Conn
	br *bufio.Reader
}

func dialPoll(addr string) (*pollConn, error) {
	c, err := net.DialTimeout("tcp", addr, testwait.Timeout)
	if err != nil {
		return nil, err
	}
	c.SetDeadline(time.Now().Add(testwait.Timeout))
	return &pollConn{c: c, br: bufio.NewReader(c)}, nil
}

// send writes a request; query follows "EIO=4&transport=polling".
func (p *pollConn) send(method, query, body string) error {
	_, err := fmt.Fprintf(p.c, "%s /socket.io/?EIO=4&transport=polling%s HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n%s",
		method, query, len(body), body)
	return err
}

// receive reads one response and returns its body.
func (p *pollConn) receive() (string, error) {
	resp, err := http.ReadResponse(p.br, nil)
	if err != nil {
		return "", err
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		return "", fmt.Errorf("status %d: %s", resp.StatusCode, b)
	}
	return string(b), err
}

func (p *pollConn) do(method, query, body string) (string, error) {
	if err := p.send(method, query, body); err != nil {
		return "", err
	}
	return p.receive()
}

// churnPolling runs one long-polling session: CONNECT, a join with an
// ack, then the end mode says.
func churnPolling(addr, room string, mode int) error {
	p, err := dialPoll(addr)
	if err != nil {
		return err
	}
	defer p.c.Close()
	open, err := p.do("GET", "", "")
	i := strings.Index(open, `"sid":"`)
	if err != nil || i < 0 {
		return fmt.Errorf("handshake %q: %v", open, err)
	}
	sid := "&sid=" + open[i+7:i+7+eio.SIDLen]
	// getUntil GETs until a payload holds a packet starting with want.
	getUntil := func(want string) error {
		for {
			body, err := p.do("GET", sid, "")
			if err != nil {
				return fmt.Errorf("GET for %q: %w", want, err)
			}
			found := false
			for _, pk := range strings.Split(body, "\x1e") {
				found = found || strings.HasPrefix(pk, want)
				if pk == "2" { // a ping
					if _, err := p.do("POST", sid, "3"); err != nil {
						return err
					}
				}
			}
			if found {
				return nil
			}
		}
	}
	for _, s := range []struct{ send, want string }{{"40", "40{"}, {`421["join","` + room + `"]`, `431["ok"]`}} {
		if body, err := p.do("POST", sid, s.send); err != nil || body != "ok" {
			return fmt.Errorf("POST %q: %q %v", s.send, body, err)
		}
		if err := getUntil(s.want); err != nil {
			return err
		}
	}
	switch mode {
	case pollClean:
		if body, err := p.do("POST", sid, "41\x1e1"); err != nil || body != "ok" {
			return fmt.Errorf("POST close: %q %v", body, err)
		}
		return nil
	case pollPending:
		held, err := dialPoll(addr)
		if err != nil {
			return err
		}
		if err := held.send("GET", sid, ""); err != nil {
			return err
		}
		time.Sleep(time.Millisecond) // most of the time the GET is held by then
		_ = reset(held.c)
	}
	return reset(p.c)
}
