package loop_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sioloop/sioloop/eio"
	"github.com/sioloop/sioloop/loop"
)

// An AllowRequest that answers later, from another goroutine, as Node's
// allowRequest(req, callback) can: the handshake waits for the answer while
// the loop serves other connections. A token in the query picks the answer.
func TestAllowRequestAnswersLaterWithoutBlockingTheLoop(t *testing.T) {
	release := make(chan struct{})
	var wg sync.WaitGroup
	t.Cleanup(wg.Wait)
	// One loop: whatever is served while the handshakes wait, that loop served.
	addr := startEcho(t, &loop.Options{NumLoops: 1}, &eio.Options{AllowRequest: func(r *eio.Request, done func(error)) {
		token := string(r.Query("token")) // r is valid only now
		switch token {
		case "":
			done(nil)
			return
		case "now-bad":
			done(errors.New("refused at once"))
			return
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-release
			if token == "later-bad" {
				done(errors.New("refused later"))
			} else {
				done(nil)
			}
			done(errors.New("a second answer is ignored"))
		}()
	}})

	type result struct {
		status int
		body   string
	}
	ask := func(raw string) chan result {
		c := make(chan result, 1)
		go func() {
			resp, body := roundTrip(t, addr, raw)
			c <- result{resp.StatusCode, body}
		}()
		return c
	}
	polling := func(token string) string {
		return "GET /engine.io/?EIO=4&transport=polling&token=" + token + " HTTP/1.1\r\nHost: x\r\n\r\n"
	}
	websocket := func(token string) string {
		return "GET /engine.io/?EIO=4&transport=websocket&token=" + token + " HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n" +
			"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"
	}
	laterOK, laterBad := ask(polling("later-ok")), ask(polling("later-bad"))
	wsLaterOK, wsLaterBad := ask(websocket("later-ok")), ask(websocket("later-bad"))

	// While those wait, the loop answers everyone else.
	if resp, body := roundTrip(t, addr, polling("")); resp.StatusCode != 200 || !strings.HasPrefix(body, "0{") {
		t.Fatalf("handshake while others wait: %d %q", resp.StatusCode, body)
	}
	if resp, body := roundTrip(t, addr, polling("now-bad")); resp.StatusCode != 403 || body != `{"code":4,"message":"refused at once"}` {
		t.Fatalf("refused at once: %d %q", resp.StatusCode, body)
	}
	select {
	case r := <-laterOK:
		t.Fatalf("answered %v before AllowRequest did", r)
	case <-time.After(50 * time.Millisecond):
	}
	close(release)

	wait := func(name string, c chan result) result {
		select {
		case r := <-c:
			return r
		case <-time.After(5 * time.Second):
			t.Fatalf("%s: no answer 5 s after AllowRequest's", name)
		}
		return result{}
	}
	if r := wait("polling accepted", laterOK); r.status != 200 || !strings.HasPrefix(r.body, "0{") {
		t.Fatalf("accepted later: %+v", r)
	}
	if r := wait("polling refused", laterBad); r.status != 403 || r.body != `{"code":4,"message":"refused later"}` {
		t.Fatalf("refused later: %+v", r)
	}
	if r := wait("websocket accepted", wsLaterOK); r.status != 101 {
		t.Fatalf("websocket accepted later: %+v", r)
	}
	if r := wait("websocket refused", wsLaterBad); r.status != 400 || r.body != "refused later" {
		t.Fatalf("websocket refused later: %+v", r)
	}
}

// In net/http mode the handshake waits for AllowRequest on its own
// goroutine; a refusal is the same 403.
func TestAllowRequestInNetHTTPMode(t *testing.T) {
	engine := eio.NewServer(&eio.Options{AllowRequest: func(r *eio.Request, done func(error)) {
		ok := string(r.Query("token")) == "good"
		go func() {
			time.Sleep(20 * time.Millisecond)
			if ok {
				done(nil)
			} else {
				done(errors.New("bad token"))
			}
		}()
	}})
	srv := loop.New(nil)
	srv.Handle("/engine.io/", engine, nil)
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
		hs.Close()
	})
	client := &http.Client{Timeout: 5 * time.Second}
	for token, want := range map[string]string{"good": `0{"sid":`, "bad": `{"code":4,"message":"bad token"}`} {
		resp, err := client.Get(hs.URL + "/engine.io/?EIO=4&transport=polling&token=" + token)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !strings.HasPrefix(string(body), want) {
			t.Errorf("token %s: %d %q, want %q", token, resp.StatusCode, body, want)
		}
	}
}
