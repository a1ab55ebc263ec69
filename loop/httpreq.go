package loop

import (
	"bytes"
	"errors"
	"math"
	"slices"

	"github.com/sioloop/sioloop/internal/ascii"
)

// HTTP/1.1 request parsing (RFC 9112) for the polling transport and the
// WebSocket handshake. The parser is stateless: the loop re-parses the
// bytes buffered so far on each read, so it must be cheap — a complete
// request framed by Content-Length costs no allocation and every field is
// a sub-slice of the input.
//
// Line endings: the request line and header lines may end in CRLF or in a
// bare LF, as net/http (bufio.Reader.ReadLine) and RFC 9112 §2.2 allow ("a
// recipient MAY recognize a single LF as a line terminator and ignore any
// preceding CR"). A CR anywhere else is rejected (400): RFC 9112 §2.2
// forbids treating a bare CR as a line end. The chunked body (chunk-size
// lines, the CRLF after chunk data, the trailer section) requires CRLF,
// like net/http's chunked reader, following RFC 9112 erratum 7633.

const (
	// maxHeaders is the most header fields a request may carry; one more
	// is answered 431, like a header section over maxHeaderBytes.
	maxHeaders = 64

	// defaultMaxHeaderBytes bounds the request line and header section,
	// blank line included, when parseLimits.maxHeaderBytes is zero.
	defaultMaxHeaderBytes = 8 << 10

	// defaultMaxBodyBytes is engine.io's maxHttpBufferSize default (1e6),
	// used when parseLimits.maxBodyBytes is zero.
	defaultMaxBodyBytes = 1_000_000

	// maxChunkLineBytes bounds a chunk-size line without its CRLF, like
	// net/http's chunked reader (maxLineLength).
	maxChunkLineBytes = 4096

	// maxChunkExcess bounds chunked framing overhead beyond what the data
	// justifies (16 bytes a chunk plus twice its data), as net/http does
	// against senders that pad 1-byte chunks with long extensions.
	maxChunkExcess = 16 << 10
)

// header is one header field; both slices alias the input buffer.
type header struct{ name, value []byte }

// request is one parsed HTTP/1.1 request; every []byte aliases the input
// buffer (or, for a chunked body, the caller's scratch buffer) and is
// valid until the caller discards those bytes. Fields are meaningful only
// after parseRequest returned n > 0.
type request struct {
	// Request line.
	method, target []byte
	path, query    []byte // target before '?', after '?' (nil if none); not unescaped
	proto11        bool   // HTTP/1.1 (else HTTP/1.0)

	// Header section, in arrival order; values are trimmed of OWS.
	headers  [maxHeaders]header
	nheaders int

	// Framing and connection semantics derived from the headers.
	contentLength    int64 // -1 when absent
	chunked          bool  // Transfer-Encoding: chunked
	keepAlive        bool  // HTTP/1.1 unless "Connection: close"; HTTP/1.0 only with "Connection: keep-alive"
	upgradeWebSocket bool  // Connection has token "upgrade" and Upgrade is "websocket"

	// body is the Content-Length body (aliases the input) or the decoded
	// chunked body (aliases *scratch); empty when the request has none.
	body []byte
}

// parseLimits bounds what parseRequest accepts; a zero field means its
// default.
type parseLimits struct {
	maxHeaderBytes int   // request line + headers + blank line; zero means 8 KiB; over it: 431
	maxBodyBytes   int64 // Content-Length or decoded chunked size; zero means 1e6; over it: 413
}

// httpError is a request the server answers with status and closes.
type httpError struct {
	status int
	msg    string
}

func (e *httpError) Error() string { return e.msg }

// httpErrorStatus returns the HTTP status an error from parseRequest
// should be answered with: its own for an *httpError, 400 otherwise.
func httpErrorStatus(err error) int {
	if he, ok := errors.AsType[*httpError](err); ok {
		return he.status
	}
	return 400
}

// Errors from parseRequest. They are shared values: never mutate them.
var (
	errRequestLine    = &httpError{400, "loop: malformed HTTP request line"}
	errHTTPVersion    = &httpError{400, "loop: unsupported HTTP version"}
	errHeaderLine     = &httpError{400, "loop: malformed HTTP header line"}
	errObsFold        = &httpError{400, "loop: obsolete line folding in HTTP header"}
	errHost           = &httpError{400, "loop: missing or repeated Host header"}
	errContentLength  = &httpError{400, "loop: bad Content-Length"}
	errCLAndChunked   = &httpError{400, "loop: both Content-Length and Transfer-Encoding"}
	errTEOnHTTP10     = &httpError{400, "loop: Transfer-Encoding in an HTTP/1.0 request"}
	errTransferEnc    = &httpError{501, "loop: unsupported Transfer-Encoding"}
	errChunked        = &httpError{400, "loop: malformed chunked encoding"}
	errChunkOverhead  = &httpError{400, "loop: chunked encoding contains too much non-data"}
	errHeaderTooLarge = &httpError{431, "loop: request header fields too large"}
	errTooManyHeaders = &httpError{431, "loop: too many header fields"}
	errBodyTooLarge   = &httpError{413, "loop: request body too large"}
)

// parseRequest parses one request at the start of p; pipelined requests
// after it are left for the next call. When the request is complete it
// returns n, the request's length in p (leading empty lines, line,
// headers and body). When p ends first it returns 0 and nil, and r must
// not be used. Errors are *httpError carrying the status to answer:
//
//   - 400: malformed request line or header line, obs-fold, bad or
//     conflicting Content-Length, Content-Length with chunked, bad chunk
//     syntax, a version other than HTTP/1.0 and HTTP/1.1, a missing
//     (HTTP/1.1) or repeated Host;
//   - 431: the request line and headers exceed lim.maxHeaderBytes (found
//     as soon as that many bytes hold no blank line) or there are more
//     than maxHeaders of them;
//   - 413: Content-Length over lim.maxBodyBytes (found from the header,
//     before the body arrives) or a chunked body growing past it;
//   - 501: a Transfer-Encoding other than a single "chunked".
//
// A decision on a prefix of p holds for p: an error or a complete
// request found in the first k bytes is found again with more bytes.
//
// A chunked body is decoded and appended to *scratch (which the caller
// keeps, and may pool), and r.body aliases that part of it; chunk
// extensions and trailers are discarded. *scratch is not changed unless
// the request is complete. lim may be nil for the defaults. p is not
// copied or modified. It keeps no state of its own: safe from any
// goroutine, given its own r and scratch.
func parseRequest(p []byte, lim *parseLimits, r *request, scratch *[]byte) (n int, err error) {
	maxHead, maxBody := defaultMaxHeaderBytes, int64(defaultMaxBodyBytes)
	if lim != nil {
		if lim.maxHeaderBytes > 0 {
			maxHead = lim.maxHeaderBytes
		}
		if lim.maxBodyBytes > 0 {
			maxBody = lim.maxBodyBytes
		}
	}
	r.reset()

	// The head must end within the first maxHead bytes: parse that window
	// only, so a client sending an endless header is refused once it has
	// sent maxHead bytes, whatever it sends next.
	window := p
	if len(window) > maxHead {
		window = window[:maxHead]
	}
	var st headState
	end, err := parseHead(window, r, &st)
	if err != nil {
		return 0, err
	}
	if end == 0 {
		if len(p) >= maxHead {
			return 0, errHeaderTooLarge
		}
		return 0, nil
	}
	if err := st.finish(r); err != nil {
		return 0, err
	}

	switch {
	case r.chunked:
		bodyEnd, size, err := walkChunked(p, end, maxBody, maxHead, nil)
		if bodyEnd == 0 || err != nil {
			return 0, err
		}
		// Complete: decode in a second walk into exactly enough room.
		start := len(*scratch)
		buf := slices.Grow(*scratch, int(size))
		_, _, _ = walkChunked(p, end, maxBody, maxHead, &buf)
		*scratch = buf
		r.body = buf[start:]
		return bodyEnd, nil
	case r.contentLength >= 0:
		if r.contentLength > maxBody {
			return 0, errBodyTooLarge
		}
		if int64(len(p)-end) < r.contentLength {
			return 0, nil
		}
		bodyEnd := end + int(r.contentLength)
		r.body = p[end:bodyEnd]
		return bodyEnd, nil
	default:
		return end, nil
	}
}

// reset clears r for a new parse, dropping references into old buffers.
func (r *request) reset() {
	clear(r.headers[:r.nheaders])
	r.nheaders = 0
	r.method, r.target, r.path, r.query, r.body = nil, nil, nil, nil, nil
	r.proto11, r.chunked, r.keepAlive, r.upgradeWebSocket = false, false, false, false
	r.contentLength = -1
}

// header returns the value of the first header field named name (ASCII
// case-insensitive), trimmed of OWS; nil if absent, empty if present and
// empty. Duplicate fields are not joined.
func (r *request) header(name string) []byte {
	for i := range r.nheaders {
		h := &r.headers[i]
		if ascii.EqualFold(h.name, name) {
			return h.value
		}
	}
	return nil
}

// unhex returns the value of the hex digit c, or 255.
func unhex(c byte) byte {
	switch {
	case '0' <= c && c <= '9':
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10
	}
	return 255
}

// headState collects what the header fields say about framing and the
// connection while parseHead reads them; finish checks it once the head
// is complete.
type headState struct {
	cl                  []byte // first Content-Length value
	clConflict          bool   // a later Content-Length differs
	teCount             int
	te                  []byte // first Transfer-Encoding value
	hostCount           int
	connClose, connKeep bool
	connUpgrade         bool
	upgrade             []byte // first Upgrade value
}

// parseHead parses the request line and header section in h (the window
// of at most maxHeaderBytes). It returns the offset just past the blank
// line ending the head, or 0 when h ends first.
func parseHead(h []byte, r *request, st *headState) (end int, err error) {
	// RFC 9112 §2.2: "a server that is expecting to receive and parse a
	// request-line SHOULD ignore at least one empty line (CRLF) received
	// prior to the request-line" (some clients send one after a POST body).
	i := 0
	for i < len(h) && (h[i] == '\n' || h[i] == '\r') {
		if h[i] == '\r' {
			if i+1 == len(h) {
				return 0, nil
			}
			if h[i+1] != '\n' {
				return 0, errRequestLine
			}
			i++
		}
		i++
	}
	line, next := nextLine(h, i)
	if next < 0 {
		return 0, nil
	}
	if err := parseRequestLine(line, r); err != nil {
		return 0, err
	}
	for i = next; ; {
		line, next = nextLine(h, i)
		if next < 0 {
			return 0, nil
		}
		i = next
		if len(line) == 0 {
			return i, nil
		}
		name, value, err := parseFieldLine(line)
		if err != nil {
			return 0, err
		}
		if r.nheaders == maxHeaders {
			return 0, errTooManyHeaders
		}
		r.headers[r.nheaders] = header{name, value}
		r.nheaders++
		st.note(name, value)
	}
}

// nextLine returns the line starting at h[i] without its LF or CRLF, and
// the offset after it; next is -1 when h holds no LF after i.
func nextLine(h []byte, i int) (line []byte, next int) {
	j := bytes.IndexByte(h[i:], '\n')
	if j < 0 {
		return nil, -1
	}
	end := i + j
	if end > i && h[end-1] == '\r' {
		end--
	}
	return h[i:end], i + j + 1
}

// parseRequestLine parses "method SP request-target SP HTTP-version"
// (RFC 9112 §3), as net/http does: single spaces, a token method, a
// target without control bytes; only HTTP/1.0 and HTTP/1.1 are accepted
// (net/http answers other versions 505; we answer 400).
func parseRequestLine(line []byte, r *request) error {
	sp := bytes.IndexByte(line, ' ')
	if sp <= 0 || !isToken(line[:sp]) {
		return errRequestLine
	}
	r.method, line = line[:sp], line[sp+1:]
	sp = bytes.IndexByte(line, ' ')
	if sp <= 0 {
		return errRequestLine
	}
	r.target = line[:sp]
	for _, c := range r.target {
		if c < 0x21 || c == 0x7f {
			return errRequestLine
		}
	}
	switch string(line[sp+1:]) {
	case "HTTP/1.1":
		r.proto11 = true
	case "HTTP/1.0":
	default:
		return errHTTPVersion
	}
	r.path = r.target
	if q := bytes.IndexByte(r.target, '?'); q >= 0 {
		r.path, r.query = r.target[:q], r.target[q+1:]
	}
	return nil
}

// parseFieldLine splits "name: value" (RFC 9112 §5). The name must be a
// token directly followed by the colon (whitespace before it is a 400,
// §5.1); the value is trimmed of OWS and may hold no control byte but
// HTAB, so no bare CR (net/http's validHeaderValueByte). A line starting
// with whitespace is obs-fold, which §5.2 lets a server reject with 400;
// we do (net/http would unfold it), so a folded line can never smuggle
// a header past a proxy that reads it differently.
func parseFieldLine(line []byte) (name, value []byte, err error) {
	if line[0] == ' ' || line[0] == '\t' {
		return nil, nil, errObsFold
	}
	colon := bytes.IndexByte(line, ':')
	if colon <= 0 || !isToken(line[:colon]) {
		return nil, nil, errHeaderLine
	}
	value = trimOWS(line[colon+1:])
	for _, c := range value {
		if !validValueByte[c] {
			return nil, nil, errHeaderLine
		}
	}
	return line[:colon], value, nil
}

// note records what a header field means for framing and the connection.
func (st *headState) note(name, value []byte) {
	switch len(name) {
	case 4:
		if ascii.EqualFold(name, "host") {
			st.hostCount++
		}
	case 7:
		if ascii.EqualFold(name, "upgrade") && st.upgrade == nil {
			st.upgrade = value
		}
	case 10:
		if ascii.EqualFold(name, "connection") {
			st.noteConnection(value)
		}
	case 14:
		if ascii.EqualFold(name, "content-length") {
			// RFC 9110 §8.6: repeated identical values may be taken as
			// one; differing ones are an error (net/http: Issue 16490).
			if st.cl == nil {
				st.cl = value
			} else if !bytes.Equal(st.cl, value) {
				st.clConflict = true
			}
		}
	case 17:
		if ascii.EqualFold(name, "transfer-encoding") {
			st.teCount++
			if st.te == nil {
				st.te = value
			}
		}
	}
}

// noteConnection reads the comma-separated tokens of a Connection field.
func (st *headState) noteConnection(v []byte) {
	for len(v) > 0 {
		tok := v
		if k := bytes.IndexByte(v, ','); k >= 0 {
			tok, v = v[:k], v[k+1:]
		} else {
			v = nil
		}
		tok = trimOWS(tok)
		switch {
		case ascii.EqualFold(tok, "close"):
			st.connClose = true
		case ascii.EqualFold(tok, "keep-alive"):
			st.connKeep = true
		case ascii.EqualFold(tok, "upgrade"):
			st.connUpgrade = true
		}
	}
}

// finish derives r's framing and connection fields from st, checking
// them in net/http's order: Transfer-Encoding, Content-Length, Host.
func (st *headState) finish(r *request) error {
	if st.teCount > 0 {
		// RFC 9112 §6.1: an HTTP/1.0 message with Transfer-Encoding must
		// be treated as faulty framing (net/http ignores the field).
		if !r.proto11 {
			return errTEOnHTTP10
		}
		// Like net/http and nginx, only one field saying "chunked".
		if st.teCount != 1 || !ascii.EqualFold(st.te, "chunked") {
			return errTransferEnc
		}
		// §6.1 says this "ought to be handled as an error" (smuggling);
		// net/http drops Content-Length instead, Node rejects it.
		if st.cl != nil {
			return errCLAndChunked
		}
		r.chunked = true
	}
	if st.cl != nil {
		if st.clConflict {
			return errContentLength
		}
		n, ok := parseContentLength(st.cl)
		if !ok {
			return errContentLength
		}
		r.contentLength = n
	}
	// RFC 9112 §3.2: "A server MUST respond with a 400 (Bad Request)
	// status code to any HTTP/1.1 request message that lacks a Host
	// header field and to any request message that contains more than
	// one Host header field".
	if st.hostCount > 1 || st.hostCount == 0 && r.proto11 {
		return errHost
	}
	if r.proto11 {
		r.keepAlive = !st.connClose
	} else {
		r.keepAlive = st.connKeep && !st.connClose
	}
	r.upgradeWebSocket = st.connUpgrade && ascii.EqualFold(st.upgrade, "websocket")
	return nil
}

// parseContentLength parses 1*DIGIT into a non-negative int64, like
// net/http (no sign, no list, no overflow).
func parseContentLength(v []byte) (int64, bool) {
	if len(v) == 0 {
		return 0, false
	}
	var n int64
	for _, c := range v {
		if c < '0' || c > '9' {
			return 0, false
		}
		d := int64(c - '0')
		if n > (math.MaxInt64-d)/10 {
			return 0, false
		}
		n = n*10 + d
	}
	return n, true
}

// walkChunked walks the chunked body starting at p[i] (RFC 9112 §7.1):
//
//	chunked-body = *chunk last-chunk trailer-section CRLF
//	chunk        = chunk-size [ chunk-ext ] CRLF chunk-data CRLF
//
// It returns the offset just past the body and its decoded size, or
// end == 0 when p ends first. With dst non-nil it appends the chunk data
// to *dst. The trailer section is limited to maxTrailer bytes (431).
func walkChunked(p []byte, i int, maxBody int64, maxTrailer int, dst *[]byte) (end int, size int64, err error) {
	var excess int64
	for {
		line, next, err := chunkLine(p, i, maxChunkLineBytes+1)
		if next <= 0 {
			if err == errHeaderTooLarge {
				err = errChunked // a chunk-size line over 4 KiB
			}
			return 0, 0, err
		}
		i = next
		n, ok := parseChunkSize(line)
		if !ok {
			return 0, 0, errChunked
		}
		if n > uint64(maxBody-size) {
			return 0, 0, errBodyTooLarge
		}
		// net/http's guard: allow 16 bytes of framing a chunk plus twice
		// its data, and at most 16 KiB of overhead beyond that.
		excess += int64(len(line)) + 2 - 16 - 2*int64(n)
		excess = max(excess, 0)
		if excess > maxChunkExcess {
			return 0, 0, errChunkOverhead
		}
		if n == 0 {
			break
		}
		if uint64(len(p)-i) < n+2 {
			return 0, 0, nil
		}
		data := p[i : i+int(n)]
		i += int(n)
		if p[i] != '\r' || p[i+1] != '\n' {
			return 0, 0, errChunked
		}
		i += 2
		size += int64(n)
		if dst != nil {
			*dst = append(*dst, data...)
		}
	}
	// trailer-section = *( field-line CRLF ), then CRLF; fields discarded.
	limit := i + maxTrailer
	for {
		line, next, err := chunkLine(p, i, limit-i)
		if next <= 0 {
			return 0, 0, err
		}
		i = next
		if len(line) == 0 {
			return i, size, nil
		}
		if _, _, err := parseFieldLine(line); err != nil {
			return 0, 0, err
		}
	}
}

// chunkLine returns the CRLF-terminated line at p[i] without its CRLF,
// and the offset after it; next == 0 when p ends first. A line must end
// within window bytes (CRLF included), else errHeaderTooLarge; a bare LF
// or a CR inside the line is errChunked.
func chunkLine(p []byte, i, window int) (line []byte, next int, err error) {
	w := p[i:]
	if len(w) > window {
		w = w[:window]
	}
	j := bytes.IndexByte(w, '\n')
	if j < 0 {
		if len(w) == window {
			return nil, 0, errHeaderTooLarge
		}
		return nil, 0, nil
	}
	if j == 0 || w[j-1] != '\r' {
		return nil, 0, errChunked
	}
	return w[:j-1], i + j + 1, nil
}

// parseChunkSize parses "chunk-size [ chunk-ext ]": at most 16 hex
// digits (as net/http), optional whitespace, then nothing or ';' and
// extensions, which are skipped but may hold no control byte but HTAB.
func parseChunkSize(line []byte) (uint64, bool) {
	var n uint64
	k := 0
	for ; k < len(line); k++ {
		d := unhex(line[k])
		if d > 15 {
			break
		}
		if k == 16 {
			return 0, false
		}
		n = n<<4 | uint64(d)
	}
	if k == 0 {
		return 0, false
	}
	rest := trimOWS(line[k:])
	if len(rest) > 0 && rest[0] != ';' {
		return 0, false
	}
	for _, c := range rest {
		if !validValueByte[c] {
			return 0, false
		}
	}
	return n, true
}

// trimOWS trims spaces and tabs at both ends.
func trimOWS(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t') {
		b = b[:len(b)-1]
	}
	return b
}

// isToken reports whether b is a non-empty RFC 9110 §5.6.2 token.
func isToken(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	for _, c := range b {
		if !tokenByte[c] {
			return false
		}
	}
	return true
}

// tokenByte marks tchar: "!#$%&'*+-.^_`|~", digits and letters.
var tokenByte = func() (t [256]bool) {
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = true
		t[c-'a'+'A'] = true
	}
	for _, c := range "!#$%&'*+-.^_`|~" {
		t[c] = true
	}
	return t
}()

// validValueByte marks bytes allowed in a field value: VCHAR, SP, HTAB
// and obs-text (0x80-0xFF), as net/http's validHeaderValueByte.
var validValueByte = func() (t [256]bool) {
	for c := range 256 {
		t[c] = c == '\t' || c >= 0x20 && c != 0x7f
	}
	return t
}()
