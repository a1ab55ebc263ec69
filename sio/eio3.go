package sio

import (
	"bytes"
	"encoding/json"

	"github.com/sioloop/sioloop/eio"
)

// Socket.IO protocol v4, the one socket.io-client 2.x speaks over
// Engine.IO v3 (eio.Options.AllowEIO3). Its packets are those of v5; what
// differs is the connection, and the official server (socket.io 4.8)
// answers it so:
//
//   - the main namespace is connected at the handshake, without a CONNECT
//     from the client (its middlewares run then, with an empty auth);
//   - a CONNECT names its namespace with the client's query, as
//     "0/admin?token=abc,": the query is the handshake's auth
//     ({"token":"abc"}), any payload is ignored;
//   - the server's CONNECT carries no payload ("40", "40/admin,");
//   - a middleware's refusal is CONNECT_ERROR carrying the error's data,
//     or its message when it has none ("44{...}", `44"refused"`);
//   - a socket's id is the Engine.IO session id ("/admin#" + it outside
//     the main namespace), as the client computes it.

// namespacePathV3 returns the namespace of a v4 packet's nsp field: its
// path, without the query (Node reads it with new URL(nsp).pathname).
func namespacePathV3(nsp []byte) []byte {
	if i := bytes.IndexByte(nsp, '?'); i >= 0 {
		return nsp[:i]
	}
	return nsp
}

// authFromQueryV3 returns the handshake auth of a v4 CONNECT whose nsp
// field ended with query ("?token=abc", or empty): the parameters as a
// JSON object of strings, decoded as URLSearchParams decodes them, each
// key once with its last value, in the order keys first appear (Node's
// Object.fromEntries). Nil when there is none.
func authFromQueryV3(query []byte) []byte {
	if len(query) < 2 {
		return nil
	}
	raw := query[1:]
	vals := eio.ParseQuery(raw)
	if len(vals) == 0 {
		return nil
	}
	out := []byte{'{'}
	for _, k := range queryKeys(raw) {
		v, ok := vals[k]
		if !ok {
			continue
		}
		delete(vals, k)
		if len(out) > 1 {
			out = append(out, ',')
		}
		kj, _ := json.Marshal(k)
		vj, _ := json.Marshal(v[0])
		out = append(append(append(out, kj...), ':'), vj...)
	}
	return append(out, '}')
}

// queryKeys returns the decoded keys of the query q in order.
func queryKeys(q []byte) []string {
	var keys []string
	for _, pair := range bytes.Split(q, []byte{'&'}) {
		for key := range eio.ParseQuery(pair) { // one key at most
			keys = append(keys, key)
		}
	}
	return keys
}

// socketIDV3 is a v4 client's socket id: the session id in the main
// namespace, "<nsp>#<session id>" in another.
func socketIDV3(sid eio.SID, nsp string) string {
	if nsp == "/" {
		return string(sid[:])
	}
	return nsp + "#" + string(sid[:])
}

// v3 returns the CONNECT_ERROR payload of a v4 client: the error's data,
// else its message (Node: err.data || err.message).
func (p connectErrorPayload) v3() any {
	if p.Data != nil {
		return p.Data
	}
	return p.Message
}
