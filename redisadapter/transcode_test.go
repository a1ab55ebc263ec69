package redisadapter

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/vmihailenco/msgpack/v5"
)

// TestTranscodeRoundTrips checks JSON → MessagePack against the msgpack
// library's decoding, and MessagePack → JSON back to the same value.
func TestTranscodeRoundTrips(t *testing.T) {
	for _, in := range []string{
		`["ev",1,-1,-33,200,-200,70000,-70000,5000000000,-5000000000,1.5,3e10,1e300,0.1]`,
		`["ev","","é\"\\x\n\u2028",true,false,null,[],{},{"a":{"b":[0.1]}}]`,
		`["ev",{"k":` + string(bytes.Repeat([]byte(`"x",`), 0)) + `[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17]}]`,
		` [ "ev" , { "a" : 1 } ] `,
	} {
		mp, end, err := jsonToMsgpack(nil, []byte(in), 0, nil, 0)
		if err != nil || end != len(in)-len(in[len(bytes.TrimRight([]byte(in), " ")):]) {
			t.Fatalf("%s: jsonToMsgpack: end %d, %v", in, end, err)
		}
		var viaLib any
		if err := msgpack.Unmarshal(mp, &viaLib); err != nil {
			t.Fatalf("%s: msgpack.Unmarshal: %v", in, err)
		}
		var want any
		_ = json.Unmarshal([]byte(in), &want)
		if got, _ := json.Marshal(normalize(viaLib)); string(got) != string(mustJSON(want)) {
			t.Errorf("%s: library reads %s", in, got)
		}
		var atts [][]byte
		back, _, _, err := msgpackToJSON(nil, mp, 0, &atts, 0)
		if err != nil {
			t.Fatalf("%s: msgpackToJSON: %v", in, err)
		}
		var got any
		if err := json.Unmarshal(back, &got); err != nil {
			t.Fatalf("%s: back to %s: %v", in, back, err)
		}
		if string(mustJSON(got)) != string(mustJSON(want)) {
			t.Errorf("%s: round trip gives %s", in, back)
		}
	}
}

func TestTranscodeBinaryAndExtensions(t *testing.T) {
	bin := bytes.Repeat([]byte{7}, 300)
	in := `["ev",{"_placeholder":true,"num":0},[{"_placeholder":true,"num":1}]]`
	mp, _, err := jsonToMsgpack(nil, []byte(in), 0, [][]byte{{1, 2}, bin}, 0)
	if err != nil {
		t.Fatal(err)
	}
	var atts [][]byte
	back, _, _, err := msgpackToJSON(nil, mp, 0, &atts, 0)
	if err != nil || string(back) != in || !bytes.Equal(atts[0], []byte{1, 2}) || !bytes.Equal(atts[1], bin) {
		t.Fatalf("got %s %v, %v", back, atts, err)
	}
	// notepack.io's undefined (fixext d4 00 00), a timestamp 32 and an
	// ArrayBuffer (ext 0) in [undefined, {a: undefined, b: 1}, date, ab].
	mp = []byte{0x94, 0xd4, 0, 0, 0x82, 0xa1, 'a', 0xd4, 0, 0, 0xa1, 'b', 1, 0xd6, 0xff, 0, 0, 0, 60, 0xc7, 2, 0, 9, 8}
	atts = nil
	back, _, _, err = msgpackToJSON(nil, mp, 0, &atts, 0)
	want := `[null,{"b":1},"1970-01-01T00:01:00.000Z",{"_placeholder":true,"num":0}]`
	if err != nil || string(back) != want || !bytes.Equal(atts[0], []byte{9, 8}) {
		t.Fatalf("got %s %v, %v; want %s", back, atts, err, want)
	}
}

func TestTranscodeRefusesBadInput(t *testing.T) {
	for _, in := range []string{``, `[`, `["a",]`, `{"a"}`, `["a" 1]`, `[tru]`, `["\x`, `[{"_placeholder":true,"num":3}]`} {
		if _, _, err := jsonToMsgpack(nil, []byte(in), 0, nil, 0); err == nil {
			t.Errorf("jsonToMsgpack(%q) accepted", in)
		}
	}
	for _, in := range [][]byte{{}, {0x92, 1}, {0xdc, 0xff, 0xff}, {0xd9, 10, 'a'}, {0xc6, 0xff, 0xff, 0xff, 0xff}, {0xc1}} {
		var atts [][]byte
		if _, _, _, err := msgpackToJSON(nil, in, 0, &atts, 0); err == nil {
			t.Errorf("msgpackToJSON(% x) accepted", in)
		}
	}
}

func FuzzMsgpackToJSON(f *testing.F) {
	f.Add([]byte{0x92, 0xa2, 'e', 'v', 0xc4, 1, 5})
	// notepack.io's (the Node adapters' encoder) undefined, timestamp and
	// ArrayBuffer, as TestTranscodeBinaryAndExtensions reads them.
	f.Add([]byte{0x94, 0xd4, 0, 0, 0x82, 0xa1, 'a', 0xd4, 0, 0, 0xa1, 'b', 1, 0xd6, 0xff, 0, 0, 0, 60, 0xc7, 2, 0, 9, 8})
	f.Fuzz(func(t *testing.T, b []byte) {
		var atts [][]byte
		out, _, _, err := msgpackToJSON(nil, b, 0, &atts, 0)
		if err == nil && !json.Valid(out) {
			t.Fatalf("% x gives invalid JSON %s", b, out)
		}
	})
}

// normalize turns the library's map[string]any and integer types into
// what encoding/json produces, for comparison.
func normalize(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = normalize(e)
		}
	case []any:
		for i, e := range x {
			x[i] = normalize(e)
		}
	case int8, int16, int32, int64, uint8, uint16, uint32, uint64:
		f, _ := json.Marshal(x)
		var n float64
		_ = json.Unmarshal(f, &n)
		return n
	}
	return v
}

func mustJSON(v any) []byte { b, _ := json.Marshal(v); return b }
