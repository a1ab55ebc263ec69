package loop

import (
	"strconv"
	"strings"

	"github.com/sioloop/sioloop/eio"
)

// CORS as the Node `cors` package (v2.8, which engine.io 6.6 mounts for
// `new Server({ cors: {...} })`) does it, header for header and in the
// same order. cors decides per request:
//
//   - origin "*" (its default): "Access-Control-Allow-Origin: *", no Vary;
//   - origin a string: that string, whatever the request's Origin, and
//     "Vary: Origin";
//   - origin an array: the request's Origin if it equals an entry, else
//     no Access-Control-Allow-Origin at all (the value false is skipped);
//     "Vary: Origin" either way;
//   - origin true, or a function that allowed the origin: the request's
//     Origin if it has one; "Vary: Origin";
//   - origin a function that refused: no header at all, and the request
//     goes on to engine.io (next()), even an OPTIONS one.
//
// Every OPTIONS request is a preflight to cors (it does not look for
// Access-Control-Request-Method): it answers optionsSuccessStatus (204)
// with "Content-Length: 0" and ends the request.

// CORSOptions configures the CORS headers (see eio.CORSOptions, where
// the type lives so that sio.Options can carry it as Node's `cors`).
type CORSOptions = eio.CORSOptions

// corsOriginMode is how a corsPolicy picks Access-Control-Allow-Origin.
type corsOriginMode uint8

const (
	corsAny     corsOriginMode = iota // "*"
	corsFixed                         // one configured origin, always
	corsList                          // the request's, when in the list
	corsReflect                       // the request's
	corsFunc                          // the request's, when OriginFunc allows
)

// Header lines whose value never changes.
const (
	corsAllowOriginAny = "Access-Control-Allow-Origin: *\r\n"
	corsVaryOrigin     = "Vary: Origin\r\n"
	corsVaryBoth       = "Vary: Origin, Access-Control-Request-Headers\r\n"
	corsVaryReqHeaders = "Vary: Access-Control-Request-Headers\r\n"
	corsCredentials    = "Access-Control-Allow-Credentials: true\r\n"
)

// corsPolicy is CORSOptions compiled once, with every static header line
// pre-formatted, so that per-request work allocates nothing (except the
// origin string handed to OriginFunc). It is immutable: safe from any
// goroutine.
type corsPolicy struct {
	mode       corsOriginMode
	origins    []string // corsList
	originFunc func(string) bool

	originLine       []byte // corsFixed: "Access-Control-Allow-Origin: <origin>\r\n"
	credentialsLine  string // or ""
	methodsLine      []byte // or nil
	allowHeadersLine []byte // or nil
	reflectHeaders   bool   // reflect Access-Control-Request-Headers
	maxAgeLine       []byte // or nil
	exposeLine       []byte // or nil

	optionsStatus int // status of a preflight answer
}

// compileCORS compiles o; it returns nil when CORS is off (o nil or
// zero, or Origin a single ""). A configured value that is not a valid
// header field value (it holds CR, LF or another control byte) is not
// sent: Node's setHeader would throw on it.
func compileCORS(o *CORSOptions) *corsPolicy {
	if o == nil || corsIsZero(o) {
		return nil
	}
	c := &corsPolicy{optionsStatus: 204}
	switch {
	case o.OriginFunc != nil:
		c.mode, c.originFunc = corsFunc, o.OriginFunc
	case o.ReflectOrigin:
		c.mode = corsReflect
	case len(o.Origin) == 0 || len(o.Origin) == 1 && o.Origin[0] == "*":
		c.mode = corsAny
	case len(o.Origin) == 1:
		if o.Origin[0] == "" {
			return nil
		}
		c.mode = corsFixed
		c.originLine = corsLine("Access-Control-Allow-Origin", o.Origin[0])
	default:
		c.mode = corsList
		c.origins = append([]string(nil), o.Origin...)
	}
	if o.Credentials {
		c.credentialsLine = corsCredentials
	}
	methods := "GET,HEAD,PUT,PATCH,POST,DELETE"
	if o.Methods != nil {
		methods = strings.Join(o.Methods, ",")
	}
	c.methodsLine = corsLine("Access-Control-Allow-Methods", methods)
	if o.AllowedHeaders == nil {
		c.reflectHeaders = true
	} else {
		c.allowHeadersLine = corsLine("Access-Control-Allow-Headers", strings.Join(o.AllowedHeaders, ","))
	}
	if o.MaxAge > 0 {
		c.maxAgeLine = corsLine("Access-Control-Max-Age", strconv.Itoa(o.MaxAge))
	}
	c.exposeLine = corsLine("Access-Control-Expose-Headers", strings.Join(o.ExposedHeaders, ","))
	if o.OptionsSuccessStatus != 0 {
		c.optionsStatus = o.OptionsSuccessStatus
	}
	return c
}

func corsIsZero(o *CORSOptions) bool {
	return len(o.Origin) == 0 && o.OriginFunc == nil && !o.ReflectOrigin &&
		o.Methods == nil && o.AllowedHeaders == nil && o.ExposedHeaders == nil &&
		!o.Credentials && o.MaxAge == 0 && o.OptionsSuccessStatus == 0
}

// corsLine formats "name: value\r\n"; nil when value is empty (cors
// skips falsy values) or not a valid field value.
func corsLine(name, value string) []byte {
	if value == "" || !validFieldValue(value) {
		return nil
	}
	return []byte(name + ": " + value + "\r\n")
}

// validFieldValue reports whether v may be sent as a field value.
func validFieldValue[T string | []byte](v T) bool {
	for i := range len(v) {
		if !validValueByte[v[i]] {
			return false
		}
	}
	return true
}

// answersPreflight reports whether cors would answer an OPTIONS request
// with this Origin itself (with appendPreflight's headers and
// c.optionsStatus). It is false only when OriginFunc refuses the origin:
// cors then calls next() and the request goes on as if CORS were off.
// Runs on the loop (it may call OriginFunc).
func (c *corsPolicy) answersPreflight(origin []byte) bool {
	return c.mode != corsFunc || c.originFunc(string(origin))
}

// appendHeaders appends the CORS header lines for an actual (non-OPTIONS)
// request whose Origin header is origin (nil if absent): cors'
// Access-Control-Allow-Origin and Vary, Access-Control-Allow-Credentials,
// Access-Control-Expose-Headers, in that order. It appends nothing when
// OriginFunc refuses the origin. origin is not retained. Runs on the loop
// when OriginFunc is set; otherwise safe from any goroutine.
func (c *corsPolicy) appendHeaders(dst []byte, origin []byte) []byte {
	dst, ok := c.appendOrigin(dst, origin, false)
	if !ok {
		return dst
	}
	dst = append(dst, c.credentialsLine...)
	return append(dst, c.exposeLine...)
}

// appendPreflight appends the header lines cors sets on an OPTIONS
// request with this Origin and Access-Control-Request-Headers (either
// may be nil): Access-Control-Allow-Origin and Vary (merged into one
// line as cors' vary() does), Access-Control-Allow-Credentials,
// Access-Control-Allow-Methods, Access-Control-Allow-Headers (reqHeaders
// reflected when AllowedHeaders is nil), Access-Control-Max-Age,
// Access-Control-Expose-Headers. The caller answers c.optionsStatus with
// "Content-Length: 0" and no body, as cors does. It appends nothing when
// OriginFunc refuses the origin; see answersPreflight. Neither slice is
// retained. Runs on the loop when OriginFunc is set; otherwise safe from
// any goroutine.
func (c *corsPolicy) appendPreflight(dst []byte, origin, reqHeaders []byte) []byte {
	dst, ok := c.appendOrigin(dst, origin, c.reflectHeaders)
	if !ok {
		return dst
	}
	dst = append(dst, c.credentialsLine...)
	dst = append(dst, c.methodsLine...)
	if c.reflectHeaders {
		// With origin "*", cors' first Vary is this one, set here.
		if c.mode == corsAny {
			dst = append(dst, corsVaryReqHeaders...)
		}
		if len(reqHeaders) > 0 && validFieldValue(reqHeaders) {
			dst = append(dst, "Access-Control-Allow-Headers: "...)
			dst = append(dst, reqHeaders...)
			dst = append(dst, "\r\n"...)
		}
	} else {
		dst = append(dst, c.allowHeadersLine...)
	}
	dst = append(dst, c.maxAgeLine...)
	return append(dst, c.exposeLine...)
}

// appendOrigin appends Access-Control-Allow-Origin and, unless the mode
// is "*", the Vary line (with Access-Control-Request-Headers too when
// varyReqHeaders: Node keeps the Vary header where it was first set). ok
// is false when OriginFunc refused the origin.
func (c *corsPolicy) appendOrigin(dst, origin []byte, varyReqHeaders bool) (_ []byte, ok bool) {
	reflect := false
	switch c.mode {
	case corsAny:
		return append(dst, corsAllowOriginAny...), true
	case corsFixed:
		dst = append(dst, c.originLine...)
	case corsList:
		// An absent Origin (undefined in cors) equals no entry.
		for _, o := range c.origins {
			if origin != nil && string(origin) == o {
				reflect = true
				break
			}
		}
	case corsReflect:
		reflect = true
	case corsFunc:
		if !c.originFunc(string(origin)) {
			return dst, false
		}
		reflect = true
	}
	// An absent or empty Origin is a falsy value cors does not send.
	if reflect && len(origin) > 0 && validFieldValue(origin) {
		dst = append(dst, "Access-Control-Allow-Origin: "...)
		dst = append(dst, origin...)
		dst = append(dst, "\r\n"...)
	}
	if varyReqHeaders {
		return append(dst, corsVaryBoth...), true
	}
	return append(dst, corsVaryOrigin...), true
}
