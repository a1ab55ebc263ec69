package goclient

import (
	"errors"
	"io"
	"reflect"
	"testing"
	"time"

	"github.com/googollee/go-socket.io/engineio"
	"github.com/googollee/go-socket.io/engineio/transport"
	"github.com/googollee/go-socket.io/engineio/transport/polling"
	"github.com/googollee/go-socket.io/engineio/transport/websocket"
	"github.com/googollee/go-socket.io/parser"
	"github.com/sioloop/sioloop"
	"github.com/sioloop/sioloop/eio"
	"github.com/sioloop/sioloop/internal/testserver"
	"github.com/sioloop/sioloop/loop"
	"github.com/sioloop/sioloop/sio"
)

// The heartbeat: the client pings every pingInterval, and a session whose
// client sent no ping for pingInterval + pingTimeout closes; the timeout
// leaves room for a client stalled by a loaded machine (-race, 2 cores).
const (
	pingInterval = 200 * time.Millisecond
	pingTimeout  = time.Second
	// waitFor bounds each read: a test fails, it never hangs.
	waitFor = 10 * time.Second
)

// newServer is the contract of interop/testdata/eio3/server.cjs that the
// Go client uses: "welcome" with the socket id on connection, "echo"
// acknowledged with its arguments, "ask" answered by a "question" with an
// ack whose arguments come back in "answer".
func newServer(disconnects chan<- string) *sioloop.Server {
	io := sioloop.Attach(loop.New(nil), &sio.Options{
		Engine: eio.Options{PingInterval: pingInterval, PingTimeout: pingTimeout, AllowEIO3: true},
	})
	io.OnConnection(func(s *sio.Socket) {
		s.OnDisconnect(func(_ *sio.Socket, reason string) {
			select {
			case disconnects <- reason:
			default:
			}
		})
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
	return io
}

// conn is one Go client session: the engine.io connection and the
// Socket.IO codec over it. Reads run on a goroutine so that each is
// bounded by waitFor.
type conn struct {
	t   *testing.T
	eio engineio.Conn
	enc *parser.Encoder
	dec *parser.Decoder
}

func dial(t *testing.T, base string, tr transport.Transport) *conn {
	t.Helper()
	d := &engineio.Dialer{Transports: []transport.Transport{tr}}
	ec, err := d.Dial(base+"/socket.io/", nil)
	if err != nil {
		t.Fatalf("dial %s: %v", tr.Name(), err)
	}
	t.Cleanup(func() { _ = ec.Close() })
	if u := ec.URL(); u.Query().Get("transport") != tr.Name() {
		t.Fatalf("transport of %s, want %q", u.String(), tr.Name())
	}
	return &conn{t: t, eio: ec, enc: parser.NewEncoder(ec), dec: parser.NewDecoder(ec)}
}

// read decodes the next packet: its header, event name, and arguments of
// the given types.
func (c *conn) read(types ...reflect.Type) (parser.Header, string, []reflect.Value) {
	c.t.Helper()
	type result struct {
		h     parser.Header
		event string
		args  []reflect.Value
		err   error
	}
	done := make(chan result, 1)
	go func() {
		var r result
		if r.err = c.dec.DecodeHeader(&r.h, &r.event); r.err == nil {
			r.args, r.err = c.dec.DecodeArgs(types)
		}
		done <- r
	}()
	select {
	case r := <-done:
		if r.err != nil && !errors.Is(r.err, io.EOF) {
			c.t.Fatalf("read: %v", r.err)
		}
		return r.h, r.event, r.args
	case <-time.After(waitFor):
		c.t.Fatal("read: timeout")
	}
	panic("unreachable")
}

func (c *conn) write(h parser.Header, args ...any) {
	c.t.Helper()
	if err := c.enc.Encode(h, args); err != nil {
		c.t.Fatalf("write: %v", err)
	}
}

var (
	stringType = reflect.TypeOf("")
	bufferType = reflect.TypeOf(parser.Buffer{})
)

// TestGoSocketIOClient: the Go client connects over each transport (v3
// handshake, the main namespace connected without a CONNECT), gets its
// id, emits with an ack and binary, acknowledges the server's event with
// binary, and stays connected through its own pings.
func TestGoSocketIOClient(t *testing.T) {
	testGoClient(t, func(t *testing.T) (string, <-chan string) {
		// A server per transport: a session the client left (it sends no
		// close packet) times out later, never in the next run.
		disconnects := make(chan string, 1)
		return "http://" + testserver.Start(t, newServer(disconnects)), disconnects
	})
}

// testGoClient runs the client over each transport against the server
// start gives the base URL of, and the reasons of its disconnects (nil
// when it does not tell).
func testGoClient(t *testing.T, start func(*testing.T) (string, <-chan string)) {
	for _, tr := range []transport.Transport{polling.Default, websocket.Default} {
		t.Run(tr.Name(), func(t *testing.T) {
			base, disconnects := start(t)
			defer func() {
				select {
				case reason := <-disconnects:
					t.Errorf("the socket disconnected during the test: %s", reason)
				default:
				}
			}()
			c := dial(t, base, tr)
			if h, _, _ := c.read(); h.Type != parser.Connect {
				t.Fatalf("first packet %+v, want CONNECT", h)
			}
			h, event, args := c.read(stringType)
			if h.Type != parser.Event || event != "welcome" || args[0].String() != c.eio.ID() {
				t.Fatalf("welcome: %+v %q %v, want the session id %s", h, event, args, c.eio.ID())
			}

			// Non-ASCII text only over WebSocket: the client reads the
			// length of a text payload's packet as bytes, where engine.io
			// (and sioloop) count UTF-16 code units, so over polling it
			// cuts "h\u00e9" short against either server.
			text := "h\u00e9"
			if tr == polling.Default {
				text = "hey"
			}
			c.write(parser.Header{Type: parser.Event, ID: 1, NeedAck: true}, "echo", text, &parser.Buffer{Data: []byte{1, 2, 3}})
			h, _, args = c.read(stringType, bufferType)
			if h.Type != parser.Ack || h.ID != 1 || args[0].String() != text || string(args[1].Interface().(parser.Buffer).Data) != "\x01\x02\x03" {
				t.Fatalf("echo ack: %+v %v", h, args)
			}

			c.write(parser.Header{Type: parser.Event}, "ask")
			h, event, args = c.read(bufferType, stringType)
			if h.Type != parser.Event || !h.NeedAck || event != "question" || string(args[0].Interface().(parser.Buffer).Data) != "\x09\x08\x07" || args[1].String() != "x" {
				t.Fatalf("question: %+v %q %v", h, event, args)
			}
			c.write(parser.Header{Type: parser.Ack, ID: h.ID, NeedAck: true}, "thanks", &parser.Buffer{Data: []byte{5}})
			h, event, args = c.read(stringType, bufferType)
			if event != "answer" || args[0].String() != "thanks" || string(args[1].Interface().(parser.Buffer).Data) != "\x05" {
				t.Fatalf("answer: %+v %q %v", h, event, args)
			}

			// Twice the time a silent client has, later: its pings kept the
			// session.
			time.Sleep(2 * (pingInterval + pingTimeout))
			c.write(parser.Header{Type: parser.Event, ID: 2, NeedAck: true}, "echo", "again")
			if h, _, args := c.read(stringType); h.Type != parser.Ack || h.ID != 2 || args[0].String() != "again" {
				t.Fatalf("echo after the pings: %+v %v", h, args)
			}
		})
	}
}
