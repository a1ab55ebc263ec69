// Command chat is the sioloop chat demo: rooms, nicknames and a typing
// indicator over Socket.IO, with a page that loads the official
// socket.io-client bundle. The same server serves the page (/), the bundle
// (/socket.io/socket.io.min.js, as socket.io's serveClient does, from the
// socket.io-client dist folder in examples/chat/node_modules: run `make
// demo`, or `npm ci` in examples/chat) and Socket.IO on /socket.io/.
//
// PORT (default 3000) and HOST (default 127.0.0.1) say where it listens.
// Open the page in two windows; add ?transports=polling to keep a client on
// HTTP long-polling.
//
// Protocol (namespace "/"), the same as testdata/reference-chat.mjs, which
// runs it on the official Node server:
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
package main

import (
	"embed"
	"fmt"
	"io/fs"
	"log"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/sioloop/sioloop"
	"github.com/sioloop/sioloop/eio"
	"github.com/sioloop/sioloop/internal/demo"
	"github.com/sioloop/sioloop/loop"
	"github.com/sioloop/sioloop/sio"
)

//go:embed static
var static embed.FS

// distRel is the official client's dist folder, relative to examples/chat.
var distRel = filepath.Join("node_modules", "socket.io-client", "dist")

const (
	defaultRoom = "lobby"
	maxNick     = 32   // characters
	maxRoom     = 64   // characters; longer names are cut
	maxText     = 1000 // characters; longer messages are cut
)

func main() {
	dist, err := findDist()
	if err != nil {
		log.Fatalf("chat: %v\nrun `make demo` (it runs npm ci in examples/chat)", err)
	}
	srv, err := newServer(dist)
	if err != nil {
		log.Fatalf("chat: %v", err)
	}
	demo.Run(srv, "chat", "open it in two windows")
}

// findDist looks for the socket.io-client dist folder under the working
// directory, under examples/chat of the working directory (`go run
// ./examples/chat` from the repository), then beside this source file.
func findDist() (string, error) {
	candidates := []string{distRel, filepath.Join("examples", "chat", distRel)}
	if _, file, _, ok := runtime.Caller(0); ok {
		candidates = append(candidates, filepath.Join(filepath.Dir(file), distRel))
	}
	for _, c := range candidates {
		if st, err := os.Stat(filepath.Join(c, "socket.io.min.js")); err == nil && st.Mode().IsRegular() {
			return c, nil
		}
	}
	return "", fmt.Errorf("socket.io-client bundle not found (looked in %s)", strings.Join(candidates, ", "))
}

// newServer returns the chat server, not yet listening, serving the page,
// the client bundle from the socket.io-client dist folder dist, and
// Socket.IO on /socket.io/.
func newServer(dist string) (*sioloop.Server, error) {
	index, err := fs.ReadFile(static, "static/index.html")
	if err != nil {
		return nil, err
	}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-cache")
		_, _ = w.Write(index)
	})

	engine := loop.New(&loop.Options{Handler: mux})
	if err := engine.ServeClient(sio.DefaultPath, dist); err != nil {
		return nil, err
	}
	// WebSocket compression, as Node's perMessageDeflate; from 64 bytes,
	// so that the chat's messages travel compressed both ways.
	io := sioloop.Attach(engine, &sio.Options{
		CORS:   &eio.CORSOptions{Origin: []string{"*"}},
		Engine: eio.Options{PerMessageDeflate: true, PerMessageDeflateThreshold: 64},
	})
	c := &chat{io: io.Server, rooms: map[string][]*sio.Socket{}}
	c.io.OnConnection(c.connected)
	return io, nil
}

// chat is the rooms' state. Handlers of different sockets may run on
// different event loops at once, so mu guards rooms and every user; it is
// never held while emitting.
type chat struct {
	io    *sio.Server
	mu    sync.Mutex
	rooms map[string][]*sio.Socket // members in join order
}

// user is a socket's Data.
type user struct {
	nick   string
	room   string // "" before the first join
	typing bool
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
	s.SetData(&user{nick: nick})
	s.On("set-nick", c.setNick)
	s.On("join", c.join)
	s.On("message", c.message)
	s.On("typing", c.typing)
	s.OnDisconnect(c.disconnected)
}

func userOf(s *sio.Socket) *user { return s.Data().(*user) }

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
		c.mu.Lock()
		userOf(s).nick = nick
		c.mu.Unlock()
	}
	_ = args.Ack(reply)
}

func (c *chat) join(s *sio.Socket, args *sio.Event) {
	room, _ := args.String(0)
	room = truncate(strings.TrimSpace(room), maxRoom)
	if room == "" {
		room = defaultRoom
	}
	c.mu.Lock()
	u := userOf(s)
	changed := u.room != room
	var left leaving
	if changed {
		left = c.leaveLocked(s, u)
		u.room = room
		c.rooms[room] = append(c.rooms[room], s)
	}
	nick := u.nick
	members := c.membersLocked(room)
	c.mu.Unlock()

	if changed {
		if left.room != "" {
			s.Leave(left.room)
			left.announce(c.io)
		}
		s.Join(room)
		c.io.To(room).Emit("system", nick+" joined")
	}
	_ = args.Ack(joinReply{Room: room, Members: members})
}

func (c *chat) message(s *sio.Socket, args *sio.Event) {
	text, ok := args.String(0)
	text = truncate(strings.TrimSpace(text), maxText)
	if !ok || text == "" {
		return
	}
	c.mu.Lock()
	u := userOf(s)
	u.typing = false
	nick, room := u.nick, u.room
	c.mu.Unlock()
	if room == "" {
		return
	}
	c.io.To(room).Emit("message", chatMessage{Nick: nick, Text: text, Time: time.Now().UnixMilli()})
}

func (c *chat) typing(s *sio.Socket, args *sio.Event) {
	var typing bool
	if err := args.Decode(0, &typing); err != nil {
		typing = false
	}
	c.mu.Lock()
	u := userOf(s)
	changed := u.room != "" && u.typing != typing
	if changed {
		u.typing = typing
	}
	nick, room := u.nick, u.room
	c.mu.Unlock()
	if changed {
		s.To(room).Emit("typing", typingNotice{Nick: nick, Typing: typing})
	}
}

func (c *chat) disconnected(s *sio.Socket, reason string) {
	c.mu.Lock()
	left := c.leaveLocked(s, userOf(s))
	c.mu.Unlock()
	left.announce(c.io)
}

// leaving is what the room a user left must be told.
type leaving struct {
	room, nick string
	typing     bool
}

// leaveLocked takes s out of its room's member list, if any.
func (c *chat) leaveLocked(s *sio.Socket, u *user) leaving {
	if u.room == "" {
		return leaving{}
	}
	l := leaving{room: u.room, nick: u.nick, typing: u.typing}
	members := c.rooms[u.room]
	for i, m := range members {
		if m == s {
			members = append(members[:i:i], members[i+1:]...)
			break
		}
	}
	if len(members) == 0 {
		delete(c.rooms, u.room)
	} else {
		c.rooms[u.room] = members
	}
	u.room, u.typing = "", false
	return l
}

func (l leaving) announce(io *sio.Server) {
	if l.room == "" {
		return
	}
	if l.typing {
		io.To(l.room).Emit("typing", typingNotice{Nick: l.nick, Typing: false})
	}
	io.To(l.room).Emit("system", l.nick+" left")
}

func (c *chat) membersLocked(room string) []string {
	nicks := make([]string, 0, len(c.rooms[room]))
	for _, m := range c.rooms[room] {
		nicks = append(nicks, userOf(m).nick)
	}
	return nicks
}

// truncate cuts s to at most n characters.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}
