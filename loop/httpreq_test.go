package loop

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/textproto"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/sioloop/sioloop/eio"
)

// httpPollingGET is what an engine.io-client 6 polling transport sends from a
// browser.
const httpPollingGET = "GET /socket.io/?EIO=4&transport=polling&t=PkAbc9x&sid=AAAAAAAAAAAAAAAAAAAA HTTP/1.1\r\n" +
	"Host: localhost:3000\r\n" +
	"Connection: keep-alive\r\n" +
	"User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36\r\n" +
	"Accept: */*\r\n" +
	"Origin: http://localhost:8080\r\n" +
	"Referer: http://localhost:8080/\r\n" +
	"Accept-Encoding: gzip, deflate, br, zstd\r\n" +
	"Accept-Language: en-US,en;q=0.9\r\n" +
	"\r\n"

const httpPollingPOST = "POST /socket.io/?EIO=4&transport=polling&sid=AAAAAAAAAAAAAAAAAAAA HTTP/1.1\r\n" +
	"Host: localhost:3000\r\n" +
	"Content-Type: text/plain;charset=UTF-8\r\n" +
	"Content-Length: 27\r\n" +
	"\r\n" +
	"42[\"chat\",\"hello\"]\x1e42[\"x\"]!"

const httpChunkedPOST = "POST /socket.io/?EIO=4&transport=polling HTTP/1.1\r\n" +
	"Host: h\r\n" +
	"Transfer-Encoding: chunked\r\n" +
	"\r\n" +
	"5;name=value;q=\"x y\"\r\n" + // chunk extensions are skipped
	"hello\r\n" +
	"1a \r\n" + // hex, trailing whitespace
	" world, chunked encoding!!\r\n" +
	"0\r\n" +
	"X-Trailer: yes\r\n" + // trailers are skipped
	"Another: one\r\n" +
	"\r\n"

const httpWSUpgrade = "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\n" +
	"Host: localhost:3000\r\n" +
	"Connection: Upgrade\r\n" +
	"Upgrade: websocket\r\n" +
	"Sec-WebSocket-Version: 13\r\n" +
	"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" +
	"\r\n"

func mustParseRequest(t *testing.T, in string) (*request, int) {
	t.Helper()
	var r request
	var scratch []byte
	n, err := parseRequest([]byte(in), nil, &r, &scratch)
	if err != nil {
		t.Fatalf("parseRequest(%q): %v", in, err)
	}
	if n == 0 {
		t.Fatalf("parseRequest(%q): incomplete", in)
	}
	return &r, n
}

func TestParseRequestCompleteGET(t *testing.T) {
	r, n := mustParseRequest(t, httpPollingGET)
	if n != len(httpPollingGET) {
		t.Fatalf("n = %d, want %d", n, len(httpPollingGET))
	}
	for _, c := range []struct{ got, want string }{
		{string(r.method), "GET"},
		{string(r.target), "/socket.io/?EIO=4&transport=polling&t=PkAbc9x&sid=AAAAAAAAAAAAAAAAAAAA"},
		{string(r.path), "/socket.io/"},
		{string(r.query), "EIO=4&transport=polling&t=PkAbc9x&sid=AAAAAAAAAAAAAAAAAAAA"},
		{string(r.header("origin")), "http://localhost:8080"},
		{string(r.header("Accept-Encoding")), "gzip, deflate, br, zstd"},
		{string(eio.QueryParam(r.query, "sid")), "AAAAAAAAAAAAAAAAAAAA"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
	if !r.proto11 || !r.keepAlive || r.upgradeWebSocket || r.chunked || r.contentLength != -1 || len(r.body) != 0 {
		t.Errorf("proto11=%v keepAlive=%v upgrade=%v chunked=%v cl=%d body=%q",
			r.proto11, r.keepAlive, r.upgradeWebSocket, r.chunked, r.contentLength, r.body)
	}
	if r.nheaders != 8 {
		t.Errorf("nheaders = %d, want 8", r.nheaders)
	}
}

func TestParseRequestFieldsAliasInput(t *testing.T) {
	p := []byte(httpPollingPOST)
	var r request
	var scratch []byte
	if _, err := parseRequest(p, nil, &r, &scratch); err != nil {
		t.Fatal(err)
	}
	copy(p, bytes.ToLower(p[:4])) // "post"
	if string(r.method) != "post" {
		t.Errorf("method = %q: not a sub-slice of the input", r.method)
	}
}

func TestParseRequestPOSTContentLength(t *testing.T) {
	r, n := mustParseRequest(t, httpPollingPOST)
	if n != len(httpPollingPOST) {
		t.Fatalf("n = %d, want %d", n, len(httpPollingPOST))
	}
	if r.contentLength != 27 || string(r.body) != "42[\"chat\",\"hello\"]\x1e42[\"x\"]!" {
		t.Errorf("cl = %d, body = %q", r.contentLength, r.body)
	}
	if got := string(r.header("content-type")); got != "text/plain;charset=UTF-8" {
		t.Errorf("content-type = %q", got)
	}
}

func TestParseRequestChunkedDecodesIntoScratch(t *testing.T) {
	var r request
	scratch := []byte("kept:")
	n, err := parseRequest([]byte(httpChunkedPOST), nil, &r, &scratch)
	if err != nil || n != len(httpChunkedPOST) {
		t.Fatalf("n = %d, err = %v; want %d", n, err, len(httpChunkedPOST))
	}
	const want = "hello world, chunked encoding!!"
	if !r.chunked || string(r.body) != want {
		t.Errorf("chunked = %v, body = %q; want %q", r.chunked, r.body, want)
	}
	if string(scratch) != "kept:"+want {
		t.Errorf("scratch = %q: the body must be appended", scratch)
	}
	if r.header("X-Trailer") != nil {
		t.Error("trailer reported as a header")
	}
}

func TestParseRequestChunkedIncompleteLeavesScratch(t *testing.T) {
	var r request
	scratch := []byte("kept")
	for k := range len(httpChunkedPOST) {
		if n, err := parseRequest([]byte(httpChunkedPOST[:k]), nil, &r, &scratch); n != 0 || err != nil {
			t.Fatalf("prefix %d: n = %d, err = %v", k, n, err)
		}
		if string(scratch) != "kept" {
			t.Fatalf("prefix %d: scratch = %q", k, scratch)
		}
	}
}

func TestParseRequestPipelinedOneAtATime(t *testing.T) {
	in := []byte(httpPollingPOST + httpChunkedPOST + httpPollingGET)
	var r request
	var scratch []byte
	var methods, bodies []string
	for len(in) > 0 {
		n, err := parseRequest(in, nil, &r, &scratch)
		if err != nil || n == 0 {
			t.Fatalf("n = %d, err = %v, rest %q", n, err, in)
		}
		methods = append(methods, string(r.method))
		bodies = append(bodies, string(r.body))
		in = in[n:]
	}
	if got := fmt.Sprintf("%v %d %q %q", methods, len(bodies[0]), bodies[1], bodies[2]); got != `[POST POST GET] 27 "hello world, chunked encoding!!" ""` {
		t.Errorf("got %s", got)
	}
}

func TestParseRequestEveryPrefixIsIncomplete(t *testing.T) {
	for _, in := range []string{httpPollingGET, httpPollingPOST, httpChunkedPOST, httpWSUpgrade,
		"\r\n\nGET / HTTP/1.0\n\n", "POST / HTTP/1.1\nHost: h\nContent-Length: 0\n\n"} {
		var r request
		var scratch []byte
		for k := range len(in) {
			n, err := parseRequest([]byte(in[:k]), nil, &r, &scratch)
			if n != 0 || err != nil {
				t.Fatalf("%q: prefix %d: n = %d, err = %v; want incomplete", in, k, n, err)
			}
		}
		// Complete, and still so with the next request's first bytes.
		for _, tail := range []string{"", "G", "GET / HTTP/1.1\r\n"} {
			n, err := parseRequest([]byte(in+tail), nil, &r, &scratch)
			if n != len(in) || err != nil {
				t.Fatalf("%q+%q: n = %d, err = %v; want %d", in, tail, n, err, len(in))
			}
		}
	}
}

func TestParseRequestAcceptsBareLF(t *testing.T) {
	in := "POST /x?a=1 HTTP/1.1\nHost: h\r\nContent-Length: 3\n\nabc"
	r, n := mustParseRequest(t, in)
	if n != len(in) || string(r.body) != "abc" || string(r.header("host")) != "h" {
		t.Errorf("n = %d, body = %q, host = %q", n, r.body, r.header("host"))
	}
}

func TestParseRequestSkipsLeadingEmptyLines(t *testing.T) {
	in := "\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n"
	r, n := mustParseRequest(t, in)
	if n != len(in) || string(r.method) != "GET" {
		t.Errorf("n = %d, method = %q", n, r.method)
	}
}

func TestParseRequestKeepAlive(t *testing.T) {
	for _, c := range []struct {
		proto, conn string // conn "" = no Connection header
		want        bool
	}{
		{"HTTP/1.1", "", true},
		{"HTTP/1.1", "keep-alive", true},
		{"HTTP/1.1", "close", false},
		{"HTTP/1.1", "CLOSE", false},
		{"HTTP/1.1", "Upgrade, Close", false},
		{"HTTP/1.1", "closed", true},
		{"HTTP/1.0", "", false},
		{"HTTP/1.0", "close", false},
		{"HTTP/1.0", "Keep-Alive", true},
		{"HTTP/1.0", "foo ,  keep-alive ", true},
		{"HTTP/1.0", "keep-alive, close", false},
	} {
		in := "GET / " + c.proto + "\r\nHost: h\r\n"
		if c.conn != "" {
			in += "Connection: " + c.conn + "\r\n"
		}
		r, _ := mustParseRequest(t, in+"\r\n")
		if r.keepAlive != c.want {
			t.Errorf("%s Connection: %q: keepAlive = %v, want %v", c.proto, c.conn, r.keepAlive, c.want)
		}
	}
}

func TestParseRequestKeepAliveAcrossConnectionHeaders(t *testing.T) {
	r, _ := mustParseRequest(t, "GET / HTTP/1.1\r\nHost: h\r\nConnection: keep-alive\r\nConnection: close\r\n\r\n")
	if r.keepAlive {
		t.Error("a close token in the second Connection header must count")
	}
}

func TestParseRequestUpgradeWebSocket(t *testing.T) {
	for _, c := range []struct {
		headers string
		want    bool
	}{
		{"Connection: Upgrade\r\nUpgrade: websocket\r\n", true},
		{"Connection: keep-alive, Upgrade\r\nUpgrade: WebSocket\r\n", true}, // Firefox
		{"Connection: UPGRADE\r\nUpgrade:  websocket \r\n", true},
		{"Connection: keep-alive\r\nConnection: upgrade\r\nUpgrade: websocket\r\n", true},
		{"Upgrade: websocket\r\n", false},
		{"Connection: Upgrade\r\n", false},
		{"Connection: Upgrade\r\nUpgrade: h2c\r\n", false},
		{"Connection: Upgraded\r\nUpgrade: websocket\r\n", false},
		{"Connection: Upgrade\r\nUpgrade: websocket, h2c\r\n", false}, // Node's ws wants exactly "websocket"
	} {
		r, _ := mustParseRequest(t, "GET /socket.io/ HTTP/1.1\r\nHost: h\r\n"+c.headers+"\r\n")
		if r.upgradeWebSocket != c.want {
			t.Errorf("%q: upgradeWebSocket = %v, want %v", c.headers, r.upgradeWebSocket, c.want)
		}
	}
}

func TestParseRequestErrorStatus(t *testing.T) {
	lim := &parseLimits{maxHeaderBytes: 256, maxBodyBytes: 100}
	long := strings.Repeat("a", 300)
	many := strings.Repeat("X-A: b\r\n", maxHeaders+1)
	for _, c := range []struct {
		name, in string
		status   int
		want     *httpError
	}{
		{"no target", "GET HTTP/1.1\r\nHost: h\r\n\r\n", 400, errRequestLine},
		{"double space", "GET  / HTTP/1.1\r\nHost: h\r\n\r\n", 400, errRequestLine},
		{"method not a token", "G(T / HTTP/1.1\r\nHost: h\r\n\r\n", 400, errRequestLine},
		{"control byte in target", "GET /\x01 HTTP/1.1\r\nHost: h\r\n\r\n", 400, errRequestLine},
		{"space in target", "GET / x HTTP/1.1\r\nHost: h\r\n\r\n", 400, errHTTPVersion},
		{"HTTP/2.0", "GET / HTTP/2.0\r\nHost: h\r\n\r\n", 400, errHTTPVersion},
		{"HTTP/1.2", "GET / HTTP/1.2\r\nHost: h\r\n\r\n", 400, errHTTPVersion},
		{"lower-case version", "GET / http/1.1\r\nHost: h\r\n\r\n", 400, errHTTPVersion},
		{"h2 preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 400, errHTTPVersion},
		{"bare CR line end", "GET / HTTP/1.1\rHost: h\r\n\r\n", 400, errHTTPVersion},
		{"bare CR before request line", "\rGET / HTTP/1.1\r\n", 400, errRequestLine},
		{"bare CR in value", "GET / HTTP/1.1\r\nHost: h\r\nX: a\rb\r\n\r\n", 400, errHeaderLine},
		{"NUL in value", "GET / HTTP/1.1\r\nHost: h\r\nX: a\x00b\r\n\r\n", 400, errHeaderLine},
		{"no colon", "GET / HTTP/1.1\r\nHost: h\r\nX-A\r\n\r\n", 400, errHeaderLine},
		{"empty name", "GET / HTTP/1.1\r\nHost: h\r\n: v\r\n\r\n", 400, errHeaderLine},
		{"space before colon", "GET / HTTP/1.1\r\nHost: h\r\nX-A : v\r\n\r\n", 400, errHeaderLine},
		{"space in name", "GET / HTTP/1.1\r\nHost: h\r\nX A: v\r\n\r\n", 400, errHeaderLine},
		{"obs-fold", "GET / HTTP/1.1\r\nHost: h\r\nX-A: v\r\n  w\r\n\r\n", 400, errObsFold},
		{"obs-fold first line", "GET / HTTP/1.1\r\n\tHost: h\r\n\r\n", 400, errObsFold},
		{"missing Host", "GET / HTTP/1.1\r\n\r\n", 400, errHost},
		{"two Hosts", "GET / HTTP/1.0\r\nHost: a\r\nHost: a\r\n\r\n", 400, errHost},
		{"CL not a number", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1x\r\n\r\n", 400, errContentLength},
		{"CL signed", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: +1\r\n\r\n", 400, errContentLength},
		{"CL empty", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length:\r\n\r\n", 400, errContentLength},
		{"CL list", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1, 1\r\n\r\n", 400, errContentLength},
		{"CL overflow", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 9223372036854775808\r\n\r\n", 400, errContentLength},
		{"CL conflict", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", 400, errContentLength},
		{"CL and chunked", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n", 400, errCLAndChunked},
		{"TE in HTTP/1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400, errTEOnHTTP10},
		{"TE gzip", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501, errTransferEnc},
		{"TE twice", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", 501, errTransferEnc},
		{"chunk size not hex", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nz\r\n", 400, errChunked},
		{"chunk size empty", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n;x\r\n", 400, errChunked},
		{"chunk size 17 digits", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n00000000000000001\r\n", 400, errChunked},
		{"chunk line bare LF", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n1\nx\r\n", 400, errChunked},
		{"chunk data without CRLF", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nxy\r\n", 400, errChunked},
		{"chunk line too long", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n1;" + strings.Repeat("e", maxChunkLineBytes) + "\r\n", 400, errChunked},
		{"chunk overhead", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n" + strings.Repeat("1;"+strings.Repeat("e", 1000)+"\r\nx\r\n", 20), 400, errChunkOverhead},
		{"bad trailer", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nno colon\r\n\r\n", 400, errHeaderLine},
		{"line too long, no blank line yet", "GET /" + long, 431, errHeaderTooLarge},
		{"headers too long, no blank line yet", "GET / HTTP/1.1\r\nHost: h\r\nX: " + long, 431, errHeaderTooLarge},
		{"head over limit", "GET / HTTP/1.1\r\nHost: h\r\nX: " + long[:230] + "\r\n\r\n", 431, errHeaderTooLarge},
		{"too many headers", "GET / HTTP/1.1\r\nHost: h\r\n" + many + "\r\n", 431, errTooManyHeaders},
		{"CL over limit, body not sent", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 101\r\n\r\n", 413, errBodyTooLarge},
		{"chunked growing over limit", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n40\r\n" + strings.Repeat("x", 64) + "\r\n25\r\n", 413, errBodyTooLarge},
		{"trailers over limit", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX: " + long + "\r\n\r\n", 431, errHeaderTooLarge},
	} {
		l := lim
		if c.name == "too many headers" {
			l = nil // 8 KiB: the count, not the size, must trip
		}
		var r request
		var scratch []byte
		n, err := parseRequest([]byte(c.in), l, &r, &scratch)
		if err == nil {
			t.Errorf("%s: n = %d, no error; want %d", c.name, n, c.status)
			continue
		}
		if got := httpErrorStatus(err); got != c.status || err != c.want || n != 0 {
			t.Errorf("%s: n = %d, status %d (%v); want %d (%v)", c.name, n, got, err, c.status, c.want)
		}
		if !strings.HasPrefix(err.Error(), "loop: ") {
			t.Errorf("%s: error %q lacks the package prefix", c.name, err)
		}
	}
}

func TestParseRequestLimitsAreInclusive(t *testing.T) {
	in := "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello"
	head := strings.Index(in, "\r\n\r\n") + 4
	var r request
	var scratch []byte
	n, err := parseRequest([]byte(in), &parseLimits{maxHeaderBytes: head, maxBodyBytes: 5}, &r, &scratch)
	if n != len(in) || err != nil {
		t.Fatalf("at the limits: n = %d, err = %v", n, err)
	}
	_, err = parseRequest([]byte(in), &parseLimits{maxHeaderBytes: head - 1, maxBodyBytes: 5}, &r, &scratch)
	if httpErrorStatus(err) != 431 {
		t.Errorf("one header byte over: %v", err)
	}
	_, err = parseRequest([]byte(in), &parseLimits{maxHeaderBytes: head, maxBodyBytes: 4}, &r, &scratch)
	if httpErrorStatus(err) != 413 {
		t.Errorf("one body byte over: %v", err)
	}
}

func TestParseRequestAcceptsRepeatedEqualContentLength(t *testing.T) {
	r, _ := mustParseRequest(t, "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\ncontent-length:  2\r\n\r\nab")
	if string(r.body) != "ab" {
		t.Errorf("body = %q", r.body)
	}
}

func TestRequestHeaderIsCaseInsensitive(t *testing.T) {
	r, _ := mustParseRequest(t, "GET / HTTP/1.1\r\nhOsT: h\r\nX-Empty:\r\nX-Dup: 1\r\nx-dup: 2\r\nX-Pad: \t v a \t\r\n\r\n")
	for _, c := range []struct {
		name string
		want []byte
	}{
		{"Host", []byte("h")},
		{"HOST", []byte("h")},
		{"x-dup", []byte("1")},
		{"X-Pad", []byte("v a")},
		{"X-Empty", []byte{}},
		{"X-Missing", nil},
		{"Hos", nil},
	} {
		got := r.header(c.name)
		if !bytes.Equal(got, c.want) || (got == nil) != (c.want == nil) {
			t.Errorf("header(%q) = %q (nil %v), want %q (nil %v)", c.name, got, got == nil, c.want, c.want == nil)
		}
	}
}

// checkAgainstNetHTTP parses the complete request p[:n] (as parseRequest
// found it) with net/http and, when net/http accepts it too, checks that
// both agree. net/http is laxer in places (obs-fold, TE on HTTP/1.0) and
// stricter in others (escapes in the target, some chunk extensions), so a
// net/http error is not a failure.
func checkAgainstNetHTTP(t *testing.T, p []byte, r *request) {
	t.Helper()
	p = bytes.TrimLeft(p, "\r\n") // net/http does not skip leading empty lines
	req, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(p)))
	if err != nil {
		return
	}
	body, bodyErr := io.ReadAll(req.Body)
	if req.Method != string(r.method) || req.RequestURI != string(r.target) || req.ProtoMinor != map[bool]int{true: 1, false: 0}[r.proto11] {
		t.Fatalf("request line: net/http %q %q %q, ours %q %q %v", req.Method, req.RequestURI, req.Proto, r.method, r.target, r.proto11)
	}
	if req.Close == r.keepAlive {
		t.Fatalf("net/http Close = %v, ours keepAlive = %v", req.Close, r.keepAlive)
	}
	if r.chunked != (len(req.TransferEncoding) == 1) || r.contentLength >= 0 && req.ContentLength != r.contentLength {
		t.Fatalf("framing: net/http TE %q CL %d, ours chunked %v CL %d", req.TransferEncoding, req.ContentLength, r.chunked, r.contentLength)
	}
	if bodyErr == nil && !bytes.Equal(body, r.body) {
		t.Fatalf("body: net/http %q, ours %q", body, r.body)
	}
	for _, h := range r.headers[:r.nheaders] {
		key := textproto.CanonicalMIMEHeaderKey(string(h.name))
		switch key {
		case "Host", "Transfer-Encoding", "Content-Length":
			continue // net/http moves or rewrites them
		}
		found := false
		for _, v := range req.Header[key] {
			found = found || v == string(h.value)
		}
		if !found {
			t.Fatalf("header %q: %q, net/http has %q", h.name, h.value, req.Header[key])
		}
	}
}

func TestParseRequestAgreesWithNetHTTP(t *testing.T) {
	for _, in := range []string{httpPollingGET, httpPollingPOST, httpChunkedPOST, httpWSUpgrade,
		"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
		"POST /a?b HTTP/1.1\nHost: h\nContent-Length: 3\n\nxyz"} {
		r, n := mustParseRequest(t, in)
		checkAgainstNetHTTP(t, []byte(in[:n]), r)
	}
}

func TestHTTPAppendResponseHead(t *testing.T) {
	for _, c := range []struct {
		status    int
		ctype     string
		length    int
		keepAlive bool
		extra     string
		want      string
	}{
		{200, "text/plain; charset=UTF-8", 2, true, "", "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Length: 2\r\n\r\n"},
		{400, "application/json", 35, false, "Vary: Origin\r\n", "HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nVary: Origin\r\nContent-Length: 35\r\nConnection: close\r\n\r\n"},
		{204, "", 0, true, "", "HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n"},
		{101, "", -1, true, "Upgrade: websocket\r\nConnection: Upgrade\r\n", "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"},
		{599, "", 0, true, "", "HTTP/1.1 599 unknown\r\nContent-Length: 0\r\n\r\n"},
	} {
		got := appendResponseHead([]byte("prev"), c.status, c.ctype, c.length, c.keepAlive, []byte(c.extra))
		if string(got) != "prev"+c.want {
			t.Errorf("got %q\nwant %q", got, "prev"+c.want)
		}
		if _, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(got[4:])), nil); err != nil {
			t.Errorf("net/http cannot read %q: %v", got[4:], err)
		}
	}
}

func TestHTTPStatusTextMatchesNode(t *testing.T) {
	// Node's http.STATUS_CODES, which the official server's responses
	// carry; "unknown" for the codes it lacks.
	out, err := exec.Command("node", "-e", "process.stdout.write(JSON.stringify(require('http').STATUS_CODES))").Output()
	if err != nil {
		t.Fatalf("node (on PATH, as for every interop test): %v", err)
	}
	var node map[string]string
	if err := json.Unmarshal(out, &node); err != nil {
		t.Fatal(err)
	}
	for code := 100; code <= 999; code++ {
		want, ok := node[strconv.Itoa(code)]
		if !ok {
			want = "unknown"
		}
		if got := statusText(code); got != want {
			t.Errorf("statusText(%d) = %q, Node says %q", code, got, want)
		}
	}
}

func TestParseRequestAllocatesNothing(t *testing.T) {
	for _, in := range []string{httpPollingGET, httpPollingPOST, httpWSUpgrade, httpChunkedPOST} {
		p := []byte(in)
		var r request
		scratch := make([]byte, 0, 256)
		allocs := testing.AllocsPerRun(100, func() {
			scratch = scratch[:0]
			if n, err := parseRequest(p, nil, &r, &scratch); n != len(p) || err != nil {
				t.Fatal(n, err)
			}
			_ = r.header("origin")
			_ = eio.QueryParam(r.query, "sid")
		})
		if allocs != 0 {
			t.Errorf("%.40q: %v allocs per parse", in, allocs)
		}
	}
}

func BenchmarkParseRequest(b *testing.B) {
	for _, bc := range []struct{ name, in string }{
		{"PollingGET", httpPollingGET},
		{"PollingPOST", httpPollingPOST},
		{"WebSocketUpgrade", httpWSUpgrade},
		{"ChunkedPOST", httpChunkedPOST},
	} {
		b.Run(bc.name, func(b *testing.B) {
			p := []byte(bc.in)
			var r request
			scratch := make([]byte, 0, 256)
			b.ReportAllocs()
			b.SetBytes(int64(len(p)))
			for b.Loop() {
				scratch = scratch[:0]
				if n, err := parseRequest(p, nil, &r, &scratch); n != len(p) || err != nil {
					b.Fatal(n, err)
				}
			}
		})
	}
}

func BenchmarkAppendResponseHead(b *testing.B) {
	buf := make([]byte, 0, 512)
	extra := []byte("Access-Control-Allow-Origin: http://localhost:8080\r\nVary: Origin\r\n")
	b.ReportAllocs()
	for b.Loop() {
		buf = appendResponseHead(buf[:0], 200, "text/plain; charset=UTF-8", 123, true, extra)
	}
	b.SetBytes(int64(len(buf)))
}
