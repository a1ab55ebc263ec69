package eio_test

import (
	"testing"
	"time"

	"github.com/sioloop/sioloop/eio"
)

// discardWS is a WebSocket that drops what it is given.
type discardWS struct{}

func (discardWS) WriteMessage(bool, []byte)        {}
func (discardWS) WriteShared(*eio.Shared)          {}
func (discardWS) Close()                           {}
func (discardWS) Abort()                           {}
func (discardWS) Writable() bool                   { return true }
func (discardWS) Backlog(int) int                  { return 0 }
func (discardRespond) Respond(int, string, []byte) {}

type discardRespond struct{}

// BenchmarkSessionEcho: one message in and its echo out through a
// session, per protocol revision, transport and kind: what the v3 flag
// costs a v4 session (nothing allocated per packet on either).
//
//	go test -run '^$' -bench SessionEcho -benchmem ./eio/
func BenchmarkSessionEcho(b *testing.B) {
	for _, rev := range []string{"4", "3"} {
		for _, kind := range []struct {
			name   string
			binary bool
			ws     string // the WebSocket message
			post   string // the polling body
		}{
			{"text", false, "4hello", map[string]string{"4": "4hello", "3": "6:4hello"}[rev]},
			{"binary", true, map[string]string{"4": "\x01\x02\x03", "3": "\x04\x01\x02\x03"}[rev], map[string]string{"4": "bAQID", "3": "6:b4AQID"}[rev]},
		} {
			srv := eio.NewServer(&eio.Options{AllowEIO3: true})
			srv.OnMessage(func(s *eio.Session, data []byte, binary bool) { _ = s.Send(data, binary) })
			sh := srv.NewShard(0, time.Unix(1000, 0), inline{})
			var f eio.RequestFlags
			if rev == "3" {
				f = eio.FlagEIO3
			}
			req := v3Request("EIO=" + rev + "&transport=websocket")
			b.Run("EIO="+rev+"/websocket/"+kind.name, func(b *testing.B) {
				id, _ := sh.NewSessionID(req)
				s := sh.OpenWebSocket(req, id, discardWS{})
				msg := []byte(kind.ws)
				buf := make([]byte, len(msg))
				b.ReportAllocs()
				for b.Loop() {
					copy(buf, msg) // base64 and binary decode in place
					s.ReceiveMessage(discardWS{}, buf, kind.binary)
				}
			})
			preq := v3Request("EIO=" + rev + "&transport=polling&b64=1")
			b.Run("EIO="+rev+"/polling/"+kind.name, func(b *testing.B) {
				id, _ := sh.NewSessionID(preq)
				sh.OpenPolling(preq, id, discardRespond{})
				body := []byte(kind.post)
				buf := make([]byte, len(body))
				b.ReportAllocs()
				for b.Loop() {
					copy(buf, body)
					sh.Post(id[:], f, buf, discardRespond{})
					sh.Poll(id[:], f, discardRespond{})
				}
			})
		}
	}
}
