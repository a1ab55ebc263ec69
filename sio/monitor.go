package sio

import "github.com/sioloop/sioloop/eio"

// Monitor receives a server's life events, for a monitoring tool such as
// the admin UI (package admin): what Node's tools learn from the engine's
// and the adapters' events ("connection", "upgrade", "close",
// "join-room", "leave-room"). Every field may be nil.
//
// The functions run where the event happens — on the loop that owns the
// session or socket, SocketDataSet on the goroutine that called SetData —
// and must not block; they may emit (a broadcast to a monitoring
// namespace, say). Nothing is called per packet: a tool that wants the
// events of a socket registers OnAny and OnAnyOutgoing in
// SocketConnected. Without a monitor each of these places costs one
// atomic load.
type Monitor struct {
	// SessionOpened: an Engine.IO session opened, on transport
	// ("polling" or "websocket").
	SessionOpened func(transport string)
	// SessionClosed: an Engine.IO session closed, for reason.
	SessionClosed func(reason string)
	// SocketConnected: s connected to its namespace; it is in the room of
	// its own id, and its namespace's connection handlers have not run.
	SocketConnected func(s *Socket)
	// SocketUpgraded: the session of s moved from polling to WebSocket.
	SocketUpgraded func(s *Socket)
	// SocketDataSet: SetData stored a new value on s.
	SocketDataSet func(s *Socket)
	// SocketDisconnected: s disconnected for reason and left its rooms;
	// its OnDisconnect handlers have not run.
	SocketDisconnected func(s *Socket, reason string)
	// RoomJoined and RoomLeft: the socket id joined or left room of nsp,
	// its own id's room included, as the official adapter's "join-room"
	// and "leave-room" events. They come from the in-memory adapter (a
	// cluster adapter's local part).
	RoomJoined, RoomLeft func(nsp *Namespace, room, id string)
}

// SetMonitor installs m (nil removes it); it replaces the monitor set
// before. Safe from any goroutine: the loops see it from their next
// event on.
func (srv *Server) SetMonitor(m *Monitor) { srv.monitor.Store(m) }

// onSessionUpgrade is the Engine.IO upgrade handler: it tells the
// monitor of each socket of the client.
func onSessionUpgrade(s *eio.Session) {
	c, ok := s.Context().(*client)
	if !ok || c.closed {
		return
	}
	if m := c.srv.monitor.Load(); m != nil && m.SocketUpgraded != nil {
		for _, sk := range c.sockets {
			if sk.connected {
				m.SocketUpgraded(sk)
			}
		}
	}
}

// roomJoined and roomLeft tell the monitor, if any, of a room change.
// Run on the socket's loop.
func (a *memoryAdapter) roomJoined(room, id string) {
	if m := a.nsp.srv.monitor.Load(); m != nil && m.RoomJoined != nil {
		m.RoomJoined(a.nsp, room, id)
	}
}

func (a *memoryAdapter) roomLeft(room, id string) {
	if m := a.nsp.srv.monitor.Load(); m != nil && m.RoomLeft != nil {
		m.RoomLeft(a.nsp, room, id)
	}
}
