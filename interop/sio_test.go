package interop

import (
	"encoding/json"
	"regexp"
	"testing"
	"time"

	"github.com/sioloop/sioloop"
	"github.com/sioloop/sioloop/eio"
	"github.com/sioloop/sioloop/internal/testserver"
	"github.com/sioloop/sioloop/loop"
	"github.com/sioloop/sioloop/parser"
	"github.com/sioloop/sioloop/parser/msgpack"
	"github.com/sioloop/sioloop/sio"
)

// startSIO serves the contract of testdata/sio-reference-server.mjs with
// sioloop on a free loopback port.
func startSIO(t *testing.T) string {
	t.Helper()
	return "http://" + testserver.Start(t, newSIO())
}

// newSIO returns the contract of testdata/sio-reference-server.mjs, not
// yet serving.
func newSIO() *sioloop.Server { return newSIOWith(nil, nil) }

// newSIOWith is newSIO with the packet format prs (nil: JSON), on a gnet
// engine with lopts (nil: the defaults); each of more may change the
// options further.
func newSIOWith(prs parser.Parser, lopts *loop.Options, more ...func(*sio.Options)) *sioloop.Server {
	opts := &sio.Options{
		Engine:         eio.Options{PingInterval: time.Second, PingTimeout: 2 * time.Second, MaxHTTPBufferSize: 1e6},
		ConnectTimeout: time.Second,
		CORS:           &eio.CORSOptions{Origin: []string{"*"}},
		Parser:         prs,
	}
	for _, fn := range more {
		fn(opts)
	}
	io := sioloop.Attach(loop.New(lopts), opts)
	echo := func(s *sio.Socket) {
		s.On("echo", func(s *sio.Socket, ev *sio.Event) { _ = ev.Ack(ev.Spread()...) })
	}
	io.OnConnection(func(s *sio.Socket) {
		_ = s.Emit("auth", s.Handshake().Auth)
		echo(s)
		s.On("echo-event", func(s *sio.Socket, ev *sio.Event) { _ = s.Emit("echo-event", ev.Spread()...) })
		s.On("join", func(s *sio.Socket, ev *sio.Event) {
			var rooms []string
			if r, ok := ev.String(0); ok {
				rooms = []string{r}
			} else {
				_ = ev.Decode(0, &rooms)
			}
			s.Join(rooms...)
			_ = ev.Ack(ev.Spread()[0])
		})
		s.On("leave", func(s *sio.Socket, ev *sio.Event) {
			r, _ := ev.String(0)
			s.Leave(r)
			_ = ev.Ack(r)
		})
		s.On("to-room", func(s *sio.Socket, ev *sio.Event) {
			args := ev.Spread()
			room, _ := ev.String(0)
			_ = io.To(room).Emit("room-msg", args[1:]...)
		})
		s.On("to-room-except", func(s *sio.Socket, ev *sio.Event) {
			args := ev.Spread()
			room, _ := ev.String(0)
			except, _ := ev.String(1)
			_ = io.To(room).Except(except).Emit("room-msg", args[2:]...)
		})
		s.On("broadcast", func(s *sio.Socket, ev *sio.Event) { _ = s.Broadcast().Emit("broadcast", ev.Spread()...) })
		s.On("emit-all", func(s *sio.Socket, ev *sio.Event) { _ = io.Emit("all", ev.Spread()...) })
		s.On("ask", func(s *sio.Socket, ev *sio.Event) {
			args := append(ev.Spread(), sio.AckHandler(func(answer *sio.Args, err error) {
				if err == nil {
					_ = s.Emit("answer", answer.Spread()...)
				}
			}))
			_ = s.Emit("question", args...)
		})
		s.On("ask-timeout", func(s *sio.Socket, ev *sio.Event) {
			var ms int
			_ = ev.Decode(0, &ms)
			_ = s.Timeout(time.Duration(ms)*time.Millisecond).Emit("no-answer", sio.AckHandler(func(_ *sio.Args, err error) {
				var msg any
				if err != nil {
					msg = err.Error()
				}
				_ = s.Emit("ack-timeout", msg)
			}))
		})
		s.On("ask-all", func(s *sio.Socket, ev *sio.Event) {
			var ms int
			_ = ev.Decode(0, &ms)
			_ = io.Timeout(time.Duration(ms)*time.Millisecond).Emit("poll", sio.BroadcastAckHandler(func(rs []*sio.Args, err error) {
				var msg any
				if err != nil {
					msg = err.Error()
				}
				answers := make([]any, 0, len(rs))
				for _, r := range rs {
					// Like Node's responses: each client's first argument.
					if r.Len() > 0 {
						answers = append(answers, r.Spread()[0])
					}
				}
				_ = s.Emit("poll-result", msg, answers)
			}))
		})
		s.On("volatile", func(s *sio.Socket, ev *sio.Event) {
			var n int
			_ = ev.Decode(0, &n)
			for i := range n {
				_ = io.Volatile().Emit("vol", i)
			}
			_ = s.Emit("vol-done")
		})
		s.On("disconnect-me", func(s *sio.Socket, ev *sio.Event) { s.Disconnect(false) })
		s.On("close-transport", func(s *sio.Socket, ev *sio.Event) { s.CloseTransport() })
		s.On("rooms", func(s *sio.Socket, ev *sio.Event) { _ = ev.Ack(s.Rooms()) })
		s.On("fetch", func(s *sio.Socket, ev *sio.Event) {
			room, _ := ev.String(0)
			ack := ev.AckFunc()
			go func() {
				socks, err := io.In(room).FetchSockets()
				if err != nil {
					return
				}
				ids := make([]string, 0, len(socks))
				for _, x := range socks {
					ids = append(ids, x.ID)
				}
				_ = ack(ids)
			}()
		})
		s.OnDisconnect(func(s *sio.Socket, reason string) { _ = io.Emit("left", s.ID(), reason) })
	})
	io.Of("/custom").OnConnection(func(s *sio.Socket) {
		_ = s.Emit("auth", s.Handshake().Auth)
		echo(s)
	})
	private := io.Of("/private")
	private.Use(func(s *sio.Socket, next func(error)) {
		var auth struct {
			Token string `json:"token"`
		}
		_ = json.Unmarshal(s.Handshake().Auth, &auth)
		if auth.Token == "secret" {
			next(nil)
			return
		}
		next(sio.NewConnectError("unauthorized", map[string]any{"reason": "bad token"}))
	})
	private.OnConnection(func(s *sio.Socket) { _ = s.Emit("welcome", s.ID()) })
	dyn := io.OfRegexp(regexp.MustCompile(`^/dyn-\d+$`))
	dyn.OnConnection(func(s *sio.Socket) {
		_ = s.Emit("nsp", s.Namespace().Name())
		echo(s)
	})
	return io
}

// TestSocketIOClient drives the official socket.io-client 4.8 (Node)
// through every scenario of testdata/sio-client.mjs against sioloop.
func TestSocketIOClient(t *testing.T) {
	testSIOClients(t, startSIO)
}

// sioMsgpackScenarios are the sio-client.mjs scenarios run with
// socket.io-msgpack-parser: both transports and the upgrade, auth, events,
// acks both ways, binary, rooms and broadcasts (with and without acks).
var sioMsgpackScenarios = []string{
	"connect-websocket",
	"connect-polling",
	"connect-default",
	"auth",
	"custom-namespace",
	"middleware",
	"binary",
	"acks",
	"rooms-except",
	"broadcast",
	"emit-all",
	"ask-all",
	"polling-only",
	"upgrade",
}

// testSIOMsgpackClients runs sioMsgpackScenarios with the client's
// MessagePack parser against the server start starts.
func testSIOMsgpackClients(t *testing.T, start func(*testing.T) string) {
	baseURL := start(t)
	for _, sc := range sioMsgpackScenarios {
		t.Run(sc, func(t *testing.T) { runSIO(t, sc, baseURL, "SIO_PARSER=msgpack") })
	}
}

// TestSocketIOClientMessagePack drives the official socket.io-client 4.8
// configured with socket.io-msgpack-parser 3.0 against sioloop with
// msgpack.Parser.
func TestSocketIOClientMessagePack(t *testing.T) {
	testSIOMsgpackClients(t, func(t *testing.T) string {
		return "http://" + testserver.Start(t, newSIOWith(msgpack.Parser, nil))
	})
}

// TestPythonClient drives Debian's python3-socketio client, one of the
// clients the Socket.IO docs list, against sioloop.
func TestPythonClient(t *testing.T) {
	testPythonClients(t, startSIO)
}
