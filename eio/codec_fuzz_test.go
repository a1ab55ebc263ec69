package eio_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/sioloop/sioloop/eio"
)

// Long runs are opt-in: go test -fuzz=FuzzDecodePayload -fuzztime=15s ./eio/

func seedPayloads(f *testing.F) {
	for _, tc := range payloadExamples {
		f.Add([]byte(tc.wire), uint16(len(tc.wire)/2))
	}
	for _, tc := range wsExamples {
		if !tc.binary {
			f.Add([]byte(tc.wire), uint16(1))
		}
	}
	for _, s := range []string{"", "\x1e", "4a\x1e", "4a\x1e\x1e4b", "b!!!!", "bAQIDBA", "bAQ=DBA=", "7", "bAQIDBA==\r\n", "bAQID/w==\n", "bQUJD\u0141RA==", "bQUJD\U0001F600RA=="} {
		f.Add([]byte(s), uint16(1))
	}
}

// naiveDecodePayload is the reference: engine.io-parser's algorithm written
// the obvious way (split on 0x1e, decode each segment, stop at the first
// bad one), with naiveNodeBase64 for binary segments.
func naiveDecodePayload(p []byte) ([]eio.Packet, error) {
	var pkts []eio.Packet
	for _, seg := range bytes.Split(p, []byte{0x1e}) {
		switch {
		case len(seg) == 0:
			return pkts, eio.ErrInvalidPacket
		case seg[0] == 'b':
			pkts = append(pkts, eio.Packet{Type: eio.PacketMessage, Data: naiveNodeBase64(seg[1:]), Binary: true})
		case seg[0] >= '0' && seg[0] <= '6':
			pkts = append(pkts, eio.Packet{Type: eio.PacketType(seg[0] - '0'), Data: bytes.Clone(seg[1:])})
		default:
			return pkts, eio.ErrInvalidPacket
		}
	}
	return pkts, nil
}

// naiveNodeBase64 is Node's Buffer.from(s, "base64") written the obvious
// way, after node/src/base64-inl.h's slow path: read the bytes as UTF-8
// into UTF-16 code units, look at each unit's low byte, stop at '=', skip
// what is not in either alphabet, and turn every 4 values into 3 bytes (a
// last 2 or 3 into 1 or 2).
func naiveNodeBase64(p []byte) []byte {
	const std, url = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", "-_"
	var vals []byte
units:
	for _, u := range utf16.Encode([]rune(string(p))) {
		c := byte(u)
		switch {
		case c == '=':
			break units
		case strings.IndexByte(std, c) >= 0:
			vals = append(vals, byte(strings.IndexByte(std, c)))
		case strings.IndexByte(url, c) >= 0:
			vals = append(vals, 62+byte(strings.IndexByte(url, c)))
		}
	}
	var out []byte
	for len(vals) >= 2 { // a lone last value gives nothing
		n := min(4, len(vals))
		var v uint32
		for i := range 4 {
			v <<= 6
			if i < n {
				v |= uint32(vals[i])
			}
		}
		group := []byte{byte(v >> 16), byte(v >> 8), byte(v)}
		out = append(out, group[:n-1]...)
		vals = vals[n:]
	}
	return out
}

func FuzzDecodePayload(f *testing.F) {
	seedPayloads(f)
	f.Fuzz(func(t *testing.T, data []byte, cut uint16) {
		// Two reads: the prefix a first read would see, then the whole body.
		// collect decodes a copy, since binary packets are decoded in place.
		i := int(cut) % (len(data) + 1)
		_, _ = collect(data[:i])

		got, err := collect(data)
		if err != nil && !errors.Is(err, eio.ErrInvalidPacket) {
			t.Fatalf("unexpected error %v", err)
		}
		again, err2 := collect(data)
		if (err == nil) != (err2 == nil) || !samePackets(got, again) {
			t.Fatalf("not deterministic: %+v, %v then %+v, %v", got, err, again, err2)
		}

		want, wantErr := naiveDecodePayload(data)
		if (err == nil) != (wantErr == nil) || !samePackets(got, want) {
			t.Fatalf("%q: got %+v, %v; naive %+v, %v", data, got, err, want, wantErr)
		}
		if err != nil {
			return
		}

		wire := eio.AppendPayload(nil, got)
		round, err := collect(wire)
		if err != nil || !samePackets(round, got) {
			t.Fatalf("re-encoded %q as %q, decoded %+v, %v; want %+v", data, wire, round, err, got)
		}
	})
}

func FuzzDecodePacket(f *testing.F) {
	for _, tc := range wsExamples {
		f.Add([]byte(tc.wire), tc.binary, uint16(len(tc.wire)/2))
	}
	for _, s := range []string{"", "7", "x", "bAQIDBA==", "b", "b!!!!", "bAQIDBA"} {
		f.Add([]byte(s), false, uint16(1))
	}
	decode := func(p []byte, binary bool) (eio.Packet, error) {
		pkt, err := eio.DecodePacket(bytes.Clone(p), binary)
		pkt.Data = bytes.Clone(pkt.Data)
		return pkt, err
	}
	f.Fuzz(func(t *testing.T, data []byte, binary bool, cut uint16) {
		i := int(cut) % (len(data) + 1)
		_, _ = decode(data[:i], binary)

		got, err := decode(data, binary)
		if err != nil && !errors.Is(err, eio.ErrInvalidPacket) {
			t.Fatalf("unexpected error %v", err)
		}
		again, err2 := decode(data, binary)
		if (err == nil) != (err2 == nil) || !samePacket(got, again) {
			t.Fatalf("not deterministic: %+v, %v then %+v, %v", got, err, again, err2)
		}
		if binary && (err != nil || !got.Binary || !bytes.Equal(got.Data, data)) {
			t.Fatalf("binary frame %q decoded as %+v, %v", data, got, err)
		}
		if !binary && !bytes.ContainsAny(data, "\x1e") {
			// A text frame without a separator is a one-packet payload.
			want, wantErr := naiveDecodePayload(data)
			if (err == nil) != (wantErr == nil) || (err == nil && !samePacket(got, want[0])) {
				t.Fatalf("%q: got %+v, %v; naive %+v, %v", data, got, err, want, wantErr)
			}
		}
		if err != nil {
			return
		}

		wire := eio.AppendPacket(nil, got)
		round, err := decode(wire, got.Binary)
		if err != nil || !samePacket(round, got) {
			t.Fatalf("re-encoded %+v as %q, decoded %+v, %v", got, wire, round, err)
		}
	})
}
