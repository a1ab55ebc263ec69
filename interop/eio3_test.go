package interop

import (
	"errors"
	"io"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/sioloop/sioloop"
	"github.com/sioloop/sioloop/eio"
	"github.com/sioloop/sioloop/internal/nodetest"
	"github.com/sioloop/sioloop/internal/testserver"
	"github.com/sioloop/sioloop/loop"
	"github.com/sioloop/sioloop/sio"
)

// Older clients (eio.Options.AllowEIO3): socket.io-client 2.x, which
// speaks Engine.IO v3 and Socket.IO protocol v4, from its own npm project
// (testdata/eio3: the 2.x client cannot share a package.json with 4.8).
// testdata/eio3/client.cjs runs against the official server with
// allowEIO3 (testdata/eio3/server.cjs) and against sioloop serving the
// same contract; the Go client github.com/googollee/go-socket.io is
// tested in its own module (goclient/).

const eio3Dir = "testdata/eio3"

// The heartbeat of the contract: short, so that the drivers see the
// client's pings answered a few times.
var (
	eio3PingInterval = 300 * time.Millisecond
	eio3PingTimeout  = 600 * time.Millisecond
)

var eio3Modules = sync.OnceValue(func() error { return nodetest.EnsureModules(eio3Dir) })

func eio3Env() []string {
	return []string{
		"EIO3_PING_INTERVAL=" + strconv.FormatInt(eio3PingInterval.Milliseconds(), 10),
		"EIO3_PING_TIMEOUT=" + strconv.FormatInt(eio3PingTimeout.Milliseconds(), 10),
	}
}

// newEIO3 serves the contract of testdata/eio3/server.cjs with sioloop.
func newEIO3(allow bool) *sioloop.Server {
	io := sioloop.Attach(loop.New(nil), &sio.Options{
		Engine: eio.Options{PingInterval: eio3PingInterval, PingTimeout: eio3PingTimeout, AllowEIO3: allow},
	})
	io.Use(func(s *sio.Socket, next func(error)) {
		switch s.Handshake().Query.Get("refuse") {
		case "data":
			next(sio.NewConnectError("refused", map[string]string{"why": "test"}))
		case "plain":
			next(errors.New("refused"))
		default:
			next(nil)
		}
	})
	io.OnConnection(func(s *sio.Socket) {
		_ = s.Emit("welcome", s.ID())
		s.On("echo", func(s *sio.Socket, ev *sio.Event) { _ = ev.Ack(ev.Spread()...) })
		s.On("ask", func(s *sio.Socket, ev *sio.Event) {
			_ = s.Emit("question", []byte{9, 8, 7}, "x", sio.AckHandler(func(answer *sio.Args, err error) {
				if err == nil {
					_ = s.Emit("answer", answer.Spread()...)
				}
			}))
		})
	})
	io.Of("/admin").OnConnection(func(s *sio.Socket) {
		_ = s.Emit("auth", s.Handshake().Auth, s.ID())
	})
	return io
}

func runEIO3Client(t *testing.T, baseURL string) {
	if err := eio3Modules(); err != nil {
		t.Fatal(err)
	}
	for _, sc := range []string{"polling", "websocket", "upgrade"} {
		t.Run(sc, func(t *testing.T) {
			nodetest.Run(t, 60*time.Second, eio3Dir, eio3Env(), "node", "client.cjs", sc, baseURL)
		})
	}
}

// TestSocketIOClient2 runs socket.io-client 2.5 against sioloop with
// AllowEIO3: events, acks both ways, binary, namespaces and refusals over
// polling, WebSocket and the upgrade, and the client's pings.
func TestSocketIOClient2(t *testing.T) {
	runEIO3Client(t, "http://"+testserver.Start(t, newEIO3(true)))
}

// TestEIO3RefusedByDefault: without AllowEIO3, a v3 handshake (or one
// with no EIO at all) gets what engine.io answers with allowEIO3 off.
func TestEIO3RefusedByDefault(t *testing.T) {
	base := "http://" + testserver.Start(t, newEIO3(false))
	for _, q := range []string{"EIO=3&transport=polling", "transport=polling"} {
		res, err := http.Get(base + "/socket.io/?" + q)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 400 || string(body) != `{"code":5,"message":"Unsupported protocol version"}` {
			t.Errorf("%s: %d %s", q, res.StatusCode, body)
		}
	}
}
