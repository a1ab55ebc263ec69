package sio

import (
	"bytes"
	"cmp"
	"encoding"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// Encode errors.
var (
	errEncodeType      = errors.New("sio: encode: packet type must be CONNECT, DISCONNECT, EVENT, ACK or CONNECT_ERROR")
	errEncodeNamespace = errors.New(`sio: encode: namespace must start with "/" and hold no ","`)
	errEncodeID        = errors.New("sio: encode: ack id below -1")
	errConnectPayload  = errors.New("sio: encode: CONNECT payload must be a JSON object")
	errConnErrPayload  = errors.New("sio: encode: CONNECT_ERROR payload must be a JSON object or string")
	errEncodeDepth     = errors.New("sio: encode: value nested too deep (a cycle?)")
	errEncodeRawJSON   = errors.New("sio: encode: invalid JSON from json.RawMessage or MarshalJSON")
)

// maxEncodeDepth bounds the nesting Encode follows, as encoding/json stops
// at pointer cycles.
const maxEncodeDepth = 1000

// Encoder encodes packets into their text form. Reuse one to avoid
// allocation: it keeps scratch buffers. Not safe for concurrent use.
type Encoder struct {
	// Scratch, reset by every Encode.
	payload []byte
	atts    [][]byte
	keys    []string
	binary  bool // []byte becomes an attachment (EVENT, ACK), not base64
	depth   int

	// The encoding/json fallback, writing into jsonBuf.
	jsonBuf bytes.Buffer
	jsonEnc *json.Encoder
}

// Encode appends the text form of a packet to dst and returns the extended
// slice, with the packet's binary attachments, to be sent after it in
// order as binary messages.
//
// typ is PacketEvent, PacketAck, PacketConnect, PacketConnectError or
// PacketDisconnect; nsp the namespace ("" or "/" is the main one, left out
// of the wire form; others must start with '/' and hold no ','); id the ack
// id, -1 for none. The payload:
//
//   - EVENT: [event, args...]; ACK: [args...] (event unused). Every []byte
//     in args, however deep (in []any, maps, slices, arrays, pointers and
//     struct fields), is replaced by a placeholder
//     {"_placeholder":true,"num":N} and becomes attachment N; the packet is
//     then a BINARY_EVENT or BINARY_ACK "N-" (socket.io-parser's
//     deconstructPacket). The attachments slice is new, but its elements
//     alias the caller's []byte values: do not modify those until sent.
//   - CONNECT: args[0], when present and not nil, is the payload, and must
//     encode as a JSON object: pass json.RawMessage(`{"sid":"…"}`).
//   - CONNECT_ERROR: args[0] is the payload, a JSON object or string, such
//     as {"message":…,"data":…}.
//   - DISCONNECT: no payload; args are unused.
//
// Values are encoded as encoding/json encodes them (struct tags, json.Marshaler
// and encoding.TextMarshaler honoured; map keys sorted), except that HTML
// characters are not escaped, as JSON.stringify does not, and that []byte
// is binary in EVENT and ACK (base64 elsewhere, as encoding/json does).
// string, []byte, json.RawMessage, bool, the integer and float types, nil,
// []any, []string and map[string]any take a path without reflection or
// allocation; other types go through encoding/json, or through a reflection
// walk when their type can hold a []byte.
//
// Encoding reuses e's buffers: it allocates nothing for such values once
// they have grown, when dst has room, and when there is no attachment.
func (e *Encoder) Encode(dst []byte, typ PacketType, nsp string, id int64, event string, args []any) (text []byte, attachments [][]byte, err error) {
	if nsp != "" && nsp != "/" && (nsp[0] != '/' || strings.IndexByte(nsp, ',') >= 0) {
		return dst, nil, errEncodeNamespace
	}
	if id < -1 {
		return dst, nil, errEncodeID
	}
	p, err := e.encodePayload(e.payload[:0], typ, event, args)
	e.payload = p[:0]
	if err != nil {
		clear(e.atts)
		e.atts = e.atts[:0]
		return dst, nil, err
	}

	n := len(e.atts)
	dst = slices.Grow(dst, 1+4+len(nsp)+1+20+len(p))
	if n > 0 {
		typ += PacketBinaryEvent - PacketEvent // EVENT→BINARY_EVENT, ACK→BINARY_ACK
		dst = append(dst, '0'+byte(typ))
		dst = strconv.AppendInt(dst, int64(n), 10)
		dst = append(dst, '-')
		attachments = slices.Clone(e.atts)
		clear(e.atts)
		e.atts = e.atts[:0]
	} else {
		dst = append(dst, '0'+byte(typ))
	}
	if nsp != "" && nsp != "/" {
		dst = append(dst, nsp...)
		dst = append(dst, ',')
	}
	if id >= 0 {
		dst = strconv.AppendInt(dst, id, 10)
	}
	return append(dst, p...), attachments, nil
}

// encodePayload appends the JSON payload of a packet of type typ.
func (e *Encoder) encodePayload(p []byte, typ PacketType, event string, args []any) ([]byte, error) {
	e.depth = 0
	e.binary = typ == PacketEvent || typ == PacketAck
	var err error
	switch typ {
	case PacketEvent:
		p = append(p, '[')
		p = appendString(p, event)
		for _, arg := range args {
			p = append(p, ',')
			if p, err = e.value(p, arg); err != nil {
				return p, err
			}
		}
		return append(p, ']'), nil
	case PacketAck:
		p = append(p, '[')
		for k, arg := range args {
			if k > 0 {
				p = append(p, ',')
			}
			if p, err = e.value(p, arg); err != nil {
				return p, err
			}
		}
		return append(p, ']'), nil
	case PacketConnect:
		if len(args) == 0 || args[0] == nil {
			return p, nil
		}
		if p, err = e.value(p, args[0]); err != nil {
			return p, err
		}
		if p[0] != '{' {
			return p, errConnectPayload
		}
		return p, nil
	case PacketConnectError:
		if len(args) == 0 {
			return p, errConnErrPayload
		}
		if p, err = e.value(p, args[0]); err != nil {
			return p, err
		}
		if p[0] != '{' && p[0] != '"' {
			return p, errConnErrPayload
		}
		return p, nil
	case PacketDisconnect:
		return p, nil
	}
	return p, errEncodeType
}

// value appends the JSON of v.
func (e *Encoder) value(dst []byte, v any) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return append(dst, "null"...), nil
	case string:
		return appendString(dst, x), nil
	case []byte:
		return e.bytes(dst, x), nil
	case json.RawMessage:
		return appendRawJSON(dst, x)
	case bool:
		return strconv.AppendBool(dst, x), nil
	case int:
		return strconv.AppendInt(dst, int64(x), 10), nil
	case int8:
		return strconv.AppendInt(dst, int64(x), 10), nil
	case int16:
		return strconv.AppendInt(dst, int64(x), 10), nil
	case int32:
		return strconv.AppendInt(dst, int64(x), 10), nil
	case int64:
		return strconv.AppendInt(dst, x, 10), nil
	case uint:
		return strconv.AppendUint(dst, uint64(x), 10), nil
	case uint8:
		return strconv.AppendUint(dst, uint64(x), 10), nil
	case uint16:
		return strconv.AppendUint(dst, uint64(x), 10), nil
	case uint32:
		return strconv.AppendUint(dst, uint64(x), 10), nil
	case uint64:
		return strconv.AppendUint(dst, x, 10), nil
	case uintptr:
		return strconv.AppendUint(dst, uint64(x), 10), nil
	case float64:
		return appendFloatChecked(dst, x, 64)
	case float32:
		return appendFloatChecked(dst, float64(x), 32)
	case []string:
		if x == nil {
			return append(dst, "null"...), nil
		}
		dst = append(dst, '[')
		for k, s := range x {
			if k > 0 {
				dst = append(dst, ',')
			}
			dst = appendString(dst, s)
		}
		return append(dst, ']'), nil
	case []any:
		if x == nil {
			return append(dst, "null"...), nil
		}
		if e.depth++; e.depth > maxEncodeDepth {
			return dst, errEncodeDepth
		}
		dst = append(dst, '[')
		var err error
		for k, el := range x {
			if k > 0 {
				dst = append(dst, ',')
			}
			if dst, err = e.value(dst, el); err != nil {
				return dst, err
			}
		}
		e.depth--
		return append(dst, ']'), nil
	case map[string]any:
		return e.mapStringAny(dst, x)
	case json.Marshaler:
		if rv := reflect.ValueOf(x); rv.Kind() == reflect.Pointer && rv.IsNil() {
			return append(dst, "null"...), nil
		}
		raw, err := x.MarshalJSON()
		if err != nil {
			return dst, fmt.Errorf("sio: encode: %w", err)
		}
		return appendRawJSON(dst, raw)
	case encoding.TextMarshaler:
		if rv := reflect.ValueOf(x); rv.Kind() == reflect.Pointer && rv.IsNil() {
			return append(dst, "null"...), nil
		}
		text, err := x.MarshalText()
		if err != nil {
			return dst, fmt.Errorf("sio: encode: %w", err)
		}
		return appendString(dst, string(text)), nil
	}
	rv := reflect.ValueOf(v)
	if e.binary && mayHaveBytes(rv.Type()) {
		return e.reflectValue(dst, rv)
	}
	return e.marshal(dst, v)
}

// mapStringAny appends a map[string]any with its keys sorted, as
// encoding/json does, sorting in e.keys so as not to allocate.
func (e *Encoder) mapStringAny(dst []byte, m map[string]any) ([]byte, error) {
	if m == nil {
		return append(dst, "null"...), nil
	}
	if e.depth++; e.depth > maxEncodeDepth {
		return dst, errEncodeDepth
	}
	// Nested maps push their keys above ours: index e.keys afresh each time.
	base := len(e.keys)
	for k := range m {
		e.keys = append(e.keys, k)
	}
	slices.Sort(e.keys[base:])
	dst = append(dst, '{')
	var err error
	for k := base; k < base+len(m); k++ {
		if k > base {
			dst = append(dst, ',')
		}
		key := e.keys[k]
		dst = appendString(dst, key)
		dst = append(dst, ':')
		if dst, err = e.value(dst, m[key]); err != nil {
			break
		}
	}
	clear(e.keys[base:])
	e.keys = e.keys[:base]
	e.depth--
	if err != nil {
		return dst, err
	}
	return append(dst, '}'), nil
}

// bytes appends a []byte: a placeholder for a new attachment in EVENT and
// ACK payloads, a base64 string elsewhere (as encoding/json), null when nil.
func (e *Encoder) bytes(dst, b []byte) []byte {
	if b == nil {
		return append(dst, "null"...)
	}
	if !e.binary {
		dst = append(dst, '"')
		dst = base64.StdEncoding.AppendEncode(dst, b)
		return append(dst, '"')
	}
	dst = append(dst, `{"_placeholder":true,"num":`...)
	dst = strconv.AppendInt(dst, int64(len(e.atts)), 10)
	e.atts = append(e.atts, b)
	return append(dst, '}')
}

// marshal appends v as encoding/json encodes it, without HTML escaping.
func (e *Encoder) marshal(dst []byte, v any) ([]byte, error) {
	if e.jsonEnc == nil {
		e.jsonEnc = json.NewEncoder(&e.jsonBuf)
		e.jsonEnc.SetEscapeHTML(false)
	}
	e.jsonBuf.Reset()
	if err := e.jsonEnc.Encode(v); err != nil {
		return dst, fmt.Errorf("sio: encode: %w", err)
	}
	return append(dst, bytes.TrimSuffix(e.jsonBuf.Bytes(), []byte{'\n'})...), nil
}

// appendRawJSON appends raw, already JSON, after checking it is one valid
// value, compacted as encoding/json compacts a json.RawMessage or the
// output of MarshalJSON; nil is null, as encoding/json writes a nil
// json.RawMessage.
func appendRawJSON(dst, raw []byte) ([]byte, error) {
	if raw == nil {
		return append(dst, "null"...), nil
	}
	start := skipSpace(raw, 0)
	end := scanValue(raw, start)
	if end < 0 || skipSpace(raw, end) != len(raw) {
		return dst, errEncodeRawJSON
	}
	return appendCompact(dst, raw[start:end]), nil
}

// appendCompact appends the valid JSON raw without the whitespace between
// its tokens.
func appendCompact(dst, raw []byte) []byte {
	for len(raw) > 0 {
		k := 0
		for k < len(raw) && raw[k] != '"' && raw[k] != ' ' && raw[k] != '\t' && raw[k] != '\n' && raw[k] != '\r' {
			k++
		}
		dst = append(dst, raw[:k]...)
		raw = raw[k:]
		if len(raw) == 0 {
			break
		}
		if raw[0] != '"' {
			raw = raw[skipSpace(raw, 0):]
			continue
		}
		end := scanString(raw, 0)
		dst = append(dst, raw[:end]...)
		raw = raw[end:]
	}
	return dst
}

// Reflection, for values whose type can hold a []byte in an EVENT or ACK.

var (
	marshalerType     = reflect.TypeFor[json.Marshaler]()
	textMarshalerType = reflect.TypeFor[encoding.TextMarshaler]()
	isZeroerType      = reflect.TypeFor[interface{ IsZero() bool }]()
	numberType        = reflect.TypeFor[json.Number]()
)

// reflectValue appends v as encoding/json would, with []byte values as
// attachments. It follows encoding/json's rules: MarshalJSON, then
// MarshalText (pointer-receiver methods too when v is addressable); nil
// pointers, slices, maps and interfaces as null; struct fields per their
// json tags.
func (e *Encoder) reflectValue(dst []byte, v reflect.Value) ([]byte, error) {
	if !v.IsValid() {
		return append(dst, "null"...), nil
	}
	t := v.Type()
	if m, ok := marshalerOf(v, marshalerType); ok {
		if m == nil {
			return append(dst, "null"...), nil
		}
		return e.value(dst, m)
	}
	if m, ok := marshalerOf(v, textMarshalerType); ok {
		if m == nil {
			return append(dst, "null"...), nil
		}
		return e.value(dst, m)
	}
	switch v.Kind() {
	case reflect.Bool:
		return strconv.AppendBool(dst, v.Bool()), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.AppendInt(dst, v.Int(), 10), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return strconv.AppendUint(dst, v.Uint(), 10), nil
	case reflect.Float32:
		return appendFloatChecked(dst, v.Float(), 32)
	case reflect.Float64:
		return appendFloatChecked(dst, v.Float(), 64)
	case reflect.String:
		if t == numberType { // encoding/json writes a json.Number as a number
			n := v.String()
			if n == "" {
				n = "0"
			}
			if scanNumber([]byte(n), 0) != len(n) {
				return dst, fmt.Errorf("sio: encode: invalid number literal %q", n)
			}
			return append(dst, n...), nil
		}
		return appendString(dst, v.String()), nil
	case reflect.Interface:
		if v.IsNil() {
			return append(dst, "null"...), nil
		}
		return e.reflectValue(dst, v.Elem())
	case reflect.Pointer:
		if v.IsNil() {
			return append(dst, "null"...), nil
		}
		if e.depth++; e.depth > maxEncodeDepth {
			return dst, errEncodeDepth
		}
		dst, err := e.reflectValue(dst, v.Elem())
		e.depth--
		return dst, err
	case reflect.Slice:
		if v.IsNil() {
			return append(dst, "null"...), nil
		}
		if isByteSlice(t) {
			return e.bytes(dst, v.Bytes()), nil
		}
		return e.reflectList(dst, v)
	case reflect.Array:
		return e.reflectList(dst, v)
	case reflect.Map:
		if v.IsNil() {
			return append(dst, "null"...), nil
		}
		return e.reflectMap(dst, v)
	case reflect.Struct:
		return e.reflectStruct(dst, v)
	}
	// Channels, functions, complex numbers: encoding/json's error.
	return e.marshal(dst, v.Interface())
}

// marshalerOf returns v's method set as iface (json.Marshaler or
// encoding.TextMarshaler) when encoding/json would use it: v's type
// implements it, or v is addressable and its pointer does. The value is nil
// for a nil pointer, which encodes as null.
func marshalerOf(v reflect.Value, iface reflect.Type) (any, bool) {
	t := v.Type()
	if t.Implements(iface) {
		if (t.Kind() == reflect.Pointer || t.Kind() == reflect.Interface) && v.IsNil() {
			return nil, true
		}
		if !v.CanInterface() {
			return nil, false
		}
		return v.Interface(), true
	}
	if t.Kind() != reflect.Pointer && v.CanAddr() && reflect.PointerTo(t).Implements(iface) && v.Addr().CanInterface() {
		return v.Addr().Interface(), true
	}
	return nil, false
}

// reflectList appends a slice or array.
func (e *Encoder) reflectList(dst []byte, v reflect.Value) ([]byte, error) {
	if e.depth++; e.depth > maxEncodeDepth {
		return dst, errEncodeDepth
	}
	dst = append(dst, '[')
	var err error
	for k := 0; k < v.Len(); k++ {
		if k > 0 {
			dst = append(dst, ',')
		}
		if dst, err = e.reflectValue(dst, v.Index(k)); err != nil {
			return dst, err
		}
	}
	e.depth--
	return append(dst, ']'), nil
}

// reflectMap appends a map with its keys resolved and sorted as
// encoding/json does: string keys as they are, encoding.TextMarshaler keys
// by their text, integer keys in decimal.
func (e *Encoder) reflectMap(dst []byte, v reflect.Value) ([]byte, error) {
	if e.depth++; e.depth > maxEncodeDepth {
		return dst, errEncodeDepth
	}
	type entry struct {
		key string
		v   reflect.Value
	}
	entries := make([]entry, 0, v.Len())
	iter := v.MapRange()
	for iter.Next() {
		k := iter.Key()
		var key string
		switch {
		case k.Kind() == reflect.String:
			key = k.String()
		case k.Type().Implements(textMarshalerType):
			if k.Kind() == reflect.Pointer && k.IsNil() {
				break
			}
			text, err := k.Interface().(encoding.TextMarshaler).MarshalText()
			if err != nil {
				return dst, fmt.Errorf("sio: encode: %w", err)
			}
			key = string(text)
		case k.CanInt():
			key = strconv.FormatInt(k.Int(), 10)
		case k.CanUint():
			key = strconv.FormatUint(k.Uint(), 10)
		default:
			return e.marshal(dst, v.Interface()) // encoding/json's error
		}
		entries = append(entries, entry{key, iter.Value()})
	}
	slices.SortFunc(entries, func(a, b entry) int { return strings.Compare(a.key, b.key) })
	dst = append(dst, '{')
	var err error
	for k, en := range entries {
		if k > 0 {
			dst = append(dst, ',')
		}
		dst = appendString(dst, en.key)
		dst = append(dst, ':')
		if dst, err = e.reflectValue(dst, en.v); err != nil {
			return dst, err
		}
	}
	e.depth--
	return append(dst, '}'), nil
}

// reflectStruct appends a struct's fields per encoding/json's rules.
func (e *Encoder) reflectStruct(dst []byte, v reflect.Value) ([]byte, error) {
	if e.depth++; e.depth > maxEncodeDepth {
		return dst, errEncodeDepth
	}
	dst = append(dst, '{')
	first := true
	var err error
	fields := cachedFields(v.Type())
	for i := range fields {
		f := &fields[i]
		fv, ok := fieldByIndex(v, f.index)
		if !ok || f.omitEmpty && isEmptyValue(fv) || f.omitZero && isZeroValue(fv) {
			continue
		}
		if !first {
			dst = append(dst, ',')
		}
		first = false
		dst = append(dst, f.nameJSON...)
		if f.quoted {
			dst, err = e.quotedScalar(dst, fv)
		} else {
			dst, err = e.reflectValue(dst, fv)
		}
		if err != nil {
			return dst, err
		}
	}
	e.depth--
	return append(dst, '}'), nil
}

// quotedScalar appends a field tagged ",string": its JSON in a JSON string.
func (e *Encoder) quotedScalar(dst []byte, v reflect.Value) ([]byte, error) {
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return append(dst, "null"...), nil
		}
		v = v.Elem()
	}
	if _, ok := marshalerOf(v, marshalerType); ok {
		return e.reflectValue(dst, v) // encoding/json ignores ",string" here
	}
	start := len(dst)
	dst, err := e.reflectValue(dst, v)
	if err != nil {
		return dst, err
	}
	if v.Kind() != reflect.String {
		// A number or bool needs no escaping: just quote it.
		dst = append(dst, 0)
		copy(dst[start+1:], dst[start:])
		dst[start] = '"'
		return append(dst, '"'), nil
	}
	inner := string(dst[start:])
	return appendString(dst[:start], inner), nil
}

// fieldByIndex is v.FieldByIndex, reporting false where encoding/json skips
// the field: behind a nil embedded pointer.
func fieldByIndex(v reflect.Value, index []int) (reflect.Value, bool) {
	for k, i := range index {
		if k > 0 && v.Kind() == reflect.Pointer {
			if v.IsNil() {
				return reflect.Value{}, false
			}
			v = v.Elem()
		}
		v = v.Field(i)
	}
	return v, true
}

// isEmptyValue is encoding/json's test for omitempty.
func isEmptyValue(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Interface, reflect.Pointer:
		return v.IsZero()
	}
	return false
}

// isZeroValue is encoding/json's test for omitzero: an IsZero method when
// the type has one, else the zero value.
func isZeroValue(v reflect.Value) bool {
	if v.Type().Implements(isZeroerType) {
		if (v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface) && v.IsNil() {
			return true
		}
		if v.CanInterface() {
			return v.Interface().(interface{ IsZero() bool }).IsZero()
		}
	}
	if v.CanAddr() && reflect.PointerTo(v.Type()).Implements(isZeroerType) && v.Addr().CanInterface() {
		return v.Addr().Interface().(interface{ IsZero() bool }).IsZero()
	}
	return v.IsZero()
}

// isByteSlice reports whether encoding/json encodes a slice of type t as
// base64: its elements are bytes with no marshaling methods.
func isByteSlice(t reflect.Type) bool {
	if t.Kind() != reflect.Slice || t.Elem().Kind() != reflect.Uint8 {
		return false
	}
	p := reflect.PointerTo(t.Elem())
	return !p.Implements(marshalerType) && !p.Implements(textMarshalerType)
}

// bytesCache maps a reflect.Type to whether its values can hold a []byte.
var bytesCache sync.Map

// mayHaveBytes reports whether a value of type t can hold a []byte that
// Encode would turn into an attachment: a byte slice, or an interface
// (which can hold anything), reachable through pointers, slices, arrays,
// map values and encoded struct fields. A type with a MarshalJSON or
// MarshalText method is encoded by it, so holds none.
func mayHaveBytes(t reflect.Type) bool {
	if v, ok := bytesCache.Load(t); ok {
		return v.(bool)
	}
	// Only t's own answer is cached: an answer for a type met again inside
	// its own cycle would be partial.
	r := typeMayHaveBytes(t, make(map[reflect.Type]bool))
	bytesCache.Store(t, r)
	return r
}

func typeMayHaveBytes(t reflect.Type, seen map[reflect.Type]bool) bool {
	if seen[t] {
		return false
	}
	seen[t] = true
	if t.Implements(marshalerType) || t.Implements(textMarshalerType) {
		return false
	}
	switch t.Kind() {
	case reflect.Interface:
		return true
	case reflect.Slice:
		return isByteSlice(t) || typeMayHaveBytes(t.Elem(), seen)
	case reflect.Pointer, reflect.Array, reflect.Map:
		return typeMayHaveBytes(t.Elem(), seen)
	case reflect.Struct:
		for _, f := range cachedFields(t) {
			if typeMayHaveBytes(f.typ, seen) {
				return true
			}
		}
	}
	return false
}

// field is one encoded struct field.
type field struct {
	name      string
	nameJSON  []byte // "name":
	tagged    bool
	index     []int
	typ       reflect.Type
	omitEmpty bool
	omitZero  bool
	quoted    bool
}

var fieldCache sync.Map // reflect.Type → []field

func cachedFields(t reflect.Type) []field {
	if f, ok := fieldCache.Load(t); ok {
		return f.([]field)
	}
	f, _ := fieldCache.LoadOrStore(t, typeFields(t))
	return f.([]field)
}

// typeFields returns the fields encoding/json encodes for struct type t, in
// its order, by its rules: exported fields, json tags ("-" skips, a name
// renames, omitempty, omitzero, string), fields of embedded structs
// promoted, and, among fields of the same name, the shallowest one, or the
// only tagged one of the shallowest; none when that is ambiguous.
func typeFields(t reflect.Type) []field {
	var current []field
	next := []field{{typ: t}}
	var count, nextCount map[reflect.Type]int
	visited := map[reflect.Type]bool{}
	var fields []field

	for len(next) > 0 {
		current, next = next, current[:0]
		count, nextCount = nextCount, map[reflect.Type]int{}
		for _, f := range current {
			if visited[f.typ] {
				continue
			}
			visited[f.typ] = true
			for i := 0; i < f.typ.NumField(); i++ {
				sf := f.typ.Field(i)
				if sf.Anonymous {
					ft := sf.Type
					if ft.Kind() == reflect.Pointer {
						ft = ft.Elem()
					}
					if !sf.IsExported() && ft.Kind() != reflect.Struct {
						continue
					}
				} else if !sf.IsExported() {
					continue
				}
				tag := sf.Tag.Get("json")
				if tag == "-" {
					continue
				}
				name, opts, _ := strings.Cut(tag, ",")
				if !validTagName(name) {
					name = ""
				}
				index := make([]int, len(f.index)+1)
				copy(index, f.index)
				index[len(f.index)] = i

				ft := sf.Type
				if ft.Name() == "" && ft.Kind() == reflect.Pointer {
					ft = ft.Elem()
				}
				if name != "" || !sf.Anonymous || ft.Kind() != reflect.Struct {
					quoted := false
					if hasOption(opts, "string") {
						switch ft.Kind() {
						case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
							reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
							reflect.Float32, reflect.Float64, reflect.String:
							quoted = true
						}
					}
					fname := name
					if fname == "" {
						fname = sf.Name
					}
					fl := field{
						name:      fname,
						nameJSON:  append(appendString(nil, fname), ':'),
						tagged:    name != "",
						index:     index,
						typ:       sf.Type,
						omitEmpty: hasOption(opts, "omitempty"),
						omitZero:  hasOption(opts, "omitzero"),
						quoted:    quoted,
					}
					fields = append(fields, fl)
					if count[f.typ] > 1 {
						// Embedded more than once at this depth: the
						// duplicate makes the name ambiguous below.
						fields = append(fields, fields[len(fields)-1])
					}
					continue
				}
				nextCount[ft]++
				if nextCount[ft] == 1 {
					next = append(next, field{name: ft.Name(), index: index, typ: ft})
				}
			}
		}
	}

	slices.SortFunc(fields, func(a, b field) int {
		if c := strings.Compare(a.name, b.name); c != 0 {
			return c
		}
		if c := cmp.Compare(len(a.index), len(b.index)); c != 0 {
			return c
		}
		if a.tagged != b.tagged {
			if a.tagged {
				return -1
			}
			return 1
		}
		return slices.Compare(a.index, b.index)
	})
	out := fields[:0]
	for advance, i := 0, 0; i < len(fields); i += advance {
		fi := fields[i]
		for advance = 1; i+advance < len(fields); advance++ {
			if fields[i+advance].name != fi.name {
				break
			}
		}
		if advance == 1 {
			out = append(out, fi)
			continue
		}
		// The dominant field: the first is the shallowest, tagged first; it
		// wins unless the second is as deep and as tagged.
		if g := fields[i+1]; len(g.index) > len(fi.index) || fi.tagged && !g.tagged {
			out = append(out, fi)
		}
	}
	slices.SortFunc(out, func(a, b field) int { return slices.Compare(a.index, b.index) })
	return slices.Clip(out)
}

func hasOption(opts, name string) bool {
	for opts != "" {
		var o string
		o, opts, _ = strings.Cut(opts, ",")
		if o == name {
			return true
		}
	}
	return false
}

// validTagName is encoding/json's isValidTag.
func validTagName(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		switch {
		case strings.ContainsRune("!#$%&()*+-./:;<=>?@[]^_{|}~ ", c):
		case !unicode.IsLetter(c) && !unicode.IsDigit(c):
			return false
		}
	}
	return true
}

// Scalars.

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string, escaped as encoding/json escapes
// it without HTML escaping: '"', '\\' and control characters, U+2028 and
// U+2029 (which older JavaScript rejects in source), and invalid UTF-8 as
// U+FFFD. JSON.parse reads back the same string.
func appendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i++
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// appendFloatChecked appends f as encoding/json does, refusing NaN and
// ±Inf as it does (JSON.stringify would write null).
func appendFloatChecked(dst []byte, f float64, bits int) ([]byte, error) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return dst, fmt.Errorf("sio: encode: unsupported value %v", f)
	}
	return appendFloat(dst, f, bits), nil
}

// appendFloat appends the finite f as encoding/json formats it, which is
// also JavaScript's Number::toString but for -0: the shortest decimal that
// reads back as f, in exponent form below 1e-6 and from 1e21 on.
func appendFloat(dst []byte, f float64, bits int) []byte {
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 {
		if bits == 64 && (abs < 1e-6 || abs >= 1e21) || bits == 32 && (float32(abs) < 1e-6 || float32(abs) >= 1e21) {
			format = 'e'
		}
	}
	dst = strconv.AppendFloat(dst, f, format, -1, bits)
	if format == 'e' {
		// Clean up e-09 to e-9.
		if n := len(dst); n >= 4 && dst[n-4] == 'e' && dst[n-3] == '-' && dst[n-2] == '0' {
			dst[n-2] = dst[n-1]
			dst = dst[:n-1]
		}
	}
	return dst
}
