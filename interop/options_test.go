package interop

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sioloop/sioloop/eio"
	"github.com/sioloop/sioloop/internal/testserver"
	"github.com/sioloop/sioloop/loop"
)

// The engine options and events a Node user reaches for beyond the
// defaults — cookie, the initial_headers and headers hooks,
// connection_error, addTrailingSlash: false, generateId — compared on the
// wire with the official engine.io server (testdata/eio-options-server.mjs):
// the same raw requests go to both, in both of sioloop's serving modes,
// and the answers must agree.

// optionsErrors records what OnConnectionError reports, as the reference
// server's GET /errors lists it.
type optionsErrors struct {
	mu   sync.Mutex
	list []map[string]any
}

func (e *optionsErrors) report(ce *eio.ConnectionError) {
	r := ce.Request // valid during the call only: copied into strings
	url := string(r.Path)
	if len(r.RawQuery) > 0 {
		url += "?" + string(r.RawQuery)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.list = append(e.list, map[string]any{"code": float64(ce.Code), "message": ce.Message, "context": ce.Context, "url": url})
}

func (e *optionsErrors) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	e.mu.Lock()
	list := e.list
	e.list = nil
	e.mu.Unlock()
	if list == nil {
		list = []map[string]any{}
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(list)
}

// newOptionsServer is eio-options-server.mjs in Go: the same engines on
// the same paths, on two loops (so that a request and its session's loop
// differ at times); errors answers GET /errors.
func newOptionsServer(t *testing.T, errs *optionsErrors, handler http.Handler) *loop.Server {
	srv := loop.New(&loop.Options{NumLoops: 2, Handler: handler})
	echo := func(e *eio.Server) *eio.Server {
		e.OnMessage(func(s *eio.Session, data []byte, binary bool) { s.Send(data, binary) })
		e.OnConnectionError(errs.report)
		return e
	}
	hooks := echo(eio.NewServer(&eio.Options{Cookie: &eio.CookieOptions{}}))
	hooks.OnInitialHeaders(func(h *eio.ResponseHeader, r *eio.Request) {
		h.Add("X-Initial", string(r.Query("transport")))
	})
	hooks.OnHeaders(func(h *eio.ResponseHeader, r *eio.Request) {
		if len(r.Query("sid")) > 0 {
			h.Add("X-Headers", "sid")
		} else {
			h.Add("X-Headers", "handshake")
		}
	})
	srv.Handle("/hooks/", hooks, nil)
	srv.Handle("/cookie/", echo(eio.NewServer(&eio.Options{Cookie: &eio.CookieOptions{
		Name: "sess", Path: "/app", Domain: "example.com", MaxAge: 3600,
		NoHTTPOnly: true, Secure: true, SameSite: http.SameSiteStrictMode,
	}})), nil)
	srv.Handle("/strict", echo(eio.NewServer(&eio.Options{DisableTrailingSlash: true})), nil)
	srv.Handle("/generated/", echo(eio.NewServer(&eio.Options{GenerateID: func(r *eio.Request) (string, error) {
		if string(r.Query("fail")) == "1" {
			return "", fmt.Errorf("no id")
		}
		return "generated-id-00000", nil
	}})), nil)
	return srv
}

// TestEngineOptionsOnTheWire sends the same requests to the official
// server and to sioloop, on the gnet engine and mounted on net/http, and
// compares the answers: status, Set-Cookie (the session id masked), the
// hooks' headers, the body of a refusal, and the connection_error reports.
func TestEngineOptionsOnTheWire(t *testing.T) {
	want := optionsExchange(t, startNodeServer(t, "eio-options-server.mjs", freePort(t), nil))
	t.Logf("the official server:\n%s", strings.Join(want, "\n"))

	t.Run("gnet", func(t *testing.T) {
		errs := &optionsErrors{}
		srv := newOptionsServer(t, errs, errs)
		got := optionsExchange(t, "http://"+testserver.Start(t, srv))
		compareExchanges(t, got, want)
	})
	t.Run("nethttp", func(t *testing.T) {
		errs := &optionsErrors{}
		srv := newOptionsServer(t, errs, nil)
		t.Cleanup(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if err := srv.Shutdown(ctx); err != nil {
				t.Errorf("Shutdown: %v", err)
			}
		})
		mux := http.NewServeMux()
		mux.Handle("/errors", errs)
		mux.Handle("/", srv)
		hs := httptest.NewServer(mux)
		t.Cleanup(hs.Close)
		got := optionsExchange(t, hs.URL)
		compareExchanges(t, got, want)
	})
}

func compareExchanges(t *testing.T, got, want []string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d answers, the official server gave %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("answer %d:\n got  %s\n want %s", i, got[i], want[i])
		}
	}
}

var sidPattern = regexp.MustCompile(`"sid":"([^"]+)"`)

// optionsExchange sends the requests to the server at base and returns
// what each answer says, as comparable lines.
func optionsExchange(t *testing.T, base string) []string {
	t.Helper()
	host := strings.TrimPrefix(base, "http://")
	var out []string
	var sid string
	note := func(label string, resp *http.Response, body string) {
		line := fmt.Sprintf("%s: %d", label, resp.StatusCode)
		c := resp.Header.Get("Set-Cookie")
		if sid != "" {
			c = strings.ReplaceAll(c, sid, "<sid>")
		}
		line += " cookie=" + c
		line += " initial=" + resp.Header.Get("X-Initial") + " headers=" + resp.Header.Get("X-Headers")
		if resp.StatusCode >= 400 {
			line += " body=" + body
		}
		out = append(out, line)
	}
	do := func(label, method, target, body string) string {
		resp, b := rawRequest(t, host, method, target, body, false)
		if m := sidPattern.FindStringSubmatch(b); m != nil {
			sid = m[1]
		}
		note(label, resp, b)
		return b
	}
	ws := func(label, target string) {
		resp, b := rawRequest(t, host, "GET", target, "", true)
		note(label, resp, b)
	}

	do("hooks handshake", "GET", "/hooks/?EIO=4&transport=polling", "")
	if sid == "" {
		t.Fatal("no sid in the handshake's answer")
	}
	do("hooks post", "POST", "/hooks/?EIO=4&transport=polling&sid="+sid, "4hi")
	do("hooks get", "GET", "/hooks/?EIO=4&transport=polling&sid="+sid, "")
	ws("hooks websocket handshake", "/hooks/?EIO=4&transport=websocket")
	ws("hooks websocket upgrade", "/hooks/?EIO=4&transport=websocket&sid="+sid)
	sid = ""
	do("cookie handshake", "GET", "/cookie/?EIO=4&transport=polling", "")
	do("strict, no slash", "GET", "/strict?EIO=4&transport=polling", "")
	do("strict, slash", "GET", "/strict/?EIO=4&transport=polling", "")
	do("generateId fails", "GET", "/generated/?EIO=4&transport=polling&fail=1", "")
	do("unknown transport", "GET", "/hooks/?EIO=4&transport=bogus", "")
	// On one connection, so that one of the two sessions is of another
	// loop than the request's.
	c := dialRaw(t, host)
	defer c.Close()
	br := bufio.NewReader(c)
	for _, r := range []struct{ label, method, target, body string }{
		{"unknown sid (loop 0)", "GET", "/hooks/?EIO=4&transport=polling&sid=AAAAAAAAAAAAAAAAAAAA", ""},
		{"unknown sid (loop 1)", "POST", "/hooks/?EIO=4&transport=polling&sid=BAAAAAAAAAAAAAAAAAAA", "4x"},
	} {
		resp, b := rawExchange(t, c, br, host, r.method, r.target, r.body, false)
		note(r.label, resp, b)
	}
	do("handshake by POST", "POST", "/hooks/?EIO=4&transport=polling", "")
	do("protocol v3", "GET", "/hooks/?EIO=3&transport=polling", "")
	ws("websocket, unknown sid", "/hooks/?EIO=4&transport=websocket&sid=CAAAAAAAAAAAAAAAAAAA")
	_, errs := rawRequest(t, host, "GET", "/errors", "", false)
	var list []map[string]any
	if err := json.Unmarshal([]byte(errs), &list); err != nil {
		t.Fatalf("/errors: %v: %q", err, errs)
	}
	for _, e := range list {
		out = append(out, fmt.Sprintf("connection_error: code=%v message=%q context=%q url=%v", e["code"], e["message"], e["context"], e["url"]))
	}
	return out
}

// rawRequest sends one request on a connection of its own and returns
// the answer and its body (none for a 101, whose connection is closed).
func rawRequest(t *testing.T, host, method, target, body string, websocket bool) (*http.Response, string) {
	t.Helper()
	c := dialRaw(t, host)
	defer c.Close()
	return rawExchange(t, c, bufio.NewReader(c), host, method, target, body, websocket)
}

func dialRaw(t *testing.T, host string) net.Conn {
	t.Helper()
	c, err := net.DialTimeout("tcp", host, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	return c
}

// rawExchange sends one request on c and reads its answer from br.
func rawExchange(t *testing.T, c net.Conn, br *bufio.Reader, host, method, target, body string, websocket bool) (*http.Response, string) {
	t.Helper()
	req := method + " " + target + " HTTP/1.1\r\nHost: " + host + "\r\n"
	if websocket {
		req += "Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
	}
	if method == "POST" {
		req += "Content-Type: text/plain;charset=UTF-8\r\nContent-Length: " + fmt.Sprint(len(body)) + "\r\n"
	}
	req += "\r\n" + body
	if _, err := io.WriteString(c, req); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("%s %s: %v", method, target, err)
	}
	if resp.StatusCode == 101 {
		return resp, ""
	}
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: body: %v", method, target, err)
	}
	return resp, string(b)
}

// TestGenerateIDWithTheOfficialClient runs engine.io-client's scenarios
// against a server whose session ids come from GenerateID, on two loops:
// its ids carry the routing prefix before the generated part, so that
// every request reaches its session's loop whichever loop it lands on.
func TestGenerateIDWithTheOfficialClient(t *testing.T) {
	var n atomic.Int64
	var seen sync.Map
	engine := eio.NewServer(&eio.Options{
		PingInterval:      eioPingInterval,
		PingTimeout:       eioPingTimeout,
		MaxHTTPBufferSize: eioMaxPayload,
		GenerateID: func(r *eio.Request) (string, error) {
			id := fmt.Sprintf("user-%013d", n.Add(1))
			return id, nil
		},
	})
	echo(engine)
	engine.OnConnection(func(s *eio.Session, _ *eio.Request) {
		id := s.ID().String()
		if eio.ShardOf([]byte(id)) < 0 || id[1] != 'A' || !strings.HasPrefix(id[2:], "user-") {
			t.Errorf("session id %q is not the routing prefix and a generated id", id)
		}
		seen.Store(id, true)
	})
	srv := loop.New(&loop.Options{NumLoops: 2})
	srv.Handle("/engine.io/", engine, &loop.CORSOptions{Origin: []string{"*"}})
	base := "http://" + testserver.Start(t, srv)
	for _, sc := range []string{"polling", "upgrade", "many"} {
		t.Run(sc, func(t *testing.T) { runScenario(t, "eio-client.mjs", sc, base) })
	}
	if n.Load() == 0 {
		t.Fatal("GenerateID was never called")
	}
}
