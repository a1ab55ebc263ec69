package eio_test

import (
	"bytes"
	"encoding/base64"
	"errors"
	"testing"

	"github.com/sioloop/sioloop/eio"
)

// openJSON is the handshake example of the spec's "Handshake" section.
const openJSON = `{"sid":"lv_VI97HAXpY6yYWAAAC","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}`

// wsExamples are the WebSocket forms of the spec's examples: "4hello", the
// heartbeat and upgrade exchanges, and the open packet.
var wsExamples = []struct {
	name   string
	wire   string
	binary bool // sent in a binary frame
	pkt    eio.Packet
}{
	{"open", "0" + openJSON, false, eio.Packet{Type: eio.PacketOpen, Data: []byte(openJSON)}},
	{"close", "1", false, eio.Packet{Type: eio.PacketClose}},
	{"ping", "2", false, eio.Packet{Type: eio.PacketPing}},
	{"pong", "3", false, eio.Packet{Type: eio.PacketPong}},
	{"ping probe", "2probe", false, eio.Packet{Type: eio.PacketPing, Data: []byte("probe")}},
	{"pong probe", "3probe", false, eio.Packet{Type: eio.PacketPong, Data: []byte("probe")}},
	{"message", "4hello", false, eio.Packet{Type: eio.PacketMessage, Data: []byte("hello")}},
	{"empty message", "4", false, eio.Packet{Type: eio.PacketMessage}},
	{"utf-8 message", "4€", false, eio.Packet{Type: eio.PacketMessage, Data: []byte("€")}},
	{"upgrade", "5", false, eio.Packet{Type: eio.PacketUpgrade}},
	{"noop", "6", false, eio.Packet{Type: eio.PacketNoop}},
	{"binary message", "\x01\x02\x03\x04", true, eio.Packet{Type: eio.PacketMessage, Data: []byte{1, 2, 3, 4}, Binary: true}},
	{"binary starting with a digit", "4hello", true, eio.Packet{Type: eio.PacketMessage, Data: []byte("4hello"), Binary: true}},
	{"empty binary message", "", true, eio.Packet{Type: eio.PacketMessage, Data: []byte{}, Binary: true}},
}

func samePacket(a, b eio.Packet) bool {
	return a.Type == b.Type && a.Binary == b.Binary && bytes.Equal(a.Data, b.Data)
}

func TestPacketTypeStringMatchesEngineIOParserNames(t *testing.T) {
	want := []string{"open", "close", "ping", "pong", "message", "upgrade", "noop"}
	for i, w := range want {
		if got := eio.PacketType(i).String(); got != w {
			t.Errorf("PacketType(%d).String() = %q, want %q", i, got, w)
		}
	}
	if got := eio.PacketType(7).String(); got != "PacketType(7)" {
		t.Errorf("PacketType(7).String() = %q", got)
	}
}

func TestDecodePacketDecodesSpecExamples(t *testing.T) {
	for _, tc := range wsExamples {
		t.Run(tc.name, func(t *testing.T) {
			got, err := eio.DecodePacket([]byte(tc.wire), tc.binary)
			if err != nil {
				t.Fatalf("DecodePacket(%q, %v): %v", tc.wire, tc.binary, err)
			}
			if !samePacket(got, tc.pkt) {
				t.Fatalf("DecodePacket(%q, %v) = %+v, want %+v", tc.wire, tc.binary, got, tc.pkt)
			}
		})
	}
}

func TestAppendPacketEncodesSpecExamples(t *testing.T) {
	for _, tc := range wsExamples {
		t.Run(tc.name, func(t *testing.T) {
			prefix := []byte("xx")
			got := eio.AppendPacket(prefix, tc.pkt)
			if string(got) != "xx"+tc.wire {
				t.Fatalf("AppendPacket(%+v) = %q, want %q", tc.pkt, got, "xx"+tc.wire)
			}
		})
	}
}

func TestDecodePacketAliasesInputAndClipsCapacity(t *testing.T) {
	p := []byte("4hello")
	pkt, err := eio.DecodePacket(p, false)
	if err != nil {
		t.Fatal(err)
	}
	if &pkt.Data[0] != &p[1] {
		t.Fatal("Data does not alias p")
	}
	if cap(pkt.Data) != len(pkt.Data) {
		t.Fatalf("cap(Data) = %d, want %d", cap(pkt.Data), len(pkt.Data))
	}

	bin := make([]byte, 3, 10)
	pkt, _ = eio.DecodePacket(bin, true)
	if &pkt.Data[0] != &bin[0] || cap(pkt.Data) != 3 {
		t.Fatal("binary Data does not alias p with clipped capacity")
	}
}

// engine.io-client with forceBase64 sends binary as a 'b' + base64 text
// frame over WebSocket, and engine.io-parser's decodePacket accepts it.
func TestDecodePacketDecodesBase64TextFrameInPlace(t *testing.T) {
	p := []byte("bAQIDBA==")
	pkt, err := eio.DecodePacket(p, false)
	if err != nil {
		t.Fatal(err)
	}
	want := eio.Packet{Type: eio.PacketMessage, Data: []byte{1, 2, 3, 4}, Binary: true}
	if !samePacket(pkt, want) {
		t.Fatalf("got %+v, want %+v", pkt, want)
	}
	if &pkt.Data[0] != &p[1] {
		t.Fatal("Data does not alias p")
	}
}

func TestDecodePacketRejectsInvalidTextFrames(t *testing.T) {
	for _, wire := range []string{
		"",      // engine.io-parser: charAt(0) is "", not a type
		"7",     // unknown type digit
		"/",     // byte just below '0'
		"x",     // not a digit
		"\x1e4", // separator is not a type
	} {
		if pkt, err := eio.DecodePacket([]byte(wire), false); !errors.Is(err, eio.ErrInvalidPacket) {
			t.Errorf("DecodePacket(%q) = %+v, %v; want ErrInvalidPacket", wire, pkt, err)
		}
	}
}

func TestPacketRoundTripsEveryType(t *testing.T) {
	for typ := eio.PacketOpen; typ <= eio.PacketNoop; typ++ {
		for _, data := range []string{"", "x", "hello world", "\x00\xff", "2probe"} {
			want := eio.Packet{Type: typ, Data: []byte(data)}
			wire := eio.AppendPacket(nil, want)
			got, err := eio.DecodePacket(wire, false)
			if err != nil || !samePacket(got, want) {
				t.Fatalf("round trip of %+v via %q = %+v, %v", want, wire, got, err)
			}
		}
	}
	want := eio.Packet{Type: eio.PacketMessage, Data: []byte{0, 0x1e, 0xff}, Binary: true}
	got, err := eio.DecodePacket(eio.AppendPacket(nil, want), true)
	if err != nil || !samePacket(got, want) {
		t.Fatalf("binary round trip = %+v, %v", got, err)
	}
}

func TestBinaryPacketIsAlwaysWrittenAsMessage(t *testing.T) {
	pkt := eio.Packet{Type: eio.PacketPing, Data: []byte{1, 2}, Binary: true}
	if got := eio.AppendPacket(nil, pkt); !bytes.Equal(got, []byte{1, 2}) {
		t.Fatalf("AppendPacket = %q", got)
	}
	if got := eio.AppendPayloadPacket(nil, pkt, false); string(got) != "b"+base64.StdEncoding.EncodeToString([]byte{1, 2}) {
		t.Fatalf("AppendPayloadPacket = %q", got)
	}
}

func TestPacketCodecDoesNotAllocate(t *testing.T) {
	text := []byte(`4["chat","hello world"]`)
	pkt := eio.Packet{Type: eio.PacketMessage, Data: []byte(`["chat","hello world"]`)}
	buf := make([]byte, 0, 64)
	var sink eio.Packet
	if n := testing.AllocsPerRun(100, func() { sink, _ = eio.DecodePacket(text, false) }); n != 0 {
		t.Errorf("DecodePacket text: %v allocs", n)
	}
	if n := testing.AllocsPerRun(100, func() { sink, _ = eio.DecodePacket(text, true) }); n != 0 {
		t.Errorf("DecodePacket binary: %v allocs", n)
	}
	if n := testing.AllocsPerRun(100, func() { buf = eio.AppendPacket(buf[:0], pkt) }); n != 0 {
		t.Errorf("AppendPacket: %v allocs", n)
	}
	_ = sink
}
