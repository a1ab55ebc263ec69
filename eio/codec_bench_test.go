package eio_test

import (
	"bytes"
	"encoding/base64"
	"testing"

	"github.com/sioloop/sioloop/eio"
)

var (
	benchText     = []byte(`4["chat","hello world"]`)
	benchTextPkt  = eio.Packet{Type: eio.PacketMessage, Data: []byte(`["chat","hello world"]`)}
	benchPayload3 = []byte("4[\"chat\",\"hello world\"]\x1e3\x1e4[\"chat\",\"bye\"]")
	benchPkts3    = []eio.Packet{
		benchTextPkt,
		{Type: eio.PacketPong},
		{Type: eio.PacketMessage, Data: []byte(`["chat","bye"]`)},
	}
	benchBin1K    = bytes.Repeat([]byte{0xde, 0xad, 0xbe, 0xef}, 256)
	benchBinPkts  = []eio.Packet{{Type: eio.PacketMessage, Data: benchBin1K, Binary: true}}
	benchBinWire  = []byte("b" + base64.StdEncoding.EncodeToString(benchBin1K))
	benchSinkPkt  eio.Packet
	benchSinkInt  int
	benchSinkByte []byte
)

func BenchmarkDecodePacket(b *testing.B) {
	b.Run("text-small", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(benchText)))
		for b.Loop() {
			benchSinkPkt, _ = eio.DecodePacket(benchText, false)
		}
	})
	b.Run("binary-1KiB", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(benchBin1K)))
		for b.Loop() {
			benchSinkPkt, _ = eio.DecodePacket(benchBin1K, true)
		}
	})
}

func BenchmarkAppendPacket(b *testing.B) {
	b.Run("text-small/reused", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(benchText)))
		buf := make([]byte, 0, 64)
		for b.Loop() {
			buf = eio.AppendPacket(buf[:0], benchTextPkt)
		}
		benchSinkByte = buf
	})
	b.Run("text-small/alloc", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(benchText)))
		for b.Loop() {
			benchSinkByte = eio.AppendPacket(nil, benchTextPkt)
		}
	})
}

func BenchmarkDecodePayload(b *testing.B) {
	count := func(eio.Packet) error { benchSinkInt++; return nil }
	b.Run("text-3", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(benchPayload3)))
		for b.Loop() {
			_ = eio.DecodePayload(benchPayload3, count)
		}
	})
	b.Run("binary-1KiB", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(benchBinWire)))
		work := bytes.Clone(benchBinWire)
		for b.Loop() {
			copy(work, benchBinWire) // decoding is in place: restore the input
			_ = eio.DecodePayload(work, count)
		}
	})
	// The naive reference: encoding/base64 into a second, reused buffer,
	// plus the same copy, to compare with binary-1KiB.
	b.Run("binary-1KiB/encoding-base64", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(benchBinWire)))
		work := bytes.Clone(benchBinWire)
		out := make([]byte, len(benchBin1K))
		for b.Loop() {
			copy(work, benchBinWire)
			benchSinkInt, _ = base64.StdEncoding.Decode(out, work[1:])
		}
	})
}

func BenchmarkAppendPayload(b *testing.B) {
	for _, bc := range []struct {
		name string
		pkts []eio.Packet
	}{
		{"text-3", benchPkts3},
		{"binary-1KiB", benchBinPkts},
	} {
		wireLen := len(eio.AppendPayload(nil, bc.pkts))
		b.Run(bc.name+"/reused", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(wireLen))
			buf := make([]byte, 0, wireLen)
			for b.Loop() {
				buf = eio.AppendPayload(buf[:0], bc.pkts)
			}
			benchSinkByte = buf
		})
		b.Run(bc.name+"/one-by-one", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(wireLen))
			buf := make([]byte, 0, wireLen)
			for b.Loop() {
				buf = buf[:0]
				for i, pkt := range bc.pkts {
					buf = eio.AppendPayloadPacket(buf, pkt, i > 0)
				}
			}
			benchSinkByte = buf
		})
	}
}
