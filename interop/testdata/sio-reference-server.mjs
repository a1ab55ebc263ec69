// Reference implementation of the Socket.IO interop contract, using the
// official socket.io 4.8 server from npm. sioloop's Go Socket.IO server must
// behave the same way for sio-client.mjs and sio_client.py;
// `go test -tags reference -run SIO ./interop/` runs every scenario against
// this server to prove the scenarios themselves.
//
// Contract (the Go server implements exactly this):
//
//   Server: listens on 127.0.0.1:$PORT (default 3000), Socket.IO path
//   "/socket.io/", pingInterval 1000 ms, pingTimeout 2000 ms (overridable with
//   SIO_PING_INTERVAL / SIO_PING_TIMEOUT), connectTimeout 1000 ms,
//   maxHttpBufferSize 1e6, CORS origin "*". Prints "listening" on stdout once
//   ready.
//
//   Namespace "/":
//   - on connection: socket.emit("auth", socket.handshake.auth)
//                                    (the CONNECT payload; {} when the client sends none)
//   - "echo" (...args, ack)       -> ack(...args)  (only if the last arg is an ack function)
//   - "echo-event" (...args)      -> socket.emit("echo-event", ...args)
//   - "join" (room | [rooms], ack) -> socket.join(room); ack(room)   (acks the string or array as given)
//   - "leave" (room, ack)         -> socket.leave(room); ack(room)
//   - "to-room" (room, ...args)   -> io.to(room).emit("room-msg", ...args)
//   - "to-room-except" (room, exceptRoom, ...args)
//                                 -> io.to(room).except(exceptRoom).emit("room-msg", ...args)
//   - "broadcast" (...args)       -> socket.broadcast.emit("broadcast", ...args)
//   - "emit-all" (...args)        -> io.emit("all", ...args)
//   - "ask" (...args)             -> socket.emit("question", ...args,
//                                      (...answer) => socket.emit("answer", ...answer))   [server -> client ack]
//   - "ask-timeout" (ms)          -> socket.timeout(ms).emit("no-answer",
//                                      (err) => socket.emit("ack-timeout", err ? err.message : null))
//                                    [the client never answers "no-answer"; err.message is
//                                     "operation has timed out"]
//   - "ask-all" (ms)              -> io.timeout(ms).emit("poll",
//                                      (err, responses) => socket.emit("poll-result", err ? err.message : null, responses))
//                                    [responses holds the FIRST ack argument of every client, in arrival order]
//   - "volatile" (n)              -> for i < n: io.volatile.emit("vol", i); then socket.emit("vol-done")
//                                    [a volatile packet is dropped when the transport is not writable at
//                                     that instant: socket.io 4.8 delivers only "vol" 0 of a tight loop,
//                                     over websocket and polling alike; guaranteed is only: at most once,
//                                     in order, none after "vol-done"]
//   - "disconnect-me" ()          -> socket.disconnect()
//                                    [server-side reason "server namespace disconnect";
//                                     client reason "io server disconnect", no reconnection]
//   - "close-transport" ()        -> socket.conn.close()
//                                    [client reason "transport close", it reconnects automatically
//                                     with a new socket id; server-side reason "forced close"]
//   - "rooms" (ack)               -> ack([...socket.rooms])
//   - "fetch" (room, ack)         -> io.in(room).fetchSockets().then(s => ack(s.map(x => x.id)))
//   - on "disconnect" (reason)    -> io.emit("left", socket.id, reason)
//                                    server-side reasons: "client namespace disconnect" (client
//                                    socket.disconnect()), "server namespace disconnect" (disconnect-me),
//                                    "forced close" (close-transport), "transport close" (the client
//                                    drops its Engine.IO connection), "ping timeout".
//                                    NB: every disconnect is broadcast to all, so N sockets leaving
//                                    cost O(N^2) writes.
//   Namespace "/custom": on connection socket.emit("auth", socket.handshake.auth); "echo" as above.
//   Namespace "/private": middleware
//       if (socket.handshake.auth?.token === "secret") next();
//       else { const e = new Error("unauthorized"); e.data = { reason: "bad token" }; next(e) }
//     on connection socket.emit("welcome", socket.id).
//     (client: connect_error with message "unauthorized" and data {reason: "bad token"})
//   Dynamic namespaces io.of(/^\/dyn-\d+$/): on connection socket.emit("nsp", socket.nsp.name)
//     (the concrete name, e.g. "/dyn-42"); "echo" as above.
//   Any other namespace is refused: CONNECT_ERROR {message: "Invalid namespace"}.
import http from "node:http";
import { Server } from "socket.io";
import msgpackParser from "socket.io-msgpack-parser";

const port = Number(process.env.PORT || 3000);
const host = process.env.HOST || "127.0.0.1";

const httpServer = http.createServer((req, res) => {
  res.writeHead(404).end();
});

const io = new Server(httpServer, {
  path: "/socket.io/",
  pingInterval: Number(process.env.SIO_PING_INTERVAL || 1000),
  pingTimeout: Number(process.env.SIO_PING_TIMEOUT || 2000),
  connectTimeout: 1000,
  maxHttpBufferSize: 1e6,
  cors: { origin: "*" },
  // SIO_PARSER=msgpack: socket.io-msgpack-parser, as the clients then use.
  ...(process.env.SIO_PARSER === "msgpack" ? { parser: msgpackParser } : {}),
});

function registerEcho(socket) {
  socket.on("echo", (...args) => {
    if (typeof args[args.length - 1] === "function") {
      const ack = args.pop();
      ack(...args);
    }
  });
}

io.on("connection", (socket) => {
  socket.emit("auth", socket.handshake.auth);
  registerEcho(socket);
  socket.on("echo-event", (...args) => socket.emit("echo-event", ...args));
  socket.on("join", (room, ack) => {
    socket.join(room);
    if (typeof ack === "function") ack(room);
  });
  socket.on("leave", (room, ack) => {
    socket.leave(room);
    if (typeof ack === "function") ack(room);
  });
  socket.on("to-room", (room, ...args) => io.to(room).emit("room-msg", ...args));
  socket.on("to-room-except", (room, exceptRoom, ...args) => io.to(room).except(exceptRoom).emit("room-msg", ...args));
  socket.on("broadcast", (...args) => socket.broadcast.emit("broadcast", ...args));
  socket.on("emit-all", (...args) => io.emit("all", ...args));
  socket.on("ask", (...args) => socket.emit("question", ...args, (...answer) => socket.emit("answer", ...answer)));
  socket.on("ask-timeout", (ms) => {
    socket.timeout(ms).emit("no-answer", (err) => socket.emit("ack-timeout", err ? err.message : null));
  });
  socket.on("ask-all", (ms) => {
    io.timeout(ms).emit("poll", (err, responses) => socket.emit("poll-result", err ? err.message : null, responses));
  });
  socket.on("volatile", (n) => {
    for (let i = 0; i < n; i++) io.volatile.emit("vol", i);
    socket.emit("vol-done");
  });
  socket.on("disconnect-me", () => socket.disconnect());
  socket.on("close-transport", () => socket.conn.close());
  socket.on("rooms", (ack) => ack([...socket.rooms]));
  socket.on("fetch", (room, ack) => {
    io.in(room)
      .fetchSockets()
      .then((s) => ack(s.map((x) => x.id)));
  });
  socket.on("disconnect", (reason) => io.emit("left", socket.id, reason));
});

io.of("/custom").on("connection", (socket) => {
  socket.emit("auth", socket.handshake.auth);
  registerEcho(socket);
});

const priv = io.of("/private");
priv.use((socket, next) => {
  if (socket.handshake.auth?.token === "secret") next();
  else {
    const e = new Error("unauthorized");
    e.data = { reason: "bad token" };
    next(e);
  }
});
priv.on("connection", (socket) => socket.emit("welcome", socket.id));

io.of(/^\/dyn-\d+$/).on("connection", (socket) => {
  socket.emit("nsp", socket.nsp.name);
  registerEcho(socket);
});

httpServer.listen(port, host, () => {
  process.stdout.write("listening\n");
});

const shutdown = () => {
  io.close();
  httpServer.close();
  process.exit(0);
};
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
