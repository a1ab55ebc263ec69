// Package interop holds sioloop's interoperability tests.
//
// Interop tests drive the official npm clients (engine.io-client,
// socket.io-client) against a sioloop server; they need Node and run `npm ci`
// in testdata themselves. The npm project, the client drivers
// (testdata/eio-client.mjs) and reference servers built on the official
// Node servers (testdata/eio-reference-server.mjs) live in testdata, which the
// go tool ignores.
//
// `go test -tags reference ./interop/` runs every driver scenario against the
// official Node server, proving that the scenarios encode real upstream
// behaviour.
package interop
