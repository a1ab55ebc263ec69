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
		for _, scenario := range []string{"shutdown", "burst"} {
			t.Run(scenario+"/"+transport, func(t *testing.T) { testShutdown(t, scenario, transport) })
		}
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

// testShutdown runs shutdown-client.mjs's scenario: its client asks for
// 300 packets (and, for "shutdown", an ack it answers 300 ms later), the
// server emits them and calls Shutdown at once.
func testShutdown(t *testing.T, scenario, transport string) {
	io := sioloop.NewServer(&sio.Options{Engine: eio.Options{PingInterval: time.Second, PingTimeout: 5 * time.Second}})
	answers := make(chan string, 1)
	shutdown := make(chan error, 1)
	pad := strings.Repeat("x", 1024)
	io.OnConnection(func(s *sio.Socket) {
		s.On("start", func(s *sio.Socket, ev *sio.Event) {
			var n int
			var withAck bool
			_ = ev.Decode(0, &n)
			_ = ev.Decode(1, &withAck)
			if withAck {
				_ = s.Emit("question", sio.AckHandler(func(a *sio.Args, err error) {
					v, _ := a.String(0)
					if err != nil {
						v = err.Error()
					}
					answers <- v
				}))
			}
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
	nodetest.Run(t, scenarioTimeout, testdataDir, nil, "node", "shutdown-client.mjs", scenario+":"+transport, url)
	if err := testwait.Recv(t, shutdown, testwait.Timeout, "return of Shutdown"); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	if scenario == "shutdown" {
		if a := testwait.Recv(t, answers, testwait.Timeout, "ack answer"); a != "answer" {
			t.Fatalf("the ack in flight got %q", a)
		}
	}
}
