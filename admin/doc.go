// Package admin is the server side of the Socket.IO Admin UI
// (@socket.io/admin-ui 0.5 on npm, https://admin.socket.io): Instrument
// adds its namespace ("/admin") to a sio.Server, and the UI, logged in to
// that namespace, shows the server's clients, sockets, rooms and events
// and acts on them (join, leave, disconnect, emit).
//
//	io := sioloop.NewServer(nil)
//	adm, err := admin.Instrument(io.Server, &admin.Options{
//		Auth: &admin.BasicAuth{Username: "admin", Password: bcryptHash},
//	})
//	…
//	defer adm.Close()
//
// The wire is the npm package's instrument(): its events (session,
// config, server_stats every 2 s, all_sockets, socket_connected,
// socket_updated, socket_disconnected, room_joined, room_left,
// event_received, event_sent) with the same payloads, its features and
// the UI's actions (emit, join, leave, _disconnect). Two departures: the
// "session" event of a login with a password is emitted once the socket
// is connected, not from the middleware — the official client buffers
// events received before CONNECT, so the UI sees the same order; and
// handshake.time reads as JavaScript's Date.toString() but names the
// time zone by its abbreviation.
//
// Cost: Production mode installs a sio.Monitor that counts sessions
// opening and closing (one atomic add, or a short lock for a close
// reason) and takes the packet and byte counts the server keeps anyway
// (sio.Server.Stats, every 2 s). Development mode (the default, as the
// npm package without NODE_ENV) adds, for every socket, an OnAny and an
// OnAnyOutgoing handler and a broadcast to the admin namespace per event,
// room change and connection: what the UI's live views need, at a cost
// per packet — use Production on a busy server. A server never
// instrumented pays one atomic load per connection, room change and
// SetData, nothing per packet.
//
// Ownership: an Admin's session table, socket table and counters are
// guarded by its mutex or atomic; its monitor functions run on the loops
// (they never block: they broadcast) and its stats goroutine, the only
// goroutine it starts, ends with Close.
package admin
