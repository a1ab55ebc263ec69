package parser

import (
	"bytes"
	"unicode/utf8"
)

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
