// Reference implementation of the connection state recovery contract, using
// the official socket.io 4.8 server from npm. sioloop's Go server
// (interop/recovery_test.go) implements the same; sio-client.mjs's
// "recovery-*" scenarios run against both
// (`go test -tags reference -run Recovery ./interop/`).
//
// Contract:
//
//   Server: 127.0.0.1:$PORT, path "/socket.io/", pingInterval/pingTimeout as
//   the main contract (SIO_PING_INTERVAL / SIO_PING_TIMEOUT), CORS origin "*",
//   connectionStateRecovery { maxDisconnectionDuration: $SIO_RECOVERY_MS
//   (default 3000), skipMiddlewares: $SIO_SKIP_MIDDLEWARES !== "0" }.
//   Prints "listening" once ready.
//
//   Namespace "/":
//   - middleware: socket.data.mw = (socket.data.mw || 0) + 1; next()
//   - every socket is remembered by id, also after it disconnected
//   - "join" (room, ack)         -> socket.join(room); ack(room)
//   - "hi" ()                    -> socket.emit("hi")                 (gives the client an offset)
//   - "emit-all" (...args)       -> io.emit("all", ...args)
//   - "to-room" (room, ...args)  -> io.to(room).emit("room-msg", ...args)
//   - "emit-to" (id, ...args)    -> remembered[id].emit("direct", ...args)
//   - "volatile-to" (id, ...args)-> remembered[id].volatile.emit("vol", ...args);
//                                   io.volatile.emit("vol", ...args)
//   - "ack-to" (id, ...args)     -> remembered[id].timeout(10000).emit("with-ack", ...args, () => {})
//   - "state" (ack)              -> ack({recovered, id, rooms: [...socket.rooms], mw: socket.data.mw})
//   - on "disconnect" (reason)   -> io.emit("left", socket.id, reason)
import http from "node:http";
import { Server } from "socket.io";

const port = Number(process.env.PORT || 3000);
const httpServer = http.createServer((req, res) => res.writeHead(404).end());
const io = new Server(httpServer, {
  path: "/socket.io/",
  pingInterval: Number(process.env.SIO_PING_INTERVAL || 1000),
  pingTimeout: Number(process.env.SIO_PING_TIMEOUT || 2000),
  cors: { origin: "*" },
  connectionStateRecovery: {
    maxDisconnectionDuration: Number(process.env.SIO_RECOVERY_MS || 3000),
    skipMiddlewares: process.env.SIO_SKIP_MIDDLEWARES !== "0",
  },
});

const remembered = new Map();

io.use((socket, next) => {
  socket.data.mw = (socket.data.mw || 0) + 1;
  next();
});

io.on("connection", (socket) => {
  remembered.set(socket.id, socket);
  socket.on("join", (room, ack) => {
    socket.join(room);
    ack(room);
  });
  socket.on("hi", () => socket.emit("hi"));
  socket.on("emit-all", (...args) => io.emit("all", ...args));
  socket.on("to-room", (room, ...args) => io.to(room).emit("room-msg", ...args));
  socket.on("emit-to", (id, ...args) => remembered.get(id)?.emit("direct", ...args));
  socket.on("volatile-to", (id, ...args) => {
    remembered.get(id)?.volatile.emit("vol", ...args);
    io.volatile.emit("vol", ...args);
  });
  socket.on("ack-to", (id, ...args) => remembered.get(id)?.timeout(10000).emit("with-ack", ...args, () => {}));
  socket.on("state", (ack) => ack({ recovered: socket.recovered, id: socket.id, rooms: [...socket.rooms], mw: socket.data.mw }));
  socket.on("disconnect", (reason) => io.emit("left", socket.id, reason));
});

httpServer.listen(port, "127.0.0.1", () => process.stdout.write("listening\n"));
const shutdown = () => {
  io.close();
  httpServer.close();
  process.exit(0);
};
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
