package admin

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/sioloop/sioloop/sio"
)

// Mode chooses what the admin namespace reports.
type Mode int

const (
	// Development reports everything: the sockets (all_sockets), their
	// connections, rooms, events and disconnections as they happen, and
	// the aggregated counts. The npm package's default.
	Development Mode = iota
	// Production reports only the server's statistics (server_stats with
	// aggregated counts): nothing per socket or per event.
	Production
)

// BasicAuth is the login the UI must give.
type BasicAuth struct {
	// Username is the user name, compared exactly.
	Username string
	// Password is the bcrypt hash of the password (as
	// `htpasswd -bnBC 10 "" secret` or bcrypt.GenerateFromPassword make
	// it), never the password itself.
	Password string
}

// Options configures Instrument. Its zero value is refused, as the npm
// package refuses no auth option: set Auth, or NoAuth to go without.
type Options struct {
	// Namespace is the admin namespace. Zero means "/admin".
	Namespace string
	// Auth is the login the UI must give; a successful login gets a
	// session id the UI reconnects with, kept in memory for the life of
	// the Admin.
	Auth *BasicAuth
	// NoAuth lets anyone connect to the admin namespace (the npm
	// package's auth: false).
	NoAuth bool
	// ReadOnly refuses the UI's actions: it gets no feature to join,
	// leave, disconnect or emit.
	ReadOnly bool
	// ServerID names this server in the UI. Zero means the host name.
	ServerID string
	// Mode is Development (the zero value) or Production.
	Mode Mode
}

// Feature names, as the UI knows them (its config event).
const (
	featureEmit             = "EMIT"
	featureJoin             = "JOIN"
	featureLeave            = "LEAVE"
	featureDisconnect       = "DISCONNECT"
	featureMJoin            = "MJOIN"
	featureMLeave           = "MLEAVE"
	featureMDisconnect      = "MDISCONNECT"
	featureAggregatedEvents = "AGGREGATED_EVENTS"
	featureAllEvents        = "ALL_EVENTS"
)

// statsInterval is how often server_stats goes out (the npm package's).
const statsInterval = 2 * time.Second

// errInvalidCredentials is the CONNECT_ERROR message of a refused login.
var errInvalidCredentials = errors.New("invalid credentials")

// started stands for the process's start, for server_stats' uptime.
var started = time.Now()

// Admin is the admin UI's server side on one sio.Server.
type Admin struct {
	io       *sio.Server
	nsp      *sio.Namespace
	opts     Options
	features []string
	base     statsBase
	stop     chan struct{}
	done     chan struct{}
	close    sync.Once

	mu       sync.Mutex
	sessions map[string]struct{}   // login session ids
	sockets  map[string]socketMeta // by socket id: what serialize cannot ask sio (development)
	closes   map[string]uint64     // sessions closed since the last stats, by reason
	opened   atomic.Uint64         // sessions opened since the last stats
	last     sio.Stats             // the counters at the last stats
	// logins holds the session id a socket's login earned, from its
	// middleware to its connection handler (which emits it).
	logins sync.Map // *sio.Socket → string
}

// socketMeta is what the UI shows of a socket beside sio's snapshot: the
// npm package keeps it in socket.data._admin.
type socketMeta struct{ clientID, transport string }

// Instrument serves the admin UI on io's admin namespace (Options.Namespace)
// and installs io's monitor (sio.Server.SetMonitor) for it; opts nil is
// refused (see Options). Close undoes the monitor and stops the stats.
func Instrument(io *sio.Server, opts *Options) (*Admin, error) {
	if opts == nil || (opts.Auth == nil && !opts.NoAuth) {
		return nil, errors.New("admin: Options.Auth must be set, or NoAuth true")
	}
	o := *opts
	if o.Auth != nil {
		if _, err := bcrypt.Cost([]byte(o.Auth.Password)); err != nil {
			return nil, errors.New("admin: BasicAuth.Password must be a bcrypt hash")
		}
		if o.NoAuth {
			return nil, errors.New("admin: Options.Auth and NoAuth both set")
		}
	}
	if o.Namespace == "" {
		o.Namespace = "/admin"
	}
	host, _ := os.Hostname()
	if o.ServerID == "" {
		o.ServerID = host
	}
	a := &Admin{
		io:       io,
		nsp:      io.Of(o.Namespace),
		opts:     o,
		base:     statsBase{ServerID: o.ServerID, Hostname: host, PID: os.Getpid()},
		stop:     make(chan struct{}),
		done:     make(chan struct{}),
		sessions: map[string]struct{}{},
		sockets:  map[string]socketMeta{},
		closes:   map[string]uint64{},
	}
	if !o.ReadOnly {
		a.features = []string{featureEmit, featureJoin, featureLeave, featureDisconnect, featureMJoin, featureMLeave, featureMDisconnect}
	}
	a.features = append(a.features, featureAggregatedEvents)
	if o.Mode == Development {
		a.features = append(a.features, featureAllEvents)
	}
	if o.Auth != nil {
		a.nsp.Use(a.authenticate)
	}
	a.nsp.OnConnection(a.onAdminConnection)
	a.last, _ = io.Stats() // the counts start now
	io.SetMonitor(a.monitor())
	go a.statsLoop()
	return a, nil
}

// Close stops the statistics and removes the monitor; the admin namespace
// and its sockets stay. Safe from any goroutine, once or more.
func (a *Admin) Close() {
	a.close.Do(func() {
		a.io.SetMonitor(nil)
		close(a.stop)
		<-a.done
	})
}

// authenticate is the admin namespace's middleware: a known session id,
// or the username and the password matching the hash. bcrypt takes tens
// of milliseconds, so the comparison runs on a goroutine of its own.
func (a *Admin) authenticate(s *sio.Socket, next func(error)) {
	var cred struct {
		SessionID string `json:"sessionId"`
		Username  string `json:"username"`
		Password  string `json:"password"`
	}
	_ = json.Unmarshal(s.Handshake().Auth, &cred) // anything else: no credentials
	if cred.SessionID != "" {
		a.mu.Lock()
		_, ok := a.sessions[cred.SessionID]
		a.mu.Unlock()
		if ok {
			next(nil)
			return
		}
	}
	auth := a.opts.Auth
	go func() {
		userOK := subtle.ConstantTimeCompare([]byte(cred.Username), []byte(auth.Username)) == 1
		passOK := bcrypt.CompareHashAndPassword([]byte(auth.Password), []byte(cred.Password)) == nil
		if !userOK || !passOK {
			next(errInvalidCredentials)
			return
		}
		id := randomID()
		a.mu.Lock()
		a.sessions[id] = struct{}{}
		a.mu.Unlock()
		a.logins.Store(s, id)
		next(nil)
	}()
}

// randomID returns 16 hex digits, as the npm package's session ids.
func randomID() string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand)
	return hex.EncodeToString(b[:])
}

// onAdminConnection greets a UI: its session id after a login, the
// features, and in development every socket. Runs on the socket's loop.
func (a *Admin) onAdminConnection(s *sio.Socket) {
	if id, ok := a.logins.LoadAndDelete(s); ok {
		_ = s.Emit("session", id)
	}
	if !a.opts.ReadOnly {
		a.registerActions(s)
	}
	_ = s.Emit("config", map[string]any{"supportedFeatures": a.features})
	if a.opts.Mode == Development {
		go func() { // FetchSockets waits for every loop: never on one
			if list, err := a.allSockets(); err == nil {
				_ = s.Emit("all_sockets", list)
			}
		}()
	}
}

// registerActions answers the UI's actions on s — emit(nsp, filter,
// event, ...args), join(nsp, room, filter), leave(nsp, room, filter),
// _disconnect(nsp, close, filter) — each on every socket of the
// namespace, or on those in the room filter (a socket's id selects that
// socket).
func (a *Admin) registerActions(s *sio.Socket) {
	s.On("emit", func(_ *sio.Socket, ev *sio.Event) {
		event, ok := ev.String(2)
		if !ok {
			return
		}
		args := ev.Spread()[3:] // encoded by Emit before it returns
		_ = a.target(ev, 1).Emit(event, args...)
	})
	s.On("join", func(_ *sio.Socket, ev *sio.Event) {
		if room, ok := ev.String(1); ok {
			a.target(ev, 2).SocketsJoin(room)
		}
	})
	s.On("leave", func(_ *sio.Socket, ev *sio.Event) {
		if room, ok := ev.String(1); ok {
			a.target(ev, 2).SocketsLeave(room)
		}
	})
	s.On("_disconnect", func(_ *sio.Socket, ev *sio.Event) {
		var close bool
		_ = ev.Decode(1, &close)
		a.target(ev, 2).DisconnectSockets(close)
	})
}

// target selects what an action applies to: the namespace its argument 0
// names, narrowed to the room in argument filter when one is given.
func (a *Admin) target(ev *sio.Event, filter int) *sio.BroadcastOperator {
	name, _ := ev.String(0)
	nsp := a.io.Of(name)
	if room, ok := ev.String(filter); ok && room != "" {
		return nsp.In(room)
	}
	return nsp.To()
}
