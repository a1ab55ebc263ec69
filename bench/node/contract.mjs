// contract.mjs: the benchmark contract of ../contract (Go) on the official
// Node socket.io 4.8.4 server — default options (ws engine), path
// /socket.io/. bench/compare.sh runs both side by side.
//
//   node contract.mjs        # PORT (3000) and HOST (127.0.0.1)
//
// With REDIS_URL (redis://host:port) it is a member of a Redis cluster
// (@socket.io/redis-adapter 8.3's createAdapter, key "socket.io"), as
// ../contract is: bench/cluster.sh broadcasts across such nodes.
//
// Namespace "/":
//   "echo"(args..., ack)        -> ack(args...)
//   "broadcast"(arg)            -> io.emit("broadcast", arg), the sender included
//   "join"(room, ack)           -> joins room, ack(room)
//   "broadcast_room"(room, arg) -> io.to(room).emit("broadcast", arg)
// Exits 0 on SIGINT or SIGTERM.
import { createServer } from "node:http";
import { Server } from "socket.io";

const host = process.env.HOST || "127.0.0.1";
const port = Number(process.env.PORT || 3000);

const http = createServer();
const opts = {};
if (process.env.REDIS_URL) {
  const { createAdapter } = await import("@socket.io/redis-adapter");
  const { createClient } = await import("redis");
  const pub = createClient({ url: process.env.REDIS_URL });
  const sub = pub.duplicate();
  await Promise.all([pub.connect(), sub.connect()]);
  opts.adapter = createAdapter(pub, sub);
}
const io = new Server(http, opts);

io.on("connection", (socket) => {
  socket.on("echo", (...args) => {
    const ack = args.pop();
    if (typeof ack === "function") ack(...args);
  });
  socket.on("broadcast", (arg) => io.emit("broadcast", arg));
  socket.on("join", (room, ack) => {
    socket.join(String(room));
    if (typeof ack === "function") ack(room);
  });
  socket.on("broadcast_room", (room, arg) => io.to(String(room)).emit("broadcast", arg));
});

http.listen(port, host, () => {
  console.log(`contract server (node socket.io) listening on http://${host}:${port} (Socket.IO on /socket.io/)`);
});

function stop() {
  // Closing thousands of sockets one by one can take a while: don't wait
  // more than 2s for it.
  setTimeout(() => process.exit(0), 2000).unref();
  io.close(() => process.exit(0));
}
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
