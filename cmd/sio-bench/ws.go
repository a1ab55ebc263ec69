package main

import (
	"bufio"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/url"
	"slices"
	"sync"
	"time"

	"github.com/gobwas/ws"
)

// WebSocket opcodes (RFC 6455 section 5.2).
const (
	opCont  = 0x0
	opText  = 0x1
	opBin   = 0x2
	opClose = 0x8
	opPing  = 0x9
	opPong  = 0xA
)

// wsReadBuffer is the read buffer of one WebSocket connection: small, so
// that tens of thousands of idle connections stay cheap; longer frames
// are read straight into the message buffer.
const wsReadBuffer = 2048

// wsTransport is the WebSocket transport: the handshake from gobwas/ws,
// frames read and written by hand into reused buffers.
type wsTransport struct {
	d *dialer
	u *url.URL

	// Read state, owned by the reader goroutine.
	conn net.Conn
	pre  prefixReader
	br   *bufio.Reader
	msg  []byte
	hdr  [8]byte

	// Write state: wmu serialises writes to conn.
	wmu  sync.Mutex
	ctl  []byte // control frames (pong) built under wmu
	cmu  sync.Mutex
	live net.Conn // the conn close() closes; guarded by cmu
}

// prefixReader reads what gobwas/ws buffered past the handshake
// response (the server's first frames), then the connection.
type prefixReader struct {
	br   *bufio.Reader
	conn net.Conn
}

func (p *prefixReader) Read(b []byte) (int, error) {
	if p.br != nil {
		if p.br.Buffered() > 0 {
			return p.br.Read(b)
		}
		ws.PutReader(p.br)
		p.br = nil
	}
	return p.conn.Read(b)
}

func newWSTransport(cfg *config, d *dialer) *wsTransport {
	u, _ := url.Parse(cfg.wsURL()) // checked by config.check
	return &wsTransport{d: d, u: u}
}

var wsDialer = ws.Dialer{ReadBufferSize: 1024, WriteBufferSize: 1024}

func (t *wsTransport) open(ctx context.Context, deadline time.Time) ([]byte, error) {
	ctx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	conn, err := t.d.dial(ctx)
	if err != nil {
		return nil, fmt.Errorf("dial: %w", err)
	}
	t.cmu.Lock()
	t.live = conn
	t.cmu.Unlock()
	_ = conn.SetDeadline(deadline)
	br, _, err := wsDialer.Upgrade(conn, t.u)
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("websocket upgrade: %w", err)
	}
	t.conn = conn
	t.pre = prefixReader{br: br, conn: conn}
	if t.br == nil {
		t.br = bufio.NewReaderSize(&t.pre, wsReadBuffer)
	} else {
		t.br.Reset(&t.pre)
	}
	p, err := t.next()
	if err != nil {
		return nil, fmt.Errorf("open packet: %w", err)
	}
	if len(p) == 0 || p[0] != eioOpen {
		return nil, fmt.Errorf("%w: first packet %.40q", errBadHandshk, p)
	}
	return p, nil
}

// next reads frames until a whole text message is in, answering
// WebSocket pings on the way.
func (t *wsTransport) next() ([]byte, error) {
	t.msg = t.msg[:0]
	msgOp := byte(0)
	for {
		if _, err := io.ReadFull(t.br, t.hdr[:2]); err != nil {
			return nil, err
		}
		fin, op := t.hdr[0]&0x80 != 0, t.hdr[0]&0x0f
		masked, n := t.hdr[1]&0x80 != 0, uint64(t.hdr[1]&0x7f)
		switch n {
		case 126:
			if _, err := io.ReadFull(t.br, t.hdr[:2]); err != nil {
				return nil, err
			}
			n = uint64(binary.BigEndian.Uint16(t.hdr[:2]))
		case 127:
			if _, err := io.ReadFull(t.br, t.hdr[:8]); err != nil {
				return nil, err
			}
			n = binary.BigEndian.Uint64(t.hdr[:8])
		}
		var key [4]byte
		if masked { // servers must not mask, but tolerate it
			if _, err := io.ReadFull(t.br, key[:]); err != nil {
				return nil, err
			}
		}
		if n > maxMessage || uint64(len(t.msg))+n > maxMessage {
			return nil, errTooLarge
		}
		if op >= opClose { // control frame: its own payload, between fragments
			ctl := make([]byte, n) // rare: ≤125 bytes
			if _, err := io.ReadFull(t.br, ctl); err != nil {
				return nil, err
			}
			if masked {
				ws.Cipher(ctl, key, 0)
			}
			switch op {
			case opClose:
				return nil, errClosed
			case opPing:
				if err := t.writeControl(opPong, ctl); err != nil {
					return nil, err
				}
			}
			continue
		}
		if op != opCont {
			msgOp = op
		}
		start := len(t.msg)
		t.msg = slices.Grow(t.msg, int(n))[:start+int(n)]
		if _, err := io.ReadFull(t.br, t.msg[start:]); err != nil {
			return nil, err
		}
		if masked {
			ws.Cipher(t.msg[start:], key, 0)
		}
		if !fin {
			continue
		}
		if msgOp == opText && len(t.msg) > 0 {
			return t.msg, nil
		}
		t.msg = t.msg[:0] // binary attachments are not part of the contract
	}
}

// appendFrame appends a final, masked frame (clients must mask, RFC 6455
// section 5.3) with a fresh masking key.
func appendFrame(dst []byte, op byte, p []byte) []byte {
	dst = append(dst, 0x80|op)
	switch n := len(p); {
	case n < 126:
		dst = append(dst, 0x80|byte(n))
	case n <= 0xffff:
		dst = append(dst, 0x80|126, byte(n>>8), byte(n))
	default:
		dst = append(dst, 0x80|127)
		dst = binary.BigEndian.AppendUint64(dst, uint64(n))
	}
	var key [4]byte
	binary.LittleEndian.PutUint32(key[:], rand.Uint32())
	dst = append(dst, key[:]...)
	start := len(dst)
	dst = append(dst, p...)
	ws.Cipher(dst[start:], key, 0)
	return dst
}

func (t *wsTransport) appendPacket(dst, p []byte) []byte {
	return appendFrame(dst, opText, p)
}

func (t *wsTransport) write(b []byte) error {
	t.wmu.Lock()
	defer t.wmu.Unlock()
	_, err := t.conn.Write(b)
	return err
}

// writeControl writes one control frame. Runs on the reader goroutine.
func (t *wsTransport) writeControl(op byte, p []byte) error {
	t.wmu.Lock()
	defer t.wmu.Unlock()
	t.ctl = appendFrame(t.ctl[:0], op, p)
	_, err := t.conn.Write(t.ctl)
	return err
}

func (t *wsTransport) setDeadline(d time.Time) {
	if t.conn != nil {
		_ = t.conn.SetDeadline(d)
	}
}

var closeNormal = []byte{0x03, 0xe8} // 1000

func (t *wsTransport) close(graceful bool) {
	t.cmu.Lock()
	c := t.live
	t.live = nil
	t.cmu.Unlock()
	if c == nil {
		return
	}
	if graceful {
		_ = c.SetWriteDeadline(time.Now().Add(time.Second))
		_ = t.writeControlTo(c, opClose, closeNormal)
	}
	_ = c.Close()
}

// writeControlTo is writeControl on a given conn (close may race with
// open's assignment of t.conn).
func (t *wsTransport) writeControlTo(c net.Conn, op byte, p []byte) error {
	t.wmu.Lock()
	defer t.wmu.Unlock()
	t.ctl = appendFrame(t.ctl[:0], op, p)
	_, err := c.Write(t.ctl)
	return err
}
