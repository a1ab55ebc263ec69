package parser_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/sioloop/sioloop/parser"
)

// Long runs are opt-in: go test -run '^$' -fuzz=FuzzDecodePacket -fuzztime=15s ./parser/

func FuzzDecodePacket(f *testing.F) {
	for _, tc := range specExamples {
		f.Add([]byte(tc.wire), uint16(len(tc.wire)/2))
	}
	for _, tc := range parserQuirks {
		f.Add([]byte(tc.wire), uint16(len(tc.wire)/2))
	}
	for _, tc := range parserRejects {
		f.Add([]byte(tc.wire), uint16(1))
	}
	f.Add([]byte(`2[`+strings.Repeat("9", 400)+`,1e400]`), uint16(2)) // out of float64 range
	for _, tc := range encodeSpecExamples {
		var e parser.JSONEncoder
		text, _, _ := e.AppendPacket(nil, tc.typ, tc.nsp, tc.id, tc.event, tc.args)
		f.Add(text, uint16(3))
	}

	f.Fuzz(func(t *testing.T, data []byte, cut uint16) {
		// Two reads: the prefix a first read would see, then the whole.
		i := int(cut) % (len(data) + 1)
		_, _ = decodeAll(data[:i])

		got, err := decodeAll(data)
		again, err2 := decodeAll(data)
		if (err == nil) != (err2 == nil) || !reflect.DeepEqual(got, again) {
			t.Fatalf("not deterministic: %+v, %v then %+v, %v", got, err, again, err2)
		}
		if err != nil {
			if !errors.Is(err, parser.ErrInvalidPacket) {
				t.Fatalf("%q: error %v does not wrap ErrInvalidPacket", data, err)
			}
		} else {
			checkDecoded(t, data, got)
		}
		checkPayloadValidation(t, data)
	})
}

// decoded is a packet with its payload split, copied out of the input.
type decoded struct {
	pkt   parser.Header
	nsp   string
	data  string
	event string
	elems []string
}

// decodeAll runs DecodePacket, then Args.Parse and EventName for an EVENT
// or ACK, on a copy of p (to catch writes to the input).
func decodeAll(p []byte) (decoded, error) {
	in := bytes.Clone(p)
	pkt, err := parser.DecodePacket(in)
	if !bytes.Equal(in, p) {
		panic("DecodePacket wrote to its input")
	}
	if err != nil {
		return decoded{}, err
	}
	d := decoded{pkt: pkt, nsp: string(pkt.Namespace), data: string(pkt.Data)}
	d.pkt.Namespace, d.pkt.Data = nil, nil
	switch pkt.Type {
	case parser.Event, parser.BinaryEvent, parser.Ack, parser.BinaryAck:
		var a parser.Args
		if err := a.Parse(pkt.Data); err != nil {
			return d, errors.Join(errors.New("Args.Parse failed on a valid packet"), err)
		}
		for k := range a.Len() {
			d.elems = append(d.elems, string(a.Raw(k)))
		}
		if (pkt.Type == parser.Event || pkt.Type == parser.BinaryEvent) && a.Len() > 0 {
			name, ok := parser.EventName(a.Shift())
			if !ok {
				return d, errors.New("EventName failed on a valid EVENT")
			}
			d.event = string(name)
		}
	}
	return d, nil
}

var reservedNames = map[string]bool{
	"connect": true, "connect_error": true, "disconnect": true,
	"disconnecting": true, "newListener": true, "removeListener": true,
}

// checkDecoded checks a decoded packet against encoding/json, and that it
// survives an Encode round trip.
func checkDecoded(t *testing.T, data []byte, d decoded) {
	t.Helper()
	pkt := d.pkt
	if d.nsp == "" || d.nsp[0] != '/' || bytes.IndexByte([]byte(d.nsp), ',') >= 0 || pkt.ID < -1 {
		t.Fatalf("%q: bad header %+v nsp %q", data, pkt, d.nsp)
	}
	if binary := pkt.Type == parser.BinaryEvent || pkt.Type == parser.BinaryAck; binary != (pkt.Attachments > 0) || pkt.Attachments > 10 {
		t.Fatalf("%q: type %v with %d attachments", data, pkt.Type, pkt.Attachments)
	}
	if d.data == "" {
		return
	}
	// The payload, checked the naive way: encoding/json then the
	// isPayloadValid rules on the decoded value.
	// UseNumber: JSON.parse reads 1e400 as Infinity, a float64 cannot.
	var v any
	dec := json.NewDecoder(bytes.NewReader([]byte(d.data)))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil || !json.Valid([]byte(d.data)) {
		t.Fatalf("%q: Data %q is not JSON: %v", data, d.data, err)
	}
	ok := false
	switch x := v.(type) {
	case map[string]any:
		ok = pkt.Type == parser.Connect || pkt.Type == parser.ConnectError
	case string:
		ok = pkt.Type == parser.ConnectError
	case []any:
		switch pkt.Type {
		case parser.Ack, parser.BinaryAck:
			ok = true
		case parser.Event, parser.BinaryEvent:
			if len(x) > 0 {
				_, num := x[0].(json.Number)
				s, str := x[0].(string)
				ok = num || str && !reservedNames[s]
			}
		}
	}
	if !ok {
		t.Fatalf("%q: type %v accepted with payload %s", data, pkt.Type, d.data)
	}

	if len(d.elems) > 0 || d.data[0] == '[' {
		var raws []json.RawMessage
		_ = json.Unmarshal([]byte(d.data), &raws)
		if len(raws) != len(d.elems) {
			t.Fatalf("%q: %d elements, encoding/json %d", data, len(d.elems), len(raws))
		}
		for k, r := range raws {
			if !json.Valid([]byte(d.elems[k])) || !sameJSONBytes(r, []byte(d.elems[k])) {
				t.Fatalf("%q: element %d is %q, encoding/json %q", data, k, d.elems[k], r)
			}
		}
		// Re-encode the elements as an ACK and decode that again.
		args := make([]any, len(d.elems))
		for k, el := range d.elems {
			args[k] = json.RawMessage(el)
		}
		var e parser.JSONEncoder
		text, _, err := e.AppendPacket(nil, parser.Ack, d.nsp, pkt.ID, "", args)
		if err != nil {
			t.Fatalf("%q: re-encode: %v", data, err)
		}
		back, err := decodeAll(text)
		if err != nil || back.nsp != d.nsp || back.pkt.ID != pkt.ID || len(back.elems) != len(d.elems) {
			t.Fatalf("%q re-encoded as %q: %+v, %v", data, text, back, err)
		}
		for k := range back.elems {
			if !sameJSONBytes([]byte(back.elems[k]), []byte(d.elems[k])) {
				t.Fatalf("%q re-encoded as %q: element %d changed", data, text, k)
			}
		}
	}
}

// checkPayloadValidation compares the JSON validation of DecodePacket and
// Args.Parse with encoding/json's on the fuzz input used as a payload.
func checkPayloadValidation(t *testing.T, data []byte) {
	t.Helper()
	if len(data) == 0 {
		return
	}
	// An ACK "3" + data: data is the payload unless it starts with what the
	// ack id run takes (digits, whitespace) or a namespace.
	if r, _ := utf8.DecodeRune(data); !(r >= '0' && r <= '9' || r == '/' || isJSSpace(r)) {
		_, err := parser.DecodePacket(append([]byte("3"), data...))
		var raws []json.RawMessage
		naive := json.Unmarshal(data, &raws) == nil && data[0] == '['
		if (err == nil) != naive {
			t.Fatalf("ACK payload %q: DecodePacket %v; encoding/json valid array %v", data, err, naive)
		}
	}
	var a parser.Args
	err := a.Parse(data)
	want, naive := naiveElements(data)
	if (err == nil) != naive {
		t.Fatalf("Args.Parse(%q) = %v; encoding/json array %v", data, err, naive)
	}
	if err != nil {
		return
	}
	if !reflect.DeepEqual(argsElements(&a), want) {
		t.Fatalf("Args.Parse(%q) = %q; encoding/json %q", data, argsElements(&a), want)
	}
	// Value decodes each element as json.Unmarshal into an any does.
	for k := range a.Len() {
		got, err := a.Value(k)
		var v any
		jerr := json.Unmarshal(a.Raw(k), &v)
		if (err == nil) != (jerr == nil) || err == nil && !reflect.DeepEqual(got, v) {
			t.Fatalf("Value(%d) of %q = %#v, %v; encoding/json %#v, %v", k, data, got, err, v, jerr)
		}
		if s, ok := a.String(k); ok != (a.Raw(k)[0] == '"') || ok && s != v {
			t.Fatalf("String(%d) of %q = %q, %v; encoding/json %#v", k, data, s, ok, v)
		}
	}
}

// isJSSpace reports the whitespace JavaScript's Number() trims.
func isJSSpace(r rune) bool {
	switch r {
	case '\t', '\n', '\v', '\f', '\r', ' ', 0xa0, 0x1680, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000, 0xfeff:
		return true
	}
	return r >= 0x2000 && r <= 0x200a
}

func sameJSONBytes(a, b []byte) bool {
	var va, vb any
	ea, eb := json.Unmarshal(a, &va), json.Unmarshal(b, &vb)
	if ea != nil || eb != nil {
		// Out-of-range numbers: compare the compacted text.
		var ca, cb bytes.Buffer
		return json.Compact(&ca, a) == nil && json.Compact(&cb, b) == nil && ca.String() == cb.String()
	}
	return reflect.DeepEqual(va, vb)
}
