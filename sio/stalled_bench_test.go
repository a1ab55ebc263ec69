package sio_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gobwas/ws"
	"github.com/gobwas/ws/wsutil"
	"github.com/sioloop/sioloop/internal/testserver"
	"github.com/sioloop/sioloop/loop"
	"github.com/sioloop/sioloop/sio"
)

// smallRcvbuf dials with a 4 KiB receive buffer, so a client that stops
// reading stalls the server's socket early.
func smallRcvbuf(ctx context.Context, network, addr string) (net.Conn, error) {
	d := net.Dialer{Control: func(_, _ string, rc syscall.RawConn) error {
		var serr error
		if err := rc.Control(func(fd uintptr) {
			serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096)
		}); err != nil {
			return err
		}
		return serr
	}}
	return d.DialContext(ctx, network, addr)
}

// dialWS opens a WebSocket session through netDial (nil: the default)
// and connects to "/"; it returns the connection and its reader-writer.
func dialWS(tb testing.TB, addr string, netDial func(context.Context, string, string) (net.Conn, error)) (net.Conn, io.ReadWriter) {
	tb.Helper()
	d := ws.Dialer{NetDial: netDial}
	c, br, _, err := d.Dial(context.Background(), "ws://"+addr+"/socket.io/?EIO=4&transport=websocket")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { c.Close() })
	var r io.Reader = c
	if br != nil {
		r = io.MultiReader(br, c)
	}
	rw := struct {
		io.Reader
		io.Writer
	}{r, c}
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := wsutil.ReadServerText(rw); err != nil {
		tb.Fatal(err)
	}
	if err := wsutil.WriteClientText(rw, []byte("40")); err != nil {
		tb.Fatal(err)
	}
	if b, err := wsutil.ReadServerText(rw); err != nil || !strings.HasPrefix(string(b), "40") {
		tb.Fatalf("CONNECT answer %q %v", b, err)
	}
	return c, rw
}

// stalledClient connects to "/" with a small receive buffer and never
// reads again.
func stalledClient(tb testing.TB, addr string) { dialWS(tb, addr, smallRcvbuf) }

// fastReader reads ticks "42["tick",i,…]" from c until it has n,
// checking their order; it answers pings. It reports its error (nil: all
// n in order).
func fastReader(c net.Conn, rw io.ReadWriter, n int) <-chan error {
	done := make(chan error, 1)
	go func() {
		next := 0
		for next < n {
			c.SetReadDeadline(time.Now().Add(10 * time.Second))
			b, _, err := wsutil.ReadServerData(rw)
			if err != nil {
				done <- fmt.Errorf("after %d ticks: %w", next, err)
				return
			}
			if string(b) == "2" {
				_ = wsutil.WriteClientText(rw, []byte("3"))
				continue
			}
			rest, ok := strings.CutPrefix(string(b), `42["tick",`)
			if !ok {
				continue
			}
			i, _ := strconv.Atoi(rest[:strings.IndexByte(rest, ',')])
			if i != next {
				done <- fmt.Errorf("tick %d after %d", i, next-1)
				return
			}
			next++
		}
		done <- nil
	}()
	return done
}

// BenchmarkStalledReceiverMemory measures the heap a server holds for
// receivers that stopped reading: 20 stalled clients (4 KiB receive
// buffer) and one fast one on a single loop, 900 broadcasts of 4 KiB
// (3.6 MB each, under the default high-water mark, past what the kernel
// absorbs). Reported: heap in use after the broadcasts less before them,
// per stalled receiver, once the fast reader has everything (the loop has
// written every broadcast).
func BenchmarkStalledReceiverMemory(b *testing.B) {
	const (
		stalled = 20
		ticks   = 900
		size    = 4 << 10
	)
	for range b.N {
		io := sio.NewServer(nil)
		srv := loop.New(&loop.Options{NumLoops: 1})
		srv.Handle("/socket.io/", io.Engine(), nil)
		addr := testserver.Start(b, srv)
		for range stalled {
			stalledClient(b, addr)
		}
		c, rw := dialWS(b, addr, nil)
		reader := fastReader(c, rw, ticks)
		before := heapInUse()
		payload := strings.Repeat("x", size)
		for i := range ticks {
			if err := io.Emit("tick", i, payload); err != nil {
				b.Fatal(err)
			}
			if i%50 == 49 {
				time.Sleep(time.Millisecond)
			}
		}
		select {
		case err := <-reader:
			if err != nil {
				b.Fatal(err)
			}
		case <-time.After(30 * time.Second):
			b.Fatal("the fast reader has not got every broadcast")
		}
		held := heapInUse() - before
		b.ReportMetric(float64(held)/stalled, "B/stalled")
	}
}

func heapInUse() int64 {
	var m runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m)
	return int64(m.HeapInuse)
}
