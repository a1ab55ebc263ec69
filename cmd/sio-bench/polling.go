package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// pollingTransport is the HTTP long-polling transport: a keep-alive
// HTTP/1.1 connection for the GETs (long polls, on the reader goroutine)
// and another for the POSTs (one at a time, as the spec demands: "a
// client MUST NOT have more than one active POST request").
type pollingTransport struct {
	cfg    *config
	d      *dialer
	uri    string // with &sid= once open
	closed atomic.Bool

	// Read state, owned by the reader goroutine.
	get  httpConn
	rest []byte // packets of the last GET body not yet returned

	// Write state: wmu serialises the POSTs.
	wmu  sync.Mutex
	post httpConn
}

func newPollingTransport(cfg *config, d *dialer) *pollingTransport {
	t := &pollingTransport{cfg: cfg, d: d}
	t.get.init(d, cfg.host)
	t.post.init(d, cfg.host)
	return t
}

func (t *pollingTransport) open(ctx context.Context, deadline time.Time) ([]byte, error) {
	t.closed.Store(false)
	t.get.reopen()
	t.post.reopen()
	t.rest = nil
	t.uri = t.cfg.pollingURI()
	t.get.deadline, t.post.deadline = deadline, deadline
	body, err := t.get.do(ctx, "GET", t.uri, nil)
	if err != nil {
		return nil, fmt.Errorf("handshake: %w", err)
	}
	t.rest = body
	p, err := t.next()
	if err != nil {
		return nil, err
	}
	o, ok := parseOpen(p)
	if !ok {
		return nil, fmt.Errorf("%w: %.60q", errBadHandshk, p)
	}
	t.uri += "&sid=" + o.SID
	return p, nil
}

// next returns the next packet of the current GET body, long-polling
// for another body when it is used up.
func (t *pollingTransport) next() ([]byte, error) {
	for {
		if len(t.rest) > 0 {
			p := t.rest
			if i := bytes.IndexByte(p, recordSeparator); i >= 0 {
				p, t.rest = p[:i], p[i+1:]
			} else {
				t.rest = nil
			}
			if len(p) > 0 && p[0] != 'b' { // "b<base64>": binary, skipped
				return p, nil
			}
			continue
		}
		if t.closed.Load() {
			return nil, errClosed
		}
		body, err := t.get.do(context.Background(), "GET", t.uri, nil)
		if err != nil {
			return nil, err
		}
		t.rest = body
	}
}

func (t *pollingTransport) appendPacket(dst, p []byte) []byte {
	if len(dst) > 0 {
		dst = append(dst, recordSeparator)
	}
	return append(dst, p...)
}

func (t *pollingTransport) write(b []byte) error {
	t.wmu.Lock()
	defer t.wmu.Unlock()
	if t.closed.Load() {
		return errClosed
	}
	body, err := t.post.do(context.Background(), "POST", t.uri, b)
	if err != nil {
		return err
	}
	if string(body) != "ok" {
		return fmt.Errorf("POST answered %.40q", body)
	}
	return nil
}

func (t *pollingTransport) setDeadline(d time.Time) {
	t.get.setDeadline(d)
	t.wmu.Lock()
	t.post.setDeadline(d)
	t.wmu.Unlock()
}

var closePacket = []byte{eioClose}

func (t *pollingTransport) close(graceful bool) {
	if graceful && !t.closed.Load() {
		_ = t.write(closePacket)
	}
	t.closed.Store(true)
	t.get.close()
	t.post.close()
}

// httpReadBuffer is the read buffer of one polling HTTP connection.
const httpReadBuffer = 2048

// httpConn is a minimal keep-alive HTTP/1.1 client connection: one
// request at a time, bodies by Content-Length or chunked, redialled when
// the server closes it.
type httpConn struct {
	d        *dialer
	host     string
	deadline time.Time

	mu   sync.Mutex // guards c and shut against close from another goroutine
	c    net.Conn
	shut bool // closed for good, until reopen

	br   *bufio.Reader
	req  []byte
	body []byte
}

func (h *httpConn) init(d *dialer, host string) {
	h.d, h.host = d, host
}

// reopen lets a closed httpConn dial again (a new session).
func (h *httpConn) reopen() {
	h.mu.Lock()
	h.shut = false
	h.mu.Unlock()
}

func (h *httpConn) setDeadline(d time.Time) {
	h.deadline = d
	h.mu.Lock()
	if h.c != nil {
		_ = h.c.SetDeadline(d)
	}
	h.mu.Unlock()
}

func (h *httpConn) close() {
	h.mu.Lock()
	c := h.c
	h.c, h.shut = nil, true
	h.mu.Unlock()
	if c != nil {
		_ = c.Close()
	}
}

// drop closes c, the current connection, and lets the next request dial
// a new one.
func (h *httpConn) drop(c net.Conn) {
	h.mu.Lock()
	if h.c == c {
		h.c = nil
	}
	h.mu.Unlock()
	_ = c.Close()
}

// errStatus is a non-200 answer.
type errStatus struct {
	code int
	body string
}

func (e *errStatus) Error() string {
	return "sio-bench: HTTP " + strconv.Itoa(e.code) + ": " + e.body
}

// do sends one request and returns the response body, valid until the
// next call.
func (h *httpConn) do(ctx context.Context, method, uri string, body []byte) ([]byte, error) {
	h.mu.Lock()
	c, shut := h.c, h.shut
	h.mu.Unlock()
	if shut {
		return nil, errClosed
	}
	if c == nil {
		dctx := ctx
		if !h.deadline.IsZero() {
			var cancel context.CancelFunc
			dctx, cancel = context.WithDeadline(ctx, h.deadline)
			defer cancel()
		}
		var err error
		if c, err = h.d.dial(dctx); err != nil {
			return nil, fmt.Errorf("dial: %w", err)
		}
		_ = c.SetDeadline(h.deadline)
		h.mu.Lock()
		if h.shut {
			h.mu.Unlock()
			c.Close()
			return nil, errClosed
		}
		h.c = c
		h.mu.Unlock()
		if h.br == nil {
			h.br = bufio.NewReaderSize(c, httpReadBuffer)
		} else {
			h.br.Reset(c)
		}
	}
	h.req = append(h.req[:0], method...)
	h.req = append(h.req, ' ')
	h.req = append(h.req, uri...)
	h.req = append(h.req, " HTTP/1.1\r\nHost: "...)
	h.req = append(h.req, h.host...)
	if method == "POST" {
		h.req = append(h.req, "\r\nContent-Type: text/plain;charset=UTF-8\r\nContent-Length: "...)
		h.req = strconv.AppendInt(h.req, int64(len(body)), 10)
	}
	h.req = append(h.req, "\r\n\r\n"...)
	h.req = append(h.req, body...)
	if _, err := c.Write(h.req); err != nil {
		h.drop(c)
		return nil, err
	}
	code, keep, err := h.readResponse()
	if err != nil {
		h.drop(c)
		return nil, err
	}
	if !keep {
		h.drop(c)
	}
	if code != 200 {
		return nil, &errStatus{code: code, body: string(h.body[:min(len(h.body), 80)])}
	}
	return h.body, nil
}

var errBadResponse = errors.New("sio-bench: malformed HTTP response")

// readResponse reads a status line, headers and body into h.body.
func (h *httpConn) readResponse() (code int, keepAlive bool, err error) {
	line, err := h.br.ReadSlice('\n')
	if err != nil {
		return 0, false, err
	}
	// "HTTP/1.1 200 OK"
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) {
		return 0, false, errBadResponse
	}
	code, err = strconv.Atoi(string(line[9:12]))
	if err != nil {
		return 0, false, errBadResponse
	}
	keepAlive = line[7] == '1'
	length, chunked := -1, false
	for {
		line, err = h.br.ReadSlice('\n')
		if err != nil {
			return 0, false, err
		}
		line = bytes.TrimRight(line, "\r\n")
		if len(line) == 0 {
			break
		}
		k, v, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			continue
		}
		v = bytes.TrimSpace(v)
		switch {
		case bytes.EqualFold(k, []byte("Content-Length")):
			if length, err = strconv.Atoi(string(v)); err != nil || length < 0 || length > maxMessage {
				return 0, false, errBadResponse
			}
		case bytes.EqualFold(k, []byte("Transfer-Encoding")):
			chunked = bytes.Contains(bytes.ToLower(v), []byte("chunked"))
		case bytes.EqualFold(k, []byte("Connection")):
			if bytes.EqualFold(v, []byte("close")) {
				keepAlive = false
			} else if bytes.EqualFold(v, []byte("keep-alive")) {
				keepAlive = true
			}
		}
	}
	h.body = h.body[:0]
	switch {
	case chunked:
		err = h.readChunked()
	case length >= 0:
		h.body = append(h.body, make([]byte, length)...)
		_, err = io.ReadFull(h.br, h.body)
	default: // body until close
		keepAlive = false
		var b []byte
		b, err = io.ReadAll(io.LimitReader(h.br, maxMessage))
		h.body = append(h.body, b...)
	}
	return code, keepAlive, err
}

func (h *httpConn) readChunked() error {
	for {
		line, err := h.br.ReadSlice('\n')
		if err != nil {
			return err
		}
		line = bytes.TrimRight(line, "\r\n")
		if i := bytes.IndexByte(line, ';'); i >= 0 {
			line = line[:i]
		}
		n, err := strconv.ParseUint(string(bytes.TrimSpace(line)), 16, 32)
		if err != nil || len(h.body)+int(n) > maxMessage {
			return errBadResponse
		}
		if n == 0 { // trailers up to the empty line
			for {
				line, err = h.br.ReadSlice('\n')
				if err != nil {
					return err
				}
				if len(bytes.TrimRight(line, "\r\n")) == 0 {
					return nil
				}
			}
		}
		start := len(h.body)
		h.body = append(h.body, make([]byte, n)...)
		if _, err := io.ReadFull(h.br, h.body[start:]); err != nil {
			return err
		}
		if _, err := h.br.Discard(2); err != nil { // CRLF
			return err
		}
	}
}
