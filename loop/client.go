package loop

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// serveClient, as socket.io's: the official client bundle at
// <path>/socket.io.js, .min.js, .msgpack.min.js, .esm.min.js and their .map
// files, served from the socket.io-client dist folder the user names. The
// files are read (and gzip- and deflate-compressed) once, when ServeClient
// is called; each request is then a copy from memory on the loop.

// clientFiles are the names socket.io serves (its clientPathRegex:
// socket.io(.msgpack|.esm)?(.min)?.js(.map)?).
var clientFiles = func() (names []string) {
	for _, variant := range []string{"", ".msgpack", ".esm"} {
		for _, min := range []string{"", ".min"} {
			for _, m := range []string{"", ".map"} {
				names = append(names, "socket.io"+variant+min+".js"+m)
			}
		}
	}
	return names
}()

// clientBundle is what ServeClient loaded.
type clientBundle struct {
	prefix string // the Socket.IO path, with its trailing slash
	etag   string // `"<client version>"`, as socket.io's
	files  map[string]*clientFile
}

// clientFile is one file of the bundle, whole and precompressed.
type clientFile struct {
	ctype string
	body  [encDeflate + 1][]byte // by encoding
}

// ServeClient serves the official client bundle under path (the Socket.IO
// path, "/socket.io" for the default) from dir — the dist folder of the
// socket.io-client npm package (node_modules/socket.io-client/dist), the
// package's folder, or an npm project with it in node_modules — as
// socket.io's serveClient does: /socket.io/socket.io.js, .min.js,
// .msgpack.min.js, .esm.min.js and their source maps, with the ETag
// "<version>" (from dir/../package.json), a 304 to a matching
// If-None-Match, "Cache-Control: public, max-age=0" and gzip or deflate as
// the request accepts (Node also offers br; we do not). A file missing
// from dir is left to the Engine.IO route (Node answers an empty 200);
// socket.io.js must be there. Both hosts serve it: the gnet listener and,
// for the net/http mode, ServeHTTP (mount the Server on path). Call it
// before ListenAndServe, or before Start and the first request.
func (srv *Server) ServeClient(path, dir string) error {
	dir = clientDist(dir)
	b := &clientBundle{prefix: strings.TrimSuffix(path, "/") + "/", files: map[string]*clientFile{}}
	var pkg struct{ Version string }
	data, err := os.ReadFile(filepath.Join(dir, "..", "package.json"))
	if err == nil {
		err = json.Unmarshal(data, &pkg)
	}
	if err != nil || pkg.Version == "" {
		return fmt.Errorf("loop: serve client: the version of %s: %v", dir, err)
	}
	b.etag = `"` + pkg.Version + `"`
	var z compressors
	for _, name := range clientFiles {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if errors.Is(err, os.ErrNotExist) && name != "socket.io.js" {
			continue
		}
		if err != nil {
			return fmt.Errorf("loop: serve client: %w", err)
		}
		f := &clientFile{ctype: "application/javascript; charset=utf-8"}
		if strings.HasSuffix(name, ".map") {
			f.ctype = "application/json; charset=utf-8"
		}
		f.body[encIdentity] = data
		for _, enc := range []encoding{encGzip, encDeflate} {
			f.body[enc] = append([]byte(nil), z.compress(enc, data)...)
		}
		b.files[name] = f
	}
	srv.client = b
	return nil
}

// clientDist returns the dist folder of the socket.io-client package that
// dir names: dir itself, its dist, or an npm project's
// node_modules/socket.io-client/dist — the first holding socket.io.js
// (dir when none does: the caller reports what is missing there).
func clientDist(dir string) string {
	for _, d := range []string{dir, filepath.Join(dir, "dist"), filepath.Join(dir, "node_modules", "socket.io-client", "dist")} {
		if _, err := os.Stat(filepath.Join(d, "socket.io.js")); err == nil {
			return d
		}
	}
	return dir
}

// file returns the bundle's file at p, or nil.
func (b *clientBundle) file(p []byte) *clientFile {
	if b == nil || len(p) <= len(b.prefix) || string(p[:len(b.prefix)]) != b.prefix {
		return nil
	}
	name := p[len(b.prefix):]
	if len(name) < len("socket.io.js") || string(name[:len("socket.io")]) != "socket.io" {
		return nil
	}
	return b.files[string(name)]
}

// answer is the answer to a request for f carrying the If-None-Match
// value inm and the Accept-Encoding value accept, as socket.io's serve,
// in both hosts: 304 (no header, no body) to a matching ETag, else 200
// with its header lines (Cache-Control, ETag, Content-Encoding) appended
// to headers and the body in the encoding the request accepts.
func (b *clientBundle) answer(f *clientFile, inm, accept, headers []byte) (status int, _, body []byte) {
	if len(inm) > 0 && (string(inm) == b.etag || len(inm) == len(b.etag)+2 && string(inm[:2]) == "W/" && string(inm[2:]) == b.etag) {
		return 304, headers, nil
	}
	enc := negotiateEncoding(accept)
	headers = append(headers, "Cache-Control: public, max-age=0\r\nETag: "...)
	headers = append(headers, b.etag...)
	headers = append(headers, "\r\n"...)
	if enc != encIdentity {
		headers = append(headers, contentEncodingLine[enc]...)
	}
	return 200, headers, f.body[enc]
}

// serveClientFile answers a request for a file of the bundle on the gnet
// host. Runs on the loop.
func (cn *conn) serveClientFile(r *request, f *clientFile) {
	hs := cn.http
	status, headers, body := cn.sh.srv.client.answer(f, r.header("If-None-Match"), r.header("Accept-Encoding"), hs.headers[:0])
	hs.headers = headers
	if status == 304 {
		out := cn.buffer()
		out.B = appendResponseHead(out.B, 304, "", -1, hs.keepAlive, nil)
		if !hs.keepAlive {
			cn.closeOnSend = true
		}
		return
	}
	cn.respondHead(status, f.ctype, body, string(r.method) == "HEAD")
}
