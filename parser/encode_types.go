package parser

import (
	"cmp"
	"reflect"
	"slices"
	"strings"
	"sync"
	"unicode"
)

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
						nameJSON:  append(AppendJSONString(nil, fname), ':'),
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
