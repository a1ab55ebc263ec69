// The official cluster member of redisadapter's tests: socket.io 4.8 with
// @socket.io/redis-adapter 8.3 on REDIS_URL, serving PORT: the classic
// pub/sub adapter (createAdapter), or with SHARDED=1 the sharded one
// (createShardedAdapter, subscriptionMode SUBSCRIPTION_MODE).
// It prints "listening <port> pid <pid>" once it serves.
//
// Clients drive it (and the Go nodes, which implement the same contract in
// cluster_test.go) with the "ctl" event: ctl(op, arg, ack) runs ops[op] and
// acks its result, or {error}. Every socket's data is {node: NODE}; the
// server-side event "sse" is answered with {node: NODE, x}; "sse-noack"
// events are kept for op "sseSeen".
import { createServer } from "node:http";
import { Server } from "socket.io";
import { createAdapter, createShardedAdapter } from "@socket.io/redis-adapter";
import { createClient } from "redis";

const NODE = process.env.NODE_NAME || "node";
const pub = createClient({ url: process.env.REDIS_URL });
const sub = pub.duplicate();
pub.on("error", (e) => console.error("redis pub:", e.message));
sub.on("error", (e) => console.error("redis sub:", e.message));
await Promise.all([pub.connect(), sub.connect()]);

const httpServer = createServer();
const io = new Server(httpServer, {
  adapter: process.env.SHARDED
    ? createShardedAdapter(pub, sub, { subscriptionMode: process.env.SUBSCRIPTION_MODE || "dynamic" })
    : createAdapter(pub, sub, { requestsTimeout: Number(process.env.REQUESTS_TIMEOUT || 3000) }),
  cors: { origin: "*" },
});

const sseSeen = [];
io.on("sse", (x, cb) => cb({ node: NODE, x }));
io.on("sse-noack", (x) => sseSeen.push(x));

const sel = (rooms, except) => {
  let op = io.of("/");
  if (rooms && rooms.length) op = op.to(rooms);
  if (except && except.length) op = op.except(except);
  return op;
};

const ops = {
  join: (socket, room) => (socket.join(room), true),
  emit: ({ rooms, except, event, args, bin }) => {
    const all = [...args];
    if (bin) all.push(Buffer.from(Array.from({ length: 256 }, (_, i) => i)), { nested: [Buffer.from([1, 2, 3])] });
    sel(rooms, except).emit(event, ...all);
    return true;
  },
  socketsJoin: ({ rooms, room }) => (sel(rooms).socketsJoin(room), true),
  socketsLeave: ({ rooms, room }) => (sel(rooms).socketsLeave(room), true),
  disconnectSockets: ({ rooms, close }) => (sel(rooms).disconnectSockets(close), true),
  fetch: async ({ rooms }) =>
    (await sel(rooms).fetchSockets()).map((s) => ({
      id: s.id,
      rooms: [...s.rooms],
      data: s.data,
      hs: { address: s.handshake.address, url: s.handshake.url, query: s.handshake.query, auth: s.handshake.auth, issued: s.handshake.issued, time: s.handshake.time, xdomain: s.handshake.xdomain, ua: s.handshake.headers["user-agent"] || null },
    })),
  remoteEmit: async ({ id, event, x }) => {
    const [s] = await io.in(id).fetchSockets();
    s.emit(event, x);
    return true;
  },
  allRooms: async () => [...(await io.of("/").adapter.allRooms())],
  sse: async ({ event, x, ack }) => {
    if (!ack) return (io.serverSideEmit(event, x), true);
    return await io.serverSideEmitWithAck(event, x);
  },
  sseSeen: () => sseSeen,
  bcastAck: async ({ rooms, event, timeout }) => await sel(rooms).timeout(timeout).emitWithAck(event),
};

io.on("connection", (socket) => {
  socket.data = { node: NODE };
  socket.on("ctl", async (op, arg, ack) => {
    try {
      ack(await ops[op](op === "join" ? socket : arg, arg));
    } catch (e) {
      ack({ error: String((e && e.message) || e) });
    }
  });
});

httpServer.listen(Number(process.env.PORT), "127.0.0.1", () => {
  console.log(`listening ${httpServer.address().port} pid ${process.pid}`);
});
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => process.exit(0));
