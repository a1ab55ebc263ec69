package loop_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/gobwas/httphead"
	"github.com/gobwas/ws"
	"github.com/gobwas/ws/wsflate"
	"github.com/sioloop/sioloop/eio"
)

// A client that negotiates permessage-deflate with gobwas/ws's wsflate (a
// peer independent of ours): the server takes the offer without context
// takeover, inflates what the client compresses, and sends messages from
// the threshold compressed (RSV1), smaller ones plain.
func TestPerMessageDeflateEchoes(t *testing.T) {
	addr := startEcho(t, nil, &eio.Options{PerMessageDeflate: true})
	d := ws.Dialer{Extensions: []httphead.Option{wsflate.DefaultParameters.Option()}}
	c, br, hs, err := d.Dial(context.Background(), "ws://"+addr+"/engine.io/?EIO=4&transport=websocket")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var params wsflate.Parameters
	if len(hs.Extensions) != 1 || params.Parse(hs.Extensions[0]) != nil || !params.ServerNoContextTakeover || !params.ClientNoContextTakeover {
		t.Fatalf("negotiated %v", hs.Extensions)
	}
	if br != nil {
		ws.PutReader(br) // the open packet: not needed
	}
	c.SetDeadline(time.Now().Add(5 * time.Second))
	bin := make([]byte, 3000)
	for i := range bin {
		bin[i] = byte(i % 7)
	}
	big := "4" + strings.Repeat("héllo ", 400)
	for _, m := range []struct {
		data     string
		binary   bool
		compress bool // sent compressed; the echo is compressed from 1024 bytes
	}{
		{"4small", false, false},
		{"4small", false, true},
		{big, false, true},
		{big, false, false},
		{string(bin), true, true},
	} {
		f := ws.NewTextFrame([]byte(m.data))
		if m.binary {
			f = ws.NewBinaryFrame([]byte(m.data))
		}
		if m.compress {
			if f, err = wsflate.CompressFrame(f); err != nil {
				t.Fatal(err)
			}
		}
		if err := ws.WriteFrame(c, ws.MaskFrameInPlace(f)); err != nil {
			t.Fatal(err)
		}
		var got ws.Frame
		for got.Header.OpCode != ws.OpText && got.Header.OpCode != ws.OpBinary || string(got.Payload) == "2" {
			if got, err = ws.ReadFrame(c); err != nil {
				t.Fatal(err)
			}
		}
		compressed := got.Header.Rsv != 0
		if compressed {
			if got, err = wsflate.DecompressFrame(got); err != nil {
				t.Fatal(err)
			}
		}
		if string(got.Payload) != m.data || compressed != (len(m.data) >= 1024) {
			t.Fatalf("echo of %.20q (%d bytes): %.20q (%d bytes), compressed %v", m.data, len(m.data), got.Payload, len(got.Payload), compressed)
		}
	}
}

// Without the option, an offer gets no extension; a message inflating past
// maxHttpBufferSize closes the connection with 1009, as ws does.
func TestPerMessageDeflateOffAndLimit(t *testing.T) {
	for _, on := range []bool{false, true} {
		addr := startEcho(t, nil, &eio.Options{PerMessageDeflate: on, MaxHTTPBufferSize: 10000})
		d := ws.Dialer{Extensions: []httphead.Option{wsflate.DefaultParameters.Option()}}
		c, _, hs, err := d.Dial(context.Background(), "ws://"+addr+"/engine.io/?EIO=4&transport=websocket")
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if !on {
			if len(hs.Extensions) != 0 {
				t.Fatalf("negotiated %v with the option off", hs.Extensions)
			}
			continue
		}
		f, _ := wsflate.CompressFrame(ws.NewTextFrame([]byte("4" + strings.Repeat("a", 20000))))
		ws.WriteFrame(c, ws.MaskFrameInPlace(f))
		if code := closeCode(t, c); code != ws.StatusMessageTooBig {
			t.Fatalf("close %d, want 1009", code)
		}
	}
}
