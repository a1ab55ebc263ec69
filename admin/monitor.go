package admin

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/sioloop/sioloop/sio"
)

// monitor returns the sio.Monitor of the mode: the session counts always,
// the live views in development.
func (a *Admin) monitor() *sio.Monitor {
	m := &sio.Monitor{
		SessionOpened: func(string) { a.opened.Add(1) },
		SessionClosed: func(reason string) {
			a.mu.Lock()
			a.closes[reason]++
			a.mu.Unlock()
		},
	}
	if a.opts.Mode != Development {
		return m
	}
	m.SocketConnected = a.socketConnected
	m.SocketUpgraded = func(s *sio.Socket) {
		tr := s.Transport()
		a.mu.Lock()
		if meta, ok := a.sockets[s.ID()]; ok {
			meta.transport = tr
			a.sockets[s.ID()] = meta
		}
		a.mu.Unlock()
		a.emit("socket_updated", socketUpdate{ID: s.ID(), Nsp: s.Namespace().Name(), Transport: tr})
	}
	m.SocketDataSet = func(s *sio.Socket) {
		a.emit("socket_updated", socketUpdate{ID: s.ID(), Nsp: s.Namespace().Name(), Data: dataOf(s.Data())})
	}
	m.SocketDisconnected = func(s *sio.Socket, reason string) {
		a.mu.Lock()
		delete(a.sockets, s.ID())
		a.mu.Unlock()
		a.emit("socket_disconnected", s.Namespace().Name(), s.ID(), reason, timestamp())
	}
	m.RoomJoined = func(nsp *sio.Namespace, room, id string) {
		a.emit("room_joined", nsp.Name(), room, id, timestamp())
	}
	m.RoomLeft = func(nsp *sio.Namespace, room, id string) {
		a.emit("room_left", nsp.Name(), room, id, timestamp())
	}
	return m
}

// emit broadcasts an event to the UIs. Safe from any goroutine.
func (a *Admin) emit(event string, args ...any) { _ = a.nsp.Emit(event, args...) }

// socketConnected reports a new socket and, outside the admin namespace,
// follows its events both ways. Runs on the socket's loop.
func (a *Admin) socketConnected(s *sio.Socket) {
	meta := socketMeta{clientID: s.ConnID()[:12], transport: s.Transport()}
	a.mu.Lock()
	a.sockets[s.ID()] = meta
	a.mu.Unlock()
	nsp := s.Namespace().Name()
	a.emit("socket_connected", serialize(s.ID(), nsp, s.Rooms(), s.Data(), s.Handshake(), meta), timestamp())
	if s.Namespace() == a.nsp {
		return
	}
	// The event's arguments as the client sent them (Spread aliases the
	// event, which lives until the handler returns: Emit encodes first).
	follow := func(kind string) sio.AnyHandler {
		return func(s *sio.Socket, event string, ev *sio.Event) {
			args := append([]any{event}, ev.Spread()...)
			a.emit(kind, nsp, s.ID(), args, timestamp())
		}
	}
	s.OnAny(follow("event_received"))
	s.OnAnyOutgoing(follow("event_sent"))
}

// allSockets describes every socket of every namespace, for all_sockets.
// It waits for the loops: never call it on one.
func (a *Admin) allSockets() ([]serializedSocket, error) {
	out := []serializedSocket{}
	for _, nsp := range a.io.Namespaces() {
		list, err := nsp.FetchSockets()
		if err != nil {
			return nil, err
		}
		for _, r := range list {
			a.mu.Lock()
			meta := a.sockets[r.ID]
			a.mu.Unlock()
			out = append(out, serialize(r.ID, nsp.Name(), r.Rooms, r.Data, r.Handshake, meta))
		}
	}
	return out, nil
}

// serializedSocket is a socket as the UI gets it (the npm package's
// serialize()).
type serializedSocket struct {
	ID        string          `json:"id"`
	ClientID  string          `json:"clientId,omitempty"`
	Transport string          `json:"transport,omitempty"`
	Nsp       string          `json:"nsp"`
	Data      json.RawMessage `json:"data"`
	Handshake handshake       `json:"handshake"`
	Rooms     []string        `json:"rooms"`
}

// socketUpdate is socket_updated's payload: what changed.
type socketUpdate struct {
	ID        string          `json:"id"`
	Nsp       string          `json:"nsp"`
	Transport string          `json:"transport,omitempty"`
	Data      json.RawMessage `json:"data,omitempty"`
}

// handshake is socket.handshake as the UI gets it, auth left out.
type handshake struct {
	Address string            `json:"address"`
	Headers map[string]string `json:"headers"`
	Query   map[string]string `json:"query"`
	Issued  int64             `json:"issued"`
	Secure  bool              `json:"secure"`
	Time    string            `json:"time"`
	URL     string            `json:"url"`
	XDomain bool              `json:"xdomain"`
}

// jsDateString is the layout of JavaScript's Date.prototype.toString
// (the time zone's abbreviation stands for its long name).
const jsDateString = "Mon Jan 02 2006 15:04:05 GMT-0700 (MST)"

func serialize(id, nsp string, rooms []string, data any, hs *sio.Handshake, meta socketMeta) serializedSocket {
	h := handshake{
		Address: hs.Address,
		Headers: make(map[string]string, len(hs.Headers)),
		Query:   make(map[string]string, len(hs.Query)),
		Issued:  hs.Issued,
		Secure:  hs.Secure,
		Time:    hs.Time.Format(jsDateString),
		URL:     hs.URL,
		XDomain: hs.XDomain,
	}
	for k, v := range hs.Headers { // Node's req.headers: lower case, joined
		h.Headers[strings.ToLower(k)] = strings.Join(v, ", ")
	}
	for k, v := range hs.Query {
		if len(v) > 0 {
			h.Query[k] = v[len(v)-1]
		}
	}
	// A proxy's view of the client first, as the npm package.
	if ip := h.Headers["cf-connecting-ip"]; ip != "" {
		h.Address = ip
	} else if ip := h.Headers["x-forwarded-for"]; ip != "" {
		h.Address = ip
	}
	if rooms == nil {
		rooms = []string{}
	}
	return serializedSocket{ID: id, ClientID: meta.clientID, Transport: meta.transport, Nsp: nsp, Data: dataOf(data), Handshake: h, Rooms: rooms}
}

// dataOf is socket data as JSON: {} for none (Node's socket.data starts
// as {}) or for a value JSON cannot encode.
func dataOf(v any) json.RawMessage {
	if v == nil {
		return json.RawMessage("{}")
	}
	b, err := json.Marshal(v)
	if err != nil {
		return json.RawMessage("{}")
	}
	return b
}

// timestamp is now as JSON encodes a JavaScript Date (toISOString).
func timestamp() string { return time.Now().UTC().Format("2006-01-02T15:04:05.000Z") }
