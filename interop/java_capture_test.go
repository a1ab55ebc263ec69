package interop

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// The official Java client (socket.io-client-java 2.x on engine.io-client-java
// 2.x and OkHttp 3.12) cannot be built here: Maven Central is out of reach
// (`mvn dependency:get` fails to resolve anything). These tests replay its
// long-polling requests byte for byte instead, as its sources write them:
// PollingXHR sets "Accept: */*" and a text/plain;charset=UTF-8 body, OkHttp
// adds Content-Length, Host, Connection, Accept-Encoding and User-Agent, and
// its Parser encodes binary for polling as "b" + Base64.encodeToString(data,
// Base64.DEFAULT): standard base64 with a "\n" every 76 characters and at the
// end.

// javaClient speaks HTTP/1.1 on one keep-alive connection as OkHttp does.
type javaClient struct {
	t    *testing.T
	host string
	conn net.Conn
	br   *bufio.Reader
	sid  string
}

func newJavaClient(t *testing.T, baseURL string) *javaClient {
	t.Helper()
	host := strings.TrimPrefix(baseURL, "http://")
	c, err := net.DialTimeout("tcp", host, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &javaClient{t: t, host: host, conn: c, br: bufio.NewReader(c)}
}

// do sends one request exactly as the Java client does and returns the
// response's status and body.
func (jc *javaClient) do(method, body string) (int, string) {
	jc.t.Helper()
	target := "/socket.io/?EIO=4&transport=polling&t=Oh3kQ2x"
	if jc.sid != "" {
		target += "&sid=" + jc.sid
	}
	var req strings.Builder
	fmt.Fprintf(&req, "%s %s HTTP/1.1\r\nAccept: */*\r\n", method, target)
	if method == "POST" {
		fmt.Fprintf(&req, "Content-Type: text/plain;charset=UTF-8\r\nContent-Length: %d\r\n", len(body))
	}
	fmt.Fprintf(&req, "Host: %s\r\nConnection: Keep-Alive\r\nAccept-Encoding: gzip\r\nUser-Agent: okhttp/3.12.12\r\n\r\n%s", jc.host, body)
	_ = jc.conn.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(jc.conn, req.String()); err != nil {
		jc.t.Fatal(err)
	}
	res, err := http.ReadResponse(jc.br, nil)
	if err != nil {
		jc.t.Fatalf("%s: %v", method, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body) // gzip is undone by net/http as by OkHttp
	if err != nil {
		jc.t.Fatal(err)
	}
	return res.StatusCode, string(b)
}

// connect opens the session and joins "/", as the Java client does.
func (jc *javaClient) connect() {
	jc.t.Helper()
	status, body := jc.do("GET", "")
	var open struct{ SID string }
	if status != 200 || !strings.HasPrefix(body, "0") || json.Unmarshal([]byte(body[1:]), &open) != nil {
		jc.t.Fatalf("handshake: %d %q", status, body)
	}
	jc.sid = open.SID
	if status, body := jc.do("POST", "40"); status != 200 || body != "ok" {
		jc.t.Fatalf("CONNECT: %d %q", status, body)
	}
	if status, body := jc.do("GET", ""); status != 200 || !strings.HasPrefix(body, "40{") {
		jc.t.Fatalf("CONNECT answer: %d %q", status, body)
	}
}

// The Java client's binary emit over polling: the event and its attachment in
// one POST, the attachment in line-wrapped base64. Node decodes it; the ack
// carries the bytes back.
func TestJavaClientBinaryOverPolling(t *testing.T) {
	jc := newJavaClient(t, startSIO(t))
	jc.connect()
	// socket.emit("echo", new byte[]{1, 2, 3, (byte) 0xff}, ack) and, for a
	// longer attachment, the wrap every 76 characters.
	long := make([]byte, 100)
	for i := range long {
		long[i] = byte(i)
	}
	wrapped := javaBase64(long)
	if !strings.Contains(wrapped, "\n") || strings.Index(wrapped, "\n") != 76 {
		t.Fatalf("javaBase64 does not wrap at 76: %q", wrapped)
	}
	body := `451-0["echo",{"_placeholder":true,"num":0}]` + "\x1eb" + "AQID/w==\n" +
		"\x1e" + `451-1["echo",{"_placeholder":true,"num":0}]` + "\x1eb" + wrapped
	if status, got := jc.do("POST", body); status != 200 || got != "ok" {
		t.Fatalf("binary POST: %d %q", status, got)
	}
	want := `461-0[{"_placeholder":true,"num":0}]` + "\x1ebAQID/w==" +
		"\x1e" + `461-1[{"_placeholder":true,"num":0}]` + "\x1eb" + strings.ReplaceAll(wrapped, "\n", "")
	var got string
	for len(got) < len(want) {
		status, more := jc.do("GET", "")
		if status != 200 {
			t.Fatalf("GET: %d %q", status, more)
		}
		if got != "" {
			got += "\x1e"
		}
		got += more
	}
	if got != want {
		t.Fatalf("acks = %q, want %q", got, want)
	}
}

// javaBase64 is android.util.Base64.encodeToString(data, DEFAULT), which
// engine.io-client-java bundles: standard base64, "\n" after every 76
// characters and at the end.
func javaBase64(data []byte) string {
	enc := base64.StdEncoding.EncodeToString(data)
	var b strings.Builder
	for len(enc) > 76 {
		b.WriteString(enc[:76] + "\n")
		enc = enc[76:]
	}
	b.WriteString(enc + "\n")
	return b.String()
}
