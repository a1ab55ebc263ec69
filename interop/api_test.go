package interop

import (
	"errors"
	"testing"

	"github.com/sioloop/sioloop"
	"github.com/sioloop/sioloop/internal/nodetest"
	"github.com/sioloop/sioloop/internal/testserver"
	"github.com/sioloop/sioloop/sio"
)

// newAPI returns the contract of testdata/api-reference-server.mjs (see
// api-client.mjs), not yet serving: Leave of several rooms, Off of one
// handler and of all, a typed handler.
func newAPI() *sioloop.Server {
	io := sioloop.NewServer(nil)
	type greet struct {
		Name string `json:"name"`
		N    int    `json:"n"`
	}
	type greeting struct {
		Greeting string `json:"greeting"`
		Double   int    `json:"double"`
	}
	io.Of("/api").OnConnection(func(s *sio.Socket) {
		s.On("rooms", func(s *sio.Socket, ev *sio.Event) {
			var join, leave []string
			if ev.Bind(&join, &leave) != nil {
				return
			}
			s.Join(join...)
			s.Leave(leave...)
			_ = ev.Ack(s.Rooms()[1:])
		})
		tick1 := func(s *sio.Socket, _ *sio.Event) { _ = s.Emit("tick-1") }
		tick2 := func(s *sio.Socket, _ *sio.Event) { _ = s.Emit("tick-2") }
		s.On("tick", tick1)
		s.On("tick", tick2)
		s.On("off-one", func(s *sio.Socket, ev *sio.Event) { s.Off("tick", tick1); _ = ev.Ack() })
		s.On("off-all", func(s *sio.Socket, ev *sio.Event) { s.Off("tick"); _ = ev.Ack() })
		s.On("ping", func(s *sio.Socket, ev *sio.Event) { _ = ev.Ack("pong") })
		s.On("greet", sio.HandleAck(func(s *sio.Socket, g greet) (greeting, error) {
			if g.Name == "" {
				return greeting{}, errors.New("no name")
			}
			return greeting{"hello " + g.Name, 2 * g.N}, nil
		}))
	})
	return io
}

// TestNodeUserAPI runs api-client.mjs (socket.io-client 4.8) against the
// contract: what Node's socket.leave, socket.off(event, fn) and a typed
// handler show on the wire.
func TestNodeUserAPI(t *testing.T) {
	base := "http://" + testserver.Start(t, newAPI())
	nodetest.Run(t, scenarioTimeout, testdataDir, nil, "node", "api-client.mjs", base)
}
