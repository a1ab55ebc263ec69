package parser_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/sioloop/sioloop/parser"
)

// naiveElements splits a JSON array with encoding/json: the reference for
// Args.Parse.
func naiveElements(data []byte) ([]string, bool) {
	var raws []json.RawMessage
	if err := json.Unmarshal(data, &raws); err != nil || raws == nil {
		return nil, false
	}
	out := make([]string, len(raws))
	for k, r := range raws {
		out[k] = string(r)
	}
	return out, true
}

func argsElements(a *parser.Args) []string {
	out := make([]string, a.Len())
	for k := range out {
		out[k] = string(a.Raw(k))
	}
	return out
}

func TestArgsParseSplitsElements(t *testing.T) {
	for _, tc := range []struct {
		data string
		want []string
	}{
		{`[]`, []string{}},
		{` [ ] `, []string{}},
		{`["chat","hello",42]`, []string{`"chat"`, `"hello"`, `42`}},
		{"[ \"a\" ,\n\t{\"b\" : [1, 2]} , null,true ,false ]\r\n", []string{`"a"`, `{"b" : [1, 2]}`, `null`, `true`, `false`}},
		{`["a,b","c]d","e\"]f","\\"]`, []string{`"a,b"`, `"c]d"`, `"e\"]f"`, `"\\"`}},
		{`[[[["deep"]]],{"a":{"b":{"c":[]}}}]`, []string{`[[["deep"]]]`, `{"a":{"b":{"c":[]}}}`}},
		{`["\u00e9\ud83d\ude00",-1.5e-3,0]`, []string{`"\u00e9\ud83d\ude00"`, `-1.5e-3`, `0`}},
		{`[1,2,3,4,5,6,7,8,9,10,11]`, strings.Split("1,2,3,4,5,6,7,8,9,10,11", ",")},
	} {
		var a parser.Args
		if err := a.Parse([]byte(tc.data)); err != nil {
			t.Errorf("Parse(%q): %v", tc.data, err)
			continue
		}
		got := argsElements(&a)
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Parse(%q) = %q, want %q", tc.data, got, tc.want)
		}
		if naive, _ := naiveElements([]byte(tc.data)); !reflect.DeepEqual(got, naive) {
			t.Errorf("Parse(%q) = %q, encoding/json %q", tc.data, got, naive)
		}
	}
}

func TestArgsParseRejectsNonArrays(t *testing.T) {
	for _, data := range []string{`{}`, `"a"`, `1`, `null`, `[`, `[1,]`, `[,1]`, `[1 2]`, `[1]]`, `[1] x`, `[01]`, `["a\u00"]`, " ", `[1}`, `{"a":1]`} {
		var a parser.Args
		err := a.Parse([]byte(data))
		if !errors.Is(err, parser.ErrInvalidPacket) {
			t.Errorf("Parse(%q) = %v, want ErrInvalidPacket", data, err)
		}
		if a.Len() != 0 {
			t.Errorf("Parse(%q) left %d elements", data, a.Len())
		}
	}
}

func TestArgsParseEmptyDataHasNoElements(t *testing.T) {
	// A packet without payload ("2", "3/admin,12") decodes with empty Data.
	var a parser.Args
	if err := a.Parse(nil); err != nil || a.Len() != 0 || a.Shift() != nil {
		t.Fatalf("Parse(nil): %v, Len %d", err, a.Len())
	}
}

func TestArgsParseDoesNotAllocate(t *testing.T) {
	var a parser.Args
	data := []byte(`["chat","hello",42,{"a":[1,2,{"b":null}]},true,null,"x","y"]`)
	if n := testing.AllocsPerRun(100, func() { _ = a.Parse(data) }); n != 0 {
		t.Fatalf("Parse of 8 elements: %v allocs", n)
	}
	long := []byte(`[1,2,3,4,5,6,7,8,9,10,11,12]`)
	_ = a.Parse(long) // grows the overflow once
	if n := testing.AllocsPerRun(100, func() { _ = a.Parse(long) }); n != 0 {
		t.Fatalf("reused Parse of 12 elements: %v allocs", n)
	}
}

func TestArgsShiftAndEventName(t *testing.T) {
	var a parser.Args
	if err := a.Parse([]byte(`["chat","hello",42]`)); err != nil {
		t.Fatal(err)
	}
	name, ok := parser.EventName(a.Shift())
	if !ok || string(name) != "chat" {
		t.Fatalf("EventName = %q, %v", name, ok)
	}
	if a.Len() != 2 || string(a.Raw(0)) != `"hello"` || string(a.Raw(1)) != "42" || a.Raw(2) != nil || a.Raw(-1) != nil {
		t.Fatalf("after Shift: %q", argsElements(&a))
	}
	var s string
	var n int
	if err := a.Bind(&s, &n); err != nil || s != "hello" || n != 42 {
		t.Fatalf("Bind = %q %d %v", s, n, err)
	}
	a.Shift()
	a.Shift()
	if a.Shift() != nil || a.Len() != 0 {
		t.Fatal("Shift past the end")
	}
}

func TestEventName(t *testing.T) {
	for _, tc := range []struct {
		raw, want string
		ok, alias bool
	}{
		{`"chat"`, "chat", true, true},
		{`""`, "", true, true},
		{`"\u0063hat"`, "chat", true, false},
		{`"a\"b\\c\/d\n"`, "a\"b\\c/d\n", true, false},
		{`"\ud83d\ude00 \ud800"`, "\U0001F600 \uFFFD", true, false},
		{"\"caf\xe9\"", "caf\uFFFD", true, false},
		{`"été"`, "été", true, true},
		{`42`, "42", true, true},
		{`-7`, "-7", true, true},
		{`1.5`, "1.5", true, true},
		{`1.0`, "1", true, false},
		{`4.2e1`, "42", true, false},
		{`-0`, "0", true, false},
		{`1e21`, "1e+21", true, false},
		{`1e400`, "Infinity", true, false},
		{`1e-7`, "1e-7", true, true},
		{`{"a":1}`, "", false, false},
		{`null`, "", false, false},
		{`["a"]`, "", false, false},
		{`"unterminated`, "", false, false},
		{``, "", false, false},
		{`42x`, "", false, false},
	} {
		raw := []byte(tc.raw)
		got, ok := parser.EventName(raw)
		if ok != tc.ok || string(got) != tc.want {
			t.Errorf("EventName(%s) = %q, %v; want %q, %v", tc.raw, got, ok, tc.want, tc.ok)
			continue
		}
		if tc.alias && len(got) > 0 {
			start := 0
			if raw[0] == '"' {
				start = 1
			}
			if &got[0] != &raw[start] {
				t.Errorf("EventName(%s) copied; want it to alias", tc.raw)
			}
		}
	}
	raw := []byte(`"chat"`)
	if n := testing.AllocsPerRun(100, func() { _, _ = parser.EventName(raw) }); n != 0 {
		t.Errorf("EventName of a plain string: %v allocs", n)
	}
	num := []byte(`42`)
	if n := testing.AllocsPerRun(100, func() { _, _ = parser.EventName(num) }); n != 0 {
		t.Errorf("EventName of a plain number: %v allocs", n)
	}
}

func TestArgsString(t *testing.T) {
	var a parser.Args
	_ = a.Parse([]byte(`["plain","esc\t\u00e9",1,null]`))
	for k, want := range []struct {
		s  string
		ok bool
	}{{"plain", true}, {"esc\té", true}, {"", false}, {"", false}, {"", false}} {
		if s, ok := a.String(k); s != want.s || ok != want.ok {
			t.Errorf("String(%d) = %q, %v; want %q, %v", k, s, ok, want.s, want.ok)
		}
	}
}

func TestArgsDecodeLikeEncodingJSON(t *testing.T) {
	data := `["s\u00e9\n",42,-1.5e2,true,null,{"b":[1,"x"],"a":{"c":null}},[1,[2,[3]]],"aGk="]`
	var a parser.Args
	if err := a.Parse([]byte(data)); err != nil {
		t.Fatal(err)
	}
	var want []any
	if err := json.Unmarshal([]byte(data), &want); err != nil {
		t.Fatal(err)
	}
	got, err := a.Values()
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("Values = %#v, %v; want %#v", got, err, want)
	}
	var (
		s  string
		n  int
		f  float64
		b  bool
		p  *int
		m  map[string]any
		l  []any
		bs []byte
	)
	if err := a.Bind(&s, &n, &f, &b, &p, &m, &l, &bs); err != nil {
		t.Fatal(err)
	}
	if s != "sé\n" || n != 42 || f != -150 || !b || p != nil || m["a"] == nil || len(l) != 2 || string(bs) != "hi" {
		t.Fatalf("Bind: %q %d %v %v %v %v %v %q", s, n, f, b, p, m, l, bs)
	}
	var wrong int
	if err := a.Decode(0, &wrong); err == nil {
		t.Fatal("Decode of a string into an int: no error")
	}
	if err := a.Decode(99, &wrong); err == nil {
		t.Fatal("Decode out of range: no error")
	}
	var x struct{ A, B, C int }
	if err := a.Bind(nil, &x.A); err == nil {
		t.Fatal("Bind into nil: no error")
	}
	if _, err := a.Value(-1); err == nil {
		t.Fatal("Value(-1): no error")
	}
}

func TestArgsBindLeavesExtraTargets(t *testing.T) {
	var a parser.Args
	_ = a.Parse([]byte(`["x"]`))
	s, n := "", 7
	if err := a.Bind(&s, &n); err != nil || s != "x" || n != 7 {
		t.Fatalf("Bind = %q %d %v", s, n, err)
	}
}

// binaryArgs parses data with the attachments att, as a server does for a
// BINARY_EVENT once its attachments arrived.
func binaryArgs(t *testing.T, data string, att ...[]byte) *parser.Args {
	t.Helper()
	var a parser.Args
	if err := a.Parse([]byte(data)); err != nil {
		t.Fatal(err)
	}
	a.SetAttachments(att)
	return &a
}

func TestArgsDecodePlaceholders(t *testing.T) {
	one, two := []byte{1, 2, 3, 4}, []byte{0xff, 0}
	a := binaryArgs(t, `["baz",{"_placeholder":true,"num":0},{"file":{"_placeholder":true,"num":1},"name":"f"},[{"_placeholder":true,"num":1},"x"],{"_placeholder":false,"num":0}]`, one, two)
	if len(a.Attachments()) != 2 {
		t.Fatal("Attachments")
	}

	t.Run("top-level []byte aliases the attachment", func(t *testing.T) {
		var b []byte
		if err := a.Decode(1, &b); err != nil || !bytes.Equal(b, one) || &b[0] != &one[0] {
			t.Fatalf("Decode = %v, %v", b, err)
		}
	})
	t.Run("top-level any", func(t *testing.T) {
		v, err := a.Value(1)
		if b, ok := v.([]byte); err != nil || !ok || !bytes.Equal(b, one) {
			t.Fatalf("Value = %#v, %v", v, err)
		}
		var x any
		if err := a.Decode(1, &x); err != nil || !reflect.DeepEqual(x, one) {
			t.Fatalf("Decode(any) = %#v, %v", x, err)
		}
	})
	t.Run("nested in a map", func(t *testing.T) {
		var m map[string]any
		if err := a.Decode(2, &m); err != nil || !reflect.DeepEqual(m, map[string]any{"file": two, "name": "f"}) {
			t.Fatalf("Decode = %#v, %v", m, err)
		}
		v, err := a.Value(2)
		if err != nil || !reflect.DeepEqual(v, map[string]any{"file": two, "name": "f"}) {
			t.Fatalf("Value = %#v, %v", v, err)
		}
		var mb map[string][]byte
		if err := a.Decode(2, &mb); err == nil {
			t.Fatalf("name is not base64, yet Decode = %v", mb)
		}
	})
	t.Run("struct field", func(t *testing.T) {
		var f struct {
			File []byte `json:"file"`
			Name string `json:"name"`
		}
		if err := a.Decode(2, &f); err != nil || !bytes.Equal(f.File, two) || f.Name != "f" {
			t.Fatalf("Decode = %+v, %v", f, err)
		}
		var g struct {
			File any    `json:"file"`
			Raw  string `json:"-"`
		}
		if err := a.Decode(2, &g); err != nil || !reflect.DeepEqual(g.File, two) {
			t.Fatalf("Decode into an any field = %#v, %v", g, err)
		}
		var h struct {
			File string `json:"file"`
		}
		if err := a.Decode(2, &h); err != nil || h.File != string(two) {
			t.Fatalf("Decode into a string field = %q, %v", h.File, err)
		}
		var p struct{ File *[]byte }
		if err := a.Decode(2, &p); err != nil || p.File == nil || !bytes.Equal(*p.File, two) {
			t.Fatalf("Decode into a *[]byte field = %+v, %v", p, err)
		}
		var m map[string]struct{ X any }
		bb := binaryArgs(t, `[{"k":{"X":{"_placeholder":true,"num":0}}}]`, one)
		if err := bb.Decode(0, &m); err != nil || !reflect.DeepEqual(m["k"].X, one) {
			t.Fatalf("Decode into a map of structs = %#v, %v", m, err)
		}
	})
	t.Run("in []any", func(t *testing.T) {
		var l []any
		if err := a.Decode(3, &l); err != nil || !reflect.DeepEqual(l, []any{two, "x"}) {
			t.Fatalf("Decode = %#v, %v", l, err)
		}
		var bl [][]byte
		if err := a.Decode(3, &bl); err == nil {
			t.Fatalf(`"x" is not base64, yet Decode = %v`, bl)
		}
		v, _ := a.Value(3)
		if !reflect.DeepEqual(v, []any{two, "x"}) {
			t.Fatalf("Value = %#v", v)
		}
	})
	t.Run("placeholder false is an object", func(t *testing.T) {
		v, err := a.Value(4)
		if err != nil || !reflect.DeepEqual(v, map[string]any{"_placeholder": false, "num": 0.0}) {
			t.Fatalf("Value = %#v, %v", v, err)
		}
	})
	t.Run("Raw keeps placeholders", func(t *testing.T) {
		if string(a.Raw(1)) != `{"_placeholder":true,"num":0}` {
			t.Fatalf("Raw = %s", a.Raw(1))
		}
	})
}

func TestArgsPlaceholdersNeedAttachments(t *testing.T) {
	// socket.io-parser reconstructs BINARY_* packets only: in an EVENT a
	// placeholder is a plain object.
	var a parser.Args
	_ = a.Parse([]byte(`[{"_placeholder":true,"num":0}]`))
	v, err := a.Value(0)
	if err != nil || !reflect.DeepEqual(v, map[string]any{"_placeholder": true, "num": 0.0}) {
		t.Fatalf("Value = %#v, %v", v, err)
	}
	// Parse drops the attachments of the packet before.
	a.SetAttachments([][]byte{{1}})
	_ = a.Parse([]byte(`[{"_placeholder":true,"num":0}]`))
	if a.Attachments() != nil {
		t.Fatal("Parse kept the attachments")
	}
}

func TestArgsPlaceholderEdgeCases(t *testing.T) {
	att := []byte{9}
	for _, tc := range []struct {
		data string
		want any // nil: an error wrapping ErrInvalidPacket
	}{
		{`[{"_placeholder":true,"num":1}]`, nil},
		{`[{"_placeholder":true,"num":-1}]`, nil},
		{`[{"_placeholder":true,"num":0.5}]`, nil},
		{`[{"_placeholder":true,"num":"0"}]`, nil},
		{`[{"_placeholder":true}]`, nil},
		{`[{"num":0,"_placeholder":true}]`, att},
		{`[{"_placeholder":true,"num":0,"extra":[1]}]`, att},
		{`[{"\u005fplaceholder":true,"n\u0075m":0}]`, att},
		{`[{"_placeholder":true,"num":5,"num":0}]`, att},
		{`[{"_placeholder":true,"_placeholder":false,"num":0}]`, map[string]any{"_placeholder": false, "num": 0.0}},
		{`[{"_placeholder":"true","num":0}]`, map[string]any{"_placeholder": "true", "num": 0.0}},
		{`[{"_placeholder":1,"num":0}]`, map[string]any{"_placeholder": 1.0, "num": 0.0}},
		{`[{"_placeholder":true,"num":0.0}]`, att},
		// reconstructPacket does not look inside a placeholder.
		{`[{"_placeholder":true,"num":0,"x":{"_placeholder":true,"num":99}}]`, att},
		{`[{"x":[{"_placeholder":true,"num":-1},1e400],"_placeholder":true,"num":0}]`, att},
		{`[{"a":{"_placeholder":true,"num":99},"b":1}]`, nil},
		{`[[{"_placeholder":true,"num":0},{"_placeholder":true,"num":99}]]`, nil},
	} {
		a := binaryArgs(t, tc.data, att)
		v, err := a.Value(0)
		var x any
		derr := a.Decode(0, &x)
		var s struct{ B []byte }
		serr := a.Decode(0, &s) // goes through the rewrite
		if tc.want == nil {
			if !errors.Is(err, parser.ErrInvalidPacket) || !errors.Is(derr, parser.ErrInvalidPacket) || !errors.Is(serr, parser.ErrInvalidPacket) {
				t.Errorf("%s: Value %#v, %v; Decode %v, %v", tc.data, v, err, derr, serr)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(v, tc.want) || derr != nil || !reflect.DeepEqual(x, tc.want) {
			t.Errorf("%s: Value = %#v, %v; Decode = %#v, %v; want %#v", tc.data, v, err, x, derr, tc.want)
		}
	}
	// JSON.parse reads 1e400 as Infinity, an illegal num; encoding/json
	// cannot hold it in a float64. Either way, an error.
	a := binaryArgs(t, `[{"_placeholder":true,"num":1e400}]`, att)
	if _, err := a.Value(0); err == nil {
		t.Error("num 1e400: no error")
	}
}

func TestArgsDecodeDeepBinaryPayloadInLinearTime(t *testing.T) {
	// 9000 nested objects with a placeholder at the bottom: each level is
	// read once (a rescan per level would take seconds).
	const depth = 9000
	data := `[` + strings.Repeat(`{"k":`, depth) + `{"_placeholder":true,"num":0}` + strings.Repeat(`}`, depth) + `]`
	a := binaryArgs(t, data, []byte{1})
	var v any
	if err := a.Decode(0, &v); err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := a.Decode(0, &m); err != nil {
		t.Fatal(err)
	}
	for range depth - 1 {
		m = m["k"].(map[string]any)
	}
	if b, ok := m["k"].([]byte); !ok || b[0] != 1 {
		t.Fatalf("bottom %#v", m["k"])
	}
}

type promoted struct{ P any }

type cyclic struct {
	promoted
	Next *cyclic
	S    any
}

func TestArgsDecodePlaceholdersIntoExistingValues(t *testing.T) {
	// The target's pointers are reused by encoding/json, cycles included.
	c := &cyclic{}
	c.Next = c
	a := binaryArgs(t, `[{"S":{"_placeholder":true,"num":0},"P":{"_placeholder":true,"num":1}}]`, []byte{1}, []byte{2})
	if err := a.Decode(0, c); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(c.S, []byte{1}) || !reflect.DeepEqual(c.P, []byte{2}) || c.Next != c {
		t.Fatalf("Decode = %#v", c)
	}
}

func TestArgsCloneOwnsItsMemory(t *testing.T) {
	data := []byte(`["chat","hello",{"f":{"_placeholder":true,"num":0}},1,2,3,4,5,6,7,8]`)
	att := []byte{1, 2, 3}
	var a parser.Args
	if err := a.Parse(data); err != nil {
		t.Fatal(err)
	}
	a.SetAttachments([][]byte{att})
	a.Shift()
	c := a.Clone()

	// Scribble over everything a aliased, and reuse a.
	for k := range data {
		data[k] = 'x'
	}
	att[0] = 0xee
	_ = a.Parse([]byte(`["other"]`))

	if c.Len() != 10 {
		t.Fatalf("clone Len %d", c.Len())
	}
	if s, ok := c.String(0); !ok || s != "hello" {
		t.Fatalf("clone String(0) = %q, %v", s, ok)
	}
	v, err := c.Value(1)
	if err != nil || !reflect.DeepEqual(v, map[string]any{"f": []byte{1, 2, 3}}) {
		t.Fatalf("clone Value(1) = %#v, %v", v, err)
	}
	if string(c.Raw(9)) != "8" {
		t.Fatalf("clone Raw(9) = %q", c.Raw(9))
	}
	// And the clone is independent of later changes to itself.
	c.Shift()
	if a.Len() != 1 || c.Len() != 9 {
		t.Fatal("Shift on the clone touched the original")
	}
	var empty parser.Args
	if ec := empty.Clone(); ec.Len() != 0 || ec.Attachments() != nil {
		t.Fatal("clone of the zero Args")
	}
}

func TestArgsReset(t *testing.T) {
	var a parser.Args
	_ = a.Parse([]byte(`[1,2,3,4,5,6,7,8,9,10]`))
	a.SetAttachments([][]byte{{1}})
	a.Reset()
	if a.Len() != 0 || a.Raw(0) != nil || a.Attachments() != nil {
		t.Fatal("Reset left state")
	}
	_ = a.Parse([]byte(`["x"]`))
	if a.Len() != 1 || string(a.Raw(0)) != `"x"` {
		t.Fatal("reuse after Reset")
	}
}

func ExampleArgs() {
	pkt, _ := parser.DecodePacket([]byte(`2["chat","hello",{"n":42}]`))
	var args parser.Args
	if err := args.Parse(pkt.Data); err != nil {
		panic(err)
	}
	event, _ := parser.EventName(args.Shift())
	var text string
	var meta struct{ N int }
	if err := args.Bind(&text, &meta); err != nil {
		panic(err)
	}
	fmt.Println(string(event), text, meta.N)
	// Output: chat hello 42
}
