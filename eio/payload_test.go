package eio_test

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/sioloop/sioloop/eio"
)

// payloadExamples are the spec's "Packet encoding / HTTP long-polling"
// examples, plus the handshake and upgrade packets in payload form.
var payloadExamples = []struct {
	name string
	wire string
	pkts []eio.Packet
}{
	{"spec text example", "4hello\x1e2\x1e4world", []eio.Packet{
		{Type: eio.PacketMessage, Data: []byte("hello")},
		{Type: eio.PacketPing},
		{Type: eio.PacketMessage, Data: []byte("world")},
	}},
	{"spec binary example", "4hello\x1ebAQIDBA==", []eio.Packet{
		{Type: eio.PacketMessage, Data: []byte("hello")},
		{Type: eio.PacketMessage, Data: []byte{1, 2, 3, 4}, Binary: true},
	}},
	{"open", "0" + openJSON, []eio.Packet{{Type: eio.PacketOpen, Data: []byte(openJSON)}}},
	{"noop", "6", []eio.Packet{{Type: eio.PacketNoop}}},
	{"close", "1", []eio.Packet{{Type: eio.PacketClose}}},
	{"pong then message", "3\x1e4[\"chat\",\"hi\"]", []eio.Packet{
		{Type: eio.PacketPong},
		{Type: eio.PacketMessage, Data: []byte(`["chat","hi"]`)},
	}},
	{"empty messages", "4\x1e4", []eio.Packet{{Type: eio.PacketMessage}, {Type: eio.PacketMessage}}},
	{"empty binary", "b\x1ebAA==\x1ebAAA=\x1ebAAAA", []eio.Packet{
		{Type: eio.PacketMessage, Data: []byte{}, Binary: true},
		{Type: eio.PacketMessage, Data: []byte{0}, Binary: true},
		{Type: eio.PacketMessage, Data: []byte{0, 0}, Binary: true},
		{Type: eio.PacketMessage, Data: []byte{0, 0, 0}, Binary: true},
	}},
}

// collect decodes a copy of wire, so that in-place decoding leaves wire
// untouched, and returns the packets (with copied Data) and the error.
func collect(wire []byte) ([]eio.Packet, error) {
	p := bytes.Clone(wire)
	var pkts []eio.Packet
	err := eio.DecodePayload(p, func(pkt eio.Packet) error {
		pkt.Data = bytes.Clone(pkt.Data)
		pkts = append(pkts, pkt)
		return nil
	})
	return pkts, err
}

func samePackets(a, b []eio.Packet) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !samePacket(a[i], b[i]) {
			return false
		}
	}
	return true
}

func TestDecodePayloadDecodesSpecExamples(t *testing.T) {
	for _, tc := range payloadExamples {
		t.Run(tc.name, func(t *testing.T) {
			got, err := collect([]byte(tc.wire))
			if err != nil {
				t.Fatalf("DecodePayload(%q): %v", tc.wire, err)
			}
			if !samePackets(got, tc.pkts) {
				t.Fatalf("DecodePayload(%q) = %+v, want %+v", tc.wire, got, tc.pkts)
			}
		})
	}
}

func TestAppendPayloadEncodesSpecExamples(t *testing.T) {
	for _, tc := range payloadExamples {
		t.Run(tc.name, func(t *testing.T) {
			if got := eio.AppendPayload([]byte("xx"), tc.pkts); string(got) != "xx"+tc.wire {
				t.Fatalf("AppendPayload = %q, want %q", got, "xx"+tc.wire)
			}
			var one []byte
			for i, pkt := range tc.pkts {
				one = eio.AppendPayloadPacket(one, pkt, i > 0)
			}
			if string(one) != tc.wire {
				t.Fatalf("AppendPayloadPacket one by one = %q, want %q", one, tc.wire)
			}
		})
	}
}

func TestAppendPayloadOfNoPacketsAppendsNothing(t *testing.T) {
	if got := eio.AppendPayload([]byte("x"), nil); string(got) != "x" {
		t.Fatalf("got %q", got)
	}
}

func TestAppendPayloadGrowsOnce(t *testing.T) {
	pkts := payloadExamples[1].pkts
	if n := testing.AllocsPerRun(50, func() { _ = eio.AppendPayload(nil, pkts) }); n != 1 {
		t.Fatalf("AppendPayload(nil, ...) made %v allocs, want 1", n)
	}
}

// Mirrors engine.io-parser: decodePayload stops at the first error packet,
// the polling transport delivers the packets before it, and the socket
// closes with "parse error".
func TestDecodePayloadDeliversPacketsBeforeAnInvalidOneThenFails(t *testing.T) {
	for _, tc := range []struct {
		wire string
		want int // packets delivered before the error
	}{
		{"", 0},                 // empty body: "".split(SEP) is [""]
		{"\x1e", 0},             // empty first segment
		{"\x1e4a", 0},           // leading separator
		{"4a\x1e", 1},           // trailing separator
		{"4a\x1e\x1e4b", 1},     // empty segment in the middle
		{"4a\x1e7", 1},          // unknown type digit
		{"4a\x1e2\x1ex", 2},     // not a digit
		{"4a\x1eb!!!!\x1e7", 2}, // base64 never fails, as in Node
	} {
		got, err := collect([]byte(tc.wire))
		if !errors.Is(err, eio.ErrInvalidPacket) {
			t.Errorf("DecodePayload(%q) error = %v, want ErrInvalidPacket", tc.wire, err)
		}
		if len(got) != tc.want {
			t.Errorf("DecodePayload(%q) delivered %d packets, want %d", tc.wire, len(got), tc.want)
		}
	}
}

func TestDecodePayloadStopsAtCallbackError(t *testing.T) {
	stop := errors.New("stop")
	calls := 0
	err := eio.DecodePayload([]byte("4a\x1e4b\x1e4c"), func(eio.Packet) error {
		calls++
		if calls == 2 {
			return stop
		}
		return nil
	})
	if err != stop || calls != 2 {
		t.Fatalf("err = %v after %d calls, want stop after 2", err, calls)
	}
}

func TestDecodePayloadAliasesInputAndClipsCapacity(t *testing.T) {
	p := []byte("4ab\x1ebAQIDBA==\x1e4cd")
	var got []eio.Packet
	if err := eio.DecodePayload(p, func(pkt eio.Packet) error { got = append(got, pkt); return nil }); err != nil {
		t.Fatal(err)
	}
	offsets := []int{1, 5, 15}
	for i, pkt := range got {
		if &pkt.Data[0] != &p[offsets[i]] {
			t.Errorf("packet %d does not alias p at %d", i, offsets[i])
		}
		if cap(pkt.Data) != len(pkt.Data) {
			t.Errorf("packet %d: cap %d, len %d", i, cap(pkt.Data), len(pkt.Data))
		}
	}
	if !bytes.Equal(got[1].Data, []byte{1, 2, 3, 4}) || string(got[2].Data) != "cd" {
		t.Fatalf("in-place decode clobbered a neighbour: %q", p)
	}
}

// The in-place base64 decoder, checked against encoding/base64 on random
// data of every length from 0 to 300.
func TestDecodePayloadBase64MatchesEncodingBase64(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for n := 0; n <= 300; n++ {
		data := make([]byte, n)
		for i := range data {
			data[i] = byte(rng.Uint32())
		}
		enc := base64.StdEncoding.EncodeToString(data)
		want, err := base64.StdEncoding.DecodeString(enc)
		if err != nil || !bytes.Equal(want, data) {
			t.Fatalf("encoding/base64 round trip failed at %d", n)
		}

		got, err := collect([]byte("4x\x1eb" + enc + "\x1e2"))
		if err != nil || len(got) != 3 || !got[1].Binary || !bytes.Equal(got[1].Data, want) {
			t.Fatalf("len %d: DecodePayload = %+v, %v", n, got, err)
		}
		pkt, err := eio.DecodePacket([]byte("b"+enc), false)
		if err != nil || !bytes.Equal(pkt.Data, want) {
			t.Fatalf("len %d: DecodePacket = %+v, %v", n, pkt, err)
		}
		if wire := eio.AppendPayloadPacket(nil, eio.Packet{Type: eio.PacketMessage, Data: data, Binary: true}, false); string(wire) != "b"+enc {
			t.Fatalf("len %d: AppendPayloadPacket = %q", n, wire)
		}
	}
}

// What Node 20's Buffer.from(s, "base64") gives for s, printed by Node
// itself (node -e 'console.log(Buffer.from(s, "base64").toString("hex"))'):
// the Java client's line-wrapped base64, skipped characters, missing and
// early padding, the URL-safe alphabet, and non-ASCII characters read by
// the low byte of their UTF-16 code units.
var nodeBase64 = []struct{ in, hex string }{
	{"AQID/w==\n", "010203ff"},
	{"AQIDBA==\r\n", "01020304"},
	{"AQID/w", "010203ff"},
	{"AQID_w", "010203ff"},
	{"AQ ID/w==", "010203ff"},
	{"AQ==QUJD", "01"},
	{"A", ""},
	{"QQ", "41"},
	{"QUI", "4142"},
	{"!!!!", ""},
	{"", ""},
	{"====", ""},
	{"A===", ""},
	{"AQ=DBA=", "01"},
	{"QUJ=D", "4142"},
	{"QUJDR", "414243"},
	{"QUJDéRA==", "41424344"},
	{"QUJDŁRA==", "4142430110"},
	{"QUJD😀RA==", "414243"},
	{"QUJDRAÿ=", "41424344"},
	{"QUJD\tRA\u000b==", "41424344"},
}

func TestDecodePayloadDecodesBase64AsNodeDoes(t *testing.T) {
	for _, tc := range nodeBase64 {
		want, _ := hex.DecodeString(tc.hex)
		got, err := collect([]byte("4a\x1eb" + tc.in + "\x1e4b"))
		if err != nil || len(got) != 3 || !got[1].Binary || !bytes.Equal(got[1].Data, want) {
			t.Errorf("DecodePayload(b%q) = %+v, %v; Node gives %x", tc.in, got, err, want)
		}
		pkt, err := eio.DecodePacket([]byte("b"+tc.in), false)
		if err != nil || !bytes.Equal(pkt.Data, want) {
			t.Errorf("DecodePacket(b%q) = %x, %v; Node gives %x", tc.in, pkt.Data, err, want)
		}
		if n := naiveNodeBase64([]byte(tc.in)); !bytes.Equal(n, want) {
			t.Errorf("naiveNodeBase64(%q) = %x; Node gives %x", tc.in, n, want)
		}
	}
}

// Every string of up to 5 characters over an alphabet of valid, padding,
// skipped, URL-safe and non-ASCII characters decodes as the naive Node
// decoder decodes it.
func TestDecodePayloadBase64MatchesNaiveNode(t *testing.T) {
	alphabet := []string{"A", "Q", "/", "+", "=", "!", "_", "\n", "Ł", "😀"}
	var s []byte
	var walk func(depth int)
	walk = func(depth int) {
		want := naiveNodeBase64(s)
		got, err := collect(append([]byte("b"), s...))
		if err != nil || !bytes.Equal(got[0].Data, want) {
			t.Fatalf("%q: got %+v, %v; want %x", s, got, err, want)
		}
		if depth == 0 {
			return
		}
		for _, c := range alphabet {
			n := len(s)
			s = append(s, c...)
			walk(depth - 1)
			s = s[:n]
		}
	}
	walk(5)
}

func TestPayloadRoundTripsMixedPackets(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for range 200 {
		pkts := make([]eio.Packet, 1+rng.IntN(6))
		for i := range pkts {
			data := make([]byte, rng.IntN(40))
			for j := range data {
				data[j] = byte(rng.Uint32())
				if data[j] == 0x1e { // the spec assumes text never holds the separator
					data[j] = ' '
				}
			}
			if rng.IntN(2) == 0 {
				pkts[i] = eio.Packet{Type: eio.PacketMessage, Data: data, Binary: true}
			} else {
				pkts[i] = eio.Packet{Type: eio.PacketType(rng.IntN(7)), Data: data}
			}
		}
		wire := eio.AppendPayload(nil, pkts)
		got, err := collect(wire)
		if err != nil || !samePackets(got, pkts) {
			t.Fatalf("round trip of %q = %+v, %v", wire, got, err)
		}
	}
}

func TestPayloadCodecDoesNotAllocate(t *testing.T) {
	text := []byte("4hello\x1e2\x1e4world")
	pristine := []byte("b" + base64.StdEncoding.EncodeToString([]byte(strings.Repeat("x", 1024))))
	bin := bytes.Clone(pristine)
	count := 0
	fn := func(eio.Packet) error { count++; return nil }
	if n := testing.AllocsPerRun(100, func() { _ = eio.DecodePayload(text, fn) }); n != 0 {
		t.Errorf("DecodePayload text: %v allocs", n)
	}
	if n := testing.AllocsPerRun(100, func() {
		copy(bin, pristine)
		_ = eio.DecodePayload(bin, fn)
	}); n != 0 {
		t.Errorf("DecodePayload binary: %v allocs", n)
	}
	if n := testing.AllocsPerRun(100, func() { _ = eio.DecodePayload([]byte{}, fn) }); n != 0 {
		t.Errorf("DecodePayload error path: %v allocs", n)
	}
	pkts := payloadExamples[1].pkts
	buf := make([]byte, 0, 256)
	if n := testing.AllocsPerRun(100, func() { buf = eio.AppendPayload(buf[:0], pkts) }); n != 0 {
		t.Errorf("AppendPayload: %v allocs", n)
	}
}
