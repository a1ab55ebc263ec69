package sio

import (
	"testing"

	"github.com/sioloop/sioloop/eio"
)

// The namespace field of a socket.io-client 2.x CONNECT, read as socket.io
// 4.8 reads it (new URL(nsp).pathname, then Object.fromEntries of its
// searchParams).
func TestV3NamespaceQueryIsTheAuth(t *testing.T) {
	for _, tc := range []struct{ nsp, path, auth string }{
		{"/admin?token=abc", "/admin", `{"token":"abc"}`},
		{"/admin", "/admin", ""},
		{"/admin?", "/admin", ""},
		{"/a?x=1&y=%C3%A9+z&x=2&flag", "/a", `{"x":"2","y":"é z","flag":""}`},
		{"/a?q=%22%5C", "/a", `{"q":"\"\\"}`},
	} {
		path := namespacePathV3([]byte(tc.nsp))
		auth := authFromQueryV3([]byte(tc.nsp)[len(path):])
		if string(path) != tc.path || string(auth) != tc.auth {
			t.Errorf("%q: path %q auth %s, want %q %s", tc.nsp, path, auth, tc.path, tc.auth)
		}
	}
}

func TestV3SocketIDIsTheSessionID(t *testing.T) {
	var sid eio.SID
	copy(sid[:], "AbCdEfGhIjKlMnOpQrSt")
	if got := socketIDV3(sid, "/"); got != "AbCdEfGhIjKlMnOpQrSt" {
		t.Errorf("main namespace: %q", got)
	}
	if got := socketIDV3(sid, "/admin"); got != "/admin#AbCdEfGhIjKlMnOpQrSt" {
		t.Errorf("/admin: %q", got)
	}
}
