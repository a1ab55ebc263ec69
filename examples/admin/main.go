// Command admin serves the Socket.IO Admin UI (@socket.io/admin-ui 0.5)
// beside a small Socket.IO service, both from one sioloop server: the
// UI's static build on / (from the npm package, in
// examples/admin/node_modules: run `npm ci` in examples/admin), Socket.IO
// on /socket.io/ with the admin namespace /admin (package admin).
//
// Log in with the server URL the page is on, user "admin" and the
// password in ADMIN_PASSWORD (default "changeit"; only its bcrypt hash is
// kept). The hosted UI at https://admin.socket.io may connect too (CORS
// allows it, with credentials, as the npm package's README asks).
// PORT (default 3000) and HOST (default 127.0.0.1) say where it listens.
//
// The service, in namespace "/": every socket joins "lobby";
// "join"(room) and "leave"(room) move it; "echo"(x…, ack) answers x….
package main

import (
	"fmt"
	"log"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"golang.org/x/crypto/bcrypt"

	"github.com/sioloop/sioloop"
	"github.com/sioloop/sioloop/admin"
	"github.com/sioloop/sioloop/eio"
	"github.com/sioloop/sioloop/internal/demo"
	"github.com/sioloop/sioloop/loop"
	"github.com/sioloop/sioloop/sio"
)

// uiRel is the UI's static build, relative to examples/admin.
var uiRel = filepath.Join("node_modules", "@socket.io", "admin-ui", "ui", "dist")

func main() {
	ui, err := findUI()
	if err != nil {
		log.Fatalf("admin: %v\nrun `npm ci` in examples/admin", err)
	}
	password := os.Getenv("ADMIN_PASSWORD")
	if password == "" {
		password = "changeit"
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	if err != nil {
		log.Fatal(err)
	}
	srv, adm, err := newServer(ui, "admin", string(hash), admin.Development)
	if err != nil {
		log.Fatalf("admin: %v", err)
	}
	defer adm.Close()
	demo.Run(srv, "admin", "open it and log in as admin")
}

// findUI looks for the UI's build under the working directory, under
// examples/admin of it, then beside this source file.
func findUI() (string, error) {
	candidates := []string{uiRel, filepath.Join("examples", "admin", uiRel)}
	if _, file, _, ok := runtime.Caller(0); ok {
		candidates = append(candidates, filepath.Join(filepath.Dir(file), uiRel))
	}
	for _, c := range candidates {
		if st, err := os.Stat(filepath.Join(c, "index.html")); err == nil && st.Mode().IsRegular() {
			return c, nil
		}
	}
	return "", fmt.Errorf("the admin UI's build not found (looked in %s)", strings.Join(candidates, ", "))
}

// newServer returns the server, not yet listening: the UI from the folder
// ui, the service, and the admin namespace for user with the bcrypt hash.
func newServer(ui, user, hash string, mode admin.Mode) (*sioloop.Server, *admin.Admin, error) {
	engine := loop.New(&loop.Options{Handler: http.FileServer(http.Dir(ui))})
	io := sioloop.Attach(engine, &sio.Options{
		CORS: &eio.CORSOptions{Origin: []string{"https://admin.socket.io"}, Credentials: true},
	})
	io.OnConnection(func(s *sio.Socket) {
		s.Join("lobby")
		s.On("join", func(s *sio.Socket, ev *sio.Event) {
			if room, ok := ev.String(0); ok {
				s.Join(room)
			}
		})
		s.On("leave", func(s *sio.Socket, ev *sio.Event) {
			if room, ok := ev.String(0); ok {
				s.Leave(room)
			}
		})
		s.On("echo", func(s *sio.Socket, ev *sio.Event) { _ = ev.Ack(ev.Spread()...) })
	})
	adm, err := admin.Instrument(io.Server, &admin.Options{
		Auth: &admin.BasicAuth{Username: user, Password: hash},
		Mode: mode,
	})
	if err != nil {
		return nil, nil, err
	}
	return io, adm, nil
}
