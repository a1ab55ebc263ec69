package parser

import (
	"encoding"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
)

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
func (e *jsonEncoder) reflectValue(dst []byte, v reflect.Value) ([]byte, error) {
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
				return dst, fmt.Errorf("parser: encode: invalid number literal %q", n)
			}
			return append(dst, n...), nil
		}
		return AppendJSONString(dst, v.String()), nil
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
func (e *jsonEncoder) reflectList(dst []byte, v reflect.Value) ([]byte, error) {
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
func (e *jsonEncoder) reflectMap(dst []byte, v reflect.Value) ([]byte, error) {
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
				return dst, fmt.Errorf("parser: encode: %w", err)
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
		dst = AppendJSONString(dst, en.key)
		dst = append(dst, ':')
		if dst, err = e.reflectValue(dst, en.v); err != nil {
			return dst, err
		}
	}
	e.depth--
	return append(dst, '}'), nil
}

// reflectStruct appends a struct's fields per encoding/json's rules.
func (e *jsonEncoder) reflectStruct(dst []byte, v reflect.Value) ([]byte, error) {
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
func (e *jsonEncoder) quotedScalar(dst []byte, v reflect.Value) ([]byte, error) {
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
	return AppendJSONString(dst[:start], inner), nil
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
