package eio_test

import (
	"strings"
	"testing"
	"time"

	"github.com/sioloop/sioloop/eio"
)

// The tests drive the core through its callback API with an in-process
// transport: recorded responses and WebSocket messages, and a clock moved
// by hand.

type response struct {
	status int
	ctype  string
	body   string
}

// reply is an eio.Responder that records its answer.
type reply struct{ got []response }

func (r *reply) Respond(status int, ctype string, body []byte) {
	r.got = append(r.got, response{status, ctype, string(body)})
}

func (r *reply) only(t *testing.T) response {
	t.Helper()
	if len(r.got) != 1 {
		t.Fatalf("want one response, got %v", r.got)
	}
	return r.got[0]
}

type wsMessage struct {
	binary bool
	data   string
}

// socket is an eio.WebSocket that records what the session writes;
// backlog is what it reports as not yet taken by the peer.
type socket struct {
	msgs    []wsMessage
	closed  bool
	aborted bool
	backlog int
}

func (w *socket) WriteMessage(binary bool, p []byte) {
	w.msgs = append(w.msgs, wsMessage{binary, string(p)})
}
func (w *socket) WriteShared(m *eio.Shared) { w.WriteMessage(m.Binary(), m.Bytes()) }
func (w *socket) Close()                    { w.closed = true }
func (w *socket) Abort()                    { w.closed, w.aborted = true, true }
func (w *socket) Writable() bool            { return !w.closed && w.backlog == 0 }
func (w *socket) Backlog(int) int           { return w.backlog }
func (w *socket) last() string              { return w.msgs[len(w.msgs)-1].data }
func (w *socket) take() []wsMessage         { m := w.msgs; w.msgs = nil; return m }

// inline runs posted functions at once: the tests have one goroutine.
type inline struct{}

func (inline) Execute(fn func()) { fn() }
func (inline) OnLoop() bool      { return true }

type env struct {
	t      *testing.T
	srv    *eio.Server
	now    time.Time
	shards []*eio.Shard
	closed map[eio.SID]string
	got    map[eio.SID][]string
}

func newEnv(t *testing.T, opts *eio.Options, nshards int) *env {
	e := &env{t: t, now: time.Unix(1000, 0), closed: map[eio.SID]string{}, got: map[eio.SID][]string{}}
	srv := eio.NewServer(opts)
	e.srv = srv
	srv.OnMessage(func(s *eio.Session, data []byte, binary bool) {
		e.got[s.ID()] = append(e.got[s.ID()], string(data))
		if string(data) == "echo" || binary {
			s.Send(data, binary)
		}
	})
	srv.OnClose(func(s *eio.Session, reason string) { e.closed[s.ID()] = reason })
	for i := range nshards {
		e.shards = append(e.shards, srv.NewShard(i, e.now, inline{}))
	}
	return e
}

func (e *env) advance(d time.Duration) {
	e.now = e.now.Add(d)
	for _, sh := range e.shards {
		sh.Advance(e.now)
	}
}

func (e *env) openPolling() *eio.Session {
	r := &reply{}
	hreq := &eio.Request{Method: []byte("GET")}
	hid, _ := e.shards[0].NewSessionID(hreq)
	s := e.shards[0].OpenPolling(hreq, hid, r)
	got := r.only(e.t)
	if got.status != 200 || !strings.HasPrefix(got.body, `0{"sid":"`+s.ID().String()+`","upgrades":["websocket"]`) {
		e.t.Fatalf("open answer %+v", got)
	}
	return s
}

func (e *env) poll(s *eio.Session) *reply {
	r := &reply{}
	id := s.ID()
	e.shards[eio.ShardOf(id[:])].Poll(id[:], 0, r)
	return r
}

func (e *env) post(s *eio.Session, body string) response {
	r := &reply{}
	id := s.ID()
	e.shards[eio.ShardOf(id[:])].Post(id[:], 0, []byte(body), r)
	return r.only(e.t)
}

func TestPollingGETIsHeldUntilAPacketIsSent(t *testing.T) {
	e := newEnv(t, nil, 1)
	s := e.openPolling()
	r := e.poll(s)
	if len(r.got) != 0 {
		t.Fatalf("GET answered at once: %v", r.got)
	}
	s.Send([]byte("hello"), false)
	s.Send([]byte{1, 2, 3, 4}, true)
	if got := r.only(t); got.body != "4hello" || got.ctype != eio.ContentTypeText {
		t.Fatalf("held GET got %+v", got)
	}
	if got := e.poll(s).only(t); got.body != "bAQIDBA==" {
		t.Fatalf("second GET got %+v", got)
	}
}

func TestPollingPOSTDeliversEveryPacketAndAnswersOK(t *testing.T) {
	e := newEnv(t, nil, 1)
	s := e.openPolling()
	if got := e.post(s, "4a\x1e4b\x1ebAQI="); got.status != 200 || got.body != "ok" || got.ctype != eio.ContentTypeHTML {
		t.Fatalf("POST answer %+v", got)
	}
	if got := e.got[s.ID()]; len(got) != 3 || got[0] != "a" || got[1] != "b" || got[2] != "\x01\x02" {
		t.Fatalf("messages %q", got)
	}
	if got := e.poll(s).only(t); got.body != "bAQI=" {
		t.Fatalf("binary echo %+v", got)
	}
}

func TestInvalidPayloadClosesTheSessionWithParseError(t *testing.T) {
	e := newEnv(t, nil, 1)
	s := e.openPolling()
	held := e.poll(s)
	if got := e.post(s, "4a\x1eabc"); got.status != 200 || got.body != "ok" || got.ctype != eio.ContentTypeHTML {
		t.Fatalf("POST answer %+v, want 200 ok as the official server", got)
	}
	if got := e.got[s.ID()]; len(got) != 1 || got[0] != "a" {
		t.Fatalf("messages before the bad packet %q", got)
	}
	if got := held.only(t); got.status != 200 || got.body != "1" {
		t.Fatalf("held GET got %+v, want the close packet", got)
	}
	if e.closed[s.ID()] != eio.ReasonParseError {
		t.Fatalf("close reason %q", e.closed[s.ID()])
	}
	if got := e.poll(s).only(t); got.status != 400 || got.body != `{"code":1,"message":"Session ID unknown"}` {
		t.Fatalf("GET after close %+v", got)
	}
}

func TestSecondConcurrentGETFailsAndClosesTheSession(t *testing.T) {
	e := newEnv(t, nil, 1)
	s := e.openPolling()
	first := e.poll(s)
	second := e.poll(s)
	if got := second.only(t); got.status != 400 {
		t.Fatalf("second GET %+v", got)
	}
	if got := first.only(t); got.body != "1" {
		t.Fatalf("first GET %+v", got)
	}
	if e.closed[s.ID()] != eio.ReasonTransportError {
		t.Fatalf("reason %q", e.closed[s.ID()])
	}
}

func TestHeartbeatPingsAndClosesWithoutPong(t *testing.T) {
	e := newEnv(t, &eio.Options{PingInterval: 300 * time.Millisecond, PingTimeout: 200 * time.Millisecond}, 1)
	s := e.openPolling()
	r := e.poll(s)
	e.advance(299 * time.Millisecond)
	if len(r.got) != 0 {
		t.Fatal("pinged early")
	}
	e.advance(2 * time.Millisecond)
	if got := r.only(t); got.body != "2" {
		t.Fatalf("ping %+v", got)
	}
	e.post(s, "3")
	e.advance(250 * time.Millisecond)
	if _, ok := e.closed[s.ID()]; ok {
		t.Fatal("closed despite the pong")
	}
	e.advance(60 * time.Millisecond) // second ping at 300ms after the pong
	e.advance(201 * time.Millisecond)
	if e.closed[s.ID()] != eio.ReasonPingTimeout {
		t.Fatalf("reason %q", e.closed[s.ID()])
	}
}

func TestClientClosePacketReleasesHeldGETWithNoop(t *testing.T) {
	e := newEnv(t, nil, 1)
	s := e.openPolling()
	r := e.poll(s)
	e.post(s, "1")
	if got := r.only(t); got.body != "6" {
		t.Fatalf("held GET %+v", got)
	}
	if e.closed[s.ID()] != eio.ReasonTransportClose {
		t.Fatalf("reason %q", e.closed[s.ID()])
	}
}

func TestServerCloseOnPollingDeliversQueuedPacketsThenClose(t *testing.T) {
	e := newEnv(t, nil, 1)
	s := e.openPolling()
	s.Send([]byte("bye"), false)
	s.Close()
	if _, ok := e.closed[s.ID()]; ok {
		t.Fatal("closed before the client fetched the close packet")
	}
	// As engine.io 6.6: the queued packets on one GET, then (noop and)
	// close on the next.
	if got := e.poll(s).only(t); got.body != "4bye" {
		t.Fatalf("GET %+v", got)
	}
	if _, ok := e.closed[s.ID()]; ok {
		t.Fatal("closed before the client fetched the close packet")
	}
	if got := e.poll(s).only(t); got.body != "6\x1e1" {
		t.Fatalf("second GET %+v", got)
	}
	if e.closed[s.ID()] != eio.ReasonForcedClose {
		t.Fatalf("reason %q", e.closed[s.ID()])
	}
}

func TestWebSocketSessionEchoesAndClosesOnParseError(t *testing.T) {
	e := newEnv(t, nil, 1)
	ws := &socket{}
	hreq := &eio.Request{Method: []byte("GET")}
	hid, _ := e.shards[0].NewSessionID(hreq)
	s := e.shards[0].OpenWebSocket(hreq, hid, ws)
	if !strings.HasPrefix(ws.last(), `0{"sid":"`) || !strings.Contains(ws.last(), `"upgrades":[]`) {
		t.Fatalf("open %q", ws.last())
	}
	s.ReceiveMessage(ws, []byte("4echo"), false)
	s.ReceiveMessage(ws, []byte{9, 8}, true)
	msgs := ws.take()
	if len(msgs) != 3 || msgs[1] != (wsMessage{false, "4echo"}) || msgs[2] != (wsMessage{true, "\x09\x08"}) {
		t.Fatalf("echoes %v", msgs)
	}
	s.ReceiveMessage(ws, []byte("abc"), false)
	if !ws.closed || e.closed[s.ID()] != eio.ReasonParseError {
		t.Fatalf("closed %v reason %q", ws.closed, e.closed[s.ID()])
	}
}

// TestUpgradeSwitchesTransportAndFlushesQueuedPackets follows the
// official flow: probe, noop for the held GET, upgrade, queued packets sent
// on the WebSocket, polling requests refused afterwards.
func TestUpgradeSwitchesTransportAndFlushesQueuedPackets(t *testing.T) {
	e := newEnv(t, nil, 1)
	s := e.openPolling()
	held := e.poll(s)
	ws := &socket{}
	id := s.ID()
	if _, err := e.shards[0].Probe(id[:], 0, ws); err != nil {
		t.Fatal(err)
	}
	s.ReceiveMessage(ws, []byte("2probe"), false)
	if ws.last() != "3probe" {
		t.Fatalf("probe answer %q", ws.last())
	}
	// The noop comes on engine.io's 100 ms check cycle, never sooner.
	e.advance(99 * time.Millisecond)
	if len(held.got) != 0 {
		t.Fatalf("held GET answered %v before the 100 ms check", held.got)
	}
	e.advance(2 * time.Millisecond)
	if got := held.only(t); got.body != "6" {
		t.Fatalf("held GET %+v", got)
	}
	// A GET that comes between two checks waits for the next one.
	again := e.poll(s)
	e.advance(98 * time.Millisecond)
	if len(again.got) != 0 {
		t.Fatalf("second GET answered %v before the next check", again.got)
	}
	e.advance(2 * time.Millisecond)
	if got := again.only(t); got.body != "6" {
		t.Fatalf("second held GET %+v", got)
	}
	s.Send([]byte("during"), false)
	if got := e.poll(s).only(t); got.body != "4during" {
		t.Fatalf("GET during the upgrade %+v", got)
	}
	s.Send([]byte("queued"), false)
	s.ReceiveMessage(ws, []byte("5"), false)
	if s.Transport() != eio.TransportWebSocket {
		t.Fatalf("transport %s", s.Transport())
	}
	if ws.last() != "4queued" {
		t.Fatalf("queued packet not flushed: %v", ws.msgs)
	}
	if got := e.poll(s).only(t); got.status != 400 || got.body != `{"code":3,"message":"Bad request"}` {
		t.Fatalf("GET after upgrade %+v", got)
	}
	if _, err := e.shards[0].Probe(id[:], 0, &socket{}); !eio.IsAlreadyUpgrading(err) {
		t.Fatalf("second probe: %v", err)
	}
	s.ReceiveMessage(ws, []byte("4echo"), false)
	if ws.last() != "4echo" {
		t.Fatalf("echo on the upgraded transport: %v", ws.msgs)
	}
	s.WebSocketClosed(ws, nil)
	if e.closed[id] != eio.ReasonTransportClose {
		t.Fatalf("reason %q", e.closed[id])
	}
	if got := e.poll(s).only(t); got.body != `{"code":1,"message":"Session ID unknown"}` {
		t.Fatalf("GET after close %+v", got)
	}
}

// TestUpgradeAnswersAGETHeldAtTheUpgradeAsOneSentAfterIt: a GET still
// held when "5" arrives was sent beside it (an official client waits for
// its poll to end first), so it gets what a GET after the upgrade gets,
// whichever connection the server read first.
func TestUpgradeAnswersAGETHeldAtTheUpgradeAsOneSentAfterIt(t *testing.T) {
	e := newEnv(t, nil, 1)
	s := e.openPolling()
	ws := &socket{}
	id := s.ID()
	if _, err := e.shards[0].Probe(id[:], 0, ws); err != nil {
		t.Fatal(err)
	}
	s.ReceiveMessage(ws, []byte("2probe"), false)
	held := e.poll(s)
	s.ReceiveMessage(ws, []byte("5"), false)
	if got := held.only(t); got.status != 400 || got.body != `{"code":3,"message":"Bad request"}` {
		t.Fatalf("GET held at the upgrade %+v", got)
	}
	if s.Transport() != eio.TransportWebSocket || e.closed[id] != "" {
		t.Fatalf("transport %s, closed %q", s.Transport(), e.closed[id])
	}
}

func TestUpgradeTimeoutClosesTheProbeOnly(t *testing.T) {
	e := newEnv(t, &eio.Options{UpgradeTimeout: time.Second, PingInterval: time.Minute}, 1)
	s := e.openPolling()
	ws := &socket{}
	id := s.ID()
	if _, err := e.shards[0].Probe(id[:], 0, ws); err != nil {
		t.Fatal(err)
	}
	e.advance(time.Second + 2*time.Millisecond)
	if !ws.closed || s.Closed() || s.Transport() != eio.TransportPolling {
		t.Fatalf("probe closed %v session closed %v", ws.closed, s.Closed())
	}
}

func TestCheckRefusesWithOfficialCodes(t *testing.T) {
	srv := eio.NewServer(nil)
	cases := []struct {
		method, query string
		upgrade       bool
		code          eio.ErrorCode
	}{
		{"GET", "EIO=4&transport=abc", false, eio.UnknownTransport},
		{"GET", "EIO=4", false, eio.UnknownTransport},
		{"POST", "EIO=4&transport=polling", false, eio.BadHandshakeMethod},
		{"GET", "transport=polling", false, eio.UnsupportedProtocolVersion},
		{"GET", "EIO=3&transport=polling", false, eio.UnsupportedProtocolVersion},
		{"GET", "EIO=4&transport=websocket", false, eio.BadRequest},
	}
	for _, c := range cases {
		_, err := srv.Check(&eio.Request{Method: []byte(c.method), RawQuery: []byte(c.query)}, c.upgrade)
		if err == nil || err.Code != c.code {
			t.Errorf("%s %s: got %v, want code %d", c.method, c.query, err, c.code)
		}
	}
	if _, err := srv.Check(&eio.Request{Method: []byte("GET"), RawQuery: []byte("EIO=4&transport=polling")}, false); err != nil {
		t.Errorf("valid handshake refused: %v", err)
	}
}

func TestGETRacingTheClientsCloseGetsNoop(t *testing.T) {
	e := newEnv(t, nil, 1)
	s := e.openPolling()
	e.post(s, "1") // processed before the GET the client sent first
	if e.closed[s.ID()] != eio.ReasonTransportClose {
		t.Fatalf("reason %q", e.closed[s.ID()])
	}
	if got := e.poll(s).only(t); got.status != 200 || got.body != "6" {
		t.Fatalf("late GET %+v", got)
	}
	if got := e.poll(s).only(t); got.status != 400 {
		t.Fatalf("second late GET %+v", got)
	}
	s2 := e.openPolling()
	e.post(s2, "1")
	e.advance(101 * time.Millisecond)
	if got := e.poll(s2).only(t); got.status != 400 {
		t.Fatalf("GET after the linger %+v", got)
	}
	if e.shards[0].Len() != 0 {
		t.Fatalf("%d sessions left", e.shards[0].Len())
	}
}
