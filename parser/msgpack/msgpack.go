package msgpack

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"sync"
	"time"

	"github.com/vmihailenco/msgpack/v5"
	"github.com/vmihailenco/msgpack/v5/msgpcode"

	"github.com/sioloop/sioloop/parser"
)

// Parser is the MessagePack format of socket.io-msgpack-parser 3.x: each
// packet is one binary message, the MessagePack map {type, nsp, data, id}
// of the packet object, binary anywhere in data as MessagePack bin.
var Parser parser.Parser = msgpackParser{}

type msgpackParser struct{}

// maxDepth bounds the nesting of a decoded message, as encoding/json does
// for JSON: the library's walks are recursive and have no limit.
const maxDepth = 10000

// Decode errors, each wrapping parser.ErrInvalidPacket; the messages are
// socket.io-msgpack-parser's.
var (
	errText      = fmt.Errorf("%w: text message (MessagePack packets are binary)", parser.ErrInvalidPacket)
	errMalformed = fmt.Errorf("%w: malformed MessagePack", parser.ErrInvalidPacket)
	errType      = fmt.Errorf("%w: invalid packet type", parser.ErrInvalidPacket)
	errNsp       = fmt.Errorf("%w: invalid namespace", parser.ErrInvalidPacket)
	errPayload   = fmt.Errorf("%w: invalid payload", parser.ErrInvalidPacket)
	errID        = fmt.Errorf("%w: invalid packet id", parser.ErrInvalidPacket)
)

// undefined is how notepack.io (the client's MessagePack) writes
// JavaScript's undefined: fixext 1 of type 0.
var undefined = []byte{0xd4, 0x00, 0x00}

// wirePacket is the packet object as the client's encoder writes it; other
// keys ("options") are ignored.
type wirePacket struct {
	Type msgpack.RawMessage `msgpack:"type"`
	Nsp  msgpack.RawMessage `msgpack:"nsp"`
	Data msgpack.RawMessage `msgpack:"data"`
	ID   msgpack.RawMessage `msgpack:"id"`
}

// reader is a pooled decoder over a byte slice.
type reader struct {
	br  bytes.Reader
	dec *msgpack.Decoder
}

var readers = sync.Pool{New: func() any { return &reader{dec: msgpack.NewDecoder(nil)} }}

// getReader returns a decoder reading b, struct fields by their json tags
// (as Args.Decode honours them for JSON).
func getReader(b []byte) *reader {
	r := readers.Get().(*reader)
	r.br.Reset(b)
	r.dec.Reset(&r.br)
	r.dec.SetCustomStructTag("json")
	return r
}

func (r *reader) put() {
	r.br.Reset(nil)
	r.dec.Reset(nil)
	readers.Put(r)
}

// Decode reads one binary message: one whole packet, checked as
// socket.io-msgpack-parser's Decoder.checkPacket checks it, plus what sio
// needs: an ack id from 0 to 2^63-1, an EVENT's name a string or a number
// and not a reserved name (the JSON parser's rules; socket.io-msgpack-parser
// leaves them to the server).
func (msgpackParser) Decode(_ *parser.DecodeState, data []byte, binary bool, p *parser.Packet) (bool, error) {
	if !binary {
		return false, errText
	}
	if err := validate(data); err != nil {
		return false, err
	}
	var w wirePacket
	r := getReader(data)
	err := r.dec.Decode(&w)
	r.put()
	if err != nil {
		return false, fmt.Errorf("%w: %v", errMalformed, err)
	}

	typ, ok := integer(w.Type)
	if !ok || typ < int64(parser.Connect) || typ > int64(parser.ConnectError) {
		return false, errType
	}
	nsp, ok := stringOf(w.Nsp)
	if !ok {
		return false, errNsp
	}
	p.Type, p.Namespace, p.ID, p.Data, p.Event = parser.Type(typ), nsp, -1, nil, nil
	if w.ID != nil && !bytes.Equal(w.ID, undefined) {
		id, ok := integer(w.ID)
		if !ok || id < 0 {
			return false, errID
		}
		p.ID = id
	}
	if bytes.Equal(w.Data, undefined) {
		w.Data = nil
	}
	kind := kindOf(w.Data)
	switch p.Type {
	case parser.Connect:
		if w.Data != nil && kind != 'm' {
			return false, errPayload
		}
		return true, toJSON(p, w.Data)
	case parser.Disconnect:
		if w.Data != nil {
			return false, errPayload
		}
		return true, nil
	case parser.ConnectError:
		if kind != 'm' && kind != 's' {
			return false, errPayload
		}
		return true, toJSON(p, w.Data)
	}
	if kind != 'a' {
		return false, errPayload
	}
	first, err := parser.SplitArgs(p.Args, format{}, w.Data, p.Type == parser.Event)
	if err != nil {
		return false, err
	}
	if first != nil {
		if p.Event, err = eventName(first); err != nil {
			return false, err
		}
	}
	return true, nil
}

// eventName reads an EVENT's first element: a string, or a number in
// JavaScript's string form; reserved names are refused.
func eventName(raw []byte) ([]byte, error) {
	v, err := format{}.Value(raw)
	if err != nil {
		return nil, errPayload
	}
	var name string
	switch x := v.(type) {
	case string:
		name = x
	case int64, uint64:
		name = fmt.Sprint(x)
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, errPayload
		}
		b, _ := json.Marshal(x) // JavaScript's form for finite numbers
		name = string(b)
	default:
		return nil, errPayload
	}
	switch name {
	case "connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener":
		return nil, errPayload
	}
	return []byte(name), nil
}

// toJSON sets p.Data to the JSON form of the MessagePack value raw (nil
// stays nil): sio reads a CONNECT's auth as JSON whatever the parser.
func toJSON(p *parser.Packet, raw []byte) error {
	if raw == nil {
		return nil
	}
	v, err := format{}.Value(raw)
	if err != nil {
		return errPayload
	}
	b, err := json.Marshal(jsonSafe(v, 0))
	if err != nil {
		return errPayload
	}
	p.Data = b
	return nil
}

// jsonSafe makes what MessagePack decodes marshalable as JSON: map keys of
// any type become strings, as JavaScript's object keys are; NaN and the
// infinities become null, as JSON.stringify writes them.
func jsonSafe(v any, depth int) any {
	if depth > maxDepth {
		return nil
	}
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = jsonSafe(e, depth+1)
		}
	case map[any]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[fmt.Sprint(k)] = jsonSafe(e, depth+1)
		}
		return m
	case []any:
		for k, e := range x {
			x[k] = jsonSafe(e, depth+1)
		}
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil
		}
	case float32:
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return nil
		}
	}
	return v
}

// integer reads raw as an integer, as JavaScript's Number.isInteger
// accepts it: an int, or a float with no fraction (within int64).
func integer(raw []byte) (int64, bool) {
	if raw == nil {
		return 0, false
	}
	v, err := format{}.Value(raw)
	if err != nil {
		return 0, false
	}
	switch x := v.(type) {
	case int64:
		return x, true
	case uint64:
		return int64(x), x <= math.MaxInt64
	case float64:
		if x == math.Trunc(x) && x >= math.MinInt64 && x < math.MaxInt64 {
			return int64(x), true
		}
	}
	return 0, false
}

// stringOf returns the bytes of raw when it is a MessagePack str, aliasing
// raw.
func stringOf(raw []byte) ([]byte, bool) {
	if len(raw) == 0 {
		return nil, false
	}
	c := raw[0]
	var n, h int
	switch {
	case msgpcode.IsFixedString(c):
		n, h = int(c&msgpcode.FixedStrMask), 1
	case c == msgpcode.Str8 && len(raw) >= 2:
		n, h = int(raw[1]), 2
	case c == msgpcode.Str16 && len(raw) >= 3:
		n, h = int(raw[1])<<8|int(raw[2]), 3
	case c == msgpcode.Str32 && len(raw) >= 5:
		n, h = int(raw[1])<<24|int(raw[2])<<16|int(raw[3])<<8|int(raw[4]), 5
	default:
		return nil, false
	}
	if h+n != len(raw) {
		return nil, false
	}
	return raw[h:len(raw):len(raw)], true
}

// kindOf classifies the MessagePack value raw: 'a' array, 'm' map, 's'
// string, 0 anything else (or nothing).
func kindOf(raw []byte) byte {
	if len(raw) == 0 {
		return 0
	}
	switch c := raw[0]; {
	case msgpcode.IsFixedArray(c) || c == msgpcode.Array16 || c == msgpcode.Array32:
		return 'a'
	case msgpcode.IsFixedMap(c) || c == msgpcode.Map16 || c == msgpcode.Map32:
		return 'm'
	case msgpcode.IsString(c):
		return 's'
	}
	return 0
}

// validate checks that data is one well-formed MessagePack value nested
// at most maxDepth deep, with nothing after it (notepack.io throws on
// trailing bytes).
func validate(data []byte) error {
	r := getReader(data)
	defer r.put()
	if err := walk(r, data, 0); err != nil {
		return fmt.Errorf("%w: %v", errMalformed, err)
	}
	if r.br.Len() != 0 {
		return fmt.Errorf("%w: trailing bytes", errMalformed)
	}
	return nil
}

var errDepth = errors.New("nested too deep")

var errLength = errors.New("length past the end of the message")

// walk reads one value of data, containers element by element. A string,
// bin or ext must fit in what is left of data before the library reads
// it: the library grows its reused buffer toward a claimed length and
// keeps it, even when the read fails.
func walk(r *reader, data []byte, depth int) error {
	if depth > maxDepth {
		return errDepth
	}
	d := r.dec
	c, err := d.PeekCode()
	if err != nil {
		return err
	}
	if n, h, ok := payloadLen(data[len(data)-r.br.Len():]); ok && h+n > r.br.Len() {
		return errLength
	}
	n := 0
	switch {
	case msgpcode.IsFixedArray(c) || c == msgpcode.Array16 || c == msgpcode.Array32:
		if n, err = d.DecodeArrayLen(); err != nil {
			return err
		}
	case msgpcode.IsFixedMap(c) || c == msgpcode.Map16 || c == msgpcode.Map32:
		if n, err = d.DecodeMapLen(); err != nil {
			return err
		}
		n *= 2
	default:
		return d.Skip()
	}
	for range n {
		if err := walk(r, data, depth+1); err != nil {
			return err
		}
	}
	return nil
}

// payloadLen reads the header of the str, bin or ext value b starts with:
// the length of its payload and of the header (ext: with its type byte).
// ok is false for other values, and for a header cut short (the library
// then fails on it).
func payloadLen(b []byte) (n, h int, ok bool) {
	if len(b) == 0 {
		return 0, 0, false
	}
	be := func(k int) (int, bool) {
		if len(b) < 1+k {
			return 0, false
		}
		v := 0
		for _, x := range b[1 : 1+k] {
			v = v<<8 | int(x)
		}
		return v, true
	}
	var k, extra int
	switch c := b[0]; c {
	case msgpcode.Str8, msgpcode.Bin8:
		k = 1
	case msgpcode.Str16, msgpcode.Bin16:
		k = 2
	case msgpcode.Str32, msgpcode.Bin32:
		k = 4
	case msgpcode.Ext8:
		k, extra = 1, 1
	case msgpcode.Ext16:
		k, extra = 2, 1
	case msgpcode.Ext32:
		k, extra = 4, 1
	default:
		return 0, 0, false
	}
	n, ok = be(k)
	return n, 1 + k + extra, ok
}

// format reads the elements of an Args.
type format struct{}

func (format) Array(data []byte) (int, int, error) {
	r := getReader(data)
	defer r.put()
	n, err := r.dec.DecodeArrayLen()
	if err != nil || n < 0 {
		return 0, 0, errPayload
	}
	return n, len(data) - r.br.Len(), nil
}

func (format) Skip(data []byte, i int) (int, error) {
	r := getReader(data[i:])
	defer r.put()
	if err := r.dec.Skip(); err != nil {
		return 0, err
	}
	return len(data) - r.br.Len(), nil
}

// Decode decodes raw into v through the library. When that fails on what
// the library does not know (ext type 0, notepack.io's ArrayBuffer and
// undefined), raw is decoded by Value and re-encoded in the library's
// terms (bin, nil) for a second try.
func (f format) Decode(raw []byte, v any) error {
	if p, ok := v.(*any); ok {
		x, err := f.Value(raw)
		if err == nil {
			*p = x
		}
		return err
	}
	r := getReader(raw)
	err := r.dec.Decode(v)
	r.put()
	if err == nil {
		return nil
	}
	x, verr := f.Value(raw)
	if verr != nil {
		return err
	}
	plain, merr := msgpack.Marshal(x)
	if merr != nil {
		return err
	}
	r = getReader(plain)
	defer r.put()
	return r.dec.Decode(v)
}

// Value decodes raw into an `any` as notepack.io (the client's
// MessagePack) decodes it into JavaScript values: bin, and ext type 0
// (how notepack.io writes an ArrayBuffer or typed array), as []byte; the
// fixext 1 of type 0 (undefined) as nil; the fixext 8 of type 0 as a
// time.Time (a Date); maps as map[string]any (other keys in their string
// form, as JavaScript's object keys); numbers as int64, uint64 (past
// int64) or float64.
func (format) Value(raw []byte) (any, error) {
	r := getReader(raw)
	defer r.put()
	return value(r, 0)
}

var errExt = errors.New("unsupported MessagePack extension type")

func value(r *reader, depth int) (any, error) {
	d := r.dec
	if depth > maxDepth {
		return nil, errDepth
	}
	c, err := d.PeekCode()
	if err != nil {
		return nil, err
	}
	switch {
	case msgpcode.IsFixedArray(c) || c == msgpcode.Array16 || c == msgpcode.Array32:
		n, err := d.DecodeArrayLen()
		if err != nil || n < 0 {
			return nil, err
		}
		s := make([]any, 0, min(n, 1024))
		for range n {
			v, err := value(r, depth+1)
			if err != nil {
				return nil, err
			}
			s = append(s, v)
		}
		return s, nil
	case msgpcode.IsFixedMap(c) || c == msgpcode.Map16 || c == msgpcode.Map32:
		n, err := d.DecodeMapLen()
		if err != nil || n < 0 {
			return nil, err
		}
		m := make(map[string]any, min(n, 1024))
		for range n {
			k, err := value(r, depth+1)
			if err != nil {
				return nil, err
			}
			v, err := value(r, depth+1)
			if err != nil {
				return nil, err
			}
			key, ok := k.(string)
			if !ok {
				key = fmt.Sprint(k)
			}
			m[key] = v
		}
		return m, nil
	case msgpcode.IsExt(c):
		id, n, err := d.DecodeExtHeader()
		if err != nil {
			return nil, err
		}
		if n > r.br.Len() { // before allocating what a length claims
			return nil, io.ErrUnexpectedEOF
		}
		b := make([]byte, n)
		if err := d.ReadFull(b); err != nil {
			return nil, err
		}
		switch {
		case id != 0:
			return nil, errExt
		case c == msgpcode.FixExt1:
			return nil, nil // undefined
		case c == msgpcode.FixExt8:
			ms := int64(binary.BigEndian.Uint64(b))
			return time.UnixMilli(ms), nil
		}
		return b, nil
	}
	v, err := d.DecodeInterface()
	if err != nil {
		return nil, err
	}
	return widen(v), nil
}

// widen replaces a sized number by int64, uint64 or float64.
func widen(v any) any {
	switch x := v.(type) {
	case int8:
		return int64(x)
	case int16:
		return int64(x)
	case int32:
		return int64(x)
	case uint8:
		return int64(x)
	case uint16:
		return int64(x)
	case uint32:
		return int64(x)
	case uint64:
		if x <= math.MaxInt64 {
			return int64(x)
		}
	case float32:
		return float64(x)
	}
	return v
}

func (format) String(raw []byte) (string, bool) {
	b, ok := stringOf(raw)
	return string(b), ok
}

// Encoding.

// appendWriter is an io.Writer appending to a slice.
type appendWriter struct{ b []byte }

func (w *appendWriter) Write(p []byte) (int, error) { w.b = append(w.b, p...); return len(p), nil }
func (w *appendWriter) WriteByte(c byte) error      { w.b = append(w.b, c); return nil }

// encoder writes packets as the Node server's socket.io-msgpack-parser
// does: {type, data, id, nsp}, numbers in their most compact form (as
// notepack.io writes JavaScript numbers), map keys sorted.
type encoder struct {
	w   appendWriter
	enc *msgpack.Encoder
}

func (msgpackParser) NewEncoder() parser.Encoder {
	e := &encoder{}
	e.enc = msgpack.NewEncoder(&e.w)
	e.enc.SetCustomStructTag("json")
	e.enc.UseCompactInts(true)
	e.enc.UseCompactFloats(true)
	e.enc.SetSortMapKeys(true)
	return e
}

var (
	errEncodeType      = errors.New("msgpack: encode: packet type must be CONNECT, DISCONNECT, EVENT, ACK or CONNECT_ERROR")
	errEncodeNamespace = errors.New(`msgpack: encode: namespace must start with "/" and hold no ","`)
	errEncodeID        = errors.New("msgpack: encode: ack id below -1")
	errEncodeRawJSON   = errors.New("msgpack: encode: invalid json.RawMessage")
)

func (e *encoder) Encode(f *parser.Frames, typ parser.Type, nsp string, id int64, event string, args []any) (err error) {
	if nsp == "" {
		nsp = "/"
	}
	if nsp[0] != '/' || strings.IndexByte(nsp, ',') >= 0 {
		return errEncodeNamespace
	}
	if id < -1 {
		return errEncodeID
	}
	e.w.b = f.Head
	defer func() {
		f.Head, f.Binary, f.Attachments = e.w.b, true, nil
		e.w.b = nil
		if err != nil {
			f.Head = f.Head[:0]
		}
	}()
	hasData := typ == parser.Event || typ == parser.Ack || typ == parser.ConnectError ||
		typ == parser.Connect && len(args) > 0 && args[0] != nil
	switch typ {
	case parser.Connect, parser.Disconnect, parser.Event, parser.Ack, parser.ConnectError:
	default:
		return errEncodeType
	}
	n := 2
	if hasData {
		n++
	}
	if id >= 0 {
		n++
	}
	enc := e.enc
	if err := enc.EncodeMapLen(n); err != nil {
		return err
	}
	_ = enc.EncodeString("type")
	_ = enc.EncodeInt(int64(typ))
	if hasData {
		_ = enc.EncodeString("data")
		switch typ {
		case parser.Event:
			_ = enc.EncodeArrayLen(1 + len(args))
			_ = enc.EncodeString(event)
			err = e.values(args)
		case parser.Ack:
			_ = enc.EncodeArrayLen(len(args))
			err = e.values(args)
		default:
			if len(args) == 0 {
				return errors.New("msgpack: encode: CONNECT_ERROR needs a payload")
			}
			err = e.value(args[0])
		}
		if err != nil {
			return err
		}
	}
	if id >= 0 {
		_ = enc.EncodeString("id")
		_ = enc.EncodeInt(id)
	}
	_ = enc.EncodeString("nsp")
	return enc.EncodeString(nsp)
}

func (e *encoder) values(args []any) error {
	for _, v := range args {
		if err := e.value(v); err != nil {
			return err
		}
	}
	return nil
}

// value writes v; json.RawMessage (what sio passes for a CONNECT payload,
// and what a JSON value from elsewhere is) is written as the value its
// JSON holds.
func (e *encoder) value(v any) error {
	var raw []byte
	switch x := v.(type) {
	case json.RawMessage:
		raw = x
	case *json.RawMessage:
		raw = *x
	default:
		if err := e.enc.Encode(v); err != nil {
			return fmt.Errorf("msgpack: encode: %w", err)
		}
		return nil
	}
	var decoded any
	if err := json.Unmarshal(raw, &decoded); err != nil {
		return errEncodeRawJSON
	}
	return e.enc.Encode(decoded)
}
