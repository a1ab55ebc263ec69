// Package goclient tests sioloop with the Go client of
// github.com/googollee/go-socket.io (v1.7.0: its engineio.Dialer, which
// speaks Engine.IO v3 and pings the server, and its Socket.IO packet
// parser). It is a module of its own so that the client and its
// dependencies stay out of sioloop's go.mod; `make test` runs it.
package goclient
