package loop

import (
	"fmt"
	"strings"
	"testing"
)

// FuzzParseRequest splits each input into two reads, as the loop sees
// them: the prefix is parsed first, then the whole input with the same
// request and scratch buffer. The incremental contract must hold: no
// panic, n within the input, a decision (error or complete request) on
// the prefix is the same decision on the whole, and reusing the request
// and scratch gives what a fresh parse gives. A complete request is also
// checked against net/http where net/http accepts it.
func FuzzParseRequest(f *testing.F) {
	for _, s := range []string{
		httpPollingGET, httpPollingPOST, httpChunkedPOST, httpWSUpgrade,
		httpPollingPOST + httpPollingGET,
		httpChunkedPOST + httpChunkedPOST,
		"\r\n\nGET / HTTP/1.0\n\n",
		"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
		"POST /x?a=1 HTTP/1.1\nHost: h\r\nContent-Length: 3\n\nabc",
		"GET / HTTP/1.1\r\nHost: h\r\nX-A: v\r\n  w\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: h\r\nX-A : v\r\n\r\n",
		"GET / HTTP/2.0\r\nHost: h\r\n\r\n",
		"GET / HTTP/1.1\rHost: h\r\n\r\n",
		"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n",
		"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
		"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1000001\r\n\r\n",
		"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nffffff\r\n",
		"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n1\nx\r\n0\r\n\r\n",
		"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nT: 1\r\n\r\n",
		"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
		"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: h\r\n" + strings.Repeat("X: y\r\n", maxHeaders+1) + "\r\n",
		"GET /" + strings.Repeat("a", 300),
	} {
		f.Add([]byte(s), uint16(len(s)/2))
	}
	f.Fuzz(func(t *testing.T, p []byte, split uint16) {
		k := int(split) % (len(p) + 1)
		// Small limits, so that the fuzzer reaches them with inputs its
		// minimizer (quadratic in the input's length) can still handle.
		lim := &parseLimits{maxHeaderBytes: 1 << 10, maxBodyBytes: 1 << 10}
		if split&1 == 1 {
			lim = &parseLimits{maxHeaderBytes: 200, maxBodyBytes: 16}
		}
		var r request
		var scratch []byte

		n1, err1 := parseRequest(p[:k], lim, &r, &scratch)
		checkParseResult(t, "prefix", k, n1, err1)
		n2, err2 := parseRequest(p, lim, &r, &scratch)
		checkParseResult(t, "whole", len(p), n2, err2)
		got := describeRequest(&r, n2, err2)

		if err1 != nil && err1 != err2 {
			t.Fatalf("prefix %d failed with %v, whole with %v", k, err1, err2)
		}
		if n1 > 0 && (n1 != n2 || describeRequest(&r, n2, err2) != got) {
			t.Fatalf("prefix %d complete at %d, whole at %d", k, n1, n2)
		}
		var fresh request
		var freshScratch []byte
		n3, err3 := parseRequest(p, lim, &fresh, &freshScratch)
		if want := describeRequest(&fresh, n3, err3); got != want {
			t.Fatalf("after a prefix: %s\nfresh: %s", got, want)
		}
		if n2 > 0 {
			checkAgainstNetHTTP(t, p[:n2], &r)
		}
	})
}

func checkParseResult(t *testing.T, what string, size, n int, err error) {
	t.Helper()
	if n < 0 || n > size {
		t.Fatalf("%s: n = %d for %d bytes", what, n, size)
	}
	if err != nil {
		if n != 0 {
			t.Fatalf("%s: n = %d with error %v", what, n, err)
		}
		switch httpErrorStatus(err) {
		case 400, 413, 431, 501:
		default:
			t.Fatalf("%s: error %v has status %d", what, err, httpErrorStatus(err))
		}
	}
}

// describe renders everything parseRequest reports, to compare parses.
func describeRequest(r *request, n int, err error) string {
	if err != nil || n == 0 {
		return fmt.Sprint(n, err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d %q %q %q %q %v cl=%d ch=%v ka=%v up=%v body=%q",
		n, r.method, r.target, r.path, r.query, r.proto11, r.contentLength,
		r.chunked, r.keepAlive, r.upgradeWebSocket, r.body)
	for _, h := range r.headers[:r.nheaders] {
		fmt.Fprintf(&b, " %q=%q", h.name, h.value)
	}
	return b.String()
}
