package wsframe_test

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/gobwas/ws"
	"github.com/gobwas/ws/wsutil"

	"github.com/sioloop/sioloop/wsframe"
)

var writeLengths = []int{0, 1, 125, 126, 127, 0xffff, 0x10000, 200000}

func TestHeaderSize(t *testing.T) {
	for _, c := range []struct {
		length int
		want   int
	}{
		{
			length: 0,
			want:   2,
		},
		{
			length: 125,
			want:   2,
		},
		{
			length: 126,
			want:   4,
		},
		{
			length: 0xffff,
			want:   4,
		},
		{
			length: 0x10000,
			want:   10,
		},
		{
			length: 1 << 40,
			want:   10,
		},
	} {
		got := wsframe.HeaderSize(c.length)
		n := len(wsframe.AppendHeader(nil, wsframe.OpBinary, true, c.length))
		if got != c.want || n != c.want {
			t.Errorf(
				"HeaderSize(%d) = %d, AppendHeader wrote %d; want %d",
				c.length, got, n, c.want,
			)
		}
	}
}

// TestAppendHeaderMatchesGobwas compares AppendHeader with ws.WriteHeader
// byte for byte.
func TestAppendHeaderMatchesGobwas(t *testing.T) {
	for _, op := range []wsframe.OpCode{wsframe.OpContinuation, wsframe.OpText, wsframe.OpBinary, wsframe.OpClose, wsframe.OpPing, wsframe.OpPong} {
		for _, fin := range []bool{false, true} {
			for _, length := range append(writeLengths, 1<<62) {
				var want bytes.Buffer
				err := ws.WriteHeader(&want, ws.Header{Fin: fin, OpCode: ws.OpCode(op), Length: int64(length)})
				if err != nil {
					t.Fatal(err)
				}
				got := wsframe.AppendHeader([]byte("prefix"), op, fin, length)
				if !bytes.Equal(got, append([]byte("prefix"), want.Bytes()...)) {
					t.Errorf(
						"AppendHeader(%v, %v, %d) = %x; want prefix then %x",
						op, fin, length, got, want.Bytes(),
					)
				}
			}
		}
	}
}

func TestAppendHeaderPanicsOnNegativeLength(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("AppendHeader(-1) did not panic")
		}
	}()
	wsframe.AppendHeader(nil, wsframe.OpText, true, -1)
}

// readServerFrame reads one frame with gobwas/ws as a client would, and
// checks it against the client-side rules.
func readServerFrame(t *testing.T, r io.Reader) (ws.Header, []byte) {
	t.Helper()
	h, err := ws.ReadHeader(r)
	if err != nil {
		t.Fatal(err)
	}
	if err := ws.CheckHeader(h, ws.StateClientSide); err != nil {
		t.Fatalf(
			"gobwas/ws rejects header %+v: %v",
			h, err,
		)
	}
	payload := make([]byte, h.Length)
	_, err = io.ReadFull(r, payload)
	if err != nil {
		t.Fatal(err)
	}
	return h, payload
}

func TestAppendFrameReadByGobwas(t *testing.T) {
	for _, op := range []wsframe.OpCode{wsframe.OpText, wsframe.OpBinary} {
		for _, length := range writeLengths {
			payload := bytes.Repeat([]byte{'s'}, length)
			out := wsframe.AppendFrame(nil, op, payload)
			r := bytes.NewReader(out)
			h, got := readServerFrame(t, r)
			if !h.Fin || h.OpCode != ws.OpCode(op) || !bytes.Equal(got, payload) || r.Len() != 0 {
				t.Errorf(
					"AppendFrame(%v, %d bytes) read back as %+v with %d bytes, %d left",
					op, length, h, len(got), r.Len(),
				)
			}
		}
	}

	// And through wsutil's message reader, which also checks text is UTF-8.
	out := wsframe.AppendFrame(nil, wsframe.OpText, []byte("h\u00e9llo"))
	data, op, err := wsutil.ReadServerData(clientRW{bytes.NewReader(out), io.Discard})
	if err != nil || op != ws.OpText || string(data) != "h\u00e9llo" {
		t.Fatalf(
			"ReadServerData = %v %q, %v",
			op, data, err,
		)
	}
}

func TestAppendClose(t *testing.T) {
	ascii := strings.Repeat("r", 200)
	// Two-byte runes: the one at bytes 122–123 straddles the cut at 123.
	runes := strings.Repeat("\u00e9", 70)
	for _, c := range []struct {
		name       string
		code       wsframe.CloseCode
		reason     string
		wantBody   bool
		wantReason string
	}{
		{
			name:       "code and reason",
			code:       wsframe.CloseNormal,
			reason:     "bye",
			wantBody:   true,
			wantReason: "bye",
		},
		{
			name:     "code alone",
			code:     wsframe.CloseGoingAway,
			wantBody: true,
		},
		{
			name:       "application code",
			code:       4000,
			reason:     "app",
			wantBody:   true,
			wantReason: "app",
		},
		{
			name:   "no status is an empty body",
			code:   wsframe.CloseNoStatus,
			reason: "dropped",
		},
		{
			name:   "abnormal may not be sent",
			code:   wsframe.CloseAbnormal,
			reason: "dropped",
		},
		{
			name: "invalid code",
			code: 999,
		},
		{
			name:       "long reason cut to 123 bytes",
			code:       wsframe.CloseNormal,
			reason:     ascii,
			wantBody:   true,
			wantReason: ascii[:123],
		},
		{
			name:       "long reason cut at a rune boundary",
			code:       wsframe.CloseNormal,
			reason:     runes,
			wantBody:   true,
			wantReason: runes[:122],
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			out := wsframe.AppendClose([]byte("prefix"), c.code, c.reason)
			if !bytes.HasPrefix(out, []byte("prefix")) {
				t.Fatalf(
					"AppendClose dropped dst: %x",
					out,
				)
			}
			r := bytes.NewReader(out[len("prefix"):])
			h, body := readServerFrame(t, r)
			if h.OpCode != ws.OpClose || !h.Fin || r.Len() != 0 {
				t.Fatalf(
					"AppendClose wrote %+v, %d bytes left",
					h, r.Len(),
				)
			}
			if !c.wantBody {
				if len(body) != 0 {
					t.Fatalf(
						"body %x; want empty",
						body,
					)
				}
				return
			}
			code, reason := ws.ParseCloseFrameData(body)
			if err := ws.CheckCloseFrameData(code, reason); err != nil && code < 3000 {
				t.Fatalf(
					"gobwas/ws rejects close %d %q: %v",
					code, reason, err,
				)
			}
			if wsframe.CloseCode(code) != c.code || reason != c.wantReason || !utf8.ValidString(reason) {
				t.Fatalf(
					"close %d %q; want %d %q",
					code, reason, c.code, c.wantReason,
				)
			}
		})
	}
}

func TestCompiledFramesMatchGobwas(t *testing.T) {
	for _, c := range []struct {
		got  []byte
		want []byte
	}{
		{
			got:  wsframe.CompiledCloseNormal,
			want: ws.CompiledCloseNormalClosure,
		},
		{
			got:  wsframe.CompiledCloseGoingAway,
			want: ws.CompiledCloseGoingAway,
		},
		{
			got:  wsframe.CompiledCloseProtocolError,
			want: ws.CompiledCloseProtocolError,
		},
		{
			got:  wsframe.CompiledCloseUnsupportedData,
			want: ws.CompiledCloseUnsupportedData,
		},
		{
			got:  wsframe.CompiledCloseNoStatus,
			want: ws.CompiledClose,
		},
		{
			got:  wsframe.CompiledCloseInvalidPayload,
			want: ws.CompiledCloseInvalidFramePayloadData,
		},
		{
			got:  wsframe.CompiledClosePolicyViolation,
			want: ws.CompiledClosePolicyViolation,
		},
		{
			got:  wsframe.CompiledCloseMessageTooBig,
			want: ws.CompiledCloseMessageTooBig,
		},
		{
			got:  wsframe.CompiledCloseInternalError,
			want: ws.CompiledCloseInternalServerError,
		},
	} {
		if !bytes.Equal(c.got, c.want) || cap(c.got) != len(c.got) {
			t.Errorf(
				"compiled frame %x (cap %d); want %x, capacity clipped",
				c.got, cap(c.got), c.want,
			)
		}
	}
}

// maskClient turns a stream of server frames into the same frames sent by
// a client, masked by gobwas/ws.
func maskClient(t *testing.T, server []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	r := bytes.NewReader(server)
	for r.Len() > 0 {
		h, err := ws.ReadHeader(r)
		if err != nil {
			t.Fatal(err)
		}
		payload := make([]byte, h.Length)
		_, err = io.ReadFull(r, payload)
		if err != nil {
			t.Fatal(err)
		}
		ws.MustWriteFrame(&out, ws.MaskFrame(ws.Frame{Header: h, Payload: payload}))
	}
	return out.Bytes()
}

// TestRoundTrip writes frames with the Append functions, masks them as a
// client would, and decodes them.
func TestRoundTrip(t *testing.T) {
	var server []byte
	var want []string
	for _, length := range writeLengths {
		payload := bytes.Repeat([]byte{'t'}, length)
		server = wsframe.AppendFrame(server, wsframe.OpText, payload)
		want = append(want, fmt.Sprintf("text %q", payload))
	}
	server = wsframe.AppendFrame(server, wsframe.OpBinary, []byte{0, 0xff})
	want = append(want, `binary "\x00\xff"`)
	server = append(wsframe.AppendHeader(server, wsframe.OpText, false, 2), "ab"...)
	want = append(want, "fragment")
	server = wsframe.AppendFrame(server, wsframe.OpPing, []byte("hi"))
	want = append(want, `ping "hi"`)
	server = append(wsframe.AppendHeader(server, wsframe.OpContinuation, true, 1), "c"...)
	want = append(want, `text "abc"`)
	server = wsframe.AppendFrame(server, wsframe.OpPong, []byte("hi"))
	want = append(want, `pong "hi"`)
	server = wsframe.AppendClose(server, wsframe.CloseGoingAway, "restart")
	want = append(want, `close "\x03\xe9restart" code=1001 reason="restart"`)
	server = append(server, wsframe.CompiledCloseNoStatus...)
	want = append(want, `close "" code=1005 reason=""`)

	got := decodeAll(t, 0, maskClient(t, server))
	if fmt.Sprint(got.events) != fmt.Sprint(want) || got.code != 0 || got.rest != 0 {
		t.Fatalf(
			"decoded %.300q (close %d, %d left)\nwant %.300q",
			got.events, got.code, got.rest, want,
		)
	}
}

func BenchmarkAppendFrame(b *testing.B) {
	for _, size := range []int{32, 1024} {
		payload := bytes.Repeat([]byte{'a'}, size)
		b.Run(fmt.Sprint(size), func(b *testing.B) {
			var buf []byte
			b.ReportAllocs()
			b.SetBytes(int64(size))
			for b.Loop() {
				buf = wsframe.AppendFrame(buf[:0], wsframe.OpText, payload)
			}
		})
	}
}

func BenchmarkAppendClose(b *testing.B) {
	var buf []byte
	b.ReportAllocs()
	for b.Loop() {
		buf = wsframe.AppendClose(buf[:0], wsframe.CloseGoingAway, "server shutting down")
	}
}
