package parser

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
)

// Args errors. Each wraps ErrInvalidPacket: the Node server closes the
// connection on a payload it cannot parse or reconstruct.
var (
	errNotArray = fmt.Errorf("%w: payload is not a JSON array", ErrInvalidPacket)
	// errPlaceholder mirrors reconstructPacket's "illegal attachments": a
	// placeholder whose num is not the index of a received attachment.
	errPlaceholder = fmt.Errorf("%w: illegal attachments", ErrInvalidPacket)
)

// inlineArgs is how many elements Args holds without allocating.
const inlineArgs = 8

// span is the position of one element in Args.data.
type span struct{ start, end int }

// Args holds the arguments of an EVENT or ACK, as a Parser decoded them:
// the elements of the payload array in their wire form (raw JSON, or raw
// MessagePack for a Format), and the binary attachments of a BINARY_EVENT
// or BINARY_ACK. The zero value is ready to use; reuse one across packets
// to avoid allocation.
//
// Ownership: Args aliases the message it was decoded from, and so do the
// slices its methods return (Raw, and []byte values decoded from
// attachments): they are valid while the message is, which for a handler's
// arguments is until the handler returns. Clone copies them. An Args is
// not safe for concurrent use.
type Args struct {
	// The payload: data[spans[k]] is element k; elements before first were
	// shifted out.
	format Format // nil: JSON
	data   []byte
	inline [inlineArgs]span
	more   []span // elements past inlineArgs
	n      int
	first  int

	// Binary attachments, by placeholder num.
	att [][]byte

	// Spread's result, reused: boxing a pointer into an interface does not
	// allocate, boxing a json.RawMessage (a slice) does.
	spread []any
	raws   [inlineArgs]json.RawMessage
}

// parse splits data, a JSON array, into its elements, replacing what a held
// before (attachments too: call SetAttachments after Parse). Whitespace
// around elements is dropped. An empty data, which is what DecodePacket gives
// for a packet without payload, gives no elements. data is aliased, not
// copied. Parse allocates nothing for up to 8 elements, and returns an error
// wrapping ErrInvalidPacket when data is not one valid JSON array.
func (a *Args) parse(data []byte) error {
	a.reset()
	if len(data) == 0 {
		return nil
	}
	i := skipSpace(data, 0)
	if i == len(data) || data[i] != '[' {
		return errNotArray
	}
	a.data = data
	i = skipSpace(data, i+1)
	if i < len(data) && data[i] == ']' {
		i++
	} else {
		for {
			end := scanValue(data, i)
			if end < 0 {
				a.reset()
				return errNotArray
			}
			a.push(span{i, end})
			i = skipSpace(data, end)
			if i < len(data) && data[i] == ',' {
				i = skipSpace(data, i+1)
				continue
			}
			if i < len(data) && data[i] == ']' {
				i++
				break
			}
			a.reset()
			return errNotArray
		}
	}
	if skipSpace(data, i) != len(data) {
		a.reset()
		return errNotArray
	}
	return nil
}

func (a *Args) push(s span) {
	if a.n < inlineArgs {
		a.inline[a.n] = s
	} else {
		a.more = append(a.more, s)
	}
	a.n++
}

func (a *Args) span(k int) span {
	if k < inlineArgs {
		return a.inline[k]
	}
	return a.more[k-inlineArgs]
}

// reset empties a, dropping its references to the data and attachments, and
// keeps its storage for reuse.
func (a *Args) reset() {
	a.format = nil
	a.data = nil
	a.n, a.first = 0, 0
	a.more = a.more[:0]
	a.att = nil
	if len(a.spread) > 0 { // drop what the last Spread referenced
		clear(a.raws[:min(len(a.spread), len(a.raws))])
		clear(a.spread)
		a.spread = a.spread[:0]
	}
}

// Len returns the number of elements (after those Shift removed).
func (a *Args) Len() int { return a.n - a.first }

// Raw returns element i in its wire form — raw JSON, placeholders left as
// they are, or the raw bytes of a Format — or nil when i is out of range.
// It aliases the parsed data (capacity clipped).
func (a *Args) Raw(i int) []byte {
	if i < 0 || i >= a.Len() {
		return nil
	}
	s := a.span(a.first + i)
	return a.data[s.start:s.end:s.end]
}

// shift removes element 0 and returns its raw JSON (nil when there is
// none); for an EVENT that is the event name, which EventName reads.
func (a *Args) shift() []byte {
	raw := a.Raw(0)
	if raw != nil {
		a.first++
	}
	return raw
}

// setAttachments sets the binary attachments, indexed by placeholder num.
// att is aliased, not copied. While a holds attachments, Decode, Value and
// Values replace placeholders {"_placeholder":true,"num":N} with att[N]; a
// holds none after Parse, as socket.io-parser reconstructs placeholders only
// in BINARY_* packets.
func (a *Args) setAttachments(att [][]byte) { a.att = att }

// Decode unmarshals element i into v as json.Unmarshal does (a
// *json.RawMessage gets a copy of Raw(i), placeholders left). While a holds
// attachments, a placeholder anywhere in the element becomes the attachment
// it names: a *[]byte or *any target, and []byte, string and interface
// values inside v, get its bytes (a *[]byte or *any target, and the []byte
// values in interfaces, alias the attachment; []byte fields get a copy).
// A placeholder naming no attachment is an error wrapping ErrInvalidPacket,
// as socket.io-parser throws "illegal attachments".
//
// Placeholders inside v are decoded by rewriting each one as a JSON string
// of its bytes in base64, behind the prefix "\r\n\n\r", which base64
// decoding skips; strings with that prefix then become the bytes. An actual
// string of that form in a binary packet is read as bytes too.
func (a *Args) Decode(i int, v any) error {
	raw := a.Raw(i)
	if raw == nil {
		return fmt.Errorf("parser: decode argument %d: out of range (%d arguments)", i, a.Len())
	}
	if a.format != nil {
		if err := a.format.Decode(raw, v); err != nil {
			return fmt.Errorf("parser: decode argument %d: %w", i, err)
		}
		return nil
	}
	switch p := v.(type) {
	case *any:
		val, err := a.Value(i)
		if err != nil {
			return err
		}
		*p = val
		return nil
	case *string:
		if raw[0] == '"' {
			*p = unquoteString(raw)
			return nil
		}
	case *json.RawMessage:
		*p = append((*p)[:0], raw...) // as it is, placeholders included
		return nil
	case *[]byte:
		if len(a.att) > 0 && raw[0] == '{' {
			b, ok, _, err := a.placeholderAt(raw, 0)
			if err != nil {
				return err
			}
			if ok {
				*p = b
				return nil
			}
		}
	}
	if len(a.att) > 0 && mayHavePlaceholder(raw) {
		rewritten, found, _, err := a.rewritePlaceholders(nil, raw, 0)
		if err != nil {
			return err
		}
		if found {
			if err := json.Unmarshal(rewritten, v); err != nil {
				return fmt.Errorf("parser: decode argument %d: %w", i, err)
			}
			var f markerFixer
			f.fix(reflect.ValueOf(v), 0)
			return nil
		}
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("parser: decode argument %d: %w", i, err)
	}
	return nil
}

// Bind decodes element k into vs[k] for each k, as Decode does. When there
// are fewer elements than targets, the extra targets are left untouched;
// extra elements are ignored.
func (a *Args) Bind(vs ...any) error {
	for k, v := range vs {
		if k >= a.Len() {
			break
		}
		if err := a.Decode(k, v); err != nil {
			return err
		}
	}
	return nil
}

// Value returns element i decoded into Go values as json.Unmarshal decodes
// into an `any`: map[string]any, []any, float64, string, bool or nil, plus,
// while a holds attachments, []byte (aliased) for each placeholder.
func (a *Args) Value(i int) (any, error) {
	raw := a.Raw(i)
	if raw == nil {
		return nil, fmt.Errorf("parser: decode argument %d: out of range (%d arguments)", i, a.Len())
	}
	var v any
	var err error
	if a.format != nil {
		v, err = a.format.Value(raw)
	} else {
		v, _, err = a.decodeAny(raw, 0)
	}
	if err != nil {
		return nil, fmt.Errorf("parser: decode argument %d: %w", i, err)
	}
	return v, nil
}

// Values returns every element as Value would.
func (a *Args) Values() ([]any, error) {
	vs := make([]any, a.Len())
	for k := range vs {
		v, err := a.Value(k)
		if err != nil {
			return nil, err
		}
		vs[k] = v
	}
	return vs, nil
}

// String returns element i when it is a JSON string, unquoted, and false
// when it is not a string (or i is out of range).
func (a *Args) String(i int) (string, bool) {
	raw := a.Raw(i)
	if a.format != nil && raw != nil {
		return a.format.String(raw)
	}
	if len(raw) == 0 || raw[0] != '"' {
		return "", false
	}
	return unquoteString(raw), true
}

// Clone returns a copy of a that owns its memory (the data and attachments
// are copied), to keep the arguments beyond the handler they came to.
func (a *Args) Clone() *Args {
	c := &Args{format: a.format, inline: a.inline, n: a.n, first: a.first}
	c.data = bytes.Clone(a.data)
	if len(a.more) > 0 {
		c.more = slices.Clone(a.more)
	}
	if a.att != nil {
		c.att = make([][]byte, len(a.att))
		for k, b := range a.att {
			c.att[k] = bytes.Clone(b)
		}
	}
	return c
}

// eventName returns the event name held by raw, the raw JSON of an EVENT's
// first element (as Shift returns it), and false when raw is neither a JSON
// string nor a number. A string is unquoted: the result aliases raw (not
// copied, no allocation) unless it has escapes or invalid UTF-8, which are
// decoded into a new slice. A number is a name too, as socket.io-parser
// accepts one and the Node server's EventEmitter keys it by its string
// form: the result is that form (JavaScript's Number::toString), aliasing
// raw when raw is already written that way ("42", not "42.0" or "4.2e1").
func eventName(raw []byte) ([]byte, bool) {
	if len(raw) == 0 {
		return nil, false
	}
	switch c := raw[0]; {
	case c == '"':
		if scanString(raw, 0) != len(raw) {
			return nil, false
		}
		if plainString(raw) {
			return raw[1 : len(raw)-1 : len(raw)-1], true
		}
		return appendUnquoted(nil, raw), true
	case c == '-' || c >= '0' && c <= '9':
		if scanNumber(raw, 0) != len(raw) {
			return nil, false
		}
		f, err := strconv.ParseFloat(string(raw), 64)
		if err != nil && !errors.Is(err, strconv.ErrRange) {
			return nil, false
		}
		var buf [32]byte
		s := appendJSNumber(buf[:0], f)
		if bytes.Equal(s, raw) {
			return raw[:len(raw):len(raw)], true
		}
		return bytes.Clone(s), true
	}
	return nil, false
}

// appendJSNumber appends JavaScript's Number::toString(f): encoding/json's
// float formatting (the same cutoffs for exponent form), except that -0 is
// "0" and that ±Infinity is spelled out (JSON.parse gives it for "1e400").
func appendJSNumber(dst []byte, f float64) []byte {
	switch {
	case f == 0:
		return append(dst, '0')
	case math.IsInf(f, 1):
		return append(dst, "Infinity"...)
	case math.IsInf(f, -1):
		return append(dst, "-Infinity"...)
	}
	return appendFloat(dst, f, 64)
}

// Spread returns the arguments as values to pass to Emit or Ack again
// unchanged: raw JSON, with binary attachments as []byte wherever they
// were. The slice and the values alias a's memory and are reused by the
// next Spread: use them before that, on the loop (Clone a to keep them).
func (a *Args) Spread() []any {
	out := a.spread[:0]
	if a.format != nil { // values, which the format's encoder writes back alike
		for i := range a.Len() {
			v, err := a.Value(i)
			if err != nil {
				v = nil
			}
			out = append(out, v)
		}
		a.spread = out
		return out
	}
	for i := range a.Len() {
		raw := a.Raw(i)
		switch {
		case a.hasPlaceholder(raw):
			v, err := a.Value(i)
			if err == nil {
				out = append(out, v)
				continue
			}
			out = append(out, json.RawMessage(raw))
		case i < len(a.raws):
			a.raws[i] = raw
			out = append(out, &a.raws[i])
		default:
			out = append(out, json.RawMessage(raw))
		}
	}
	a.spread = out
	return out
}

func (a *Args) hasPlaceholder(raw []byte) bool {
	return len(a.att) > 0 && bytes.Contains(raw, []byte(`"_placeholder"`))
}

// Format reads the arguments of a wire format other than JSON, for a
// Parser that is not in this package (MessagePack): SplitArgs fills an Args
// with it, and Args's methods call it for each element.
type Format interface {
	// Array reads the header of the array data: its number of elements
	// and where the first starts.
	Array(data []byte) (n, start int, err error)
	// Skip returns the index just past the element that starts at data[i].
	Skip(data []byte, i int) (int, error)
	// Decode stores the element raw in v (a pointer), as json.Unmarshal
	// would for the same value in JSON: struct fields by their json tags.
	Decode(raw []byte, v any) error
	// Value decodes the element raw into plain Go values.
	Value(raw []byte) (any, error)
	// String returns the element raw when it is a string.
	String(raw []byte) (string, bool)
}

// SplitArgs makes a hold the elements of data, an array in format f,
// replacing what it held: what a Parser other than JSON calls from Decode.
// With event, the first element (an EVENT's name) is taken out and
// returned raw (nil when the array is empty). data is aliased, not copied.
// It returns an error wrapping ErrInvalidPacket when data is not one
// array.
func SplitArgs(a *Args, f Format, data []byte, event bool) ([]byte, error) {
	if err := splitArgs(a, f, data); err != nil {
		return nil, err
	}
	if event {
		return a.shift(), nil
	}
	return nil, nil
}

func splitArgs(a *Args, f Format, data []byte) error {
	a.reset()
	n, i, err := f.Array(data)
	if err != nil {
		return errors.Join(errNotArray, err)
	}
	a.format, a.data = f, data
	for range n {
		end, err := f.Skip(data, i)
		if err != nil || end <= i || end > len(data) {
			a.reset()
			return errors.Join(errNotArray, err)
		}
		a.push(span{i, end})
		i = end
	}
	if i != len(data) {
		a.reset()
		return errNotArray
	}
	return nil
}
