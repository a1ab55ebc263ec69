package interop

import (
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/sioloop/sioloop/eio"
	"github.com/sioloop/sioloop/internal/nodetest"
	"github.com/sioloop/sioloop/sio"
)

// The connection state recovery contract: testdata/sio-recovery-server.mjs
// (the official server) and startSIORecovery (sioloop) serve it;
// sio-client.mjs's "recovery-*" scenarios drive it.

// sioRecoveryDuration is the contract's maxDisconnectionDuration: short,
// so that "too late" comes soon.
const sioRecoveryDuration = 3 * time.Second

// recoveryScenarios run against a server that skips the middlewares on
// recovery (the default); recoveryRunScenarios against one that runs them.
var (
	recoveryScenarios = []string{
		"recovery-wire",
		"recovery-cut:websocket",
		"recovery-cut:polling",
		"recovery-too-late:websocket",
		"recovery-too-late:polling",
	}
	recoveryRunScenarios = []string{
		"recovery-cut:websocket:run",
		"recovery-cut:polling:run",
	}
)

// recoveryEnv is sioEnv with the recovery contract's settings.
func recoveryEnv(runMiddlewares bool) []string {
	skip := "1"
	if runMiddlewares {
		skip = "0"
	}
	return append(sioEnv(),
		"SIO_RECOVERY_MS="+strconv.FormatInt(sioRecoveryDuration.Milliseconds(), 10),
		"SIO_SKIP_MIDDLEWARES="+skip)
}

// startSIORecovery serves the recovery contract with sioloop.
func startSIORecovery(t *testing.T, runMiddlewares bool) string {
	t.Helper()
	io := sio.NewServer(&sio.Options{
		Engine: eio.Options{PingInterval: sioPingInterval, PingTimeout: sioPingTimeout},
		ConnectionStateRecovery: &sio.RecoveryOptions{
			MaxDisconnectionDuration: sioRecoveryDuration,
			RunMiddlewares:           runMiddlewares,
		},
	})
	var remembered sync.Map // socket id -> *sio.Socket, kept after it left
	// to returns the remembered socket ev names and the arguments to emit
	// to it, cloned: on another loop the emit runs after the handler.
	to := func(ev *sio.Event) (*sio.Socket, []any) {
		id, _ := ev.String(0)
		s, _ := remembered.Load(id)
		x, _ := s.(*sio.Socket)
		return x, ev.Args.Clone().Spread()[1:]
	}
	io.Use(func(s *sio.Socket, next func(error)) {
		n, _ := s.Data().(int)
		s.SetData(n + 1)
		next(nil)
	})
	io.OnConnection(func(s *sio.Socket) {
		remembered.Store(s.ID(), s)
		s.On("join", func(s *sio.Socket, ev *sio.Event) {
			r, _ := ev.String(0)
			s.Join(r)
			_ = ev.Ack(r)
		})
		s.On("hi", func(s *sio.Socket, ev *sio.Event) { _ = s.Emit("hi") })
		s.On("emit-all", func(s *sio.Socket, ev *sio.Event) { _ = io.Emit("all", ev.Spread()...) })
		s.On("to-room", func(s *sio.Socket, ev *sio.Event) {
			r, _ := ev.String(0)
			_ = io.To(r).Emit("room-msg", ev.Spread()[1:]...)
		})
		s.On("emit-to", func(s *sio.Socket, ev *sio.Event) {
			if x, args := to(ev); x != nil {
				_ = x.Emit("direct", args...)
			}
		})
		s.On("volatile-to", func(s *sio.Socket, ev *sio.Event) {
			if x, args := to(ev); x != nil {
				_ = x.Volatile().Emit("vol", args...)
				_ = io.Volatile().Emit("vol", args...)
			}
		})
		s.On("ack-to", func(s *sio.Socket, ev *sio.Event) {
			if x, args := to(ev); x != nil {
				_ = x.Timeout(10*time.Second).Emit("with-ack", append(args, sio.AckHandler(func(*sio.Args, error) {}))...)
			}
		})
		s.On("state", func(s *sio.Socket, ev *sio.Event) {
			mw, _ := s.Data().(int)
			_ = ev.Ack(map[string]any{"recovered": s.Recovered(), "id": s.ID(), "rooms": s.Rooms(), "mw": mw})
		})
		s.OnDisconnect(func(s *sio.Socket, reason string) { _ = io.Emit("left", s.ID(), reason) })
	})
	return serveEngine(t, "/socket.io/", io.Engine())
}

// testRecovery runs the recovery scenarios (socket.io-client 4.8 and raw
// polling) against the servers start starts.
func testRecovery(t *testing.T, start func(t *testing.T, runMiddlewares bool) string) {
	for _, run := range []bool{false, true} {
		baseURL := start(t, run)
		list := recoveryScenarios
		if run {
			list = recoveryRunScenarios
		}
		for _, sc := range list {
			t.Run(sc, func(t *testing.T) {
				nodetest.Run(t, sioScenarioTimeout(sc), testdataDir, recoveryEnv(run), "node", "sio-client.mjs", sc, baseURL)
			})
		}
	}
}

// TestConnectionStateRecovery drives the official socket.io-client 4.8
// through the recovery contract against sioloop: over WebSocket (cut
// without a close frame) and long-polling, missed broadcasts, room
// broadcasts and direct emits replayed in order, volatile and acked
// packets never, a reconnection too late, middlewares skipped or run.
func TestConnectionStateRecovery(t *testing.T) {
	testRecovery(t, startSIORecovery)
}
