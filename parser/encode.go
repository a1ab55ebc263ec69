package parser

import (
	"bytes"
	"encoding"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
)

// Encode errors.
var (
	errEncodeType      = errors.New("parser: encode: packet type must be CONNECT, DISCONNECT, EVENT, ACK or CONNECT_ERROR")
	errEncodeNamespace = errors.New(`parser: encode: namespace must start with "/" and hold no ","`)
	errEncodeID        = errors.New("parser: encode: ack id below -1")
	errConnectPayload  = errors.New("parser: encode: CONNECT payload must be a JSON object")
	errConnErrPayload  = errors.New("parser: encode: CONNECT_ERROR payload must be a JSON object or string")
	errEncodeDepth     = errors.New("parser: encode: value nested too deep (a cycle?)")
	errEncodeRawJSON   = errors.New("parser: encode: invalid JSON from json.RawMessage or MarshalJSON")
)

// maxEncodeDepth bounds the nesting Encode follows, as encoding/json stops
// at pointer cycles.
const maxEncodeDepth = 1000

// jsonEncoder encodes packets into their text form. Reuse one to avoid
// allocation: it keeps scratch buffers. Not safe for concurrent use.
type jsonEncoder struct {
	// Scratch, reset by every encode.
	payload []byte
	atts    [][]byte
	keys    []string
	binary  bool // []byte becomes an attachment (EVENT, ACK), not base64
	depth   int

	// The encoding/json fallback, writing into jsonBuf.
	jsonBuf bytes.Buffer
	jsonEnc *json.Encoder
}

// appendPacket appends the text form of a packet to dst and returns the extended
// slice, with the packet's binary attachments, to be sent after it in
// order as binary messages.
//
// typ is Event, Ack, Connect, ConnectError or
// Disconnect; nsp the namespace ("" or "/" is the main one, left out
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
func (e *jsonEncoder) appendPacket(dst []byte, typ Type, nsp string, id int64, event string, args []any) (text []byte, attachments [][]byte, err error) {
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
		typ += BinaryEvent - Event // EVENT→BINARY_EVENT, ACK→BINARY_ACK
		attachments = slices.Clone(e.atts)
		clear(e.atts)
		e.atts = e.atts[:0]
	}
	return append(AppendHeader(dst, typ, n, nsp, id), p...), attachments, nil
}

// AppendHeader appends a packet's header to dst: its type, for a BINARY_*
// type the attachment count n, the namespace unless it is the main one
// ("" or "/"), and the ack id unless it is -1. The payload follows it.
func AppendHeader(dst []byte, typ Type, n int, nsp string, id int64) []byte {
	dst = append(dst, '0'+byte(typ))
	if typ.binary() {
		dst = strconv.AppendInt(dst, int64(n), 10)
		dst = append(dst, '-')
	}
	if nsp != "" && nsp != "/" {
		dst = append(dst, nsp...)
		dst = append(dst, ',')
	}
	if id >= 0 {
		dst = strconv.AppendInt(dst, id, 10)
	}
	return dst
}

// encodePayload appends the JSON payload of a packet of type typ.
func (e *jsonEncoder) encodePayload(p []byte, typ Type, event string, args []any) ([]byte, error) {
	e.depth = 0
	e.binary = typ == Event || typ == Ack
	var err error
	switch typ {
	case Event:
		p = append(p, '[')
		p = AppendJSONString(p, event)
		for _, arg := range args {
			p = append(p, ',')
			if p, err = e.value(p, arg); err != nil {
				return p, err
			}
		}
		return append(p, ']'), nil
	case Ack:
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
	case Connect:
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
	case ConnectError:
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
	case Disconnect:
		return p, nil
	}
	return p, errEncodeType
}

// value appends the JSON of v.
func (e *jsonEncoder) value(dst []byte, v any) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return append(dst, "null"...), nil
	case string:
		return AppendJSONString(dst, x), nil
	case []byte:
		return e.bytes(dst, x), nil
	case json.RawMessage:
		return appendRawJSON(dst, x)
	case *json.RawMessage: // what Args.Spread hands out: boxing it allocates nothing
		return appendRawJSON(dst, *x)
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
			dst = AppendJSONString(dst, s)
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
			return dst, fmt.Errorf("parser: encode: %w", err)
		}
		return appendRawJSON(dst, raw)
	case encoding.TextMarshaler:
		if rv := reflect.ValueOf(x); rv.Kind() == reflect.Pointer && rv.IsNil() {
			return append(dst, "null"...), nil
		}
		text, err := x.MarshalText()
		if err != nil {
			return dst, fmt.Errorf("parser: encode: %w", err)
		}
		return AppendJSONString(dst, string(text)), nil
	}
	rv := reflect.ValueOf(v)
	if e.binary && mayHaveBytes(rv.Type()) {
		return e.reflectValue(dst, rv)
	}
	return e.marshal(dst, v)
}

// mapStringAny appends a map[string]any with its keys sorted, as
// encoding/json does, sorting in e.keys so as not to allocate.
func (e *jsonEncoder) mapStringAny(dst []byte, m map[string]any) ([]byte, error) {
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
		dst = AppendJSONString(dst, key)
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
func (e *jsonEncoder) bytes(dst, b []byte) []byte {
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
func (e *jsonEncoder) marshal(dst []byte, v any) ([]byte, error) {
	if e.jsonEnc == nil {
		e.jsonEnc = json.NewEncoder(&e.jsonBuf)
		e.jsonEnc.SetEscapeHTML(false)
	}
	e.jsonBuf.Reset()
	if err := e.jsonEnc.Encode(v); err != nil {
		return dst, fmt.Errorf("parser: encode: %w", err)
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
