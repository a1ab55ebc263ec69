package redisadapter

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/sioloop/sioloop/sio"
)

// nodeHandshake is socket.handshake as a Node node sends it in a
// REMOTE_FETCH answer (JSON of the object, sessionStore left out).
type nodeHandshake struct {
	Headers map[string]any  `json:"headers"` // lower-case names; a string, or an array (set-cookie)
	Time    string          `json:"time"`    // new Date().toString()
	Address string          `json:"address"`
	XDomain bool            `json:"xdomain"`
	Secure  bool            `json:"secure"`
	Issued  int64           `json:"issued"` // milliseconds since the epoch
	URL     string          `json:"url"`
	Query   map[string]any  `json:"query"` // a string, or an array for a repeated key
	Auth    json.RawMessage `json:"auth"`
}

// jsDateLayout is Date.prototype.toString's form before the zone's name.
const jsDateLayout = "Mon Jan 02 2006 15:04:05 GMT-0700"

// nodeHandshakeOf returns h as a Node node would describe it.
func nodeHandshakeOf(h *sio.Handshake) *nodeHandshake {
	if h == nil {
		return nil
	}
	n := &nodeHandshake{
		Headers: map[string]any{}, Query: map[string]any{},
		Address: h.Address, XDomain: h.XDomain, Secure: h.Secure, Issued: h.Issued, URL: h.URL, Auth: h.Auth,
	}
	zone, _ := h.Time.Zone()
	if zone == "UTC" {
		zone = "Coordinated Universal Time"
	}
	n.Time = h.Time.Format(jsDateLayout) + " (" + zone + ")"
	for k, vs := range h.Headers {
		name := strings.ToLower(k)
		switch {
		case name == "set-cookie":
			n.Headers[name] = vs
		case name == "cookie":
			n.Headers[name] = strings.Join(vs, "; ")
		default:
			n.Headers[name] = strings.Join(vs, ", ")
		}
	}
	for k, vs := range h.Query {
		if len(vs) == 1 {
			n.Query[k] = vs[0]
		} else {
			n.Query[k] = vs
		}
	}
	if len(n.Auth) == 0 {
		n.Auth = json.RawMessage("{}")
	}
	return n
}

// handshake returns n as sio describes a handshake.
func (n *nodeHandshake) handshake() *sio.Handshake {
	if n == nil {
		return nil
	}
	h := &sio.Handshake{
		Headers: http.Header{}, Query: url.Values{}, Auth: n.Auth,
		Address: n.Address, XDomain: n.XDomain, Secure: n.Secure, Issued: n.Issued, URL: n.URL,
		Time: time.UnixMilli(n.Issued),
	}
	for k, v := range n.Headers {
		for _, s := range stringsOf(v) {
			h.Headers.Add(k, s)
		}
	}
	for k, v := range n.Query {
		h.Query[k] = stringsOf(v)
	}
	return h
}

// stringsOf returns a JSON string, or array of strings, as a list.
func stringsOf(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}
