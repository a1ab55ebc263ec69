package eio

import (
	"bytes"
	"errors"
	"testing"
)

// Long runs are opt-in: go test -fuzz=FuzzDecodePayloadV3 -fuzztime=15s ./eio/

// FuzzDecodePayloadV3 decodes bodies as the v3 text and binary payloads
// (never a panic, only ErrInvalidPacket), re-encodes what decoded and
// checks that it decodes to the same packets.
func FuzzDecodePayloadV3(f *testing.F) {
	for _, s := range []string{
		"2:40", "6:b4AQID", "48:451-0[\"echo\",\"h\u00e9\",{\"_placeholder\":true,\"num\":0}]6:b4AQID", "1:2", "3:4\U0001F600",
		"", "0:", "0:2:4a", "5:40", "x:4", "2:40:", "b", "2:b",
		"\x00\x02\xff40\x01\x04\xff\x04\x01\x02\x03", "\x01\x00\xff", "\x00\xff", "\x01\x09\x09\xff\x04",
	} {
		f.Add([]byte(s), false)
		f.Add([]byte(s), true)
	}
	f.Fuzz(func(t *testing.T, data []byte, binary bool) {
		decode, encode := decodePayloadV3, appendPayloadV3
		if binary {
			decode, encode = decodeBinaryPayloadV3, appendBinaryPayloadV3
		}
		collect := func(p []byte) ([]Packet, error) {
			var pkts []Packet
			err := decode(bytes.Clone(p), func(pkt Packet) error {
				pkt.Data = bytes.Clone(pkt.Data)
				pkts = append(pkts, pkt)
				return nil
			})
			return pkts, err
		}
		got, err := collect(data)
		if err != nil && !errors.Is(err, ErrInvalidPacket) {
			t.Fatalf("unexpected error %v", err)
		}
		var wire []byte
		for _, p := range got {
			if p.Type == packetUnknown || !binary && !p.Binary && !utf8Valid(p.Data) {
				return // not encodable: Node gives it no type / reads U+FFFD
			}
			wire = encode(wire, p)
		}
		if len(got) == 0 {
			return
		}
		round, err := collect(wire)
		if err != nil || len(round) != len(got) {
			t.Fatalf("%q decoded as %+v, re-encoded as %q, decoded %+v, %v", data, got, wire, round, err)
		}
		for i := range got {
			if round[i].Type != got[i].Type || round[i].Binary != got[i].Binary || !bytes.Equal(round[i].Data, got[i].Data) {
				t.Fatalf("%q: packet %d %+v came back as %+v (wire %q)", data, i, got[i], round[i], wire)
			}
		}
	})
}

func utf8Valid(p []byte) bool { return bytes.Equal(bytes.ToValidUTF8(p, nil), p) }
