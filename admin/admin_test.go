package admin_test

import (
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/sioloop/sioloop"
	"github.com/sioloop/sioloop/admin"
	"github.com/sioloop/sioloop/internal/nodetest"
	"github.com/sioloop/sioloop/internal/testserver"
	"github.com/sioloop/sioloop/internal/testwait"
	"github.com/sioloop/sioloop/sio"
)

// TestMain fails the run if a test leaves a goroutine behind (the stats
// goroutine included).
func TestMain(m *testing.M) { testwait.VerifyMain(m) }

// clientTimeout bounds one admin-client.mjs run (its own hard timeout is 40 s).
const clientTimeout = 60 * time.Second

// hash is the bcrypt hash of "secret", at the lowest cost: the tests
// check the comparison, not its strength.
var hash = func() string {
	h, err := bcrypt.GenerateFromPassword([]byte("secret"), bcrypt.MinCost)
	if err != nil {
		panic(err)
	}
	return string(h)
}()

// startServer serves a server instrumented with opts (Auth: admin/secret,
// ServerID test-server) whose namespace "/" joins "lobby" and answers
// "hello"(x) by setting its data to {name: x} and emitting "greeting"(x).
func startServer(t *testing.T, opts admin.Options) string {
	t.Helper()
	if err := nodetest.EnsureModules("testdata", "node_modules/socket.io-client"); err != nil {
		t.Fatal(err)
	}
	io := sioloop.NewServer(nil)
	io.OnConnection(func(s *sio.Socket) {
		s.Join("lobby")
		s.On("hello", func(s *sio.Socket, ev *sio.Event) {
			name, _ := ev.String(0)
			s.SetData(map[string]string{"name": name})
			_ = s.Emit("greeting", name)
		})
	})
	opts.Auth = &admin.BasicAuth{Username: "admin", Password: hash}
	opts.ServerID = "test-server"
	adm, err := admin.Instrument(io.Server, &opts)
	if err != nil {
		t.Fatal(err)
	}
	addr := testserver.Start(t, io)
	t.Cleanup(adm.Close) // before the server stops (cleanups run last first)
	return "http://" + addr
}

func runClient(t *testing.T, base, scenario string) {
	t.Helper()
	nodetest.Run(t, clientTimeout, "testdata", nil, "node", filepath.Join("admin-client.mjs"), base, scenario)
}

// TestDevelopmentWithTheOfficialClient: login refused and accepted, the
// live views (sockets, rooms, upgrade, data, events both ways), the UI's
// actions, server_stats and a session-id login, as socket.io-client sees
// them on /admin.
func TestDevelopmentWithTheOfficialClient(t *testing.T) {
	runClient(t, startServer(t, admin.Options{}), "development")
}

// TestReadOnlyProductionWithTheOfficialClient: no action feature, nothing
// per socket, the actions ignored.
func TestReadOnlyProductionWithTheOfficialClient(t *testing.T) {
	runClient(t, startServer(t, admin.Options{ReadOnly: true, Mode: admin.Production}), "readonly-production")
}

// TestInstrumentRefusesBadOptions: no auth choice, or a password that is
// not a bcrypt hash, as the npm package throws.
func TestInstrumentRefusesBadOptions(t *testing.T) {
	io := sioloop.NewServer(nil)
	for name, o := range map[string]*admin.Options{
		"nil":           nil,
		"no auth":       {},
		"not a hash":    {Auth: &admin.BasicAuth{Username: "admin", Password: "secret"}},
		"auth and none": {Auth: &admin.BasicAuth{Username: "admin", Password: hash}, NoAuth: true},
	} {
		if _, err := admin.Instrument(io.Server, o); err == nil {
			t.Errorf("%s: Instrument accepted it", name)
		}
	}
}
