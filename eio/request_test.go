package eio_test

import (
	"bytes"
	"net/url"
	"reflect"
	"testing"

	"github.com/sioloop/sioloop/eio"
)

// What engine.io reads from a query (new URL(req.url).searchParams, then
// Object.fromEntries), printed by Node 20 for each query here.
func TestQueryParamDecodesAsEngineIO(t *testing.T) {
	q := []byte("%45IO=4&transport=%70olling&flag&&empty=&sid=first&%73id=a%2Bb+c&j=%zz%4")
	for _, c := range []struct {
		name string
		want []byte
	}{
		{"EIO", []byte("4")},             // escaped key
		{"transport", []byte("polling")}, // escaped value
		{"flag", []byte{}},
		{"empty", []byte{}},
		{"sid", []byte("a+b c")}, // the last one wins; its key was escaped
		{"j", []byte("%zz%4")},   // a bad escape stays as it is
		{"missing", nil},
		{"EI", nil},
	} {
		got := eio.QueryParam(q, c.name)
		if !bytes.Equal(got, c.want) || (got == nil) != (c.want == nil) {
			t.Errorf("QueryParam(%q) = %q (nil %v), want %q", c.name, got, got == nil, c.want)
		}
	}
	if got := eio.QueryParam(nil, "EIO"); got != nil {
		t.Errorf("no query: %q", got)
	}
}

func TestParseQueryKeepsTheLastValueOfEachKey(t *testing.T) {
	// node -e 'console.log(Object.fromEntries(new URL("/x?a=1&a=2&=x&&b&a+b=c+d&k=%C3%A9&bad=%FF", "http://h").searchParams))'
	got := eio.ParseQuery([]byte("a=1&a=2&=x&&b&a+b=c+d&k=%C3%A9&bad=%FF"))
	want := url.Values{"a": {"2"}, "": {"x"}, "b": {""}, "a b": {"c d"}, "k": {"é"}, "bad": {"\uFFFD"}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("ParseQuery = %v, want %v", got, want)
	}
}

func TestQueryParamWithoutEscapesDoesNotAllocate(t *testing.T) {
	q := []byte("EIO=4&transport=polling&t=PkAbc9x&sid=AAAAAAAAAAAAAAAAAAAA")
	if n := testing.AllocsPerRun(100, func() { _ = eio.QueryParam(q, "sid") }); n != 0 {
		t.Fatalf("%v allocs", n)
	}
}

// A handshake whose keys are percent-encoded passes Check, as in Node.
func TestCheckAcceptsEscapedQueryKeys(t *testing.T) {
	srv := eio.NewServer(nil)
	q, err := srv.Check(&eio.Request{Method: []byte("GET"), RawQuery: []byte("%45IO=4&transport=polling")}, false)
	if err != nil || string(q.EIO) != "4" || string(q.Transport) != "polling" {
		t.Fatalf("Check = %+v, %v", q, err)
	}
}
