package wsframe_test

import (
	"encoding/binary"
	"fmt"
	"strings"

	"github.com/gobwas/ws"

	"github.com/sioloop/sioloop/wsframe"
)

// decodeCase is a frame stream and what Decode must make of it: the events
// of decodeStream, then the close code of the error, if any.
type decodeCase struct {
	name string
	in   []byte
	max  int64
	want []string
	code wsframe.CloseCode
}

// decodeCases has one case per rule of RFC 6455 the server checks, and
// valid streams of every kind, built with gobwas/ws. FuzzDecode is seeded
// with them.
func decodeCases() []decodeCase {
	type tc = decodeCase
	invalidUTF8 := "bad \xff utf8"
	euro := "\u20ac" // 3 bytes: e2 82 ac
	long := strings.Repeat("x", 200)
	cases := []tc{
		{
			name: "text",
			in:   textFrame("hello"),
			want: []string{`text "hello"`},
		},
		{
			name: "empty text and binary",
			in:   cat(textFrame(""), binaryFrame("")),
			want: []string{`text ""`, `binary ""`},
		},
		{
			name: "binary with 16-bit length",
			in:   binaryFrame(long),
			want: []string{`binary "` + long + `"`},
		},
		{
			name: "control frames",
			in: cat(
				clientFrame(true, ws.OpPing, []byte("ping")),
				clientFrame(true, ws.OpPong, nil),
				closeFrame(1000, "bye"),
			),
			want: []string{`ping "ping"`, `pong ""`, `close "\x03\xe8bye" code=1000 reason="bye"`},
		},
		{
			name: "control frame of 125 bytes",
			in:   clientFrame(true, ws.OpPing, []byte(long[:125])),
			want: []string{`ping "` + long[:125] + `"`},
		},
		{
			name: "empty close is no status",
			in:   clientFrame(true, ws.OpClose, nil),
			want: []string{`close "" code=1005 reason=""`},
		},
		{
			name: "fragmented text with interleaved ping",
			in: cat(
				clientFrame(false, ws.OpText, []byte("hel")),
				clientFrame(true, ws.OpPing, []byte("p")),
				clientFrame(false, ws.OpContinuation, []byte("lo ")),
				clientFrame(false, ws.OpContinuation, nil),
				clientFrame(true, ws.OpContinuation, []byte("world")),
				textFrame("next"),
			),
			want: []string{"fragment", `ping "p"`, "fragment", "fragment", `text "hello world"`, `text "next"`},
		},
		{
			name: "fragmented binary with interleaved close",
			in: cat(
				clientFrame(false, ws.OpBinary, []byte{0xff}),
				closeFrame(1001, ""),
				clientFrame(true, ws.OpContinuation, []byte{0xfe}),
			),
			want: []string{"fragment", `close "\x03\xe9" code=1001 reason=""`, `binary "\xff\xfe"`},
		},
		{
			name: "rune split across fragments",
			in: cat(
				clientFrame(false, ws.OpText, []byte("a"+euro[:1])),
				clientFrame(false, ws.OpContinuation, []byte(euro[1:2])),
				clientFrame(true, ws.OpContinuation, []byte(euro[2:])),
			),
			want: []string{"fragment", "fragment", `text "a` + euro + `"`},
		},
		{
			name: "unmasked frame",
			in:   rawFrame(ws.Header{Fin: true, OpCode: ws.OpText}, []byte("hi")),
			code: wsframe.CloseProtocolError,
		},
		{
			name: "unmasked frame after a good one",
			in:   cat(textFrame("a"), rawFrame(ws.Header{Fin: true, OpCode: ws.OpText}, []byte("hi"))),
			want: []string{`text "a"`},
			code: wsframe.CloseProtocolError,
		},
		{
			name: "64-bit length with MSB set",
			in:   []byte{0x82, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 1, 1, 2, 3, 4},
			code: wsframe.CloseProtocolError,
		},
		{
			name: "control frame of 126 bytes",
			in:   clientFrame(true, ws.OpPing, []byte(long[:126])),
			code: wsframe.CloseProtocolError,
		},
		{
			name: "fragmented ping",
			in:   clientFrame(false, ws.OpPing, nil),
			code: wsframe.CloseProtocolError,
		},
		{
			name: "fragmented close",
			in:   clientFrame(false, ws.OpClose, nil),
			code: wsframe.CloseProtocolError,
		},
		{
			name: "close body of 1 byte",
			in:   clientFrame(true, ws.OpClose, []byte{3}),
			code: wsframe.CloseProtocolError,
		},
		{
			name: "close reason not UTF-8",
			in:   closeFrame(1000, invalidUTF8),
			code: wsframe.CloseInvalidPayload,
		},
		{
			name: "continuation with no message",
			in:   clientFrame(true, ws.OpContinuation, []byte("x")),
			code: wsframe.CloseProtocolError,
		},
		{
			name: "continuation after a complete message",
			in: cat(
				clientFrame(false, ws.OpText, []byte("a")),
				clientFrame(true, ws.OpContinuation, []byte("b")),
				clientFrame(true, ws.OpContinuation, []byte("c")),
			),
			want: []string{"fragment", `text "ab"`},
			code: wsframe.CloseProtocolError,
		},
		{
			name: "text inside fragmented message",
			in:   cat(clientFrame(false, ws.OpText, []byte("a")), textFrame("b")),
			want: []string{"fragment"},
			code: wsframe.CloseProtocolError,
		},
		{
			name: "binary inside fragmented message",
			in:   cat(clientFrame(false, ws.OpText, []byte("a")), clientFrame(false, ws.OpBinary, []byte("b"))),
			want: []string{"fragment"},
			code: wsframe.CloseProtocolError,
		},
		{
			name: "text not UTF-8",
			in:   textFrame(invalidUTF8),
			code: wsframe.CloseInvalidPayload,
		},
		{
			name: "text cut in the middle of a rune",
			in:   textFrame("a" + euro[:2]),
			code: wsframe.CloseInvalidPayload,
		},
		{
			name: "binary need not be UTF-8",
			in:   binaryFrame(invalidUTF8),
			want: []string{fmt.Sprintf("binary %q", invalidUTF8)},
		},
		{
			name: "fragmented text not UTF-8 fails on the bad fragment",
			in: cat(
				clientFrame(false, ws.OpText, []byte("ok")),
				clientFrame(false, ws.OpContinuation, []byte(invalidUTF8)),
				clientFrame(true, ws.OpContinuation, []byte("end")),
			),
			want: []string{"fragment"},
			code: wsframe.CloseInvalidPayload,
		},
		{
			name: "fragmented text ending in half a rune",
			in: cat(
				clientFrame(false, ws.OpText, []byte("a"+euro[:1])),
				clientFrame(true, ws.OpContinuation, []byte(euro[1:2])),
			),
			want: []string{"fragment"},
			code: wsframe.CloseInvalidPayload,
		},
		{
			name: "message of MaxMessageSize",
			in:   textFrame("12345678"),
			max:  8,
			want: []string{`text "12345678"`},
		},
		{
			name: "message over MaxMessageSize",
			in:   textFrame("123456789"),
			max:  8,
			code: wsframe.CloseMessageTooBig,
		},
		{
			name: "fragments summing over MaxMessageSize",
			in: cat(
				clientFrame(false, ws.OpBinary, []byte("1234")),
				clientFrame(true, ws.OpPing, []byte("control frames do not count")),
				clientFrame(false, ws.OpContinuation, []byte("5678")),
				clientFrame(true, ws.OpContinuation, []byte("9")),
			),
			max:  8,
			want: []string{"fragment", `ping "control frames do not count"`, "fragment"},
			code: wsframe.CloseMessageTooBig,
		},
		{
			name: "declared length over MaxMessageSize fails before the payload",
			in:   []byte{0x82, 0xff, 0, 0, 1, 0, 0, 0, 0, 0, 1, 2, 3, 4},
			max:  1 << 20,
			code: wsframe.CloseMessageTooBig,
		},
	}
	for _, rsv := range []byte{1, 2, 4} {
		cases = append(cases, tc{
			name: fmt.Sprintf("rsv %#x", rsv),
			in:   rawFrame(ws.Header{Fin: true, Rsv: rsv, OpCode: ws.OpText, Masked: true, Mask: testMask}, []byte("x")),
			code: wsframe.CloseProtocolError,
		})
	}
	for _, op := range []ws.OpCode{3, 4, 5, 6, 7, 0xb, 0xc, 0xd, 0xe, 0xf} {
		cases = append(cases, tc{
			name: fmt.Sprintf("opcode %#x", op),
			in:   clientFrame(true, op, nil),
			code: wsframe.CloseProtocolError,
		})
	}
	for _, code := range []uint16{1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999} {
		cases = append(cases, tc{
			name: fmt.Sprintf("close code %d", code),
			in:   closeFrame(code, "why"),
			want: []string{fmt.Sprintf("close %q code=%d reason=\"why\"", append(binary.BigEndian.AppendUint16(nil, code), "why"...), code)},
		})
	}
	for _, code := range []uint16{0, 999, 1004, 1005, 1006, 1015, 1016, 2000, 2999, 5000, 65535} {
		cases = append(cases, tc{
			name: fmt.Sprintf("close code %d", code),
			in:   closeFrame(code, ""),
			code: wsframe.CloseProtocolError,
		})
	}
	return cases
}
