package eio

// CORSOptions configures the CORS headers of an Engine.IO endpoint, like
// the Node cors package's options that engine.io takes as `cors`. The host
// applies them (package loop); the type lives here so that the Socket.IO
// options can carry it, as `new Server({ cors })` does in Node.
//
// Its zero value means CORS is off: no headers, and OPTIONS requests are
// handled as any other, like engine.io without the cors option. Any field
// set turns it on.
type CORSOptions struct {
	// Origin lists the allowed origins. Empty means "*" (cors' default)
	// when another field is set, and CORS off otherwise. ["*"] sends
	// "Access-Control-Allow-Origin: *". One other entry is cors' string
	// form: it is sent as is, whatever the request's Origin. Two or more
	// entries are cors' array form: the request's Origin is sent back
	// when it equals one of them (exactly, case-sensitively), and nothing
	// otherwise; "*" among them matches only the literal "*". A single ""
	// turns CORS off, as cors' falsy origin. Ignored when OriginFunc or
	// ReflectOrigin is set.
	Origin []string

	// OriginFunc, when set, decides per request like cors' origin
	// function: allowed reflects the request's Origin ("" when it has
	// none); refused sends no CORS header and lets the request, even an
	// OPTIONS one, go on as if CORS were off. It runs on the loop (or,
	// mounted on net/http, on the request's goroutine) and must not block; calling it allocates the origin string. It takes
	// precedence over ReflectOrigin and Origin.
	OriginFunc func(origin string) (allowed bool)

	// ReflectOrigin is cors' `origin: true`: the request's Origin is sent
	// back whatever it is. It takes precedence over Origin.
	ReflectOrigin bool

	// Methods is sent in Access-Control-Allow-Methods on preflights. Nil
	// means "GET,HEAD,PUT,PATCH,POST,DELETE" (cors' default); an empty
	// non-nil slice sends no such header, like cors' `methods: []`.
	Methods []string

	// AllowedHeaders is sent in Access-Control-Allow-Headers on
	// preflights. Nil means the request's Access-Control-Request-Headers
	// is reflected, with "Vary: Access-Control-Request-Headers" (cors'
	// default); an empty non-nil slice sends neither, like cors' `[]`.
	AllowedHeaders []string

	// ExposedHeaders is sent in Access-Control-Expose-Headers. Empty
	// means not sent.
	ExposedHeaders []string

	// Credentials sends "Access-Control-Allow-Credentials: true".
	Credentials bool

	// MaxAge is sent in seconds in Access-Control-Max-Age on preflights.
	// Zero or negative means not sent (browsers then cache 5s); cors
	// would send an explicit `maxAge: 0` as "0", which has no equivalent
	// here.
	MaxAge int

	// OptionsSuccessStatus is the status of a preflight answer. Zero
	// means 204 (cors' default).
	OptionsSuccessStatus int
}
