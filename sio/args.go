package sio

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
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

// Args holds the elements of an EVENT or ACK payload array as raw JSON, and
// the binary attachments of a BINARY_EVENT or BINARY_ACK. The zero value is
// ready to use; reuse one across packets to avoid allocation.
//
// Ownership: Args aliases the data given to Parse and the attachments given
// to SetAttachments, and so do the slices its methods return (Raw, Shift,
// and []byte values decoded from placeholders): they are valid while those
// are. Clone copies them. An Args is not safe for concurrent use.
type Args struct {
	// The payload: data[spans[k]] is element k; elements before first were
	// shifted out.
	data   []byte
	inline [inlineArgs]span
	more   []span // elements past inlineArgs
	n      int
	first  int

	// Binary attachments, by placeholder num.
	att [][]byte
}

// Parse splits data, a JSON array, into its elements, replacing what a held
// before (attachments too: call SetAttachments after Parse). Whitespace
// around elements is dropped. An empty data, which is what DecodePacket gives
// for a packet without payload, gives no elements. data is aliased, not
// copied. Parse allocates nothing for up to 8 elements, and returns an error
// wrapping ErrInvalidPacket when data is not one valid JSON array.
func (a *Args) Parse(data []byte) error {
	a.Reset()
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
				a.Reset()
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
			a.Reset()
			return errNotArray
		}
	}
	if skipSpace(data, i) != len(data) {
		a.Reset()
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

// Reset empties a, dropping its references to the data and attachments, and
// keeps its storage for reuse.
func (a *Args) Reset() {
	a.data = nil
	a.n, a.first = 0, 0
	a.more = a.more[:0]
	a.att = nil
}

// Len returns the number of elements (after those Shift removed).
func (a *Args) Len() int { return a.n - a.first }

// Raw returns the raw JSON of element i, placeholders left as they are, or
// nil when i is out of range. It aliases the parsed data (capacity clipped).
func (a *Args) Raw(i int) []byte {
	if i < 0 || i >= a.Len() {
		return nil
	}
	s := a.span(a.first + i)
	return a.data[s.start:s.end:s.end]
}

// Shift removes element 0 and returns its raw JSON (nil when there is
// none); for an EVENT that is the event name, which EventName reads.
func (a *Args) Shift() []byte {
	raw := a.Raw(0)
	if raw != nil {
		a.first++
	}
	return raw
}

// SetAttachments sets the binary attachments, indexed by placeholder num.
// att is aliased, not copied. While a holds attachments, Decode, Value and
// Values replace placeholders {"_placeholder":true,"num":N} with att[N]; a
// holds none after Parse, as socket.io-parser reconstructs placeholders only
// in BINARY_* packets.
func (a *Args) SetAttachments(att [][]byte) { a.att = att }

// Attachments returns the binary attachments (aliased).
func (a *Args) Attachments() [][]byte { return a.att }

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
		return fmt.Errorf("sio: decode argument %d: out of range (%d arguments)", i, a.Len())
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
				return fmt.Errorf("sio: decode argument %d: %w", i, err)
			}
			var f markerFixer
			f.fix(reflect.ValueOf(v), 0)
			return nil
		}
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("sio: decode argument %d: %w", i, err)
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
		return nil, fmt.Errorf("sio: decode argument %d: out of range (%d arguments)", i, a.Len())
	}
	v, _, err := a.decodeAny(raw, 0)
	if err != nil {
		return nil, fmt.Errorf("sio: decode argument %d: %w", i, err)
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
	if len(raw) == 0 || raw[0] != '"' {
		return "", false
	}
	return unquoteString(raw), true
}

// Clone returns a copy of a that owns its memory (the data and attachments
// are copied), to keep the arguments beyond the handler they came to.
func (a *Args) Clone() *Args {
	c := &Args{inline: a.inline, n: a.n, first: a.first}
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

// EventName returns the event name held by raw, the raw JSON of an EVENT's
// first element (as Shift returns it), and false when raw is neither a JSON
// string nor a number. A string is unquoted: the result aliases raw (not
// copied, no allocation) unless it has escapes or invalid UTF-8, which are
// decoded into a new slice. A number is a name too, as socket.io-parser
// accepts one and the Node server's EventEmitter keys it by its string
// form: the result is that form (JavaScript's Number::toString), aliasing
// raw when raw is already written that way ("42", not "42.0" or "4.2e1").
func EventName(raw []byte) ([]byte, bool) {
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

// Decoding.

// decodeAny decodes the valid JSON value at b[i] as json.Unmarshal into an
// `any` does, resolving placeholders when a holds attachments, and returns
// the index past it. The index is right even with an error, so that an
// enclosing placeholder can drop the error: reconstructPacket does not look
// inside a placeholder.
func (a *Args) decodeAny(b []byte, i int) (any, int, error) {
	switch b[i] {
	case '{':
		m := make(map[string]any)
		var err error
		i = skipSpace(b, i+1)
		for b[i] != '}' {
			kend := scanString(b, i)
			key := unquoteString(b[i:kend])
			i = skipSpace(b, skipSpace(b, kend)+1) // past ':'
			v, next, verr := a.decodeAny(b, i)
			if err == nil {
				err = verr
			}
			m[key] = v
			if i = skipSpace(b, next); b[i] == ',' {
				i = skipSpace(b, i+1)
			}
		}
		i++
		if len(a.att) > 0 && m["_placeholder"] == true {
			att, err := a.attachment(m["num"])
			return att, i, err
		}
		if err != nil {
			return nil, i, err
		}
		return m, i, nil
	case '[':
		s := []any{}
		var err error
		i = skipSpace(b, i+1)
		for b[i] != ']' {
			v, next, verr := a.decodeAny(b, i)
			if err == nil {
				err = verr
			}
			s = append(s, v)
			if i = skipSpace(b, next); b[i] == ',' {
				i = skipSpace(b, i+1)
			}
		}
		if err != nil {
			return nil, i + 1, err
		}
		return s, i + 1, nil
	case '"':
		end := scanString(b, i)
		return unquoteString(b[i:end]), end, nil
	case 't':
		return true, i + 4, nil
	case 'f':
		return false, i + 5, nil
	case 'n':
		return nil, i + 4, nil
	}
	end := scanNumber(b, i)
	f, err := strconv.ParseFloat(string(b[i:end]), 64)
	if err != nil {
		return nil, end, fmt.Errorf("number %s out of range", b[i:end])
	}
	return f, end, nil
}

// attachment returns the attachment a placeholder's num names.
// reconstructPacket requires typeof num === "number" and 0 <= num <
// attachments; a fractional num, which it turns into undefined, is refused
// here (a departure).
func (a *Args) attachment(num any) ([]byte, error) {
	f, ok := num.(float64)
	if !ok || f < 0 || f >= float64(len(a.att)) || f != math.Trunc(f) {
		return nil, errPlaceholder
	}
	return a.att[int(f)], nil
}

// mayHavePlaceholder is a quick filter: false when raw surely holds no
// "_placeholder" key (unless escaped, which leaves a \u).
func mayHavePlaceholder(raw []byte) bool {
	return bytes.Contains(raw, []byte("placeholder")) || bytes.Contains(raw, []byte(`\u`))
}

// placeholderAt reports whether the valid JSON object at b[i] is a
// placeholder: its (last, as JSON.parse keeps the last duplicate)
// "_placeholder" member is true. It returns the attachment named, and the
// index past the object.
func (a *Args) placeholderAt(b []byte, i int) (att []byte, ok bool, end int, err error) {
	var ph, num []byte
	i = skipSpace(b, i+1)
	for b[i] != '}' {
		kend := scanString(b, i)
		key := b[i:kend]
		i = skipSpace(b, skipSpace(b, kend)+1)
		vend := scanValue(b, i)
		switch {
		case stringEquals(key, "_placeholder"):
			ph = b[i:vend]
		case stringEquals(key, "num"):
			num = b[i:vend]
		}
		if i = skipSpace(b, vend); b[i] == ',' {
			i = skipSpace(b, i+1)
		}
	}
	if string(ph) != "true" {
		return nil, false, i + 1, nil
	}
	att, err = a.attachmentRaw(num)
	return att, err == nil, i + 1, err
}

// attachmentRaw is attachment for the raw JSON of num (nil when absent).
func (a *Args) attachmentRaw(num []byte) ([]byte, error) {
	var n any = "not a number"
	if len(num) > 0 && (num[0] == '-' || num[0] >= '0' && num[0] <= '9') {
		f, _ := strconv.ParseFloat(string(num), 64) // ±Inf when out of range
		n = f
	}
	return a.attachment(n)
}

// markerPrefix starts the JSON string a placeholder is rewritten as, for
// Decode into typed targets. base64 decoding skips '\r' and '\n', so the
// string decodes into a []byte as the attachment's bytes.
const markerPrefix = "\r\n\n\r"

// rewritePlaceholders appends the valid JSON value at b[i] to dst with each
// placeholder replaced by markerPrefix + base64 of its attachment, as a
// JSON string. It reports whether it found one, and the index past the
// value, which is right even with an error (see decodeAny). It reads each
// byte once: an object is copied, then replaced if it was a placeholder.
func (a *Args) rewritePlaceholders(dst, b []byte, i int) ([]byte, bool, int, error) {
	var err error
	found := false
	switch b[i] {
	case '{':
		start := len(dst)
		var ph, num []byte
		dst = append(dst, '{')
		i = skipSpace(b, i+1)
		for b[i] != '}' {
			kend := scanString(b, i)
			key := b[i:kend]
			dst = append(dst, key...)
			dst = append(dst, ':')
			i = skipSpace(b, skipSpace(b, kend)+1)
			vstart := i
			var f bool
			var verr error
			dst, f, i, verr = a.rewritePlaceholders(dst, b, i)
			found = found || f
			if err == nil {
				err = verr
			}
			switch {
			case stringEquals(key, "_placeholder"):
				ph = b[vstart:i]
			case stringEquals(key, "num"):
				num = b[vstart:i]
			}
			if i = skipSpace(b, i); b[i] == ',' {
				dst = append(dst, ',')
				i = skipSpace(b, i+1)
			}
		}
		if string(ph) == "true" {
			att, err := a.attachmentRaw(num)
			dst = append(dst[:start], `"\r\n\n\r`...)
			dst = base64.StdEncoding.AppendEncode(dst, att)
			return append(dst, '"'), true, i + 1, err
		}
		return append(dst, '}'), found, i + 1, err
	case '[':
		dst = append(dst, '[')
		i = skipSpace(b, i+1)
		for b[i] != ']' {
			var f bool
			var verr error
			dst, f, i, verr = a.rewritePlaceholders(dst, b, i)
			found = found || f
			if err == nil {
				err = verr
			}
			if i = skipSpace(b, i); b[i] == ',' {
				dst = append(dst, ',')
				i = skipSpace(b, i+1)
			}
		}
		return append(dst, ']'), found, i + 1, err
	}
	end := scanValue(b, i)
	return append(dst, b[i:end]...), false, end, nil
}

// maxFixDepth bounds the markerFixer walk: JSON values nest at most
// maxJSONDepth deep, each level a few reflect levels at most.
const maxFixDepth = 4 * maxJSONDepth

// markerFixer replaces, in a value encoding/json decoded into, every
// string holding a rewritten placeholder (markerPrefix + base64) by its
// bytes: a []byte in an interface, the bytes as a string in a string.
// []byte fields already got the bytes from encoding/json.
type markerFixer struct {
	// seen holds the pointers followed, against cycles in what the target
	// held before decoding.
	seen map[any]bool
}

func (f *markerFixer) fix(v reflect.Value, depth int) {
	if depth > maxFixDepth {
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return
		}
		if f.seen == nil {
			f.seen = make(map[any]bool)
		}
		key := v.Interface()
		if f.seen[key] {
			return
		}
		f.seen[key] = true
		f.fix(v.Elem(), depth+1)
	case reflect.Interface:
		if v.IsNil() || !v.CanSet() {
			return
		}
		fixed := f.fixAny(v.Elem().Interface(), depth+1)
		if fv := reflect.ValueOf(fixed); fv.Type().AssignableTo(v.Type()) {
			v.Set(fv)
		}
	case reflect.String:
		if v.CanSet() {
			if b, ok := markerBytes(v.String()); ok {
				v.SetString(string(b))
			}
		}
	case reflect.Struct:
		for k := 0; k < v.NumField(); k++ {
			if sf := v.Type().Field(k); sf.IsExported() || sf.Anonymous { // embedded: promoted fields
				f.fix(v.Field(k), depth+1)
			}
		}
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return
		}
		fallthrough
	case reflect.Array:
		for k := 0; k < v.Len(); k++ {
			f.fix(v.Index(k), depth+1)
		}
	case reflect.Map:
		if v.IsNil() {
			return
		}
		switch v.Type().Elem().Kind() {
		case reflect.String, reflect.Interface, reflect.Pointer, reflect.Struct,
			reflect.Slice, reflect.Array, reflect.Map:
		default:
			return
		}
		iter := v.MapRange()
		for iter.Next() {
			e := reflect.New(v.Type().Elem()).Elem()
			e.Set(iter.Value())
			f.fix(e, depth+1)
			v.SetMapIndex(iter.Key(), e)
		}
	}
}

// fixAny is fix for the values encoding/json stores in an `any`.
func (f *markerFixer) fixAny(x any, depth int) any {
	if depth > maxFixDepth {
		return x
	}
	switch x := x.(type) {
	case string:
		if b, ok := markerBytes(x); ok {
			return b
		}
	case []any:
		for k, e := range x {
			x[k] = f.fixAny(e, depth+1)
		}
	case map[string]any:
		for k, e := range x {
			x[k] = f.fixAny(e, depth+1)
		}
	default:
		if v := reflect.ValueOf(x); v.Kind() == reflect.Pointer {
			f.fix(v, depth+1) // a pointer the interface held before decoding
		}
	}
	return x
}

// markerBytes decodes a rewritten placeholder string.
func markerBytes(s string) ([]byte, bool) {
	rest, ok := strings.CutPrefix(s, markerPrefix)
	if !ok {
		return nil, false
	}
	b, err := base64.StdEncoding.DecodeString(rest)
	return b, err == nil
}

// JSON scanning. The scanner validates as encoding/json does (RFC 8259;
// strings may hold invalid UTF-8, which decoding turns into U+FFFD) without
// allocating.

// maxJSONDepth is encoding/json's nesting limit, which we share so that
// whatever we accept, json.Unmarshal accepts.
const maxJSONDepth = 10000

// skipSpace returns the index of the first non-whitespace byte at or after i.
func skipSpace(b []byte, i int) int {
	for i < len(b) {
		switch b[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// scanValue validates the JSON value starting at b[i] (no leading
// whitespace) and returns the index just past it, or -1 when it is not
// valid.
func scanValue(b []byte, i int) int {
	// Most values nest less than 64 deep: keep the container kinds in one
	// word, and only rescan with the full stack when that overflows.
	var small [1]uint64
	if end := scanValueStack(b, i, small[:]); end != -2 {
		return end
	}
	var big [maxJSONDepth/64 + 1]uint64
	return scanValueStack(b, i, big[:])
}

// scanValueStack is scanValue with a bit stack of container kinds (1 for an
// object) allowing 64*len(stack) levels, capped at maxJSONDepth. It returns
// -2 when the stack is too small.
func scanValueStack(b []byte, i int, stack []uint64) int {
	depth := 0
	for {
		if i >= len(b) {
			return -1
		}
		// A value starts at b[i].
		switch c := b[i]; c {
		case '{', '[':
			if depth == maxJSONDepth {
				return -1
			}
			if depth == 64*len(stack) {
				return -2
			}
			closer := byte(']')
			if c == '{' {
				closer = '}'
			}
			i = skipSpace(b, i+1)
			if i < len(b) && b[i] == closer {
				i++
				break
			}
			if c == '{' {
				stack[depth>>6] |= 1 << (depth & 63)
				if i = scanKey(b, i); i < 0 {
					return -1
				}
			} else {
				stack[depth>>6] &^= 1 << (depth & 63)
			}
			depth++
			continue
		case '"':
			i = scanString(b, i)
		case 't':
			i = scanLiteral(b, i, "true")
		case 'f':
			i = scanLiteral(b, i, "false")
		case 'n':
			i = scanLiteral(b, i, "null")
		default:
			i = scanNumber(b, i)
		}
		if i < 0 {
			return -1
		}
		// After a value: close containers until one goes on with a comma.
		for {
			if depth == 0 {
				return i
			}
			i = skipSpace(b, i)
			if i >= len(b) {
				return -1
			}
			d := depth - 1
			object := stack[d>>6]&(1<<(d&63)) != 0
			if b[i] == ',' {
				i = skipSpace(b, i+1)
				if object {
					if i = scanKey(b, i); i < 0 {
						return -1
					}
				}
				break
			}
			if object && b[i] == '}' || !object && b[i] == ']' {
				i++
				depth--
				continue
			}
			return -1
		}
	}
}

// scanKey scans an object member's `"key" :` at b[i] and the whitespace
// after it, returning the index of the value, or -1.
func scanKey(b []byte, i int) int {
	if i >= len(b) || b[i] != '"' {
		return -1
	}
	if i = scanString(b, i); i < 0 {
		return -1
	}
	i = skipSpace(b, i)
	if i >= len(b) || b[i] != ':' {
		return -1
	}
	return skipSpace(b, i+1)
}

// scanLiteral scans the literal lit at b[i].
func scanLiteral(b []byte, i int, lit string) int {
	if len(b)-i < len(lit) || string(b[i:i+len(lit)]) != lit {
		return -1
	}
	return i + len(lit)
}

// scanNumber scans a JSON number at b[i]:
// -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?
func scanNumber(b []byte, i int) int {
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i >= len(b):
		return -1
	case b[i] == '0':
		i++
	case b[i] >= '1' && b[i] <= '9':
		i = skipDigits(b, i+1)
	default:
		return -1
	}
	if i < len(b) && b[i] == '.' {
		start := i + 1
		if i = skipDigits(b, start); i == start {
			return -1
		}
	}
	if i < len(b) && b[i]|0x20 == 'e' {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		start := i
		if i = skipDigits(b, start); i == start {
			return -1
		}
	}
	return i
}

func skipDigits(b []byte, i int) int {
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		i++
	}
	return i
}

// strPlain marks the bytes that need no attention inside a JSON string.
var strPlain = func() (t [256]bool) {
	for c := 0x20; c < 256; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// scanString scans the JSON string at b[i] (b[i] is '"') and returns the
// index past its closing quote, or -1.
func scanString(b []byte, i int) int {
	for i++; i < len(b); i++ {
		c := b[i]
		if strPlain[c] {
			continue
		}
		switch c {
		case '"':
			return i + 1
		case '\\':
			i++
			if i >= len(b) {
				return -1
			}
			switch b[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if len(b)-i <= 4 || !isHex4(b[i+1:i+5]) {
					return -1
				}
				i += 4
			default:
				return -1
			}
		default: // a control character
			return -1
		}
	}
	return -1
}

func isHex4(h []byte) bool {
	for _, c := range h[:4] {
		if digitValue(c) > 15 {
			return false
		}
	}
	return true
}

// plainString reports whether the valid JSON string raw (quotes included)
// needs no decoding: no escapes, valid UTF-8.
func plainString(raw []byte) bool {
	s := raw[1 : len(raw)-1]
	for k, c := range s {
		if c == '\\' {
			return false
		}
		if c >= utf8.RuneSelf {
			return bytes.IndexByte(s[k:], '\\') < 0 && utf8.Valid(s[k:])
		}
	}
	return true
}

// unquoteString decodes the valid JSON string raw (quotes included).
func unquoteString(raw []byte) string {
	if plainString(raw) {
		return string(raw[1 : len(raw)-1])
	}
	var buf [64]byte
	return string(appendUnquoted(buf[:0], raw))
}

// appendUnquoted appends the decoded valid JSON string raw (quotes
// included) to dst. Like encoding/json, it turns invalid UTF-8 and unpaired
// surrogate escapes into U+FFFD.
func appendUnquoted(dst, raw []byte) []byte {
	s := raw[1 : len(raw)-1]
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '\\':
			e := s[i+1]
			i += 2
			switch e {
			case 'b':
				dst = append(dst, '\b')
			case 'f':
				dst = append(dst, '\f')
			case 'n':
				dst = append(dst, '\n')
			case 'r':
				dst = append(dst, '\r')
			case 't':
				dst = append(dst, '\t')
			case 'u':
				r := hex4(s[i:])
				i += 4
				if r >= 0xd800 && r < 0xdc00 && len(s)-i >= 6 && s[i] == '\\' && s[i+1] == 'u' {
					if r2 := hex4(s[i+2:]); r2 >= 0xdc00 && r2 < 0xe000 {
						r = (r-0xd800)<<10 | (r2 - 0xdc00) + 0x10000
						i += 6
					}
				}
				if r >= 0xd800 && r < 0xe000 {
					r = utf8.RuneError
				}
				dst = utf8.AppendRune(dst, r)
			default: // '"', '\\', '/'
				dst = append(dst, e)
			}
		case c < utf8.RuneSelf:
			dst = append(dst, c)
			i++
		default:
			r, n := utf8.DecodeRune(s[i:])
			dst = utf8.AppendRune(dst, r) // RuneError for an invalid byte
			i += n
		}
	}
	return dst
}

func hex4(h []byte) rune {
	var r rune
	for _, c := range h[:4] {
		r = r<<4 | rune(digitValue(c))
	}
	return r
}

// stringEquals reports whether the valid JSON string raw decodes to s,
// without allocating.
func stringEquals(raw []byte, s string) bool {
	if len(raw) < len(s)+2 || len(raw) > 6*len(s)+2 {
		return false
	}
	if string(raw[1:len(raw)-1]) == s {
		return true
	}
	if bytes.IndexByte(raw, '\\') < 0 || len(s) > 32 {
		return false
	}
	var buf [3 * (6*32 + 2)]byte // decoding at most triples the size
	return string(appendUnquoted(buf[:0], raw)) == s
}
