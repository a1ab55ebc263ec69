package eio_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sioloop/sioloop/eio"
)

// Engine.IO v3 (Options.AllowEIO3). The wire strings are what engine.io
// 6.6 with allowEIO3 and socket.io-client 2.5 exchanged (captured through
// a logging proxy; interop/eio3_test.go runs the clients themselves).

func v3Request(query string) *eio.Request {
	return &eio.Request{Method: []byte("GET"), RawQuery: []byte(query)}
}

// openV3 opens a v3 polling session with the handshake query.
func (e *env) openV3(query string) *eio.Session {
	e.t.Helper()
	r := &reply{}
	req := v3Request(query)
	if _, err := e.srv.Check(req, false); err != nil {
		e.t.Fatalf("Check(%q): %v", query, err)
	}
	hid, _ := e.shards[0].NewSessionID(req)
	s := e.shards[0].OpenPolling(req, hid, r)
	got := r.only(e.t)
	open := `0{"sid":"` + s.ID().String() + `","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}`
	if got.status != 200 || got.ctype != eio.ContentTypeText || got.body != strconv.Itoa(len(open))+":"+open {
		e.t.Fatalf("v3 open answer %+v", got)
	}
	if s.Protocol() != 3 {
		e.t.Fatalf("Protocol() = %d", s.Protocol())
	}
	return s
}

func (e *env) pollV3(s *eio.Session) *reply {
	r := &reply{}
	id := s.ID()
	e.shards[0].Poll(id[:], eio.FlagEIO3, r)
	return r
}

func (e *env) postV3(s *eio.Session, f eio.RequestFlags, body string) response {
	r := &reply{}
	id := s.ID()
	e.shards[0].Post(id[:], f|eio.FlagEIO3, []byte(body), r)
	return r.only(e.t)
}

func TestEIO3IsRefusedUnlessAllowed(t *testing.T) {
	for _, q := range []string{"EIO=3&transport=polling", "transport=polling", "EIO=2&transport=polling"} {
		_, err := eio.NewServer(nil).Check(v3Request(q), false)
		if code, ok := eio.ErrorCodeOf(err); !ok || code != eio.UnsupportedProtocolVersion || err.Status() != 400 {
			t.Errorf("%s: %v, want 400 code 5", q, err)
		}
		got, err := eio.NewServer(&eio.Options{AllowEIO3: true}).Check(v3Request(q), false)
		if err != nil || got.Flags&eio.FlagEIO3 == 0 {
			t.Errorf("%s with AllowEIO3: %v, flags %v", q, err, got.Flags)
		}
	}
}

func TestEIO3PollingFramesPayloadsWithUTF16Lengths(t *testing.T) {
	e := newEnv(t, &eio.Options{AllowEIO3: true}, 1)
	s := e.openV3("EIO=3&transport=polling&t=Q9Cdmp8&b64=1")
	body := "48:451-0[\"echo\",\"h\u00e9\",{\"_placeholder\":true,\"num\":0}]6:b4AQID"
	if got := e.postV3(s, 0, body); got.status != 200 || got.body != "ok" {
		t.Fatalf("POST answer %+v", got)
	}
	want := []string{"51-0[\"echo\",\"h\u00e9\",{\"_placeholder\":true,\"num\":0}]", "\x01\x02\x03"}
	if got := e.got[s.ID()]; strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("messages %q, want %q", got, want)
	}
	// The echo handler answers binary with binary: base64 for this client.
	s.Send([]byte("61-0[\"h\u00e9\",{\"_placeholder\":true,\"num\":0}]"), false)
	s.Send([]byte("\U0001F600"), false) // 2 UTF-16 code units
	got := e.pollV3(s).only(t)
	wantBody := "6:b4AQID" + "41:461-0[\"h\u00e9\",{\"_placeholder\":true,\"num\":0}]" + "3:4\U0001F600"
	if got.ctype != eio.ContentTypeText || got.body != wantBody {
		t.Fatalf("GET answer %+v, want %q", got, wantBody)
	}
}

func TestEIO3PollingSendsBinaryPayloadsToClientsThatTakeThem(t *testing.T) {
	e := newEnv(t, &eio.Options{AllowEIO3: true}, 1)
	s := e.openV3("EIO=3&transport=polling") // no b64: XHR2, as a browser
	s.Send([]byte("0"), false)
	s.Send([]byte{1, 2, 3}, true)
	got := e.pollV3(s).only(t)
	want := "\x00\x02\xff40" + "\x01\x04\xff\x04\x01\x02\x03"
	if got.ctype != eio.ContentTypeBinary || got.body != want {
		t.Fatalf("GET answer %+v, want %q", got, want)
	}
	// Text alone stays a text payload.
	s.Send([]byte("2"), false)
	if got := e.pollV3(s).only(t); got.ctype != eio.ContentTypeText || got.body != "2:42" {
		t.Fatalf("GET answer %+v", got)
	}
	// A binary POST, as engine.io-client 3 sends one with XHR2.
	body := "\x00\x01\x02\xff4" + strings.Repeat("x", 11) + "\x01\x04\xff\x04\x07\x08\x09"
	if got := e.postV3(s, eio.FlagBinaryBody, body); got.body != "ok" {
		t.Fatalf("binary POST answer %+v", got)
	}
	if got := e.got[s.ID()]; len(got) != 2 || got[0] != strings.Repeat("x", 11) || got[1] != "\x07\x08\x09" {
		t.Fatalf("messages %q", got)
	}
}

func TestEIO3InvalidPayloadsCloseWithParseError(t *testing.T) {
	for _, body := range []string{"", "4", ":40", "x:40", "5:40", "2:40:", "2:4x1:"} {
		e := newEnv(t, &eio.Options{AllowEIO3: true}, 1)
		s := e.openV3("EIO=3&transport=polling&b64=1")
		if got := e.postV3(s, 0, body); got.body != "ok" {
			t.Fatalf("%q: POST answer %+v", body, got)
		}
		if e.closed[s.ID()] != eio.ReasonParseError {
			t.Errorf("%q: closed %q, want parse error", body, e.closed[s.ID()])
		}
	}
	// A packet of length 0 is skipped.
	e := newEnv(t, &eio.Options{AllowEIO3: true}, 1)
	s := e.openV3("EIO=3&transport=polling&b64=1")
	e.postV3(s, 0, "0:2:4a")
	if got := e.got[s.ID()]; len(got) != 1 || got[0] != "a" || e.closed[s.ID()] != "" {
		t.Fatalf("messages %q, closed %q", got, e.closed[s.ID()])
	}
}

func TestEIO3ClientPingsAndTheServerAnswersPong(t *testing.T) {
	e := newEnv(t, &eio.Options{AllowEIO3: true}, 1)
	s := e.openV3("EIO=3&transport=polling&b64=1")
	// The server never pings a v3 client; it waits pingInterval +
	// pingTimeout for each ping.
	e.advance(44 * time.Second)
	e.postV3(s, 0, "1:2")
	if got := e.pollV3(s).only(t); got.body != "1:3" {
		t.Fatalf("pong %+v", got)
	}
	e.advance(44 * time.Second)
	if e.closed[s.ID()] != "" {
		t.Fatalf("closed %q after a ping", e.closed[s.ID()])
	}
	e.advance(2 * time.Second)
	if e.closed[s.ID()] != eio.ReasonPingTimeout {
		t.Fatalf("closed %q, want ping timeout", e.closed[s.ID()])
	}
	// A pong from a v3 client is the wrong direction.
	s = e.openV3("EIO=3&transport=polling&b64=1")
	e.postV3(s, 0, "1:3")
	if e.closed[s.ID()] != eio.ReasonTransportError {
		t.Fatalf("closed %q, want transport error", e.closed[s.ID()])
	}
}

func TestRequestOfTheOtherRevisionIsBadRequest(t *testing.T) {
	e := newEnv(t, &eio.Options{AllowEIO3: true}, 1)
	s := e.openV3("EIO=3&transport=polling&b64=1")
	id := s.ID()
	r := &reply{}
	e.shards[0].Poll(id[:], 0, r)
	if got := r.only(t); got.status != 400 || !strings.Contains(got.body, `"code":3`) {
		t.Fatalf("EIO=4 GET on a v3 session: %+v", got)
	}
	if _, err := e.shards[0].Probe(id[:], 0, &socket{}); err == nil {
		t.Fatal("EIO=4 probe of a v3 session accepted")
	}
	hreq := v3Request("EIO=4&transport=polling")
	hid, _ := e.shards[0].NewSessionID(hreq)
	v4 := e.shards[0].OpenPolling(hreq, hid, &reply{})
	id = v4.ID()
	r = &reply{}
	e.shards[0].Post(id[:], eio.FlagEIO3, []byte("4a"), r)
	if got := r.only(t); got.status != 400 {
		t.Fatalf("EIO=3 POST on a v4 session: %+v", got)
	}
	// A v4 session refuses a binary body: 400, then it closes.
	r = &reply{}
	e.shards[0].Post(id[:], eio.FlagBinaryBody, []byte("4a"), r)
	if got := r.only(t); got.status != 400 || got.body != "" || e.closed[id] != eio.ReasonTransportError {
		t.Fatalf("binary POST on a v4 session: %+v, closed %q", got, e.closed[id])
	}
}

func TestEIO3UpgradeAndWebSocketBinaryCarryTheTypeByte(t *testing.T) {
	e := newEnv(t, &eio.Options{AllowEIO3: true}, 1)
	s := e.openV3("EIO=3&transport=polling&b64=1")
	id := s.ID()
	held := e.pollV3(s)
	ws := &socket{}
	if _, err := e.shards[0].Probe(id[:], eio.FlagEIO3, ws); err != nil {
		t.Fatal(err)
	}
	s.ReceiveMessage(ws, []byte("2probe"), false)
	if ws.last() != "3probe" {
		t.Fatalf("probe answer %q", ws.last())
	}
	e.advance(100 * time.Millisecond)
	if got := held.only(t); got.body != "1:6" {
		t.Fatalf("held GET at the upgrade: %+v", got)
	}
	s.ReceiveMessage(ws, []byte("5"), false)
	if s.Transport() != eio.TransportWebSocket {
		t.Fatal("not upgraded")
	}
	ws.take()
	s.ReceiveMessage(ws, []byte("\x04\x01\x02\x03"), true) // echoed
	s.ReceiveMessage(ws, []byte("b4BQ=="), false)          // echoed
	s.ReceiveMessage(ws, []byte("2"), false)
	shared := eio.NewShared([]byte{9}, true)
	s.SendShared(shared)
	shared.Release()
	want := []wsMessage{{true, "\x04\x01\x02\x03"}, {true, "\x04\x05"}, {false, "3"}, {true, "\x04\x09"}}
	if got := ws.take(); len(got) != len(want) || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] || got[3] != want[3] {
		t.Fatalf("WebSocket messages %+v, want %+v", got, want)
	}
	if got := e.got[id]; len(got) != 2 || got[0] != "\x01\x02\x03" || got[1] != "\x05" {
		t.Fatalf("messages %q", got)
	}
}
