package msgpack_test

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"

	vm "github.com/vmihailenco/msgpack/v5"

	"github.com/sioloop/sioloop/parser"
	"github.com/sioloop/sioloop/parser/msgpack"
)

// clientPackets reads what the official socket.io-client 4.8 sent with
// socket.io-msgpack-parser 3.0 (testdata/client-packets.hex, recorded by
// interop/testdata/msgpack-capture.mjs).
func clientPackets(tb testing.TB) [][]byte {
	tb.Helper()
	f, err := os.Open("testdata/client-packets.hex")
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var out [][]byte
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); line != "" {
			b, err := hex.DecodeString(line)
			if err != nil {
				tb.Fatal(err)
			}
			out = append(out, b)
		}
	}
	if len(out) == 0 {
		tb.Fatal("no captured packets")
	}
	return out
}

func decode(data []byte) (parser.Packet, bool, error) {
	var st parser.DecodeState
	p := parser.Packet{Args: new(parser.Args)}
	ok, err := msgpack.Parser.Decode(&st, data, true, &p)
	return p, ok, err
}

func mp(tb testing.TB, v any) []byte {
	tb.Helper()
	b, err := vm.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func TestDecodeWhatTheOfficialClientSends(t *testing.T) {
	for _, b := range clientPackets(t) {
		p, ok, err := decode(b)
		if !ok || err != nil {
			t.Errorf("%x: %v", b, err)
			continue
		}
		if _, err := p.Args.Values(); err != nil && (p.Type == parser.Event || p.Type == parser.Ack) {
			t.Errorf("%x: values: %v", b, err)
		}
	}
}

func TestDecodeFields(t *testing.T) {
	b := mp(t, map[string]any{"type": 2, "nsp": "/admin", "id": 7, "options": map[string]any{"compress": true},
		"data": []any{"chat", "hi", []byte{1, 2}, map[string]any{"n": 1.5}}})
	p, ok, err := decode(b)
	if !ok || err != nil {
		t.Fatal(err)
	}
	if p.Type != parser.Event || string(p.Namespace) != "/admin" || p.ID != 7 || string(p.Event) != "chat" || p.Args.Len() != 3 {
		t.Fatalf("%+v", p)
	}
	vs, err := p.Args.Values()
	if err != nil || !reflect.DeepEqual(vs, []any{"hi", []byte{1, 2}, map[string]any{"n": 1.5}}) {
		t.Fatalf("%#v %v", vs, err)
	}
	var s struct {
		N float64 `json:"n"`
	}
	if err := p.Args.Decode(2, &s); err != nil || s.N != 1.5 {
		t.Fatalf("%+v %v", s, err)
	}
	var bin []byte
	if err := p.Args.Decode(1, &bin); err != nil || !bytes.Equal(bin, []byte{1, 2}) {
		t.Fatalf("%v %v", bin, err)
	}
	if str, ok := p.Args.String(0); !ok || str != "hi" {
		t.Fatalf("%q %v", str, ok)
	}

	// CONNECT's auth reaches sio as JSON.
	p, ok, err = decode(mp(t, map[string]any{"type": 0, "nsp": "/", "data": map[string]any{"token": "x"}}))
	if !ok || err != nil || string(p.Data) != `{"token":"x"}` {
		t.Fatalf("%q %v", p.Data, err)
	}
}

func TestDecodeRefusesWhatSocketIOMsgpackParserRefuses(t *testing.T) {
	ev := func(m map[string]any) []byte {
		base := map[string]any{"type": 2, "nsp": "/", "data": []any{"a"}}
		for k, v := range m {
			if v == nil {
				delete(base, k)
			} else {
				base[k] = v
			}
		}
		return mp(t, base)
	}
	cases := map[string][]byte{
		"type 5":             ev(map[string]any{"type": 5}),
		"type string":        ev(map[string]any{"type": "2"}),
		"type 1.5":           ev(map[string]any{"type": 1.5}),
		"no nsp":             ev(map[string]any{"nsp": nil}),
		"nsp number":         ev(map[string]any{"nsp": 1}),
		"event data object":  ev(map[string]any{"data": map[string]any{}}),
		"event no data":      ev(map[string]any{"data": nil}),
		"connect data array": ev(map[string]any{"type": 0, "data": []any{}}),
		"disconnect data":    ev(map[string]any{"type": 1}),
		"connect_error num":  ev(map[string]any{"type": 4, "data": 1}),
		"id string":          ev(map[string]any{"id": "1"}),
		"id negative":        ev(map[string]any{"id": -1}),
		"reserved event":     ev(map[string]any{"data": []any{"disconnect"}}),
		"event name object":  ev(map[string]any{"data": []any{map[string]any{}}}),
		"not a map":          mp(t, []any{2, "/"}),
		"trailing bytes":     append(ev(nil), 0xc0),
		"truncated":          ev(nil)[:10],
		"empty":              {},
		"deep":               append(bytes.Repeat([]byte{0x91}, 20000), 0xc0),
	}
	for name, b := range cases {
		if _, ok, err := decode(b); ok || !errors.Is(err, parser.ErrInvalidPacket) {
			t.Errorf("%s: ok=%v err=%v", name, ok, err)
		}
	}
	var st parser.DecodeState
	p := parser.Packet{Args: new(parser.Args)}
	if _, err := msgpack.Parser.Decode(&st, ev(nil), false, &p); !errors.Is(err, parser.ErrInvalidPacket) {
		t.Errorf("text message: %v", err)
	}
}

func TestEncodeDecodesBack(t *testing.T) {
	e := msgpack.Parser.NewEncoder()
	var f parser.Frames
	type rec struct {
		Name string `json:"name"`
		Blob []byte `json:"blob,omitempty"`
	}
	args := []any{"x", 3, 2.5, []byte{7}, rec{Name: "n", Blob: []byte{1}}, nil, map[string]any{"k": []any{true}}}
	if err := e.Encode(&f, parser.Event, "/chat", 12, "ev", args); err != nil {
		t.Fatal(err)
	}
	if !f.Binary || f.Attachments != nil {
		t.Fatalf("frames %+v", f)
	}
	p, ok, err := decode(f.Head)
	if !ok || err != nil || string(p.Event) != "ev" || p.ID != 12 || string(p.Namespace) != "/chat" {
		t.Fatalf("%+v %v", p, err)
	}
	vs, err := p.Args.Values()
	want := []any{"x", int64(3), 2.5, []byte{7}, map[string]any{"name": "n", "blob": []byte{1}}, nil, map[string]any{"k": []any{true}}}
	if err != nil || !reflect.DeepEqual(vs, want) {
		t.Fatalf("got %#v, %v", vs, err)
	}

	f.Head = f.Head[:0]
	if err := e.Encode(&f, parser.Connect, "/", -1, "", []any{json.RawMessage(`{"sid":"abc"}`)}); err != nil {
		t.Fatal(err)
	}
	if p, ok, err = decode(f.Head); !ok || err != nil || string(p.Data) != `{"sid":"abc"}` {
		t.Fatalf("%q %v", p.Data, err)
	}
}

func FuzzDecode(f *testing.F) {
	for _, b := range clientPackets(f) {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, ok, err := decode(data)
		if err != nil {
			if !errors.Is(err, parser.ErrInvalidPacket) {
				t.Fatalf("error %v does not wrap ErrInvalidPacket", err)
			}
			return
		}
		if !ok || p.Type > parser.ConnectError {
			t.Fatalf("%+v", p)
		}
		if p.Type != parser.Event && p.Type != parser.Ack {
			return
		}
		vs, err := p.Args.Values()
		if err != nil {
			return // a value the client's library writes but plain Go values cannot hold (an ext)
		}
		// What was accepted encodes and decodes back to the same packet.
		var fr parser.Frames
		event := string(p.Event)
		if err := msgpack.Parser.NewEncoder().Encode(&fr, p.Type, string(p.Namespace), p.ID, event, vs); err != nil {
			if p.Type == parser.Event && p.Event == nil || strings.IndexByte(string(p.Namespace), ',') >= 0 || len(p.Namespace) == 0 || p.Namespace[0] != '/' {
				return // a namespace or an empty EVENT sio never writes
			}
			t.Fatalf("encode %+v: %v", p, err)
		}
		q, ok, err := decode(fr.Head)
		if !ok || err != nil || q.Type != p.Type || q.ID != p.ID || string(q.Event) != event || q.Args.Len() != p.Args.Len() {
			t.Fatalf("round trip %+v -> %+v, %v", p, q, err)
		}
	})
}

func BenchmarkDecodeEvent(b *testing.B) {
	data := mp(b, map[string]any{"type": 2, "nsp": "/", "data": []any{"chat", "hello", 42}})
	var st parser.DecodeState
	p := parser.Packet{Args: new(parser.Args)}
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if ok, err := msgpack.Parser.Decode(&st, data, true, &p); !ok || err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncodeEvent(b *testing.B) {
	e := msgpack.Parser.NewEncoder()
	var f parser.Frames
	args := []any{"hello", 42}
	b.ReportAllocs()
	for b.Loop() {
		f.Head = f.Head[:0]
		if err := e.Encode(&f, parser.Event, "/", -1, "chat", args); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(int64(len(f.Head)))
}
