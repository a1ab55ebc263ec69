package parser_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/sioloop/sioloop/parser"
)

var (
	benchEvent      = []byte(`2["chat","hello",42]`)
	benchEventLarge = []byte(`2/chat,17["message",{"user":{"id":123456,"name":"Ada \"the\" Countess","tags":["a","b","c"]},` +
		`"text":"` + strings.Repeat("lorem ipsum dolor sit amet ", 20) + `","at":1712345678901,"reply":null,"ok":true},3.25,[1,2,3,4,5]]`)
	benchBin1K = bytes.Repeat([]byte{0xde, 0xad, 0xbe, 0xef}, 256)

	benchSinkName []byte
	benchSinkText []byte
	benchSinkAtt  [][]byte
	benchSinkStr  string
	benchSinkAny  any
)

func BenchmarkDecodeEvent(b *testing.B) {
	for _, size := range []struct {
		name string
		wire []byte
	}{{"small", benchEvent}, {"large", benchEventLarge}} {
		b.Run(size.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(size.wire)))
			// What sio does per message: the header, the arguments split,
			// the event name.
			var st parser.DecodeState
			pkt := parser.Packet{Args: new(parser.Args)}
			for b.Loop() {
				if done, err := parser.JSON.Decode(&st, size.wire, false, &pkt); !done || err != nil {
					b.Fatal(err)
				}
			}
			benchSinkName = pkt.Event
		})
		// The naive way: encoding/json splits the payload.
		b.Run(size.name+"/encoding-json", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(size.wire)))
			for b.Loop() {
				pkt, _ := parser.DecodePacket(size.wire)
				var raws []json.RawMessage
				if err := json.Unmarshal(pkt.Data, &raws); err != nil {
					b.Fatal(err)
				}
				var name string
				_ = json.Unmarshal(raws[0], &name)
				benchSinkStr = name
			}
		})
	}
}

func BenchmarkEncodeEvent(b *testing.B) {
	args := []any{"hello", 42}
	b.Run("small/reused", func(b *testing.B) {
		b.ReportAllocs()
		e := parser.JSON.NewEncoder() // as sio: one per loop, through the interface
		f := parser.Frames{Head: make([]byte, 0, 64)}
		for b.Loop() {
			f.Head = f.Head[:0]
			if err := e.Encode(&f, parser.Event, "/", -1, "chat", args); err != nil {
				b.Fatal(err)
			}
		}
		b.SetBytes(int64(len(f.Head)))
		benchSinkText = f.Head
	})
	b.Run("small/alloc", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var e parser.JSONEncoder
			benchSinkText, _, _ = e.AppendPacket(nil, parser.Event, "/", -1, "chat", args)
		}
	})
	b.Run("small/encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			payload, _ := json.Marshal(append([]any{"chat"}, args...))
			benchSinkText = append([]byte{'2'}, payload...)
		}
	})
	type message struct {
		User struct {
			ID   int      `json:"id"`
			Name string   `json:"name"`
			Tags []string `json:"tags"`
		} `json:"user"`
		Text string  `json:"text"`
		At   int64   `json:"at"`
		Sent *string `json:"sent,omitempty"`
	}
	var msg message
	msg.User.ID, msg.User.Name, msg.User.Tags = 123456, `Ada "the" Countess`, []string{"a", "b", "c"}
	msg.Text, msg.At = strings.Repeat("lorem ipsum dolor sit amet ", 20), 1712345678901
	large := []any{msg, map[string]any{"ok": true, "n": 3.25, "list": []any{1, 2, 3}}}
	b.Run("large/reused", func(b *testing.B) {
		b.ReportAllocs()
		var e parser.JSONEncoder
		var buf []byte
		for b.Loop() {
			buf, _, _ = e.AppendPacket(buf[:0], parser.Event, "/chat", 17, "message", large)
		}
		b.SetBytes(int64(len(buf)))
		benchSinkText = buf
	})
}

func BenchmarkEncodeBinaryEvent(b *testing.B) {
	b.Run("1KiB", func(b *testing.B) {
		args := []any{"a.bin", benchBin1K}
		b.ReportAllocs()
		b.SetBytes(int64(len(benchBin1K)))
		var e parser.JSONEncoder
		buf := make([]byte, 0, 128)
		for b.Loop() {
			buf, benchSinkAtt, _ = e.AppendPacket(buf[:0], parser.Event, "/", -1, "upload", args)
		}
		benchSinkText = buf
	})
	b.Run("struct-2x1KiB", func(b *testing.B) {
		type file struct {
			Name  string `json:"name"`
			Body  []byte `json:"body"`
			Thumb []byte `json:"thumb"`
		}
		args := []any{file{Name: "a.bin", Body: benchBin1K, Thumb: benchBin1K}}
		b.ReportAllocs()
		b.SetBytes(2 * int64(len(benchBin1K)))
		var e parser.JSONEncoder
		buf := make([]byte, 0, 128)
		for b.Loop() {
			buf, benchSinkAtt, _ = e.AppendPacket(buf[:0], parser.Event, "/", -1, "upload", args)
		}
		benchSinkText = buf
	})
}

func BenchmarkArgsDecodeString(b *testing.B) {
	var args parser.Args
	if err := args.Parse([]byte(`["hello",42]`)); err != nil {
		b.Fatal(err)
	}
	b.Run("Decode", func(b *testing.B) {
		b.ReportAllocs()
		var s string // a reused target: Decode makes it escape
		for b.Loop() {
			if err := args.Decode(0, &s); err != nil {
				b.Fatal(err)
			}
			benchSinkStr = s
		}
	})
	b.Run("String", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			benchSinkStr, _ = args.String(0)
		}
	})
	b.Run("Value", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			benchSinkAny, _ = args.Value(0)
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		raw := args.Raw(0)
		for b.Loop() {
			var s string
			_ = json.Unmarshal(raw, &s)
			benchSinkStr = s
		}
	})
}
