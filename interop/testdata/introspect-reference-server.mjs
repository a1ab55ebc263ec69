// introspect-reference-server.mjs: the contract of introspect-client.mjs
// on the official Node server
// (`go test -tags reference -run Introspection ./interop/`).
// PORT=<port> node introspect-reference-server.mjs prints "listening" when ready.
import { createServer } from "node:http";
import { Server } from "socket.io";

const http = createServer();
const io = new Server(http, { cleanupEmptyChildNamespaces: true });

const rooms = io.of(/^\/room-\d+$/);
rooms.use((socket, next) => next(socket.handshake.auth.refuse ? new Error("refused") : undefined));
rooms.on("connection", (socket) => {
  socket.emit("welcome", socket.nsp.name);
  socket.on("join", (names, ack) => {
    socket.join(names);
    ack();
  });
});

io.on("connection", (socket) => {
  socket.on("inspect", (name, ack) => {
    const nsp = io._nsps.get(name);
    const sizes = {};
    if (nsp) {
      for (const [room, members] of nsp.adapter.rooms) {
        if (!nsp.sockets.has(room)) sizes[room] = members.size;
      }
    }
    ack({
      namespaces: [...io._nsps.keys()].filter((n) => n.startsWith("/room-")).sort(),
      sockets: nsp ? nsp.sockets.size : 0,
      clients: io.engine.clientsCount,
      rooms: sizes,
    });
  });
  socket.on("ask-back", async (ms, base, ack) => {
    const answer = (resolve) => (err, v) => resolve(err ? err.message : v);
    const viaSocket = new Promise((r) => socket.timeout(ms).emit("question", base + 1, answer(r)));
    const [remote] = await io.in(socket.id).fetchSockets();
    const viaRemote = new Promise((r) => remote.timeout(ms).emit("question", base + 2, answer(r)));
    const viaBroadcast = new Promise((r) => io.to(socket.id).timeout(ms).emit("question", base + 3, answer(r)));
    const [a, b, c] = await Promise.all([viaSocket, viaRemote, viaBroadcast]);
    ack({ socket: a, remote: b, broadcast: c });
  });
});

http.listen(Number(process.env.PORT || 0), "127.0.0.1", () => {
  console.log("listening");
});
