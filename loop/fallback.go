package loop

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
)

// serveFallback answers a request for a path no route matches: with
// Options.Handler when set, else 404 as a bare Node http server does.
// The handler runs on the loop and must not block.
func (cn *conn) serveFallback(r *request) {
	cn.http.headers = cn.http.headers[:0]
	h := cn.sh.srv.opts.Handler
	if h == nil {
		cn.respond(404, "", nil)
		return
	}
	req, err := http.NewRequest(string(r.method), string(r.target), bytes.NewReader(r.body))
	if err != nil {
		cn.respond(400, "", nil)
		return
	}
	req.RequestURI = string(r.target)
	req.URL, _ = url.ParseRequestURI(string(r.target))
	req.Host = string(r.header("Host"))
	req.RemoteAddr = cn.c.RemoteAddr().String()
	if !r.proto11 {
		req.Proto, req.ProtoMinor = "HTTP/1.0", 0
	}
	for i := range r.nheaders {
		hd := &r.headers[i]
		req.Header.Add(string(hd.name), string(hd.value))
	}
	w := &responseWriter{header: http.Header{}}
	h.ServeHTTP(w, req)
	if w.status == 0 {
		w.status = 200
	}
	var extra []byte
	for k, vs := range w.header {
		if k == "Content-Length" || k == "Content-Type" || k == "Connection" {
			continue
		}
		for _, v := range vs {
			extra = append(append(append(append(extra, k...), ": "...), v...), "\r\n"...)
		}
	}
	ctype := w.header.Get("Content-Type")
	if ctype == "" && w.body.Len() > 0 {
		ctype = http.DetectContentType(w.body.Bytes())
	}
	cn.http.headers = extra
	cn.respondHead(w.status, ctype, w.body.Bytes(), string(r.method) == "HEAD")
}

// responseWriter collects a fallback handler's response in memory.
type responseWriter struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (w *responseWriter) Header() http.Header { return w.header }

func (w *responseWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
}

func (w *responseWriter) Write(p []byte) (int, error) {
	w.WriteHeader(200)
	return w.body.Write(p)
}

var _ io.Writer = (*responseWriter)(nil)
