package loop

import "github.com/sioloop/sioloop/eio"

// remoteConn is a conn seen from another loop: the session's loop answers
// a request or writes to a probing WebSocket by posting a task to the
// conn's loop. It is the same pointer as the conn, typed differently, so
// handing one out allocates nothing; its methods never read the conn.
type remoteConn conn

// Respond implements eio.Responder across loops. Safe from any loop.
func (rc *remoteConn) Respond(status int, contentType string, body []byte) {
	cn := (*conn)(rc)
	cn.sh.post(task{op: opRespond, c: cn, status: status, ctype: contentType, buf: copyBuf(body)})
}

// WriteMessage implements eio.WebSocket across loops.
func (rc *remoteConn) WriteMessage(binary bool, p []byte) {
	cn := (*conn)(rc)
	cn.sh.post(task{op: opWrite, c: cn, binary: binary, buf: copyBuf(p)})
}

// Close implements eio.WebSocket across loops.
func (rc *remoteConn) Close() {
	cn := (*conn)(rc)
	cn.sh.post(task{op: opClose, c: cn})
}

// Upgraded implements eio.WebSocket across loops: the session moves to
// the conn's loop, which adopts it.
func (rc *remoteConn) Upgraded(s *eio.Session) {
	cn := (*conn)(rc)
	cn.sh.post(task{op: opAdopt, c: cn, sess: s})
}
