package loop

import (
	"net/http"
	"strconv"
)

// appendResponseHead appends a response head to dst: the status line,
// "Content-Type" when contentType is not empty, the header lines already
// formatted in extra (each ending in CRLF; may be nil), "Content-Length"
// unless contentLength < 0 (pass -1 for 101 and other bodiless heads),
// "Connection: close" when !keepAlive, and the blank line. It allocates
// only if dst must grow. status must be a 3-digit code.
func appendResponseHead(dst []byte, status int, contentType string, contentLength int, keepAlive bool, extra []byte) []byte {
	dst = append(dst, "HTTP/1.1 "...)
	dst = strconv.AppendInt(dst, int64(status), 10)
	dst = append(dst, ' ')
	dst = append(dst, statusText(status)...)
	dst = append(dst, "\r\n"...)
	if contentType != "" {
		dst = append(dst, "Content-Type: "...)
		dst = append(dst, contentType...)
		dst = append(dst, "\r\n"...)
	}
	dst = append(dst, extra...)
	if contentLength >= 0 {
		dst = append(dst, "Content-Length: "...)
		dst = strconv.AppendInt(dst, int64(contentLength), 10)
		dst = append(dst, "\r\n"...)
	}
	if !keepAlive {
		dst = append(dst, "Connection: close\r\n"...)
	}
	return append(dst, "\r\n"...)
}

// statusText returns the reason phrase the server sends with code, as
// Node's http.STATUS_CODES: Go's where they agree, Node's five where they
// differ, "unknown" (Node's word) for codes neither knows.
func statusText(code int) string {
	switch code {
	case 413:
		return "Payload Too Large"
	case 414:
		return "URI Too Long"
	case 416:
		return "Range Not Satisfiable"
	case 418:
		return "I'm a Teapot"
	case 509:
		return "Bandwidth Limit Exceeded"
	}
	if t := http.StatusText(code); t != "" {
		return t
	}
	return "unknown"
}
