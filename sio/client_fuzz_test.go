package sio_test

import (
	"encoding/binary"
	"testing"
	"time"

	"github.com/sioloop/sioloop/eio"
	"github.com/sioloop/sioloop/sio"
)

// Long runs are opt-in: make fuzz FUZZTIME=10m (or go test -run '^$'
// -fuzz=FuzzClientMessages -fuzztime=1m ./sio/).

// FuzzClientMessages feeds a sequence of WebSocket messages, as a client
// sends them, to a session of a real Server through the Engine.IO callback
// API: the Engine.IO packet decoder, the Socket.IO packet decoder, binary
// packets reassembled from their attachments, placeholders resolved into
// the handlers' arguments and acks encoded back. The seed corpus
// (testdata/fuzz/FuzzClientMessages) is what socket.io-client 4.8 sent,
// captured by interop/testdata/capture-fuzz-seeds.mjs. Whatever the input:
// no panic, nothing written after the close, and once the transport is
// gone every socket has had its disconnect and the shard holds nothing.
func FuzzClientMessages(f *testing.F) {
	for _, seed := range [][]message{
		{{false, "40"}, {false, `451-["echo",{"_placeholder":true,"num":0}]`}, {true, "\x01\x02"}},
		{{false, "40"}, {false, `452-0["echo",{"_placeholder":true,"num":1},{"_placeholder":true,"num":0}]`}, {true, "a"}, {false, "42[]"}},
		{{false, "40"}, {true, "unannounced"}},
		{{false, "40/chat,"}, {false, `451-/chat,7["echo",{"_placeholder":true,"num":0}]`}, {true, ""}, {false, "41/chat,"}},
	} {
		f.Add(encodeMessages(seed))
	}
	// One server and shard for every input, as on a real loop: what one
	// session leaves behind shows in the next one's checks.
	io := sio.NewServer(&sio.Options{ConnectTimeout: time.Second})
	var connected, disconnected int
	handlers := func(s *sio.Socket) {
		connected++
		s.OnDisconnect(func(*sio.Socket, string) { disconnected++ })
		s.OnAny(func(s *sio.Socket, event string, ev *sio.Event) {
			for i := range ev.Len() {
				var v any
				_ = ev.Decode(i, &v)
			}
			if event == "join" {
				if room, ok := ev.String(0); ok {
					s.Join(room)
				}
			}
			_ = ev.Ack(ev.Spread()...)
		})
	}
	io.OnConnection(handlers)
	io.Of("/chat").OnConnection(handlers)
	sh := io.Engine().NewShard(0, time.Unix(1000, 0), inline{})
	f.Fuzz(func(t *testing.T, data []byte) {
		ws := &fuzzSocket{}
		hreq := &eio.Request{Method: []byte("GET")}
		hid, _ := sh.NewSessionID(hreq)
		sess := sh.OpenWebSocket(hreq, hid, ws)

		for p := data; len(p) > 0; {
			m, rest, ok := nextMessage(p)
			if !ok {
				break
			}
			p = rest
			sess.ReceiveMessage(ws, []byte(m.data), m.binary)
			if ws.closed {
				break
			}
		}
		if !ws.closed {
			sess.WebSocketClosed(ws, nil)
		}
		if ws.writesAfterClose > 0 {
			t.Fatalf("%d messages written after the close", ws.writesAfterClose)
		}
		if connected != disconnected {
			t.Fatalf("%d sockets connected, %d disconnected", connected, disconnected)
		}
		if n := sh.Len(); n != 0 {
			t.Fatalf("%d sessions left on the shard", n)
		}
	})
}

// message is one WebSocket message of a client.
type message struct {
	binary bool
	data   string
}

// encodeMessages renders msgs as FuzzClientMessages reads them: for each,
// a kind byte (0 text, 1 binary), a uvarint length, the bytes.
func encodeMessages(msgs []message) []byte {
	var b []byte
	for _, m := range msgs {
		kind := byte(0)
		if m.binary {
			kind = 1
		}
		b = append(b, kind)
		b = binary.AppendUvarint(b, uint64(len(m.data)))
		b = append(b, m.data...)
	}
	return b
}

// nextMessage reads one message encoded by encodeMessages; a truncated
// length takes what is left.
func nextMessage(p []byte) (message, []byte, bool) {
	kind := p[0]
	n, k := binary.Uvarint(p[1:])
	if k <= 0 {
		return message{}, nil, false
	}
	p = p[1+k:]
	if n > uint64(len(p)) {
		n = uint64(len(p))
	}
	return message{binary: kind&1 == 1, data: string(p[:n])}, p[n:], true
}

// inline runs posted functions at once: the fuzz target has one goroutine.
type inline struct{}

func (inline) Execute(fn func()) { fn() }
func (inline) OnLoop() bool      { return true }

// fuzzSocket is an eio.WebSocket that counts what is written after Close.
type fuzzSocket struct {
	closed           bool
	writesAfterClose int
}

func (w *fuzzSocket) WriteMessage(bool, []byte) {
	if w.closed {
		w.writesAfterClose++
	}
}
func (w *fuzzSocket) WriteShared(m *eio.Shared) { w.WriteMessage(m.Binary(), m.Bytes()) }
func (w *fuzzSocket) Close()                    { w.closed = true }
func (w *fuzzSocket) Abort()                    { w.closed = true }
func (w *fuzzSocket) Writable() bool            { return !w.closed }
func (w *fuzzSocket) Backlog(int) int           { return 0 }
