package admin_test

import (
	"log"
	"net/http"
	"os"

	"github.com/sioloop/sioloop"
	"github.com/sioloop/sioloop/admin"
	"github.com/sioloop/sioloop/eio"
	"github.com/sioloop/sioloop/loop"
	"github.com/sioloop/sioloop/sio"
)

// The Admin UI on a server: log in at https://admin.socket.io (CORS lets
// it in) or on the UI's build served beside Socket.IO, here from the npm
// package's folder. ADMIN_HASH is a bcrypt hash
// (`htpasswd -bnBC 10 "" password | tr -d ':\n'`).
func ExampleInstrument() {
	ui := http.FileServer(http.Dir("node_modules/@socket.io/admin-ui/ui/dist"))
	io := sioloop.Attach(loop.New(&loop.Options{Handler: ui}), &sio.Options{
		CORS: &eio.CORSOptions{Origin: []string{"https://admin.socket.io"}, Credentials: true},
	})
	adm, err := admin.Instrument(io.Server, &admin.Options{
		Auth: &admin.BasicAuth{Username: "admin", Password: os.Getenv("ADMIN_HASH")},
		Mode: admin.Production, // server_stats only: nothing per socket or event
	})
	if err != nil {
		log.Fatal(err)
	}
	defer adm.Close()
	log.Fatal(io.ListenAndServe(":3000"))
}

// In development, with no login and read-only: the UI at
// https://admin.socket.io lists every socket, its rooms and events, and
// offers no action.
func Example() {
	io := sioloop.NewServer(&sio.Options{
		CORS: &eio.CORSOptions{Origin: []string{"https://admin.socket.io"}, Credentials: true},
	})
	adm, err := admin.Instrument(io.Server, &admin.Options{NoAuth: true, ReadOnly: true, ServerID: "dev"})
	if err != nil {
		log.Fatal(err)
	}
	defer adm.Close()
	log.Fatal(io.ListenAndServe("127.0.0.1:3000"))
}
