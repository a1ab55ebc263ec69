package interop

import (
	"testing"
	"time"

	"github.com/sioloop/sioloop/eio"
	"github.com/sioloop/sioloop/internal/nodetest"
	"github.com/sioloop/sioloop/internal/testwait"
	"github.com/sioloop/sioloop/sio"
)

// startLimited serves the contract of testdata/limits-client.mjs with opts
// and returns its base URL and the server-side disconnect reasons.
func startLimited(t *testing.T, opts *sio.Options) (string, <-chan string) {
	t.Helper()
	reasons := make(chan string, 64)
	io := sio.NewServer(opts)
	io.OnConnection(func(s *sio.Socket) {
		s.On("echo", func(s *sio.Socket, ev *sio.Event) { _ = ev.Ack(ev.Spread()...) })
		s.On("join", func(s *sio.Socket, ev *sio.Event) {
			var rooms []string
			_ = ev.Decode(0, &rooms)
			s.Join(rooms...)
			_ = ev.Ack(s.Rooms())
		})
		s.OnError(func(s *sio.Socket, err error) { _ = s.Emit("socket-error", err.Error()) })
		s.OnDisconnect(func(s *sio.Socket, reason string) {
			select {
			case reasons <- reason:
			default:
			}
		})
	})
	return serveEngine(t, "/socket.io/", io.Engine()), reasons
}

// TestLimitsWithTheOfficialClient runs each scenario of
// testdata/limits-client.mjs over both transports against a server with
// the scenario's limit; each fails without the limit.
func TestLimitsWithTheOfficialClient(t *testing.T) {
	cases := []struct {
		scenario string
		opts     sio.Options
		reason   string // the flooding socket's server-side reason, if any
	}{
		{"event-rate", sio.Options{Limits: sio.Limits{EventRate: 20, EventBurst: 20}}, sio.ReasonRateLimited},
		{"byte-rate", sio.Options{Limits: sio.Limits{ByteRate: 20000, ByteBurst: 20000}}, sio.ReasonRateLimited},
		{"conn-cap", sio.Options{Engine: eio.Options{MaxConnections: 2}}, ""},
		{"conn-cap", sio.Options{Engine: eio.Options{MaxConnectionsPerIP: 2}}, ""},
		{"rooms-cap", sio.Options{Limits: sio.Limits{MaxRoomsPerSocket: 3}}, ""},
		{"attachments", sio.Options{Limits: sio.Limits{MaxAttachments: 2}}, sio.ReasonParseError},
	}
	for _, c := range cases {
		for _, transport := range []string{"websocket", "polling"} {
			t.Run(c.scenario+"/"+transport, func(t *testing.T) {
				opts := c.opts
				opts.Engine.PingInterval, opts.Engine.PingTimeout = time.Second, 5*time.Second
				url, reasons := startLimited(t, &opts)
				nodetest.Run(t, scenarioTimeout, testdataDir, nil, "node", "limits-client.mjs", c.scenario+":"+transport, url)
				if c.reason == "" {
					return
				}
				for {
					r := testwait.Recv(t, reasons, testwait.Timeout, "disconnect with reason "+c.reason)
					if r == c.reason {
						return
					}
				}
			})
		}
	}
}
