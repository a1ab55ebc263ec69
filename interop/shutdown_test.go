package interop

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/sioloop/sioloop"
	"github.com/sioloop/sioloop/eio"
	"github.com/sioloop/sioloop/internal/nodetest"
	"github.com/sioloop/sioloop/internal/testserver"
	"github.com/sioloop/sioloop/internal/testwait"
	"github.com/sioloop/sioloop/sio"
)

// TestShutdownAndDrainWithTheOfficialClient: no packet emitted before
// Shutdown (the one call on sioloop.Server, which stops the network right
// after) is lost, the ack in flight is awaited, and Drain spreads the
// disconnects over its window, over both transports.
func TestShutdownAndDrainWithTheOfficialClient(t *testing.T) {
	for _, transport := range []string{"websocket", "polling"} {
		t.Run("shutdown/"+transport, func(t *testing.T) {
			io := sioloop.NewServer(&sio.Options{Engine: eio.Options{PingInterval: time.Second, PingTimeout: 5 * time.Second}})
			answers := make(chan string, 1)
			shutdown := make(chan error, 1)
			pad := strings.Repeat("x", 1024)
			io.OnConnection(func(s *sio.Socket) {
				s.On("start", func(s *sio.Socket, ev *sio.Event) {
					var n int
					_ = ev.Decode(0, &n)
					_ = s.Emit("question", sio.AckHandler(func(a *sio.Args, err error) {
						v, _ := a.String(0)
						if err != nil {
							v = err.Error()
						}
						answers <- v
					}))
					for i := range n {
						_ = s.Emit("n", i, pad)
					}
					go func() {
						ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
						defer cancel()
						shutdown <- io.Shutdown(ctx)
					}()
				})
			})
			url := "http://" + testserver.Start(t, io)
			nodetest.Run(t, scenarioTimeout, testdataDir, nil, "node", "shutdown-client.mjs", "shutdown:"+transport, url)
			if err := testwait.Recv(t, shutdown, testwait.Timeout, "return of Shutdown"); err != nil {
				t.Fatalf("Shutdown: %v", err)
			}
			if a := testwait.Recv(t, answers, testwait.Timeout, "ack answer"); a != "answer" {
				t.Fatalf("the ack in flight got %q", a)
			}
		})
		t.Run("drain/"+transport, func(t *testing.T) {
			io := sio.NewServer(&sio.Options{Engine: eio.Options{PingInterval: time.Second, PingTimeout: 5 * time.Second}})
			drained := make(chan error, 1)
			io.OnConnection(func(s *sio.Socket) {
				s.On("drain", func(*sio.Socket, *sio.Event) {
					go func() { drained <- io.Drain(time.Second) }()
				})
			})
			url := serveEngine(t, "/socket.io/", io.Engine())
			nodetest.Run(t, scenarioTimeout, testdataDir, nil, "node", "shutdown-client.mjs", "drain:"+transport, url)
			if err := testwait.Recv(t, drained, testwait.Timeout, "return of Drain"); err != nil {
				t.Fatalf("Drain: %v", err)
			}
		})
	}
}
