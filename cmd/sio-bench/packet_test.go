package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/gobwas/ws"
)

func TestParseSIOFollowsTheV5Format(t *testing.T) {
	for _, tc := range []struct {
		in   string
		typ  byte
		nsp  string
		id   int64
		data string
	}{
		{`0{"sid":"abc"}`, sioConnect, "/", -1, `{"sid":"abc"}`},
		{`0/admin,{"sid":"x"}`, sioConnect, "/admin", -1, `{"sid":"x"}`},
		{`0/admin`, sioConnect, "/admin", -1, ``},
		{`1`, sioDisconnect, "/", -1, ``},
		{`2["broadcast","t:1:x"]`, sioEvent, "/", -1, `["broadcast","t:1:x"]`},
		{`212["echo","x"]`, sioEvent, "/", 12, `["echo","x"]`},
		{`3456["x"]`, sioAck, "/", 456, `["x"]`},
		{`3/chat,7["x"]`, sioAck, "/chat", 7, `["x"]`},
		{`4{"message":"no"}`, sioConnectError, "/", -1, `{"message":"no"}`},
		{`51-["ev",{"_placeholder":true,"num":0}]`, sioBinaryEvent, "/", -1, `["ev",{"_placeholder":true,"num":0}]`},
		{`61-/chat,3[{"_placeholder":true,"num":0}]`, sioBinaryAck, "/chat", 3, `[{"_placeholder":true,"num":0}]`},
	} {
		pk, ok := parseSIO([]byte(tc.in))
		if !ok {
			t.Errorf("parseSIO(%q) failed", tc.in)
			continue
		}
		if pk.typ != tc.typ || string(pk.nsp) != tc.nsp || pk.id != tc.id || string(pk.data) != tc.data {
			t.Errorf("parseSIO(%q) = %c %q %d %q, want %c %q %d %q",
				tc.in, pk.typ, pk.nsp, pk.id, pk.data, tc.typ, tc.nsp, tc.id, tc.data)
		}
	}
}

func TestParseSIORejectsBadInput(t *testing.T) {
	for _, in := range []string{``, `7`, `x`, `5["a"]`, `5x-[]`, `21234567890123456789012["a"]`} {
		if _, ok := parseSIO([]byte(in)); ok {
			t.Errorf("parseSIO(%q) accepted", in)
		}
	}
}

func TestEventNameAndBroadcastStamp(t *testing.T) {
	name, rest, ok := eventName([]byte(`["broadcast","t:1700000000123456789:xxxx"]`))
	if !ok || string(name) != "broadcast" {
		t.Fatalf("eventName = %q %v", name, ok)
	}
	ts, ok := broadcastStamp(rest)
	if !ok || ts != 1700000000123456789 {
		t.Fatalf("broadcastStamp(%q) = %d %v", rest, ts, ok)
	}
	if _, rest, ok := eventName([]byte(`["ping"]`)); !ok || rest != nil {
		t.Errorf(`eventName(["ping"]) = %q %v`, rest, ok)
	}
	for _, bad := range []string{`"t:"`, `"x:12:"`, `12`, `"t:12`, `"t:99999999999999999999:"`} {
		if _, ok := broadcastStamp([]byte(bad)); ok {
			t.Errorf("broadcastStamp(%q) accepted", bad)
		}
	}
	if _, _, ok := eventName([]byte(`{"a":1}`)); ok {
		t.Error("eventName accepted an object")
	}
}

func TestParseOpen(t *testing.T) {
	o, ok := parseOpen([]byte(`0{"sid":"lv_VI97HAXpY6yYWAAAC","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}`))
	if !ok || o.SID != "lv_VI97HAXpY6yYWAAAC" || o.PingInterval != 25000 || o.PingTimeout != 20000 {
		t.Fatalf("parseOpen = %+v %v", o, ok)
	}
	if _, ok := parseOpen([]byte(`0{}`)); ok {
		t.Error("parseOpen accepted an open packet without sid")
	}
}

func TestEncodersWriteTheContractPackets(t *testing.T) {
	if got := string(appendEvent(nil, "", 7, echoBody(3))); got != `427["echo","xxx"]` {
		t.Errorf("echo = %s", got)
	}
	if got := string(appendEvent(nil, nspPrefix("/chat"), 0, echoBody(0))); got != `42/chat,0["echo",""]` {
		t.Errorf("echo on /chat = %s", got)
	}
	got := string(appendEvent(nil, "", -1, appendBroadcastBody(nil, "", 42, 2)))
	if got != `42["broadcast","t:42:xx"]` {
		t.Errorf("broadcast = %s", got)
	}
	got = string(appendEvent(nil, "", -1, appendBroadcastBody(nil, "r", 42, 0)))
	if got != `42["broadcast_room","r","t:42:"]` {
		t.Errorf("broadcast_room = %s", got)
	}
	if string(connectPacket("/")) != "40" || string(connectPacket("/chat")) != "40/chat," {
		t.Error("connectPacket")
	}
	if string(disconnectPacket("/")) != "41" {
		t.Error("disconnectPacket")
	}
}

// A batch of frames built by appendFrame reads back, unmasked, with
// gobwas/ws: each packet in its own masked frame, all in one buffer.
func TestAppendFrameIsMaskedAndReadable(t *testing.T) {
	payloads := [][]byte{[]byte("2"), []byte(strings.Repeat("a", 126)), []byte(strings.Repeat("b", 70000)), {}}
	var buf []byte
	for _, p := range payloads {
		buf = appendFrame(buf, opText, p)
	}
	r := bytes.NewReader(buf)
	for i, want := range payloads {
		f, err := ws.ReadFrame(r)
		if err != nil {
			t.Fatalf("frame %d: %v", i, err)
		}
		if !f.Header.Masked || !f.Header.Fin || f.Header.OpCode != ws.OpText {
			t.Fatalf("frame %d header %+v", i, f.Header)
		}
		ws.Cipher(f.Payload, f.Header.Mask, 0)
		if !bytes.Equal(f.Payload, want) {
			t.Fatalf("frame %d payload differs (%d bytes, want %d)", i, len(f.Payload), len(want))
		}
	}
	if r.Len() != 0 {
		t.Fatalf("%d bytes left", r.Len())
	}
}

func TestAckRingGrowsAndMatchesIDs(t *testing.T) {
	var r ackRing
	for i := 0; i < 100; i++ {
		id, ok := r.push(int64(1000 + i))
		if !ok || id != uint64(i) {
			t.Fatalf("push %d = %d %v", i, id, ok)
		}
	}
	if r.outstanding() != 100 {
		t.Fatalf("outstanding = %d", r.outstanding())
	}
	// Out of order, as a server answering from several goroutines might.
	for _, id := range []uint64{5, 0, 99, 1} {
		ts, ok := r.pop(id)
		if !ok || ts != int64(1000+id) {
			t.Fatalf("pop %d = %d %v", id, ts, ok)
		}
	}
	if _, ok := r.pop(5); ok {
		t.Fatal("popped 5 twice")
	}
	if _, ok := r.pop(100); ok {
		t.Fatal("popped an id never pushed")
	}
	if r.lo != 2 || r.outstanding() != 96 {
		t.Fatalf("lo = %d, outstanding = %d", r.lo, r.outstanding())
	}
	r.reset()
	if id, _ := r.push(1); id != 0 || r.outstanding() != 1 {
		t.Fatal("reset did not restart the ids")
	}
}

func TestAckRingRefusesPastTheLimit(t *testing.T) {
	var r ackRing
	for i := 0; i < maxOutstanding; i++ {
		if _, ok := r.push(1); !ok {
			t.Fatalf("refused at %d", i)
		}
	}
	if _, ok := r.push(1); ok {
		t.Fatal("accepted past maxOutstanding")
	}
	r.pop(0)
	if _, ok := r.push(1); !ok {
		t.Fatal("refused after an ack freed a slot")
	}
}

func FuzzParseSIO(f *testing.F) {
	for _, s := range []string{`0`, `0{"sid":"a"}`, `0/admin,`, `1/admin,`, `2["hello",1]`,
		`2/admin,456["project:delete",123]`, `3/admin,456[]`, `4{"message":"Not authorized"}`,
		`51-["hello",{"_placeholder":true,"num":0}]`, `61-/admin,456[{"_placeholder":true,"num":0}]`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, p []byte) {
		pk, ok := parseSIO(p)
		if !ok {
			return
		}
		if pk.typ < sioConnect || pk.typ > sioBinaryAck || len(pk.nsp) == 0 || pk.nsp[0] != '/' {
			t.Fatalf("parseSIO(%q) = %+v", p, pk)
		}
		name, rest, ok := eventName(pk.data)
		if ok && len(name) > len(pk.data) {
			t.Fatal("name longer than data")
		}
		_, _ = broadcastStamp(rest)
	})
}
