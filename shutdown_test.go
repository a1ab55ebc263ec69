package sioloop_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sioloop/sioloop"
	"github.com/sioloop/sioloop/internal/testserver"
	"github.com/sioloop/sioloop/internal/testwait"
)

func TestMain(m *testing.M) { testwait.VerifyMain(m) }

// TestShutdownOfAnIdleServerReturnsAtOnce: Shutdown does not wait for a
// long-polling client that is owed nothing but its close packet. One
// client holds a GET, which gets the close packet; the other
// connected and stopped polling (between two GETs, or gone) — its session
// closes with its close packet queued for a GET that never comes, which
// engine.io would wait 30 s for (closeTimeout). Shutdown returns within
// its one-second grace for such a client, not ctx's 30 s.
func TestShutdownOfAnIdleServerReturnsAtOnce(t *testing.T) {
	srv := sioloop.NewServer(nil)
	base := "http://" + testserver.Start(t, srv) + "/socket.io/?EIO=4&transport=polling"
	connect := func() string {
		sid := handshake(t, base)
		if got := request(t, "POST", base+"&sid="+sid, "40"); got != "ok" {
			t.Fatalf("POST 40: %q", got)
		}
		if got := request(t, "GET", base+"&sid="+sid, ""); !strings.HasPrefix(got, `40{"sid":`) {
			t.Fatalf("the CONNECT answer: %q", got)
		}
		return sid
	}
	connect() // stops polling
	held := connect()
	parked := make(chan string, 1)
	go func() { parked <- request(t, "GET", base+"&sid="+held, "") }()

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	start := time.Now()
	if err := srv.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Fatalf("Shutdown of an idle server took %v", took)
	}
	// "1" if the GET was held when Shutdown came, "6\x1e1" (noop, close)
	// if it came later, within the grace.
	if got := testwait.Recv(t, parked, testwait.Timeout, "answer to the held GET"); got != "1" && got != "6\x1e1" {
		t.Fatalf("the held GET got %q, want the close packet", got)
	}
}

// handshake opens a long-polling session and returns its sid.
func handshake(t *testing.T, url string) string {
	t.Helper()
	open := request(t, "GET", url, "")
	i := strings.Index(open, `"sid":"`)
	if i < 0 {
		t.Fatalf("handshake: %q", open)
	}
	sid := open[i+7:]
	return sid[:strings.IndexByte(sid, '"')]
}

// request sends one request and returns the body of its 200 answer.
func request(t *testing.T, method, url, body string) string {
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Error(err)
		return ""
	}
	client := http.Client{Timeout: testwait.Timeout}
	resp, err := client.Do(req)
	if err != nil {
		t.Errorf("%s: %v", method, err)
		return ""
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Errorf("%s: %d %s", method, resp.StatusCode, b)
	}
	return string(b)
}

// TestDrainWithNoWindowDisconnectsAtOnce: Drain(0) closes every client
// in one step (a zero window once made a ticker of period 0 panic).
func TestDrainWithNoWindowDisconnectsAtOnce(t *testing.T) {
	srv := sioloop.NewServer(nil)
	base := "http://" + testserver.Start(t, srv) + "/socket.io/?EIO=4&transport=polling"
	sid := handshake(t, base)
	if got := request(t, "POST", base+"&sid="+sid, "40"); got != "ok" {
		t.Fatalf("POST 40: %q", got)
	}
	if err := srv.Drain(0); err != nil {
		t.Fatalf("Drain: %v", err)
	}
	// The CONNECT answer was queued before the close; the close packet
	// comes on the GET after it.
	if got := request(t, "GET", base+"&sid="+sid, ""); !strings.HasPrefix(got, `40{"sid":`) {
		t.Fatalf("first GET after Drain: %q", got)
	}
	if got := request(t, "GET", base+"&sid="+sid, ""); got != "6\x1e1" && got != "1" {
		t.Fatalf("second GET after Drain: %q, want the close packet", got)
	}
}
