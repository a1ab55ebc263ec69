package parser_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/sioloop/sioloop/parser"
)

type encodeCase struct {
	name  string
	typ   parser.Type
	nsp   string
	id    int64
	event string
	args  []any
	wire  string
	att   [][]byte
}

// encodeSpecExamples are the spec's examples, in the encoding direction.
var encodeSpecExamples = []encodeCase{
	{"connect main", parser.Connect, "/", -1, "", nil, "0", nil},
	{"connect custom with sid", parser.Connect, "/admin", -1, "", []any{json.RawMessage(`{"sid":"oSO0OpakMV_3jnilAAAA"}`)}, `0/admin,{"sid":"oSO0OpakMV_3jnilAAAA"}`, nil},
	{"connect refused", parser.ConnectError, "/", -1, "", []any{map[string]any{"message": "Not authorized"}}, `4{"message":"Not authorized"}`, nil},
	{"event main", parser.Event, "/", -1, "foo", nil, `2["foo"]`, nil},
	{"event custom", parser.Event, "/admin", -1, "bar", nil, `2/admin,["bar"]`, nil},
	{"binary event", parser.Event, "", -1, "baz", []any{[]byte{1, 2, 3, 4}}, `51-["baz",{"_placeholder":true,"num":0}]`, [][]byte{{1, 2, 3, 4}}},
	{"binary event two attachments", parser.Event, "/admin", -1, "baz", []any{[]byte{1, 2}, []byte{3, 4}}, `52-/admin,["baz",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]`, [][]byte{{1, 2}, {3, 4}}},
	{"event with ack id", parser.Event, "/", 12, "foo", nil, `212["foo"]`, nil},
	{"ack empty", parser.Ack, "/", 12, "", nil, `312[]`, nil},
	{"ack custom", parser.Ack, "/admin", 13, "", []any{"bar"}, `3/admin,13["bar"]`, nil},
	{"binary ack", parser.Ack, "/", 15, "", []any{"bar", []byte{1, 2, 3, 4}}, `61-15["bar",{"_placeholder":true,"num":0}]`, [][]byte{{1, 2, 3, 4}}},
	{"disconnect main", parser.Disconnect, "/", -1, "", nil, "1", nil},
	{"disconnect custom", parser.Disconnect, "/admin", -1, "", nil, "1/admin,", nil},
	{"session emit", parser.Event, "/", -1, "hey", []any{"Jude"}, `2["hey","Jude"]`, nil},
	{"session binary ack", parser.Ack, "/admin", 1, "", []any{[]byte{0xde, 0xad}}, `61-/admin,1[{"_placeholder":true,"num":0}]`, [][]byte{{0xde, 0xad}}},
	{"ack id 0", parser.Ack, "/", 0, "", []any{nil}, `30[null]`, nil},
}

func TestEncodeSpecExamples(t *testing.T) {
	var e parser.JSONEncoder
	for _, tc := range encodeSpecExamples {
		t.Run(tc.name, func(t *testing.T) {
			text, att, err := e.AppendPacket(nil, tc.typ, tc.nsp, tc.id, tc.event, tc.args)
			if err != nil {
				t.Fatal(err)
			}
			if string(text) != tc.wire || !reflect.DeepEqual(att, tc.att) {
				t.Fatalf("Encode = %q %v, want %q %v", text, att, tc.wire, tc.att)
			}
			if _, err := parser.DecodePacket(text); err != nil {
				t.Fatalf("DecodePacket(%q): %v", text, err)
			}
		})
	}
}

func TestEncodeAppendsToDst(t *testing.T) {
	var e parser.JSONEncoder
	text, _, err := e.AppendPacket([]byte("4"), parser.Event, "/", -1, "hey", []any{"Jude"})
	if err != nil || string(text) != `42["hey","Jude"]` {
		t.Fatalf("Encode = %q, %v", text, err)
	}
}

func TestEncodeAttachmentsAliasArgs(t *testing.T) {
	var e parser.JSONEncoder
	buf := []byte{1, 2, 3}
	_, att, err := e.AppendPacket(nil, parser.Event, "/", -1, "f", []any{buf})
	if err != nil || len(att) != 1 || &att[0][0] != &buf[0] {
		t.Fatalf("attachments %v, %v: not aliasing the argument", att, err)
	}
	// A later Encode does not touch the attachments returned before.
	_, att2, _ := e.AppendPacket(nil, parser.Event, "/", -1, "f", []any{[]byte{9}})
	if att[0][0] != 1 || att2[0][0] != 9 {
		t.Fatal("attachments shared between calls")
	}
}

type roundTripStruct struct {
	Name  string            `json:"name"`
	Data  []byte            `json:"data"`
	Parts [][]byte          `json:"parts,omitempty"`
	Meta  map[string][]byte `json:"meta"`
	Skip  []byte            `json:"-"`
	Empty []byte            `json:"empty,omitempty"`
	Ptr   *[]byte           `json:"ptr"`
	Size  int               `json:"size,string"`
}

func TestEncodeRoundTrips(t *testing.T) {
	blob := []byte("binary\x00\xff")
	p := []byte{7}
	for _, tc := range []struct {
		name string
		args []any
		into func() []any // fresh targets, one per arg
	}{
		{"scalars", []any{"s\u2028\"\\\x01é", 42, -1.5, true, nil, uint8(7), int64(math.MinInt64), float32(0.1)},
			func() []any {
				return []any{new(string), new(int), new(float64), new(bool), new(any), new(uint8), new(int64), new(float32)}
			}},
		{"top-level bytes", []any{blob, []byte{}},
			func() []any { return []any{new([]byte), new([]byte)} }},
		{"bytes in any", []any{[]any{"x", blob, map[string]any{"b": blob, "n": 1.0}}},
			func() []any { return []any{new(any)} }},
		{"struct with bytes", []any{roundTripStruct{Name: "n", Data: blob, Parts: [][]byte{{1}, {2}}, Meta: map[string][]byte{"z": {3}, "a": {4}}, Skip: []byte{5}, Ptr: &p, Size: 12}},
			func() []any { return []any{new(roundTripStruct)} }},
		{"pointer to struct", []any{&roundTripStruct{Name: "p", Data: []byte{}}},
			func() []any { return []any{new(*roundTripStruct)} }},
		{"slice of structs", []any{[]roundTripStruct{{Data: []byte{1}}, {Data: []byte{2}}}},
			func() []any { return []any{new([]roundTripStruct)} }},
		{"no bytes", []any{map[string]any{"a": []any{1.0, "b"}}, []string{"x", "y"}, time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)},
			func() []any { return []any{new(map[string]any), new([]string), new(time.Time)} }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var e parser.JSONEncoder
			text, att, err := e.AppendPacket(nil, parser.Event, "/room", 5, "ev", tc.args)
			if err != nil {
				t.Fatal(err)
			}
			pkt, err := parser.DecodePacket(text)
			if err != nil {
				t.Fatalf("DecodePacket(%q): %v", text, err)
			}
			if string(pkt.Namespace) != "/room" || pkt.ID != 5 || pkt.Attachments != len(att) {
				t.Fatalf("header of %q: %+v", text, pkt)
			}
			wantType := parser.Event
			if len(att) > 0 {
				wantType = parser.BinaryEvent
			}
			if pkt.Type != wantType {
				t.Fatalf("type %v, want %v", pkt.Type, wantType)
			}
			var a parser.Args
			if err := a.Parse(pkt.Data); err != nil {
				t.Fatal(err)
			}
			a.SetAttachments(att)
			if name, _ := parser.EventName(a.Shift()); string(name) != "ev" {
				t.Fatalf("event %q", name)
			}
			targets := tc.into()
			if err := a.Bind(targets...); err != nil {
				t.Fatalf("Bind %s: %v", pkt.Data, err)
			}
			for k, target := range targets {
				got := reflect.ValueOf(target).Elem().Interface()
				want := tc.args[k]
				if k < len(tc.args) && reflect.TypeOf(want) != reflect.TypeOf(got) && want != nil {
					// Values decoded into any: compare with the JSON view.
					want = jsonView(t, want)
					got = jsonView(t, got)
				}
				if s, ok := want.(roundTripStruct); ok {
					s.Skip = nil
					want = s
				}
				if s, ok := want.(*roundTripStruct); ok {
					want = s
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("arg %d: got %#v, want %#v (wire %s)", k, got, want, text)
				}
			}
		})
	}
}

// jsonView maps []byte to a marker and everything else through JSON, so
// that values decoded into any compare with the originals.
func jsonView(t *testing.T, v any) any {
	t.Helper()
	switch x := v.(type) {
	case []byte:
		return "bytes:" + string(x)
	case []any:
		out := make([]any, len(x))
		for k, e := range x {
			out[k] = jsonView(t, e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = jsonView(t, e)
		}
		return out
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	_ = json.Unmarshal(b, &out)
	return out
}

type Inner struct {
	A     int    `json:"a"`
	Shade string `json:"shade,omitempty"`
}

type innerText struct{ v string }

func (t innerText) MarshalText() ([]byte, error) { return []byte("text:" + t.v), nil }

type asJSON struct{ B []byte }

func (a asJSON) MarshalJSON() ([]byte, error) { return []byte(` {"custom" : true} `), nil }

type ptrJSON struct{ n int }

func (p *ptrJSON) MarshalJSON() ([]byte, error) { return []byte(fmt.Sprintf(`"ptr%d"`, p.n)), nil }

type zeroer struct{ n int }

func (z zeroer) IsZero() bool { return z.n == 7 }

type fieldRules struct {
	Inner                          // promoted a, shade
	*Embedded                      // promoted via a pointer, nil
	Renamed      string            `json:"renamed_field"`
	Dash         string            `json:"-,"`
	Skipped      string            `json:"-"`
	OmitEmpty    []int             `json:"omit,omitempty"`
	OmitZero     zeroer            `json:"oz,omitzero"`
	OmitZeroTime time.Time         `json:"ozt,omitzero"`
	Quoted       int64             `json:"q,string"`
	QuotedStr    string            `json:"qs,string"`
	QuotedPtr    *bool             `json:"qp,string"`
	Any          any               `json:"any"`
	Nil          []byte            `json:"nil"`
	NilMap       map[string]any    `json:"nilmap"`
	IntKeys      map[int]string    `json:"intkeys"`
	TextKeys     map[innerText]int `json:"textkeys"`
	Text         innerText         `json:"text"`
	Custom       asJSON            `json:"custom"`
	Ptr          ptrJSON           `json:"ptr"`
	Number       json.Number       `json:"num"`
	Array        [2]byte           `json:"array"`
	Html         string            `json:"html"`
	unexported   int
	A            string `json:"a2"`
}

type Embedded struct {
	Deep string `json:"deep"`
}

func TestEncodeStructsLikeEncodingJSON(t *testing.T) {
	// Values whose types may hold []byte (an any field, a []byte field)
	// take the reflection walk; with no []byte set it must write exactly
	// what encoding/json writes (without HTML escaping).
	yes := true
	v := fieldRules{
		Inner:    Inner{A: 1},
		Renamed:  "r",
		Dash:     "dash",
		Skipped:  "skip",
		OmitZero: zeroer{7},
		Quoted:   -5, QuotedStr: `a"b`, QuotedPtr: &yes,
		Any:      map[string]any{"k": []any{1, "two", nil}, "a": 1.5e-7},
		IntKeys:  map[int]string{10: "ten", -2: "minus", 3: "three"},
		TextKeys: map[innerText]int{{"b"}: 2, {"a"}: 1},
		Text:     innerText{"t"},
		Ptr:      ptrJSON{4},
		Number:   "12.5e3",
		Array:    [2]byte{1, 2},
		Html:     "<a href='x'>&</a>",
		A:        "a2",
	}
	for _, val := range []any{v, &v, []any{v}, map[string]fieldRules{"x": v}} {
		var e parser.JSONEncoder
		text, att, err := e.AppendPacket(nil, parser.Ack, "/", -1, "", []any{val})
		if err != nil {
			t.Fatal(err)
		}
		if len(att) != 0 {
			t.Fatalf("attachments %v", att)
		}
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode([]any{val}); err != nil {
			t.Fatal(err)
		}
		want := "3" + strings.TrimSuffix(buf.String(), "\n")
		if string(text) != want {
			t.Errorf("Encode(%T) =\n%s\nencoding/json:\n%s", val, text, want)
		}
	}
}

func TestEncodeStructWithBytes(t *testing.T) {
	type file struct {
		Name    string `json:"name"`
		Body    []byte `json:"body"`
		Thumb   []byte `json:"thumb,omitempty"`
		Secret  []byte `json:"-"`
		Custom  asJSON `json:"custom"`
		Meta    any    `json:"meta"`
		Chunks  [][]byte
		Pointer *[]byte `json:"p"`
	}
	body, a, b, c := []byte("body"), []byte("a"), []byte("b"), []byte("c")
	f := file{Name: "x", Body: body, Secret: []byte("no"), Custom: asJSON{B: []byte("no")},
		Meta: map[string]any{"z": c, "a": []any{a}}, Chunks: [][]byte{b}, Pointer: &body}
	var e parser.JSONEncoder
	text, att, err := e.AppendPacket(nil, parser.Event, "/", -1, "upload", []any{f})
	if err != nil {
		t.Fatal(err)
	}
	const want = `55-["upload",{"name":"x","body":{"_placeholder":true,"num":0},"custom":{"custom":true},` +
		`"meta":{"a":[{"_placeholder":true,"num":1}],"z":{"_placeholder":true,"num":2}},` +
		`"Chunks":[{"_placeholder":true,"num":3}],"p":{"_placeholder":true,"num":4}}]`
	if string(text) != want {
		t.Fatalf("Encode =\n%s\nwant\n%s", text, want)
	}
	if !reflect.DeepEqual(att, [][]byte{body, a, c, b, body}) {
		t.Fatalf("attachments %q", att)
	}
}

func TestEncodeConnectAndErrors(t *testing.T) {
	var e parser.JSONEncoder
	for _, tc := range []struct {
		typ  parser.Type
		args []any
		want string
	}{
		{parser.Connect, []any{nil}, "0"},
		{parser.Connect, []any{map[string]any{"sid": "x", "pid": "y"}}, `0{"pid":"y","sid":"x"}`},
		{parser.Connect, []any{struct {
			Sid string `json:"sid"`
		}{"x"}}, `0{"sid":"x"}`},
		{parser.ConnectError, []any{"plain"}, `4"plain"`},
		{parser.ConnectError, []any{map[string]any{"message": "no", "data": map[string]any{"code": 4}}}, `4{"data":{"code":4},"message":"no"}`},
		{parser.Connect, []any{map[string]any{"bin": []byte("hi")}}, `0{"bin":"aGk="}`}, // base64 outside EVENT/ACK
		{parser.Disconnect, []any{"ignored"}, "1"},
	} {
		text, att, err := e.AppendPacket(nil, tc.typ, "/", -1, "", tc.args)
		if err != nil || string(text) != tc.want || att != nil {
			t.Errorf("Encode(%v, %v) = %q %v, %v; want %q", tc.typ, tc.args, text, att, err, tc.want)
		}
	}
}

func TestEncodeRefusesBadInput(t *testing.T) {
	cyc := []any{nil}
	cyc[0] = cyc
	type node struct {
		Next *node
		B    []byte
	}
	loop := &node{}
	loop.Next = loop
	for _, tc := range []struct {
		name  string
		typ   parser.Type
		nsp   string
		id    int64
		args  []any
		match string
	}{
		{"namespace without slash", parser.Event, "admin", -1, nil, "namespace"},
		{"namespace with comma", parser.Event, "/a,b", -1, nil, "namespace"},
		{"negative id", parser.Event, "/", -2, nil, "ack id"},
		{"binary type", parser.BinaryEvent, "/", -1, nil, "packet type"},
		{"unknown type", parser.Type(9), "/", -1, nil, "packet type"},
		{"NaN", parser.Event, "/", -1, []any{math.NaN()}, "unsupported value"},
		{"Inf in struct", parser.Event, "/", -1, []any{struct{ F float32 }{float32(math.Inf(1))}}, "unsupported value"},
		{"cycle in []any", parser.Event, "/", -1, []any{cyc}, "too deep"},
		{"pointer cycle", parser.Event, "/", -1, []any{loop}, "too deep"},
		{"channel", parser.Event, "/", -1, []any{make(chan int)}, "unsupported type"},
		{"channel in binary struct", parser.Ack, "/", -1, []any{struct {
			C chan int
			B []byte
		}{}}, "unsupported type"},
		{"bad raw JSON", parser.Event, "/", -1, []any{json.RawMessage(`{"a":`)}, "invalid JSON"},
		{"raw JSON with a record separator", parser.Event, "/", -1, []any{json.RawMessage("\"a\x1e\"")}, "invalid JSON"},
		{"connect array", parser.Connect, "/", -1, []any{[]any{1}}, "CONNECT payload"},
		{"connect error number", parser.ConnectError, "/", -1, []any{1}, "CONNECT_ERROR payload"},
		{"connect error missing", parser.ConnectError, "/", -1, nil, "CONNECT_ERROR payload"},
	} {
		var e parser.JSONEncoder
		text, att, err := e.AppendPacket([]byte("keep"), tc.typ, tc.nsp, tc.id, "ev", tc.args)
		if err == nil || !strings.Contains(err.Error(), tc.match) {
			t.Errorf("%s: Encode = %q, %v; want an error with %q", tc.name, text, err, tc.match)
		}
		if string(text) != "keep" || att != nil {
			t.Errorf("%s: on error Encode returned %q %v", tc.name, text, att)
		}
		// The Encoder still works after an error.
		if text, _, err := e.AppendPacket(nil, parser.Event, "/", -1, "ok", nil); err != nil || string(text) != `2["ok"]` {
			t.Errorf("%s: next Encode = %q, %v", tc.name, text, err)
		}
	}
}

func TestEncodeStringsLikeEncodingJSON(t *testing.T) {
	strs := []string{
		"", "plain", `quote " backslash \ slash /`, "\x00\x01\x1e\x1f\x7f", "\b\f\n\r\t",
		"\u2028\u2029", "é€😀", "bad \xff utf8 \xc3", "<script>&amp;</script>", "\ud7ff\ue000\uffff",
	}
	var e parser.JSONEncoder
	for _, s := range strs {
		text, _, err := e.AppendPacket(nil, parser.Event, "/", -1, s, []any{s, map[string]any{s: s}})
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		_ = enc.Encode([]any{s, s, map[string]any{s: s}})
		if want := "2" + strings.TrimSuffix(buf.String(), "\n"); string(text) != want {
			t.Errorf("Encode(%q) = %s, encoding/json %s", s, text, want)
		}
	}
}

func TestEncodeNumbersLikeEncodingJSON(t *testing.T) {
	nums := []any{
		0.0, math.Copysign(0, -1), 1.0, -1.5, 0.1, 1e20, 1e21, 123456789e15, 1e-6, 1e-7, 5e-324, math.MaxFloat64,
		float32(0.1), float32(1e21), float32(1e-7), float32(3.4e38),
		int8(-128), int16(-3), int32(1 << 30), int64(math.MaxInt64), uint(7), uint16(9), uint32(1 << 31), uint64(math.MaxUint64), uintptr(3),
	}
	var e parser.JSONEncoder
	text, _, err := e.AppendPacket(nil, parser.Ack, "/", -1, "", nums)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := json.Marshal(nums)
	if string(text) != "3"+string(want) {
		t.Fatalf("Encode =\n%s\nencoding/json\n3%s", text, want)
	}
}

func TestEncodeSortsNestedMapKeys(t *testing.T) {
	m := map[string]any{"b": map[string]any{"y": 1, "x": map[string]any{"q": 1, "p": 2}, "w": 3}, "a": 0, "c": map[string]any{}}
	var e parser.JSONEncoder
	for range 5 { // map order varies from run to run
		text, _, err := e.AppendPacket(nil, parser.Ack, "/", -1, "", []any{m})
		if err != nil || string(text) != `3[{"a":0,"b":{"w":3,"x":{"p":2,"q":1},"y":1},"c":{}}]` {
			t.Fatalf("Encode = %s, %v", text, err)
		}
	}
}

func TestEncodeSmallEventDoesNotAllocate(t *testing.T) {
	var e parser.JSONEncoder
	args := []any{"hello", 42, 1.5, true, nil, json.RawMessage(`{"a":1}`), []any{"x"}, map[string]any{"k": "v"}, []string{"s"}}
	buf := make([]byte, 0, 256)
	if _, _, err := e.AppendPacket(buf, parser.Event, "/chat", 7, "chat", args); err != nil {
		t.Fatal(err)
	}
	if n := testing.AllocsPerRun(100, func() {
		_, _, _ = e.AppendPacket(buf[:0], parser.Event, "/chat", 7, "chat", args)
	}); n != 0 {
		t.Fatalf("%v allocs", n)
	}
}

// TestEncodeDecodesWithNode checks that socket.io-parser reads what Encode
// writes as the same packet (run when node and the interop tests' npm
// packages are there).
func TestEncodeDecodesWithNode(t *testing.T) {
	var strs []string
	for c := range 0x80 {
		strs = append(strs, string(rune(c)))
	}
	strs = append(strs, "\u2028\u2029", "\xff\xfe", "é€😀", "\ud7ff\ue000\uffff", `<>&'"\/`)
	type rec struct {
		S string  `json:"s"`
		B []byte  `json:"b,omitempty"`
		F float64 `json:"f"`
	}
	var texts []string
	var payloads []string // what the payload must read as, in JSON
	var e parser.JSONEncoder
	add := func(typ parser.Type, nsp string, id int64, event string, args []any, payload any) {
		t.Helper()
		text, _, err := e.AppendPacket(nil, typ, nsp, id, event, args)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := json.Marshal(payload)
		texts = append(texts, string(text))
		payloads = append(payloads, string(want))
	}
	for _, s := range strs {
		add(parser.Event, "/", -1, s, []any{s, map[string]any{s: s}}, []any{s, s, map[string]any{s: s}})
	}
	for _, f := range []float64{0, 1e-7, 1e21, 123.456, -1e300, 5e-324} {
		add(parser.Ack, "/a", 3, "", []any{f, rec{S: "x", F: f}}, []any{f, map[string]any{"s": "x", "f": f}})
	}
	add(parser.Connect, "/admin", -1, "", []any{json.RawMessage(`{ "sid" : "x" }`)}, map[string]any{"sid": "x"})
	add(parser.ConnectError, "/", -1, "", []any{map[string]any{"message": "no", "data": nil}}, map[string]any{"message": "no", "data": nil})
	add(parser.Event, "/n", 9, "ev", []any{rec{S: "bin", B: []byte{1}}}, []any{"ev", map[string]any{"s": "bin", "f": 0,
		"b": map[string]any{"_placeholder": true, "num": 0}}})

	results := nodeDecode(t, texts)
	for k, r := range results {
		pkt, _ := parser.DecodePacket([]byte(texts[k]))
		if !r.OK || r.Type != int(pkt.Type) || r.Nsp != string(pkt.Namespace) || r.Att != pkt.Attachments {
			t.Errorf("%q: node %+v", texts[k], r)
			continue
		}
		if !sameJSON(r.Data, payloads[k]) {
			t.Errorf("%q: node read %s, want %s", texts[k], r.Data, payloads[k])
		}
	}
}

func ExampleEncoder() {
	var e parser.JSONEncoder
	text, att, err := e.AppendPacket(nil, parser.Event, "/admin", 3, "upload", []any{"a.bin", []byte{1, 2}})
	if err != nil {
		panic(err)
	}
	fmt.Println(string(text), len(att))
	// Output: 51-/admin,3["upload","a.bin",{"_placeholder":true,"num":0}] 1
}

func TestEncodeErrorsWrap(t *testing.T) {
	var e parser.JSONEncoder
	_, _, err := e.AppendPacket(nil, parser.Event, "/", -1, "x", []any{badMarshaler{}})
	if !errors.Is(err, errBadMarshal) {
		t.Fatalf("err %v does not wrap the MarshalJSON error", err)
	}
}

var errBadMarshal = errors.New("bad marshal")

type badMarshaler struct{}

func (badMarshaler) MarshalJSON() ([]byte, error) { return nil, errBadMarshal }
