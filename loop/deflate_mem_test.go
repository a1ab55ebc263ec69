package loop_test

import (
	"context"
	"net"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/gobwas/httphead"
	"github.com/gobwas/ws"
	"github.com/gobwas/ws/wsflate"
	"github.com/sioloop/sioloop/eio"
	"github.com/sioloop/sioloop/internal/testserver"
	"github.com/sioloop/sioloop/loop"
)

// BenchmarkCompressedConnMemory measures what one more Engine.IO WebSocket
// connection costs in heap (server and in-process client, after a GC), each
// having sent and received one 2 KiB message, compressed or not: the heap
// grown by the second 1,000 connections, over 1,000 (B/conn), so the loop's
// one-time compressor (fixed, ~1.1 MB a loop) is not counted; the
// difference between deflate and plain is what compression costs a
// connection.
//
//	go test -run '^$' -bench CompressedConnMemory -benchtime 1x ./loop/
func BenchmarkCompressedConnMemory(b *testing.B) {
	const conns = 1000
	msg := []byte("4" + strings.Repeat("héllo wörld ", 170))
	for _, deflate := range []bool{false, true} {
		name := "plain"
		if deflate {
			name = "deflate"
		}
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				engine := eio.NewServer(&eio.Options{PerMessageDeflate: deflate})
				engine.OnMessage(func(s *eio.Session, data []byte, binary bool) { s.Send(data, binary) })
				srv := loop.New(nil)
				srv.Handle("/engine.io/", engine, nil)
				addr := testserver.Start(b, srv)
				d := ws.Dialer{Extensions: []httphead.Option{wsflate.DefaultParameters.Option()}}
				var before int64
				cs := make([]net.Conn, 0, 2*conns)
				for i := range 2 * conns {
					if i == conns {
						before = heapInUse()
					}
					c, br, _, err := d.Dial(context.Background(), "ws://"+addr+"/engine.io/?EIO=4&transport=websocket")
					if err != nil {
						b.Fatal(err)
					}
					if br != nil {
						ws.PutReader(br)
					}
					cs = append(cs, c)
					f := ws.NewTextFrame(append([]byte(nil), msg...)) // masked in place
					if deflate {
						f, _ = wsflate.CompressFrame(f)
					}
					c.SetDeadline(time.Now().Add(10 * time.Second))
					if err := ws.WriteFrame(c, ws.MaskFrameInPlace(f)); err != nil {
						b.Fatal(err)
					}
					for {
						got, err := ws.ReadFrame(c)
						if err != nil {
							b.Fatal(err)
						}
						if got.Header.Rsv != 0 || got.Header.Length > 100 { // the echo, not a ping
							break
						}
					}
				}
				b.ReportMetric(float64(heapInUse()-before)/conns, "B/conn")
				for _, c := range cs {
					c.Close()
				}
			}
		})
	}
}

func heapInUse() int64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapInuse)
}
