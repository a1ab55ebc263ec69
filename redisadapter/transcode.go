package redisadapter

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"github.com/sioloop/sioloop/parser"
)

// errTranscode reports a payload that is not the JSON or MessagePack of a
// Socket.IO packet's data.
var errTranscode = errors.New("redisadapter: malformed packet data")

// maxDepth bounds the nesting the transcoders follow (sio's encoder stops
// at the same depth).
const maxDepth = 1000

// placeholder is how socket.io-parser (and sio) write a binary value in
// the JSON of a packet: {"_placeholder":true,"num":N}, N the attachment.
const placeholder = `{"_placeholder":true,"num":`

// jsonToMsgpack appends the MessagePack encoding of the JSON value at
// b[i:] (a packet's data, compact or not), each placeholder replaced by
// its attachment as bin, and returns dst and the index after the value.
// Numbers are encoded as notepack.io encodes a JavaScript number: the
// smallest integer format when integral, else float 64.
func jsonToMsgpack(dst, b []byte, i int, atts [][]byte, depth int) ([]byte, int, error) {
	i = skipSpace(b, i)
	if i >= len(b) || depth > maxDepth {
		return dst, i, errTranscode
	}
	switch c := b[i]; {
	case c == '{':
		if n, end, ok := placeholderAt(b, i); ok {
			if n >= len(atts) {
				return dst, i, errTranscode
			}
			return appendBin(dst, atts[n]), end, nil
		}
		return jsonContainer(dst, b, i, atts, depth, '}')
	case c == '[':
		return jsonContainer(dst, b, i, atts, depth, ']')
	case c == '"':
		end := stringEnd(b, i)
		if end < 0 {
			return dst, i, errTranscode
		}
		raw := b[i+1 : end-1]
		if !strings.Contains(string(raw), `\`) {
			return appendStr(dst, raw), end, nil
		}
		var s string
		if err := json.Unmarshal(b[i:end], &s); err != nil {
			return dst, i, errTranscode
		}
		return appendStr(dst, []byte(s)), end, nil
	case c == 't' && hasPrefixAt(b, i, "true"):
		return append(dst, 0xc3), i + 4, nil
	case c == 'f' && hasPrefixAt(b, i, "false"):
		return append(dst, 0xc2), i + 5, nil
	case c == 'n' && hasPrefixAt(b, i, "null"):
		return append(dst, 0xc0), i + 4, nil
	case c == '-' || c >= '0' && c <= '9':
		end := i + 1
		for end < len(b) && strings.IndexByte("0123456789.eE+-", b[end]) >= 0 {
			end++
		}
		f, err := strconv.ParseFloat(string(b[i:end]), 64)
		if err != nil && !errors.Is(err, strconv.ErrRange) {
			return dst, i, errTranscode
		}
		return appendNumber(dst, f), end, nil
	}
	return dst, i, errTranscode
}

// jsonContainer transcodes the array or object at b[i]. The header is
// written once the number of elements is known: a 5-byte one is reserved
// and the body moved back when a shorter one fits.
func jsonContainer(dst, b []byte, i int, atts [][]byte, depth int, closing byte) ([]byte, int, error) {
	at := len(dst)
	dst = append(dst, 0, 0, 0, 0, 0)
	n := 0
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == closing {
		i++
	} else {
		for {
			var err error
			if closing == '}' {
				i = skipSpace(b, i)
				if i >= len(b) || b[i] != '"' {
					return dst, i, errTranscode
				}
				if dst, i, err = jsonToMsgpack(dst, b, i, atts, depth+1); err != nil {
					return dst, i, err
				}
				i = skipSpace(b, i)
				if i >= len(b) || b[i] != ':' {
					return dst, i, errTranscode
				}
				i++
			}
			if dst, i, err = jsonToMsgpack(dst, b, i, atts, depth+1); err != nil {
				return dst, i, err
			}
			n++
			i = skipSpace(b, i)
			if i >= len(b) {
				return dst, i, errTranscode
			}
			if b[i] == ',' {
				i++
				continue
			}
			if b[i] != closing {
				return dst, i, errTranscode
			}
			i++
			break
		}
	}
	var hdr [5]byte
	h := containerHeader(hdr[:0], n, closing == '}')
	copy(dst[at:], h)
	if len(h) < 5 {
		dst = append(dst[:at+len(h)], dst[at+5:]...)
	}
	return dst, i, nil
}

// containerHeader appends the header of an array (or map) of n elements.
func containerHeader(dst []byte, n int, isMap bool) []byte {
	fix, b16, b32 := byte(0x90), byte(0xdc), byte(0xdd)
	if isMap {
		fix, b16, b32 = 0x80, 0xde, 0xdf
	}
	switch {
	case n < 16:
		return append(dst, fix|byte(n))
	case n < 1<<16:
		return binary.BigEndian.AppendUint16(append(dst, b16), uint16(n))
	}
	return binary.BigEndian.AppendUint32(append(dst, b32), uint32(n))
}

// placeholderAt reports whether b[i:] starts with a placeholder as
// socket.io-parser and sio write it, and returns its number and end.
func placeholderAt(b []byte, i int) (n, end int, ok bool) {
	if !hasPrefixAt(b, i, placeholder) {
		return 0, 0, false
	}
	j := i + len(placeholder)
	start := j
	for j < len(b) && b[j] >= '0' && b[j] <= '9' && j-start < 4 {
		n = n*10 + int(b[j]-'0')
		j++
	}
	if j == start || j >= len(b) || b[j] != '}' {
		return 0, 0, false
	}
	return n, j + 1, true
}

func hasPrefixAt(b []byte, i int, s string) bool {
	return len(b)-i >= len(s) && string(b[i:i+len(s)]) == s
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// stringEnd returns the index after the JSON string at b[i], or -1.
func stringEnd(b []byte, i int) int {
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return -1
}

func appendStr(dst, s []byte) []byte {
	n := len(s)
	switch {
	case n < 32:
		dst = append(dst, 0xa0|byte(n))
	case n < 1<<8:
		dst = append(dst, 0xd9, byte(n))
	case n < 1<<16:
		dst = binary.BigEndian.AppendUint16(append(dst, 0xda), uint16(n))
	default:
		dst = binary.BigEndian.AppendUint32(append(dst, 0xdb), uint32(n))
	}
	return append(dst, s...)
}

func appendBin(dst, s []byte) []byte {
	n := len(s)
	switch {
	case n < 1<<8:
		dst = append(dst, 0xc4, byte(n))
	case n < 1<<16:
		dst = binary.BigEndian.AppendUint16(append(dst, 0xc5), uint16(n))
	default:
		dst = binary.BigEndian.AppendUint32(append(dst, 0xc6), uint32(n))
	}
	return append(dst, s...)
}

// appendNumber encodes a JavaScript number as notepack.io does.
func appendNumber(dst []byte, f float64) []byte {
	if f != math.Floor(f) || math.IsInf(f, 0) || f >= 1<<63 || f < -(1<<63) {
		return binary.BigEndian.AppendUint64(append(dst, 0xcb), math.Float64bits(f))
	}
	return appendInt(dst, int64(f))
}

// appendInt encodes v in the smallest format notepack.io would choose.
func appendInt(dst []byte, v int64) []byte {
	if v >= 0 {
		switch {
		case v < 0x80:
			return append(dst, byte(v))
		case v < 0x100:
			return append(dst, 0xcc, byte(v))
		case v < 0x10000:
			return binary.BigEndian.AppendUint16(append(dst, 0xcd), uint16(v))
		case v < 0x100000000:
			return binary.BigEndian.AppendUint32(append(dst, 0xce), uint32(v))
		}
		return binary.BigEndian.AppendUint64(append(dst, 0xcf), uint64(v))
	}
	switch {
	case v >= -0x20:
		return append(dst, byte(v))
	case v >= -0x80:
		return append(dst, 0xd0, byte(v))
	case v >= -0x8000:
		return binary.BigEndian.AppendUint16(append(dst, 0xd1), uint16(v))
	case v >= -0x80000000:
		return binary.BigEndian.AppendUint32(append(dst, 0xd2), uint32(v))
	}
	return binary.BigEndian.AppendUint64(append(dst, 0xd3), uint64(v))
}

// msgpackToJSON appends the JSON of the MessagePack value at b[i:] as
// socket.io-parser would write the value notepack.io decodes: bin, and
// ext type 0 (an ArrayBuffer), become placeholders whose bytes are added
// to *atts; undefined (fixext d4 00) is null in an array and leaves its
// key out of a map; a timestamp (ext -1) is a Date, written as its ISO
// string; another ext is [type, bytes]. It returns dst, the index after
// the value and whether the value was undefined.
func msgpackToJSON(dst, b []byte, i int, atts *[][]byte, depth int) ([]byte, int, bool, error) {
	if i >= len(b) || depth > maxDepth {
		return dst, i, false, errTranscode
	}
	c := b[i]
	i++
	need := func(n int) bool { return len(b)-i >= n }
	switch {
	case c < 0x80:
		return strconv.AppendInt(dst, int64(c), 10), i, false, nil
	case c < 0x90:
		return msgpackContainer(dst, b, i, int(c&0x0f), true, atts, depth)
	case c < 0xa0:
		return msgpackContainer(dst, b, i, int(c&0x0f), false, atts, depth)
	case c < 0xc0:
		return msgpackStr(dst, b, i, int(c&0x1f))
	case c >= 0xe0:
		return strconv.AppendInt(dst, int64(int8(c)), 10), i, false, nil
	}
	switch c {
	case 0xc0:
		return append(dst, "null"...), i, false, nil
	case 0xc2:
		return append(dst, "false"...), i, false, nil
	case 0xc3:
		return append(dst, "true"...), i, false, nil
	case 0xc4, 0xc5, 0xc6:
		n, j, ok := readLen(b, i, 1<<(c-0xc4))
		if !ok || len(b)-j < n {
			return dst, i, false, errTranscode
		}
		return appendAttachment(dst, atts, b[j:j+n]), j + n, false, nil
	case 0xc7, 0xc8, 0xc9:
		n, j, ok := readLen(b, i, 1<<(c-0xc7))
		if !ok || len(b)-j < n+1 {
			return dst, i, false, errTranscode
		}
		return msgpackExt(dst, int8(b[j]), b[j+1:j+1+n], j+1+n, atts)
	case 0xca:
		if !need(4) {
			return dst, i, false, errTranscode
		}
		f := math.Float32frombits(binary.BigEndian.Uint32(b[i:]))
		return appendJSONFloat(dst, float64(f)), i + 4, false, nil
	case 0xcb:
		if !need(8) {
			return dst, i, false, errTranscode
		}
		return appendJSONFloat(dst, math.Float64frombits(binary.BigEndian.Uint64(b[i:]))), i + 8, false, nil
	case 0xcc, 0xcd, 0xce, 0xcf:
		w := 1 << (c - 0xcc)
		if !need(w) {
			return dst, i, false, errTranscode
		}
		var v uint64
		for k := range w {
			v = v<<8 | uint64(b[i+k])
		}
		return strconv.AppendUint(dst, v, 10), i + w, false, nil
	case 0xd0, 0xd1, 0xd2, 0xd3:
		w := 1 << (c - 0xd0)
		if !need(w) {
			return dst, i, false, errTranscode
		}
		var v uint64
		for k := range w {
			v = v<<8 | uint64(b[i+k])
		}
		shift := 64 - 8*w
		return strconv.AppendInt(dst, int64(v<<shift)>>shift, 10), i + w, false, nil
	case 0xd4, 0xd5, 0xd6, 0xd7, 0xd8:
		n := 1 << (c - 0xd4)
		if !need(n + 1) {
			return dst, i, false, errTranscode
		}
		typ := int8(b[i])
		if c == 0xd4 && typ == 0 {
			return append(dst, "null"...), i + 2, true, nil
		}
		return msgpackExt(dst, typ, b[i+1:i+1+n], i+1+n, atts)
	case 0xd9, 0xda, 0xdb:
		n, j, ok := readLen(b, i, 1<<(c-0xd9))
		if !ok {
			return dst, i, false, errTranscode
		}
		return msgpackStr(dst, b, j, n)
	case 0xdc, 0xdd, 0xde, 0xdf:
		n, j, ok := readLen(b, i, 2<<((c-0xdc)&1))
		if !ok {
			return dst, i, false, errTranscode
		}
		return msgpackContainer(dst, b, j, n, c >= 0xde, atts, depth)
	}
	return dst, i, false, errTranscode
}

// readLen reads a w-byte big-endian length at b[i].
func readLen(b []byte, i, w int) (n, next int, ok bool) {
	if len(b)-i < w {
		return 0, i, false
	}
	var v uint64
	for k := range w {
		v = v<<8 | uint64(b[i+k])
	}
	if v > uint64(len(b)) {
		return 0, i, false
	}
	return int(v), i + w, true
}

func msgpackStr(dst, b []byte, i, n int) ([]byte, int, bool, error) {
	if len(b)-i < n {
		return dst, i, false, errTranscode
	}
	// A read-only view of the bytes: AppendJSONString keeps nothing.
	return parser.AppendJSONString(dst, unsafe.String(unsafe.SliceData(b[i:]), n)), i + n, false, nil
}

func msgpackContainer(dst, b []byte, i, n int, isMap bool, atts *[][]byte, depth int) ([]byte, int, bool, error) {
	if n > len(b)-i { // each element takes a byte at least
		return dst, i, false, errTranscode
	}
	open, closing := byte('['), byte(']')
	if isMap {
		open, closing = '{', '}'
	}
	dst = append(dst, open)
	first := true
	for range n {
		mark := len(dst)
		if !first {
			dst = append(dst, ',')
		}
		var err error
		var undef bool
		if isMap {
			keyAt := len(dst)
			if dst, i, _, err = msgpackToJSON(dst, b, i, atts, depth+1); err != nil {
				return dst, i, false, err
			}
			switch dst[keyAt] {
			case '"':
			case '{', '[':
				// A map or an array as a key: nothing JavaScript encodes
				// (an object's keys are strings), and quoting its JSON as a
				// key would double the escapes at every level of nesting —
				// exponential output from a short message (found by
				// FuzzDecodeCluster).
				return dst, i, false, errTranscode
			default: // a number, boolean or nil key: JavaScript uses its string form
				key := string(dst[keyAt:])
				dst = parser.AppendJSONString(dst[:keyAt], key)
			}
			dst = append(dst, ':')
		}
		if dst, i, undef, err = msgpackToJSON(dst, b, i, atts, depth+1); err != nil {
			return dst, i, false, err
		}
		if undef && isMap {
			dst = dst[:mark]
			continue
		}
		first = false
	}
	return append(dst, closing), i, false, nil
}

// msgpackExt writes an extension value as notepack.io decodes it.
func msgpackExt(dst []byte, typ int8, data []byte, next int, atts *[][]byte) ([]byte, int, bool, error) {
	switch {
	case typ == 0 && len(data) == 8: // notepack's old Date encoding (fixext 8, type 0)
		ms := int64(binary.BigEndian.Uint64(data))
		return appendDate(dst, time.UnixMilli(ms)), next, false, nil
	case typ == 0: // an ArrayBuffer
		return appendAttachment(dst, atts, data), next, false, nil
	case typ == -1 && len(data) == 4:
		return appendDate(dst, time.Unix(int64(binary.BigEndian.Uint32(data)), 0)), next, false, nil
	case typ == -1 && len(data) == 8:
		v := binary.BigEndian.Uint64(data)
		return appendDate(dst, time.Unix(int64(v&(1<<34-1)), int64(v>>34))), next, false, nil
	case typ == -1 && len(data) == 12:
		ns := binary.BigEndian.Uint32(data)
		s := int64(binary.BigEndian.Uint64(data[4:]))
		return appendDate(dst, time.Unix(s, int64(ns))), next, false, nil
	}
	dst = strconv.AppendInt(append(dst, '['), int64(typ), 10)
	dst = appendAttachment(append(dst, ','), atts, data)
	return append(dst, ']'), next, false, nil
}

// appendDate writes a Date as JSON.stringify does (Date.prototype.toJSON).
func appendDate(dst []byte, t time.Time) []byte {
	return t.UTC().AppendFormat(append(dst, '"'), `2006-01-02T15:04:05.000Z"`)
}

// appendAttachment writes a placeholder for a copy of p, added to *atts.
func appendAttachment(dst []byte, atts *[][]byte, p []byte) []byte {
	dst = strconv.AppendInt(append(dst, placeholder...), int64(len(*atts)), 10)
	*atts = append(*atts, append([]byte(nil), p...))
	return append(dst, '}')
}

// appendJSONFloat writes f as JSON.stringify does: NaN and ±Infinity are
// null; the digits are the shortest that round-trip, as in JavaScript.
func appendJSONFloat(dst []byte, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(dst, "null"...)
	}
	if f == math.Trunc(f) && math.Abs(f) < 1e21 {
		return strconv.AppendFloat(dst, f, 'f', -1, 64)
	}
	return strconv.AppendFloat(dst, f, 'g', -1, 64)
}
