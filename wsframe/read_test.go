package wsframe_test

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/gobwas/ws"
	"github.com/gobwas/ws/wsutil"

	"github.com/sioloop/sioloop/wsframe"
)

var testMask = [4]byte{0xa1, 0xb2, 0xc3, 0xd4}

// clientFrame encodes a masked client frame with gobwas/ws, the real
// counterpart.
func clientFrame(fin bool, op ws.OpCode, payload []byte) []byte {
	return rawFrame(ws.Header{Fin: fin, OpCode: op, Masked: true, Mask: testMask}, payload)
}

// textFrame and binaryFrame are unfragmented client data frames.
func textFrame(s string) []byte   { return clientFrame(true, ws.OpText, []byte(s)) }
func binaryFrame(s string) []byte { return clientFrame(true, ws.OpBinary, []byte(s)) }

// closeFrame is a client close frame with status code and reason.
func closeFrame(code uint16, reason string) []byte {
	return clientFrame(true, ws.OpClose, append(binary.BigEndian.AppendUint16(nil, code), reason...))
}

// rawFrame encodes h and payload with gobwas/ws as they are, rule breaking
// included. h.Length is set to len(payload), and payload is masked with
// h.Mask if h.Masked.
func rawFrame(h ws.Header, payload []byte) []byte {
	payload = bytes.Clone(payload)
	h.Length = int64(len(payload))
	f := ws.Frame{Header: h, Payload: payload}
	if h.Masked {
		f = ws.MaskFrameInPlaceWith(f, h.Mask)
	}
	var b bytes.Buffer
	ws.MustWriteFrame(&b, f)
	return b.Bytes()
}

func cat(frames ...[]byte) []byte { return bytes.Join(frames, nil) }

var opNames = map[wsframe.OpCode]string{
	wsframe.OpText:   "text",
	wsframe.OpBinary: "binary",
	wsframe.OpClose:  "close",
	wsframe.OpPing:   "ping",
	wsframe.OpPong:   "pong",
}

// describe renders one Decode outcome that consumed a frame.
func describe(msg wsframe.Message, ok bool) string {
	if !ok {
		return "fragment"
	}
	s := fmt.Sprintf("%s %q", opNames[msg.OpCode], msg.Payload)
	if msg.OpCode == wsframe.OpClose {
		s += fmt.Sprintf(" code=%d reason=%q", msg.CloseCode, msg.CloseReason)
	}
	return s
}

// result is what decoding a stream produced.
type result struct {
	events []string // one per consumed frame, in order
	ns     []int    // n of each consumed frame
	code   wsframe.CloseCode
	errN   int // n returned with the error
	rest   int // bytes left when Decode asked for more
}

// decodeStream calls Decode on p until it asks for more bytes or fails,
// appending to res, and checks the invariants every call must keep. It
// returns the unconsumed bytes and whether Decode failed.
func decodeStream(t testing.TB, d *wsframe.Decoder, p []byte, res *result) (rest []byte, failed bool) {
	t.Helper()
	res.rest = 0 // only the last call's leftover counts
	for {
		before := bytes.Clone(p)
		msg, n, ok, err := d.Decode(p)
		if n < 0 || n > len(p) {
			t.Fatalf(
				"Decode consumed %d of %d bytes",
				n, len(p),
			)
		}
		if n == 0 && !bytes.Equal(p, before) {
			t.Fatalf(
				"Decode returned n == 0 (err %v) but changed p:\nbefore %x\nafter  %x",
				err, before, p,
			)
		}
		if err != nil {
			res.code = wsframe.CloseStatus(err)
			if res.code == 0 {
				t.Fatalf(
					"Decode error %v is not a *CloseError",
					err,
				)
			}
			if !strings.HasPrefix(err.Error(), "wsframe: ") {
				t.Fatalf(
					"error %q does not start with the package name",
					err,
				)
			}
			if ok {
				t.Fatalf(
					"Decode returned ok with error %v",
					err,
				)
			}
			res.errN = n
			return p, true
		}
		if n == 0 {
			if ok {
				t.Fatalf(
					"Decode returned ok with n == 0",
				)
			}
			res.rest = len(p)
			return p, false
		}
		res.events = append(res.events, describe(msg, ok))
		res.ns = append(res.ns, n)
		p = p[n:]
	}
}

// decodeAll decodes a copy of in whole with a fresh Decoder.
func decodeAll(t testing.TB, max int64, in []byte) result {
	t.Helper()
	d := &wsframe.Decoder{MaxMessageSize: max}
	defer d.Reset()
	var res result
	decodeStream(t, d, bytes.Clone(in), &res)
	return res
}

// decodeSplit decodes in as two reads: in[:cut] first, then what is left
// of it followed by in[cut:], as an event loop's read buffer would.
func decodeSplit(t testing.TB, max int64, in []byte, cut int) result {
	t.Helper()
	d := &wsframe.Decoder{MaxMessageSize: max}
	defer d.Reset()
	var res result
	rest, failed := decodeStream(t, d, bytes.Clone(in[:cut]), &res)
	if !failed {
		decodeStream(t, d, append(bytes.Clone(rest), in[cut:]...), &res)
	}
	return res
}

func sameResult(a, b result) bool {
	return fmt.Sprint(a) == fmt.Sprint(b)
}

func TestReadHeaderMatchesGobwas(t *testing.T) {
	lengths := []int64{0, 1, 125, 126, 127, 0xffff, 0x10000, 1 << 32, 1<<63 - 1}
	for _, fin := range []bool{false, true} {
		for rsv := range byte(8) {
			for op := range ws.OpCode(16) {
				for _, masked := range []bool{false, true} {
					for _, length := range lengths {
						want := ws.Header{
							Fin:    fin,
							Rsv:    rsv,
							OpCode: op,
							Masked: masked,
							Length: length,
						}
						if masked {
							want.Mask = testMask
						}
						var b bytes.Buffer
						err := ws.WriteHeader(&b, want)
						if err != nil {
							t.Fatal(err)
						}
						p := b.Bytes()

						h, n, err := wsframe.ReadHeader(p)
						if err != nil || n != len(p) {
							t.Fatalf(
								"ReadHeader(%x) = n %d, err %v; want n %d",
								p, n, err, len(p),
							)
						}
						got := ws.Header{
							Fin:    h.Fin,
							Rsv:    h.Rsv,
							OpCode: ws.OpCode(h.OpCode),
							Masked: h.Masked,
							Mask:   h.Mask,
							Length: h.Length,
						}
						if got != want {
							t.Fatalf(
								"ReadHeader(%x) = %+v; want %+v",
								p, got, want,
							)
						}
						for i := range len(p) {
							_, n, err := wsframe.ReadHeader(p[:i])
							if n != 0 || err != nil {
								t.Fatalf(
									"ReadHeader(%x) on a prefix = n %d, err %v; want 0, nil",
									p[:i], n, err,
								)
							}
						}
					}
				}
			}
		}
	}
}

func TestReadHeaderRejectsLengthMSB(t *testing.T) {
	p := []byte{0x82, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 0}
	_, n, err := wsframe.ReadHeader(p)
	if n != 0 || wsframe.CloseStatus(err) != wsframe.CloseProtocolError {
		t.Fatalf(
			"ReadHeader(%x) = n %d, err %v; want 0, close 1002",
			p, n, err,
		)
	}
}

// TestDecodeRules checks what Decode makes of each of decodeCases.
func TestDecodeRules(t *testing.T) {
	for _, c := range decodeCases() {
		t.Run(c.name, func(t *testing.T) {
			res := decodeAll(t, c.max, c.in)
			if fmt.Sprint(res.events) != fmt.Sprint(c.want) || res.code != c.code {
				t.Fatalf(
					"Decode(%x):\ngot  %q, close %d\nwant %q, close %d",
					c.in, res.events, res.code, c.want, c.code,
				)
			}
			if c.code == 0 && res.rest != 0 {
				t.Fatalf(
					"Decode left %d bytes of a complete stream",
					res.rest,
				)
			}
		})
	}
}

func TestDecodeTooBigFailsFastWithoutPayload(t *testing.T) {
	d := wsframe.Decoder{MaxMessageSize: 1024}
	// A binary frame declaring 2^40 bytes, of which none has arrived.
	p := []byte{0x82, 0xff, 0, 0, 1, 0, 0, 0, 0, 0, 1, 2, 3, 4}
	_, n, ok, err := d.Decode(p)
	if n != 0 || ok || wsframe.CloseStatus(err) != wsframe.CloseMessageTooBig {
		t.Fatalf(
			"Decode = n %d, ok %v, err %v; want 0, false, close 1009",
			n, ok, err,
		)
	}
}

func TestDecodeUnlimitedWaitsForPayload(t *testing.T) {
	var d wsframe.Decoder
	p := []byte{0x82, 0xff, 0, 0, 1, 0, 0, 0, 0, 0, 1, 2, 3, 4}
	_, n, ok, err := d.Decode(p)
	if n != 0 || ok || err != nil {
		t.Fatalf(
			"Decode = n %d, ok %v, err %v; want 0, false, nil",
			n, ok, err,
		)
	}
}

func TestDecodeErrorConsumed(t *testing.T) {
	// A header that breaks a rule is not consumed and p is left as it was.
	p := rawFrame(ws.Header{Fin: true, OpCode: ws.OpText}, []byte("hi"))
	before := bytes.Clone(p)
	var d wsframe.Decoder
	_, n, _, err := d.Decode(p)
	if err == nil || n != 0 || !bytes.Equal(p, before) {
		t.Fatalf(
			"Decode(unmasked) = n %d, err %v, p %x; want 0, an error, p %x",
			n, err, p, before,
		)
	}

	// A payload that breaks a rule is consumed (and unmasked).
	p = textFrame("bad \xff")
	_, n, _, err = d.Decode(p)
	if wsframe.CloseStatus(err) != wsframe.CloseInvalidPayload || n != len(p) {
		t.Fatalf(
			"Decode(bad text) = n %d, err %v; want %d, close 1007",
			n, err, len(p),
		)
	}
}

// TestDecodePayloadAliasesInput checks that an unfragmented message is
// unmasked in place and not copied.
func TestDecodePayloadAliasesInput(t *testing.T) {
	p := textFrame("hello")
	var d wsframe.Decoder
	msg, n, ok, err := d.Decode(p)
	if err != nil || !ok || n != len(p) {
		t.Fatalf(
			"Decode = n %d, ok %v, err %v",
			n, ok, err,
		)
	}
	if &msg.Payload[0] != &p[n-5] || string(p[n-5:]) != "hello" {
		t.Fatalf(
			"Payload %q does not alias the unmasked input %x",
			msg.Payload, p,
		)
	}
	if cap(msg.Payload) != len(msg.Payload) {
		t.Fatalf(
			"Payload capacity %d not clipped to its length %d",
			cap(msg.Payload), len(msg.Payload),
		)
	}
}

// TestDecodeReleasesBuffer follows the reassembly buffer through every path
// that must give it back.
func TestDecodeReleasesBuffer(t *testing.T) {
	first := clientFrame(false, ws.OpText, []byte("a"))
	last := clientFrame(true, ws.OpContinuation, []byte("b"))
	ping := clientFrame(true, ws.OpPing, nil)

	var d wsframe.Decoder
	step := func(p []byte, wantBuffered bool) wsframe.Message {
		t.Helper()
		msg, _, _, _ := d.Decode(bytes.Clone(p)) // Decode unmasks p
		if d.Buffered() != wantBuffered {
			t.Fatalf(
				"after Decode(%x): Buffered() = %v; want %v",
				p, d.Buffered(), wantBuffered,
			)
		}
		return msg
	}

	step(textFrame("x"), false)
	step(first, true)
	step(ping, true)
	step(first[:3], true) // incomplete: still in flight
	msg := step(last, true)
	if string(msg.Payload) != "ab" {
		t.Fatalf(
			"reassembled %q; want %q",
			msg.Payload, "ab",
		)
	}
	step(first[:1], false) // next Decode, even one wanting more bytes

	step(first, true)
	d.Reset()
	if d.Buffered() {
		t.Fatal("Reset kept the buffer")
	}
	d.Reset() // idempotent

	step(first, true)
	step(textFrame("y"), false) // protocol error

	step(first, true)
	step(clientFrame(true, ws.OpContinuation, []byte{0xff}), false) // bad UTF-8

	d.MaxMessageSize = 1
	step(clientFrame(false, ws.OpBinary, []byte{1}), true)
	step(clientFrame(true, ws.OpContinuation, []byte{2}), false) // too big
}

// partialStream is a valid stream with every kind of frame and every length
// encoding.
func partialStream() []byte {
	return cat(
		textFrame("hello"),
		clientFrame(false, ws.OpText, []byte("hel")),
		clientFrame(true, ws.OpPing, []byte("p")),
		clientFrame(false, ws.OpContinuation, []byte("lo \u20ac"[:5])),
		clientFrame(true, ws.OpContinuation, []byte("lo \u20ac"[5:])),
		binaryFrame(strings.Repeat("b", 300)),
		clientFrame(true, ws.OpPong, nil),
		closeFrame(1000, "bye"),
	)
}

// TestDecodePartialInput feeds every prefix of a valid stream before the
// rest: Decode must wait (n == 0, p untouched, checked by decodeStream)
// until each frame is whole, and end with what decoding it whole gives.
func TestDecodePartialInput(t *testing.T) {
	big := clientFrame(true, ws.OpBinary, bytes.Repeat([]byte{7}, 70000))
	streams := map[string][]byte{
		"mixed":      partialStream(),
		"64-bit len": cat(textFrame("a"), big, textFrame("z")),
	}
	for name, in := range streams {
		t.Run(name, func(t *testing.T) {
			want := decodeAll(t, 0, in)
			if want.code != 0 || want.rest != 0 {
				t.Fatalf(
					"whole stream: close %d, %d bytes left",
					want.code, want.rest,
				)
			}
			for cut := 0; cut <= len(in); cut++ {
				if cut > 40 && cut < len(in)-40 && cut%997 != 0 {
					continue // the long frame: a sample of its cuts
				}
				got := decodeSplit(t, 0, in, cut)
				if !sameResult(got, want) {
					t.Fatalf(
						"cut at %d:\ngot  %v\nwant %v",
						cut, got, want,
					)
				}
			}
		})
	}
}

// TestDecodeGobwasClientFrames decodes client frames written by gobwas/ws
// and wsutil, of every length encoding.
func TestDecodeGobwasClientFrames(t *testing.T) {
	for _, size := range []int{0, 1, 125, 126, 127, 0xffff, 0x10000, 200000} {
		// ASCII but for one 2-byte rune, to check UTF-8 is accepted.
		payload := bytes.Repeat([]byte{'w'}, size)
		if size >= 2 {
			copy(payload, "\u00e9")
		}
		for _, op := range []ws.OpCode{ws.OpText, ws.OpBinary} {
			name := fmt.Sprintf("%v-%d", op, len(payload))
			t.Run(name, func(t *testing.T) {
				var b bytes.Buffer
				// wsutil picks a random mask.
				err := wsutil.WriteClientMessage(&b, op, payload)
				if err != nil {
					t.Fatal(err)
				}
				var d wsframe.Decoder
				msg, n, ok, err := d.Decode(b.Bytes())
				if err != nil || !ok || n != b.Len() {
					t.Fatalf(
						"Decode = n %d, ok %v, err %v; want %d, true, nil",
						n, ok, err, b.Len(),
					)
				}
				if msg.OpCode != wsframe.OpCode(op) || !bytes.Equal(msg.Payload, payload) {
					t.Fatalf(
						"Decode = %v %d bytes; want %v %d bytes",
						msg.OpCode, len(msg.Payload), op, len(payload),
					)
				}
			})
		}
	}

	t.Run("fragmented", func(t *testing.T) {
		var b bytes.Buffer
		parts := [][]byte{[]byte("frag"), nil, []byte("mented \u00e9"[:9]), []byte("mented \u00e9"[9:])}
		for i, part := range parts {
			op := ws.OpContinuation
			if i == 0 {
				op = ws.OpText
			}
			f := ws.MaskFrame(ws.NewFrame(op, i == len(parts)-1, part))
			ws.MustWriteFrame(&b, f)
			ws.MustWriteFrame(&b, ws.MaskFrame(ws.NewPingFrame([]byte{byte(i)})))
		}
		ws.MustWriteFrame(&b, ws.MaskFrame(ws.NewCloseFrame(ws.NewCloseFrameBody(ws.StatusGoingAway, "done"))))
		got := decodeAll(t, 0, b.Bytes())
		want := []string{
			"fragment", `ping "\x00"`,
			"fragment", `ping "\x01"`,
			"fragment", `ping "\x02"`,
			"text \"fragmented \u00e9\"", `ping "\x03"`,
			`close "\x03\xe9done" code=1001 reason="done"`,
		}
		if fmt.Sprint(got.events) != fmt.Sprint(want) || got.code != 0 || got.rest != 0 {
			t.Fatalf(
				"got %q (close %d, %d left)\nwant %q",
				got.events, got.code, got.rest, want,
			)
		}
	})
}

// clientRW is a client connection to read server frames from, for wsutil.
type clientRW struct {
	io.Reader
	io.Writer
}

// TestGobwasReadsFragmentedServerMessage has wsutil, as a client, read a
// fragmented message written with AppendHeader.
func TestGobwasReadsFragmentedServerMessage(t *testing.T) {
	var out []byte
	out = append(wsframe.AppendHeader(out, wsframe.OpBinary, false, 3), "abc"...)
	out = wsframe.AppendFrame(out, wsframe.OpPong, []byte("x"))
	out = append(wsframe.AppendHeader(out, wsframe.OpContinuation, true, 200), bytes.Repeat([]byte{'d'}, 200)...)

	data, op, err := wsutil.ReadServerData(clientRW{bytes.NewReader(out), io.Discard})
	if err != nil || op != ws.OpBinary || string(data) != "abc"+strings.Repeat("d", 200) {
		t.Fatalf(
			"ReadServerData = %v %q, %v",
			op, data, err,
		)
	}
}

func BenchmarkReadHeader(b *testing.B) {
	for _, size := range []int{32, 1024, 70000} {
		p := clientFrame(true, ws.OpBinary, make([]byte, size))
		b.Run(fmt.Sprint(size), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_, n, err := wsframe.ReadHeader(p)
				if n == 0 || err != nil {
					b.Fatal(n, err)
				}
			}
		})
	}
}

// BenchmarkDecode decodes one masked frame per iteration. Decode unmasks in
// place, so each iteration first copies the masked frame into the read
// buffer again; the copy-only sub-benchmarks measure that copy alone.
func BenchmarkDecode(b *testing.B) {
	for _, bench := range []struct {
		name string
		in   []byte
		size int
	}{
		{
			name: "text-32",
			in:   textFrame(strings.Repeat("a", 32)),
			size: 32,
		},
		{
			name: "binary-1024",
			in:   binaryFrame(strings.Repeat("a", 1024)),
			size: 1024,
		},
		{
			name: "text-16384",
			in:   textFrame(strings.Repeat("\u00e9", 8192)),
			size: 16384,
		},
		{
			name: "fragmented-text-4x256",
			in: cat(
				clientFrame(false, ws.OpText, bytes.Repeat([]byte{'a'}, 256)),
				clientFrame(false, ws.OpContinuation, bytes.Repeat([]byte{'b'}, 256)),
				clientFrame(false, ws.OpContinuation, bytes.Repeat([]byte{'c'}, 256)),
				clientFrame(true, ws.OpContinuation, bytes.Repeat([]byte{'d'}, 256)),
			),
			size: 1024,
		},
	} {
		buf := make([]byte, len(bench.in))
		b.Run(bench.name, func(b *testing.B) {
			var d wsframe.Decoder
			defer d.Reset()
			b.ReportAllocs()
			b.SetBytes(int64(bench.size))
			for b.Loop() {
				copy(buf, bench.in)
				p := buf
				for len(p) > 0 {
					_, n, _, err := d.Decode(p)
					if n == 0 || err != nil {
						b.Fatal(n, err)
					}
					p = p[n:]
				}
			}
		})
		b.Run(bench.name+"/copy-only", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(bench.size))
			for b.Loop() {
				copy(buf, bench.in)
			}
		})
	}
}

// With permessage-deflate negotiated, RSV1 marks the first frame of a
// compressed data message (RFC 7692 section 6); it stays a protocol error on
// control frames, continuations, and without the extension.
func TestDecoderDeflateAcceptsRSV1OnDataMessagesOnly(t *testing.T) {
	frame := func(b0 byte, payload string) []byte {
		f := append([]byte{b0, 0x80 | byte(len(payload)), 0, 0, 0, 0}, payload...)
		return f
	}
	d := &wsframe.Decoder{Deflate: true}
	// An unfragmented compressed text message: its bytes are not UTF-8.
	msg, n, ok, err := d.Decode(frame(0xc1, "\xf2\x48\xcd"))
	if err != nil || !ok || n != 9 || !msg.Compressed || string(msg.Payload) != "\xf2\x48\xcd" {
		t.Fatalf("compressed text: %+v %d %v %v", msg, n, ok, err)
	}
	// A fragmented one: RSV1 on the first frame only.
	if _, _, ok, err := d.Decode(frame(0x42, "\xf2")); ok || err != nil {
		t.Fatalf("first fragment: %v %v", ok, err)
	}
	msg, _, ok, err = d.Decode(frame(0x80, "\x48"))
	if err != nil || !ok || !msg.Compressed || msg.OpCode != wsframe.OpBinary || string(msg.Payload) != "\xf2\x48" {
		t.Fatalf("last fragment: %+v %v %v", msg, ok, err)
	}
	msg, _, _, err = d.Decode(frame(0x81, "plain"))
	if err != nil || msg.Compressed {
		t.Fatalf("uncompressed text after a compressed one: %+v %v", msg, err)
	}
	for name, f := range map[string][]byte{
		"ping":         frame(0xc9, ""),
		"continuation": append(frame(0x02, "a"), frame(0xc0, "b")...),
		"RSV2":         frame(0xa1, "a"),
	} {
		d := &wsframe.Decoder{Deflate: true}
		var err error
		for p := f; err == nil && len(p) > 0; {
			var n int
			_, n, _, err = d.Decode(p)
			p = p[n:]
		}
		if wsframe.CloseStatus(err) != wsframe.CloseProtocolError {
			t.Errorf("%s: %v, want a protocol error", name, err)
		}
	}
	if _, _, _, err := (&wsframe.Decoder{}).Decode(frame(0xc1, "a")); wsframe.CloseStatus(err) != wsframe.CloseProtocolError {
		t.Errorf("RSV1 without the extension: %v", err)
	}
}
