package loop

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

const corsDefaultMethodsLine = "Access-Control-Allow-Methods: GET,HEAD,PUT,PATCH,POST,DELETE\r\n"

func TestCORSZeroOptionsIsOff(t *testing.T) {
	if compileCORS(nil) != nil || compileCORS(&CORSOptions{}) != nil {
		t.Error("zero options compiled to a policy")
	}
	// cors' falsy origin (""): no header at all, the request goes on.
	if compileCORS(&CORSOptions{Origin: []string{""}, Credentials: true}) != nil {
		t.Error(`Origin [""] compiled to a policy`)
	}
}

// Each case states what cors 2.8 sends; TestCORSMatchesNodeCors checks
// the same cases against the real package.
func TestCORSActualRequestHeaders(t *testing.T) {
	allowA := func(o string) bool { return o == "http://a.com" }
	for _, c := range []struct {
		name   string
		opts   CORSOptions
		origin string // "" = no Origin header
		want   string
	}{
		{"any origin", CORSOptions{Origin: []string{"*"}}, "http://x.com",
			"Access-Control-Allow-Origin: *\r\n"},
		{"origin defaults to any", CORSOptions{Credentials: true}, "http://x.com",
			"Access-Control-Allow-Origin: *\r\nAccess-Control-Allow-Credentials: true\r\n"},
		{"fixed origin is sent whatever the request's", CORSOptions{Origin: []string{"http://a.com"}}, "http://x.com",
			"Access-Control-Allow-Origin: http://a.com\r\nVary: Origin\r\n"},
		{"fixed origin without Origin header", CORSOptions{Origin: []string{"http://a.com"}}, "",
			"Access-Control-Allow-Origin: http://a.com\r\nVary: Origin\r\n"},
		{"list: match is reflected", CORSOptions{Origin: []string{"http://a.com", "http://b.com"}}, "http://b.com",
			"Access-Control-Allow-Origin: http://b.com\r\nVary: Origin\r\n"},
		{"list: no match sends only Vary", CORSOptions{Origin: []string{"http://a.com", "http://b.com"}}, "http://x.com",
			"Vary: Origin\r\n"},
		{"list: match is case-sensitive", CORSOptions{Origin: []string{"http://a.com", "http://b.com"}}, "http://A.com",
			"Vary: Origin\r\n"},
		{"list: * is literal", CORSOptions{Origin: []string{"*", "http://b.com"}}, "http://x.com",
			"Vary: Origin\r\n"},
		{"list without Origin header", CORSOptions{Origin: []string{"http://a.com", "http://b.com"}}, "",
			"Vary: Origin\r\n"},
		{"reflect", CORSOptions{ReflectOrigin: true, Credentials: true}, "http://x.com",
			"Access-Control-Allow-Origin: http://x.com\r\nVary: Origin\r\nAccess-Control-Allow-Credentials: true\r\n"},
		{"reflect without Origin header", CORSOptions{ReflectOrigin: true}, "",
			"Vary: Origin\r\n"},
		{"func allows", CORSOptions{OriginFunc: allowA}, "http://a.com",
			"Access-Control-Allow-Origin: http://a.com\r\nVary: Origin\r\n"},
		{"func refuses: nothing", CORSOptions{OriginFunc: allowA, Credentials: true}, "http://x.com",
			""},
		{"exposed headers, methods and max-age are not sent", CORSOptions{
			Origin: []string{"*"}, ExposedHeaders: []string{"X-A", "X-B"}, Methods: []string{"GET"}, MaxAge: 60},
			"http://x.com", "Access-Control-Allow-Origin: *\r\nAccess-Control-Expose-Headers: X-A,X-B\r\n"},
	} {
		p := compileCORS(&c.opts)
		var origin []byte
		if c.origin != "" {
			origin = []byte(c.origin)
		}
		if got := p.appendHeaders([]byte("X: y\r\n"), origin); string(got) != "X: y\r\n"+c.want {
			t.Errorf("%s:\n got %q\nwant %q", c.name, got[6:], c.want)
		}
	}
}

func TestCORSPreflightHeaders(t *testing.T) {
	for _, c := range []struct {
		name               string
		opts               CORSOptions
		origin, reqHeaders string
		want               string
	}{
		{"any origin: Vary only for reflected headers", CORSOptions{Origin: []string{"*"}}, "http://x.com", "x-a, x-b",
			"Access-Control-Allow-Origin: *\r\n" + corsDefaultMethodsLine +
				"Vary: Access-Control-Request-Headers\r\nAccess-Control-Allow-Headers: x-a, x-b\r\n"},
		{"Vary merged into one line", CORSOptions{Origin: []string{"http://a.com", "http://b.com"}}, "http://a.com", "x-a",
			"Access-Control-Allow-Origin: http://a.com\r\nVary: Origin, Access-Control-Request-Headers\r\n" + corsDefaultMethodsLine +
				"Access-Control-Allow-Headers: x-a\r\n"},
		{"refused list origin: answered without Allow-Origin", CORSOptions{Origin: []string{"http://a.com", "http://b.com"}, Credentials: true}, "http://x.com", "",
			"Vary: Origin, Access-Control-Request-Headers\r\nAccess-Control-Allow-Credentials: true\r\n" + corsDefaultMethodsLine},
		{"configured allowed headers: no Vary for them", CORSOptions{Origin: []string{"http://a.com"}, AllowedHeaders: []string{"X-A", "X-B"}}, "http://a.com", "x-c",
			"Access-Control-Allow-Origin: http://a.com\r\nVary: Origin\r\n" + corsDefaultMethodsLine +
				"Access-Control-Allow-Headers: X-A,X-B\r\n"},
		{"empty allowed headers: neither header nor Vary", CORSOptions{Origin: []string{"*"}, AllowedHeaders: []string{}}, "http://a.com", "x-c",
			"Access-Control-Allow-Origin: *\r\n" + corsDefaultMethodsLine},
		{"empty methods: not sent", CORSOptions{Origin: []string{"*"}, Methods: []string{}, AllowedHeaders: []string{}}, "http://a.com", "",
			"Access-Control-Allow-Origin: *\r\n"},
		{"everything, in cors' order", CORSOptions{ReflectOrigin: true, Credentials: true, Methods: []string{"GET", "POST"},
			MaxAge: 600, ExposedHeaders: []string{"X-E"}}, "http://x.com", "content-type",
			"Access-Control-Allow-Origin: http://x.com\r\nVary: Origin, Access-Control-Request-Headers\r\n" +
				"Access-Control-Allow-Credentials: true\r\nAccess-Control-Allow-Methods: GET,POST\r\n" +
				"Access-Control-Allow-Headers: content-type\r\nAccess-Control-Max-Age: 600\r\nAccess-Control-Expose-Headers: X-E\r\n"},
		{"func refuses: nothing", CORSOptions{OriginFunc: func(string) bool { return false }}, "http://x.com", "x-a",
			""},
	} {
		p := compileCORS(&c.opts)
		got := p.appendPreflight(nil, []byte(c.origin), []byte(c.reqHeaders))
		if string(got) != c.want {
			t.Errorf("%s:\n got %q\nwant %q", c.name, got, c.want)
		}
		if want := c.want != ""; p.answersPreflight([]byte(c.origin)) != want {
			t.Errorf("%s: answersPreflight = %v, want %v", c.name, !want, want)
		}
	}
}

func TestCORSOptionsSuccessStatus(t *testing.T) {
	if s := compileCORS(&CORSOptions{Origin: []string{"*"}}).optionsStatus; s != 204 {
		t.Errorf("default = %d, want 204", s)
	}
	if s := compileCORS(&CORSOptions{OptionsSuccessStatus: 200}).optionsStatus; s != 200 {
		t.Errorf("configured = %d, want 200", s)
	}
}

func TestCORSNeverSendsAnInvalidFieldValue(t *testing.T) {
	p := compileCORS(&CORSOptions{Origin: []string{"http://a.com\r\nX-Evil: 1"}, ExposedHeaders: []string{"a\nb"}})
	if got := p.appendHeaders(nil, []byte("http://x.com")); string(got) != "Vary: Origin\r\n" {
		t.Errorf("configured CR LF: %q", got)
	}
	p = compileCORS(&CORSOptions{ReflectOrigin: true})
	got := p.appendPreflight(nil, []byte("http://x\r\nX: 1"), []byte("a\rb"))
	if want := "Vary: Origin, Access-Control-Request-Headers\r\n" + corsDefaultMethodsLine; string(got) != want {
		t.Errorf("reflected CR LF: %q, want %q", got, want)
	}
}

func TestCORSCompileDoesNotRetainOptions(t *testing.T) {
	o := CORSOptions{Origin: []string{"http://a.com", "http://b.com"}}
	p := compileCORS(&o)
	o.Origin[0] = "http://x.com"
	if got := p.appendHeaders(nil, []byte("http://a.com")); !bytes.HasPrefix(got, []byte("Access-Control-Allow-Origin: http://a.com")) {
		t.Errorf("policy changed with the options: %q", got)
	}
}

func TestCORSAllocatesNothing(t *testing.T) {
	origin, reqHeaders := []byte("http://b.com"), []byte("content-type")
	for _, o := range []CORSOptions{
		{Origin: []string{"*"}},
		{Origin: []string{"http://a.com"}},
		{Origin: []string{"http://a.com", "http://b.com"}, Credentials: true, MaxAge: 60},
		{ReflectOrigin: true, ExposedHeaders: []string{"X-A"}},
	} {
		p := compileCORS(&o)
		buf := make([]byte, 0, 1024)
		if n := testing.AllocsPerRun(100, func() {
			buf = p.appendHeaders(buf[:0], origin)
			buf = p.appendPreflight(buf, origin, reqHeaders)
		}); n != 0 {
			t.Errorf("%+v: %v allocs", o, n)
		}
	}
}

func BenchmarkCORSPreflight(b *testing.B) {
	p := compileCORS(&CORSOptions{Origin: []string{"http://a.com", "http://b.com"}, Credentials: true})
	origin, reqHeaders := []byte("http://b.com"), []byte("content-type")
	buf := make([]byte, 0, 1024)
	b.ReportAllocs()
	for b.Loop() {
		buf = p.appendPreflight(buf[:0], origin, reqHeaders)
	}
}

// corsNodeServer is a Node http server that runs the real cors package
// (the version range engine.io 6.6 depends on) with options[i] for a
// request to "/?c=i", and answers 200 "next" when cors calls next().
const corsNodeServer = `
const http = require('http'), cors = require('cors');
const cases = require('./cases.json').map((js) => eval('(' + js + ')'));
http.createServer((req, res) => {
  const opts = cases[Number(new URL(req.url, 'http://x').searchParams.get('c'))];
  const next = () => { res.statusCode = 200; res.end('next'); };
  if (opts === null) return next();
  cors(opts)(req, res, next);
}).listen(0, '127.0.0.1', function () { console.log(this.address().port); });
`

// TestCORSMatchesNodeCors sends the same requests to the real cors
// package and to corsPolicy and compares status, the CORS header lines
// in order, and Content-Length. It needs node and npm (it installs cors
// from the registry) and is skipped without them or with -short.
func TestCORSMatchesNodeCors(t *testing.T) {
	if testing.Short() {
		t.Skip("installs cors from npm")
	}
	node, errNode := exec.LookPath("node")
	npm, errNpm := exec.LookPath("npm")
	if errNode != nil || errNpm != nil {
		t.Skip("node or npm not found")
	}
	allowA := func(o string) bool { return o == "http://a.com" }
	cases := []struct {
		js   string // the same options for cors, as a JS expression
		opts CORSOptions
	}{
		{`null`, CORSOptions{}},
		{`{}`, CORSOptions{Origin: []string{"*"}}},
		{`{origin: ""}`, CORSOptions{Origin: []string{""}}},
		{`{credentials: true}`, CORSOptions{Credentials: true}},
		{`{origin: "http://a.com"}`, CORSOptions{Origin: []string{"http://a.com"}}},
		{`{origin: ["http://a.com", "http://b.com"], credentials: true}`, CORSOptions{Origin: []string{"http://a.com", "http://b.com"}, Credentials: true}},
		{`{origin: ["*", "http://b.com"]}`, CORSOptions{Origin: []string{"*", "http://b.com"}}},
		{`{origin: true, maxAge: 600, exposedHeaders: ["X-A", "X-B"]}`, CORSOptions{ReflectOrigin: true, MaxAge: 600, ExposedHeaders: []string{"X-A", "X-B"}}},
		{`{origin: (o, cb) => cb(null, o === "http://a.com")}`, CORSOptions{OriginFunc: allowA}},
		{`{origin: (o, cb) => cb(null, o === "http://a.com"), credentials: true, optionsSuccessStatus: 200}`, CORSOptions{OriginFunc: allowA, Credentials: true, OptionsSuccessStatus: 200}},
		{`{methods: ["GET", "POST"], allowedHeaders: ["Content-Type", "X-A"]}`, CORSOptions{Methods: []string{"GET", "POST"}, AllowedHeaders: []string{"Content-Type", "X-A"}}},
		{`{origin: "http://a.com", methods: [], allowedHeaders: []}`, CORSOptions{Origin: []string{"http://a.com"}, Methods: []string{}, AllowedHeaders: []string{}}},
	}
	requests := []struct{ method, origin, reqHeaders string }{
		{"GET", "http://a.com", ""},
		{"POST", "http://x.com", ""},
		{"GET", "", ""},
		{"OPTIONS", "http://a.com", "content-type, x-a"},
		{"OPTIONS", "http://x.com", ""},
		{"OPTIONS", "", "x-b"},
	}

	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	// engine.io 6.6 depends on "cors": "~2.8.5".
	install := exec.CommandContext(ctx, npm, "install", "--no-audit", "--no-fund", "--prefix", dir, "cors@~2.8.5")
	if out, err := install.CombinedOutput(); err != nil {
		t.Skipf("npm install cors: %v\n%s", err, out)
	}
	var js []string
	for _, c := range cases {
		js = append(js, c.js)
	}
	casesJSON, _ := json.Marshal(js)
	if err := os.WriteFile(filepath.Join(dir, "cases.json"), casesJSON, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "server.js"), []byte(corsNodeServer), 0o644); err != nil {
		t.Fatal(err)
	}
	srv := exec.CommandContext(ctx, node, "server.js")
	srv.Dir = dir
	srv.WaitDelay = 5 * time.Second
	var stderr bytes.Buffer
	srv.Stderr = &stderr
	stdout, err := srv.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		_ = srv.Process.Kill()
		_ = srv.Wait()
	}()
	port, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("node server: %v\n%s", err, stderr.String())
	}
	addr := net.JoinHostPort("127.0.0.1", strings.TrimSpace(port))

	for i, c := range cases {
		p := compileCORS(&c.opts)
		for _, rq := range requests {
			raw := rq.method + " /?c=" + strconv.Itoa(i) + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
			if rq.origin != "" {
				raw += "Origin: " + rq.origin + "\r\n"
			}
			if rq.reqHeaders != "" {
				raw += "Access-Control-Request-Headers: " + rq.reqHeaders + "\r\n"
			}
			node, err := corsRoundTrip(addr, raw+"\r\n")
			if err != nil {
				t.Fatalf("%s %+v: %v\n%s", c.js, rq, err, stderr.String())
			}
			ours := corsExpect(p, rq.method, rq.origin, rq.reqHeaders)
			if node != ours {
				t.Errorf("cors(%s), %s Origin %q Request-Headers %q:\nnode %s\nours %s",
					c.js, rq.method, rq.origin, rq.reqHeaders, node, ours)
			}
		}
	}
}

// corsExpect renders what the loop answers with policy p, as
// corsRoundTrip renders Node's answer.
func corsExpect(p *corsPolicy, method, origin, reqHeaders string) string {
	var o, rh []byte
	if origin != "" {
		o = []byte(origin)
	}
	if reqHeaders != "" {
		rh = []byte(reqHeaders)
	}
	var head []byte
	switch {
	case p == nil:
		head = appendResponseHead(nil, 200, "", 4, false, nil)
	case method == "OPTIONS" && p.answersPreflight(o):
		head = appendResponseHead(nil, p.optionsStatus, "", 0, false, p.appendPreflight(nil, o, rh))
	case method == "OPTIONS":
		head = appendResponseHead(nil, 200, "", 4, false, nil) // cors called next()
	default:
		head = appendResponseHead(nil, 200, "", 4, false, p.appendHeaders(nil, o))
	}
	return renderCORSHead(bufio.NewReader(bytes.NewReader(head)))
}

// corsRoundTrip sends raw to addr and renders the response head.
func corsRoundTrip(addr, raw string) (string, error) {
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := conn.Write([]byte(raw)); err != nil {
		return "", err
	}
	return renderCORSHead(bufio.NewReader(conn)), nil
}

// renderCORSHead keeps the status, Content-Length and the CORS header
// lines, in order, of the response head in br.
func renderCORSHead(br *bufio.Reader) string {
	var b strings.Builder
	for first := true; ; first = false {
		line, err := br.ReadString('\n')
		line = strings.TrimRight(line, "\r\n")
		if err != nil || line == "" {
			break
		}
		name, _, _ := strings.Cut(line, ":")
		name = strings.ToLower(name)
		if first {
			status, _, _ := strings.Cut(strings.TrimPrefix(line, "HTTP/1.1 "), " ")
			fmt.Fprintf(&b, "%s |", status)
		} else if strings.HasPrefix(name, "access-control-") || name == "vary" || name == "content-length" {
			fmt.Fprintf(&b, " %s |", line)
		}
	}
	return b.String()
}
