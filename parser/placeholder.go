package parser

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
)

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
