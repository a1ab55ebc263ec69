package sio

import (
	"net"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/sioloop/sioloop/eio"
)

// The packed handshake gives back exactly the request's fields: checked
// against the naive reading of the request (every header Add-ed as is).
func TestHandshakePacksAndUnpacksEveryField(t *testing.T) {
	long := strings.Repeat("v", 300) // a two-byte length prefix
	cases := []struct {
		name    string
		addr    net.Addr
		wantA   string
		headers [][2]string
	}{
		{"websocket client", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 2), Port: 54321}, "127.0.0.2", [][2]string{
			{"Host", "127.0.0.1:3000"}, {"Upgrade", "websocket"}, {"Connection", "Upgrade"},
			{"Sec-WebSocket-Version", "13"}, {"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="},
		}},
		{"browser, lower case", &net.TCPAddr{IP: net.ParseIP("::1"), Port: 443}, "::1", [][2]string{
			{"host", "example.com"}, {"connection", "upgrade"}, {"user-agent", "Mozilla/5.0"},
			{"accept-encoding", "gzip, deflate, br, zstd"}, {"origin", "https://example.com"},
			{"sec-websocket-extensions", "permessage-deflate; client_max_window_bits"},
		}},
		{"literals, empty and long values, repeats", &net.TCPAddr{IP: net.ParseIP("fe80::1"), Port: 1, Zone: "eth0"}, "fe80::1%eth0", [][2]string{
			{"X-Custom", ""}, {"X-Long", long}, {"Cookie", "a=1"}, {"Cookie", "b=2"}, {"Host", ""},
			{"Accept", "text/html"}, {"Accept", "*/*"},
		}},
		{"unix socket", &net.UnixAddr{Name: "/tmp/s", Net: "unix"}, "/tmp/s", nil},
		{"no address", nil, "", [][2]string{{"Pragma", "no-cache"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := &eio.Request{Path: []byte("/socket.io/"), RawQuery: []byte("EIO=4&transport=websocket&x=%20"), RemoteAddr: c.addr}
			want := http.Header{}
			for _, h := range c.headers {
				r.Headers = append(r.Headers, eio.Header{Name: []byte(h[0]), Value: []byte(h[1])})
				want.Add(h[0], h[1])
			}
			hd := newHandshakeData(r)
			if n := appendHandshake(sizer{}, r, 0).n; len(hd.raw) != n {
				t.Fatalf("packed in %d bytes, sized %d", len(hd.raw), n)
			}
			s := &Socket{client: &client{hs: hd}, auth: &emptyAuth}
			h := s.Handshake()
			if !reflect.DeepEqual(h.Headers, want) {
				t.Fatalf("headers %v, want %v", h.Headers, want)
			}
			if h.Address != c.wantA || h.URL != "/socket.io/?EIO=4&transport=websocket&x=%20" || h.Query.Get("x") != " " {
				t.Fatalf("address %q, url %q, query %v", h.Address, h.URL, h.Query)
			}
			if h.XDomain != (want.Get("Origin") != "") {
				t.Fatalf("xdomain %v", h.XDomain)
			}
		})
	}
}

// A WebSocket handshake from a non-browser client packs into 64 bytes,
// its time and TLS flag included; the path and the query it gives back are
// the request's, packed as one byte each or not.
func TestHandshakeOfAWebSocketClientIsSmall(t *testing.T) {
	r := &eio.Request{Path: []byte("/socket.io/"), RawQuery: []byte("EIO=4&transport=websocket"),
		RemoteAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 2), Port: 54321}}
	for _, h := range [][2]string{{"Host", "127.0.0.1:3000"}, {"Upgrade", "websocket"}, {"Connection", "Upgrade"},
		{"Sec-WebSocket-Version", "13"}, {"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="}} {
		r.Headers = append(r.Headers, eio.Header{Name: []byte(h[0]), Value: []byte(h[1])})
	}
	if n := len(newHandshakeData(r).raw); n > 64 {
		t.Fatalf("%d bytes", n)
	}
	for _, u := range [][2]string{{"/socket.io/", "EIO=4&transport=websocket"}, {"/io/", "EIO=4&transport=polling&t=P1"}, {"/", ""}} {
		r.Path, r.RawQuery, r.Secure = []byte(u[0]), []byte(u[1]), u[1] == ""
		before := time.Now()
		s := &Socket{client: &client{hs: newHandshakeData(r)}, auth: &emptyAuth}
		h := s.Handshake()
		want := u[0]
		if u[1] != "" {
			want += "?" + u[1]
		}
		if h.URL != want || h.Secure != r.Secure || h.Time.Before(before.Truncate(time.Nanosecond)) || h.Time.After(time.Now()) || h.Issued != h.Time.UnixMilli() {
			t.Fatalf("url %q secure %v time %v issued %d, want %q %v", h.URL, h.Secure, h.Time, h.Issued, want, r.Secure)
		}
	}
}
