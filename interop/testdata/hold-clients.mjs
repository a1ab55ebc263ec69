// Connects HOLD_CLIENTS socket.io-client 4.8 clients (over HOLD_TRANSPORT,
// default websocket) to the contract server at argv[2]; each joins room
// "room-<i % HOLD_ROOMS>" and sends HOLD_ECHOES "echo" events, awaiting each
// ack. Each answers the server's "ping" with its argument, and nothing else
// it is sent. Then it prints "ready" and holds the clients until it is
// killed (nodetest.StartServer). Fails (exit 1, no "ready") after 30 s.
import { io } from "socket.io-client";

const url = process.argv[2];
const N = Number(process.env.HOLD_CLIENTS || 10);
const ROOMS = Number(process.env.HOLD_ROOMS || 3);
const ECHOES = Number(process.env.HOLD_ECHOES || 5);
const transport = process.env.HOLD_TRANSPORT || "websocket";

setTimeout(() => {
  console.error("hold-clients: not ready after 30 s");
  process.exit(1);
}, 30000).unref();

const sockets = [];
await Promise.all(
  Array.from({ length: N }, async (_, i) => {
    const s = io(url, { transports: [transport], forceNew: true, reconnection: false });
    sockets.push(s);
    s.on("ping", (x, ack) => ack(x));
    await new Promise((resolve, reject) => {
      s.once("connect", resolve);
      s.once("connect_error", reject);
    });
    await s.emitWithAck("join", "room-" + (i % ROOMS));
    for (let k = 0; k < ECHOES; k++) await s.emitWithAck("echo", k);
  }),
);
console.log("ready");
process.on("SIGINT", () => {
  for (const s of sockets) s.close();
  process.exit(0);
});
setInterval(() => {}, 1000);
