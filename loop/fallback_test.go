package loop_test

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/sioloop/sioloop/loop"
)

// fallbackServer serves h on every path but /engine.io/, on one loop (so
// a handler on the loop would block everything).
func fallbackServer(t *testing.T, h http.HandlerFunc, maxOutbound int) string {
	t.Helper()
	return startEcho(t, &loop.Options{NumLoops: 1, Handler: h, MaxOutboundBytes: maxOutbound}, nil)
}

func TestFallbackRedirectGoesOutWithItsStatusText(t *testing.T) {
	addr := fallbackServer(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/elsewhere", http.StatusFound)
	}, 0)
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	io.WriteString(c, "GET /old HTTP/1.1\r\nHost: x\r\n\r\n")
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	if line != "HTTP/1.1 302 Found\r\n" {
		t.Fatalf("status line %q", line)
	}
	resp, _ := roundTrip(t, addr, "GET /old HTTP/1.1\r\nHost: x\r\n\r\n")
	if loc := resp.Header.Get("Location"); loc != "/elsewhere" {
		t.Fatalf("Location %q", loc)
	}
}

func TestFallbackHandlerDoesNotBlockTheLoop(t *testing.T) {
	release := make(chan struct{})
	addr := fallbackServer(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-time.After(10 * time.Second):
		}
		io.WriteString(w, "late")
	}, 0)
	slow := make(chan string, 1)
	go func() {
		_, body := roundTrip(t, addr, "GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
		slow <- body
	}()
	// The only loop still serves Engine.IO while the handler waits.
	handshake(t, addr)
	close(release)
	select {
	case body := <-slow:
		if body != "late" {
			t.Fatalf("body %q", body)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no answer from the handler")
	}
}

func TestFallbackResponseStreamsWhatTheHandlerFlushes(t *testing.T) {
	second := make(chan struct{})
	addr := fallbackServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		io.WriteString(w, "first\n")
		w.(http.Flusher).Flush()
		select {
		case <-second:
		case <-time.After(10 * time.Second):
		}
		io.WriteString(w, "second\n")
	}, 0)
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	io.WriteString(c, "GET /events HTTP/1.1\r\nHost: x\r\n\r\n"+"GET /events2 HTTP/1.1\r\nHost: x\r\n\r\n")
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.TransferEncoding == nil || resp.TransferEncoding[0] != "chunked" || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("head %v %v", resp.TransferEncoding, resp.Header)
	}
	body := bufio.NewReader(resp.Body)
	if line, err := body.ReadString('\n'); err != nil || line != "first\n" {
		t.Fatalf("before the handler ends: %q, %v", line, err)
	}
	close(second)
	rest, err := io.ReadAll(body)
	if err != nil || string(rest) != "second\n" {
		t.Fatalf("rest %q, %v", rest, err)
	}
	// The pipelined request waited for the first answer.
	resp, err = http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := io.ReadAll(resp.Body); string(b) != "first\nsecond\n" {
		t.Fatalf("second response %q", b)
	}
}

func TestFallbackSlowReaderSlowsTheHandlerInsteadOfBeingDropped(t *testing.T) {
	const size = 8 << 20 // twice MaxOutboundBytes below
	piece := bytes.Repeat([]byte("0123456789abcdef"), 4096)
	addr := fallbackServer(t, func(w http.ResponseWriter, r *http.Request) {
		for n := 0; n < size; n += len(piece) {
			if _, err := w.Write(piece); err != nil {
				return
			}
		}
	}, 4<<20)
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(60 * time.Second))
	io.WriteString(c, "GET /big HTTP/1.1\r\nHost: x\r\n\r\n")
	time.Sleep(300 * time.Millisecond) // let the server fill its buffers
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	n, err := io.Copy(io.Discard, resp.Body)
	if err != nil || n != size {
		t.Fatalf("read %d of %d bytes: %v", n, size, err)
	}
}

func TestFallbackRequestContextEndsWhenTheClientGoes(t *testing.T) {
	done := make(chan error, 1)
	started := make(chan struct{})
	addr := fallbackServer(t, func(w http.ResponseWriter, r *http.Request) {
		close(started)
		select {
		case <-r.Context().Done():
			done <- nil
		case <-time.After(10 * time.Second):
			done <- io.ErrNoProgress
		}
	}, 0)
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(c, "GET /wait HTTP/1.1\r\nHost: x\r\n\r\n")
	select {
	case <-started:
	case <-time.After(5 * time.Second):
		t.Fatal("the handler did not start")
	}
	c.Close()
	if err := <-done; err != nil {
		t.Fatal("the request's context was not cancelled")
	}
}

func TestFallbackHeadAndEmptyAnswers(t *testing.T) {
	addr := fallbackServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/none":
			w.WriteHeader(http.StatusNoContent)
		case "/panic":
			panic("boom")
		default:
			io.WriteString(w, "hello")
		}
	}, 0)
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	io.WriteString(c, "HEAD /x HTTP/1.1\r\nHost: x\r\n\r\n")
	head, _ := http.NewRequest("HEAD", "/x", nil)
	resp, err := http.ReadResponse(bufio.NewReader(c), head)
	if err != nil || resp.StatusCode != 200 || resp.ContentLength != 5 {
		t.Fatalf("HEAD: %v %v", resp, err)
	}
	resp, body := roundTrip(t, addr, "GET /none HTTP/1.1\r\nHost: x\r\n\r\n")
	if resp.StatusCode != 204 || body != "" {
		t.Fatalf("204: %d %q", resp.StatusCode, body)
	}
	resp, _ = roundTrip(t, addr, "GET /panic HTTP/1.1\r\nHost: x\r\n\r\n")
	if resp.StatusCode != 500 || !resp.Close {
		t.Fatalf("panic: %d, close %v", resp.StatusCode, resp.Close)
	}
	resp, body = roundTrip(t, addr, "GET /x HTTP/1.0\r\nHost: x\r\n\r\n")
	if resp.StatusCode != 200 || body != "hello" || resp.ContentLength != 5 {
		t.Fatalf("HTTP/1.0: %d %q %d", resp.StatusCode, body, resp.ContentLength)
	}
}
