// Package chat is the chat of examples/chat (one node) and
// examples/cluster (several nodes joined through Redis): rooms, nicknames
// and a typing indicator over Socket.IO, and the page that drives them.
//
// Protocol (namespace "/"), the same as examples/chat's
// testdata/reference-chat.mjs, which runs it on the official Node server:
//
//	"set-nick"(nick, ack)  ack({ok:true}), or {ok:false, error} for an empty
//	                       or over-long nickname
//	"join"(room, ack)      leaves the previous room (which gets "system"
//	                       "<nick> left"), joins room ("" means "lobby"), the
//	                       room gets "system" "<nick> joined", then
//	                       ack({room, members:[nicks in join order]})
//	"message"(text)        the room gets "message" {nick, text, time}
//	"typing"(bool)         the others in the room get "typing" {nick, typing}
//	disconnect             the room gets "system" "<nick> left" (after
//	                       "typing" {nick, typing:false} if it was typing)
//
// The state lives in the sockets themselves, so that it is the cluster's:
// a socket's user (nick, room, when it joined, typing) is its Data, an
// immutable value replaced on each change (other goroutines read it
// without a lock; other nodes get it through FetchSockets), and a room's
// members are the sockets in the Socket.IO room, on every node.
package chat

import (
	_ "embed" // the page
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sioloop/sioloop"
	"github.com/sioloop/sioloop/eio"
	"github.com/sioloop/sioloop/loop"
	"github.com/sioloop/sioloop/sio"
)

//go:embed static/index.html
var page []byte

// Page returns the chat's page (served at /). Do not modify it.
func Page() []byte { return page }

// distRel is the official client's dist folder, relative to examples/chat,
// where `make demo` (npm ci) puts it.
var distRel = filepath.Join("node_modules", "socket.io-client", "dist")

const (
	defaultRoom = "lobby"
	maxNick     = 32   // characters
	maxRoom     = 64   // characters; longer names are cut
	maxText     = 1000 // characters; longer messages are cut
)

// FindDist returns the socket.io-client dist folder: under the working
// directory, under examples/chat of the working directory (`go run
// ./examples/...` from the repository), or under examples/chat beside this
// package's source.
func FindDist() (string, error) {
	candidates := []string{distRel, filepath.Join("examples", "chat", distRel)}
	if _, file, _, ok := runtime.Caller(0); ok {
		candidates = append(candidates, filepath.Join(filepath.Dir(file), "..", "..", "examples", "chat", distRel))
	}
	for _, c := range candidates {
		if st, err := os.Stat(filepath.Join(c, "socket.io.min.js")); err == nil && st.Mode().IsRegular() {
			return c, nil
		}
	}
	return "", fmt.Errorf("socket.io-client bundle not found (looked in %s)", strings.Join(candidates, ", "))
}

// New returns the chat server, not yet listening, serving the page, the
// client bundle from the socket.io-client dist folder dist, and Socket.IO
// on /socket.io/. adapter is sio.Options.Adapter (nil: one node).
func New(dist string, adapter func(*sio.Namespace) sio.Adapter) (*sioloop.Server, error) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-cache")
		_, _ = w.Write(page)
	})

	engine := loop.New(&loop.Options{Handler: mux})
	if err := engine.ServeClient(sio.DefaultPath, dist); err != nil {
		return nil, err
	}
	// WebSocket compression, as Node's perMessageDeflate; from 64 bytes,
	// so that the chat's messages travel compressed both ways.
	io := sioloop.Attach(engine, &sio.Options{
		CORS:    &eio.CORSOptions{Origin: []string{"*"}},
		Engine:  eio.Options{PerMessageDeflate: true, PerMessageDeflateThreshold: 64},
		Adapter: adapter,
	})
	c := &chat{io: io.Server}
	c.io.OnConnection(c.connected)
	return io, nil
}

type chat struct{ io *sio.Server }

// user is a socket's Data: never modified once stored (SetData replaces
// it), and JSON for the other nodes.
type user struct {
	Nick   string `json:"nick"`
	Room   string `json:"room,omitempty"`   // "" before the first join
	Joined int64  `json:"joined,omitempty"` // when it joined Room, Unix µs: the members' order
	Typing bool   `json:"typing,omitempty"`
}

type (
	nickReply struct {
		OK    bool   `json:"ok"`
		Error string `json:"error,omitempty"`
	}
	joinReply struct {
		Room    string   `json:"room"`
		Members []string `json:"members"`
	}
	chatMessage struct {
		Nick string `json:"nick"`
		Text string `json:"text"`
		Time int64  `json:"time"` // Unix milliseconds, like Date.now()
	}
	typingNotice struct {
		Nick   string `json:"nick"`
		Typing bool   `json:"typing"`
	}
)

func (c *chat) connected(s *sio.Socket) {
	nick := "guest-" + s.ID()
	if len(s.ID()) > 4 {
		nick = "guest-" + s.ID()[:4]
	}
	s.SetData(&user{Nick: nick})
	s.On("set-nick", c.setNick)
	s.On("join", c.join)
	s.On("message", c.message)
	s.On("typing", c.typing)
	s.OnDisconnect(c.disconnected)
}

// userOf returns s's user. Handlers of one socket run on its loop, one
// at a time, so a handler's read-modify-SetData is not raced.
func userOf(s *sio.Socket) user { return *s.Data().(*user) }

func (c *chat) setNick(s *sio.Socket, args *sio.Event) {
	nick, _ := args.String(0)
	nick = strings.TrimSpace(nick)
	reply := nickReply{OK: true}
	switch {
	case nick == "":
		reply = nickReply{Error: "empty nickname"}
	case utf8.RuneCountInString(nick) > maxNick:
		reply = nickReply{Error: "nickname longer than 32 characters"}
	default:
		u := userOf(s)
		u.Nick = nick
		s.SetData(&u)
	}
	_ = args.Ack(reply)
}

func (c *chat) join(s *sio.Socket, args *sio.Event) {
	room, _ := args.String(0)
	room = truncate(strings.TrimSpace(room), maxRoom)
	if room == "" {
		room = defaultRoom
	}
	u := userOf(s)
	if u.Room != room {
		c.leave(s, u)
		u.Room, u.Joined, u.Typing = room, time.Now().UnixMicro(), false
		s.SetData(&u)
		s.Join(room)
		c.io.To(room).Emit("system", u.Nick+" joined")
	}
	// The members are on every node: FetchSockets waits for them, so not
	// on the loop.
	ack := args.AckFunc()
	go func() { _ = ack(joinReply{Room: room, Members: c.members(room)}) }()
}

// members returns the nicks of room's members on every node, in join
// order. Not on a loop: it waits for the other nodes.
func (c *chat) members(room string) []string {
	socks, _ := c.io.In(room).FetchSockets() // a silent node's members are left out
	us := make([]user, 0, len(socks))
	for _, rs := range socks {
		var u user
		switch d := rs.Data.(type) {
		case *user: // this node's
			u = *d
		default: // another node's, decoded from JSON
			b, _ := json.Marshal(d)
			if json.Unmarshal(b, &u) != nil {
				continue
			}
		}
		if u.Room == room {
			us = append(us, u)
		}
	}
	slices.SortStableFunc(us, func(a, b user) int { return int(a.Joined - b.Joined) })
	nicks := make([]string, len(us))
	for i, u := range us {
		nicks[i] = u.Nick
	}
	return nicks
}

func (c *chat) message(s *sio.Socket, args *sio.Event) {
	text, ok := args.String(0)
	text = truncate(strings.TrimSpace(text), maxText)
	if !ok || text == "" {
		return
	}
	u := userOf(s)
	if u.Room == "" {
		return
	}
	if u.Typing {
		u.Typing = false
		s.SetData(&u)
	}
	c.io.To(u.Room).Emit("message", chatMessage{Nick: u.Nick, Text: text, Time: time.Now().UnixMilli()})
}

func (c *chat) typing(s *sio.Socket, args *sio.Event) {
	var typing bool
	if err := args.Decode(0, &typing); err != nil {
		typing = false
	}
	u := userOf(s)
	if u.Room == "" || u.Typing == typing {
		return
	}
	u.Typing = typing
	s.SetData(&u)
	s.To(u.Room).Emit("typing", typingNotice{Nick: u.Nick, Typing: typing})
}

func (c *chat) disconnected(s *sio.Socket, reason string) { c.leave(s, userOf(s)) }

// leave takes s out of u's room, if any, and tells the room.
func (c *chat) leave(s *sio.Socket, u user) {
	if u.Room == "" {
		return
	}
	s.Leave(u.Room)
	if u.Typing {
		c.io.To(u.Room).Emit("typing", typingNotice{Nick: u.Nick, Typing: false})
	}
	c.io.To(u.Room).Emit("system", u.Nick+" left")
}

// truncate cuts s to at most n characters.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}
