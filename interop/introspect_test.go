package interop

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sioloop/sioloop"
	"github.com/sioloop/sioloop/internal/nodetest"
	"github.com/sioloop/sioloop/internal/testserver"
	"github.com/sioloop/sioloop/sio"
)

// newIntrospection returns the contract of
// testdata/introspect-reference-server.mjs (see introspect-client.mjs),
// not yet serving: a dynamic namespace cleaned up when empty, the counts
// and rooms a Node user reads, and one client's answer asked three ways.
func newIntrospection() *sioloop.Server {
	io := sioloop.NewServer(&sio.Options{CleanupEmptyChildNamespaces: true})
	rooms := io.OfRegexp(regexp.MustCompile(`^/room-\d+$`))
	rooms.Use(func(s *sio.Socket, next func(error)) {
		var auth struct{ Refuse bool }
		_ = json.Unmarshal(s.Handshake().Auth, &auth)
		if auth.Refuse {
			next(errors.New("refused"))
			return
		}
		next(nil)
	})
	rooms.OnConnection(func(s *sio.Socket) {
		_ = s.Emit("welcome", s.Namespace().Name())
		s.On("join", func(s *sio.Socket, ev *sio.Event) {
			var names []string
			_ = ev.Bind(&names)
			s.Join(names...)
			_ = ev.Ack()
		})
	})
	io.OnConnection(func(s *sio.Socket) {
		s.On("inspect", func(s *sio.Socket, ev *sio.Event) {
			name, _ := ev.String(0)
			ack := ev.AckFunc()
			go func() { ack(inspect(io.Server, name)) }() // Rooms waits for the loops
		})
		s.On("ask-back", func(s *sio.Socket, ev *sio.Event) {
			var ms, base int
			_ = ev.Bind(&ms, &base)
			ack := ev.AckFunc()
			go func() { ack(askBack(io.Server, s, time.Duration(ms)*time.Millisecond, base)) }()
		})
	})
	return io
}

// inspect answers "inspect": the /room-* namespaces, and name's sockets
// count and rooms, with the engine's clients count.
func inspect(io *sio.Server, name string) map[string]any {
	out := map[string]any{"namespaces": []string{}, "sockets": 0, "clients": io.Engine().ClientsCount(), "rooms": map[string]int{}}
	var names []string
	for _, n := range io.Namespaces() { // Of would create name
		if strings.HasPrefix(n.Name(), "/room-") {
			names = append(names, n.Name())
		}
		if n.Name() == name {
			out["sockets"] = n.SocketsCount()
			rooms, err := n.Rooms()
			if err != nil {
				out["rooms"] = err.Error()
			} else {
				out["rooms"] = rooms
			}
		}
	}
	if names != nil {
		slices.Sort(names)
		out["namespaces"] = names
	}
	return out
}

// askBack asks s "question" three ways with the same ack handler shape
// but the broadcast's, each with timeout d, and returns each answer or
// error message.
func askBack(io *sio.Server, s *sio.Socket, d time.Duration, base int) map[string]any {
	one := func(out chan<- any) sio.AckHandler {
		return func(a *sio.Args, err error) {
			if err != nil {
				out <- err.Error()
				return
			}
			v, _ := a.Value(0)
			out <- v
		}
	}
	viaSocket, viaRemote, viaBroadcast := make(chan any, 1), make(chan any, 1), make(chan any, 1)
	_ = s.Timeout(d).Emit("question", base+1, one(viaSocket))
	remote, err := io.In(s.ID()).FetchSockets()
	if err != nil || len(remote) != 1 {
		viaRemote <- fmt.Sprintf("fetchSockets: %d sockets, %v", len(remote), err)
	} else {
		_ = remote[0].Timeout(d).Emit("question", base+2, one(viaRemote))
	}
	_ = io.To(s.ID()).Timeout(d).Emit("question", base+3, func(answers []*sio.Args, err error) {
		if err != nil {
			viaBroadcast <- err.Error()
			return
		}
		vs := []any{}
		for _, a := range answers {
			v, _ := a.Value(0)
			vs = append(vs, v)
		}
		viaBroadcast <- vs
	})
	return map[string]any{"socket": <-viaSocket, "remote": <-viaRemote, "broadcast": <-viaBroadcast}
}

// TestIntrospectionAndEmptyChildNamespaces runs introspect-client.mjs
// (socket.io-client 4.8) against the contract: SocketsCount,
// Engine().ClientsCount and Rooms as Node's nsp.sockets.size,
// engine.clientsCount and nsp.adapter.rooms; a dynamic child removed when
// its last socket leaves, or its only one is refused, and made again by
// the next client (CleanupEmptyChildNamespaces); one client's answer
// through Socket, RemoteSocket and a broadcast, answered and timed out.
func TestIntrospectionAndEmptyChildNamespaces(t *testing.T) {
	base := "http://" + testserver.Start(t, newIntrospection())
	nodetest.Run(t, scenarioTimeout, testdataDir, nil, "node", "introspect-client.mjs", base)
}
