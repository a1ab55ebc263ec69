package loop

import "strconv"

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
// Node's http.STATUS_CODES; "unknown" for codes the server never sends.
func statusText(code int) string {
	switch code {
	case 101:
		return "Switching Protocols"
	case 200:
		return "OK"
	case 204:
		return "No Content"
	case 400:
		return "Bad Request"
	case 403:
		return "Forbidden"
	case 404:
		return "Not Found"
	case 405:
		return "Method Not Allowed"
	case 413:
		return "Payload Too Large"
	case 431:
		return "Request Header Fields Too Large"
	case 500:
		return "Internal Server Error"
	case 501:
		return "Not Implemented"
	case 503:
		return "Service Unavailable"
	}
	return "unknown"
}
