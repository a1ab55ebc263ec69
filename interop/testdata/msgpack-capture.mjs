// Records the binary messages the official socket.io-client 4.8 sends with
// socket.io-msgpack-parser 3.0, as the official server receives them, one
// hex line each: the seed corpus of FuzzDecode (client-packets.hex).
//
// Run in interop/testdata (where npm ci installed the packages):
//   node msgpack-capture.mjs > ../../parser/msgpack/testdata/client-packets.hex
import http from "node:http";
import { Server } from "socket.io";
import { io as connect } from "socket.io-client";
import parser from "socket.io-msgpack-parser";

const httpServer = http.createServer();
const io = new Server(httpServer, { parser });
const seen = [];
io.engine.on("connection", (conn) => {
  conn.on("packet", (p) => {
    if (p.type === "message" && typeof p.data !== "string") seen.push(Buffer.from(p.data).toString("hex"));
  });
});
const onConn = (s) => {
  s.on("ev", (...args) => {
    const ack = typeof args[args.length - 1] === "function" ? args.pop() : null;
    if (ack) ack(...args);
  });
  s.emit("question", 1, (...answer) => s.emit("done", ...answer));
};
io.on("connection", onConn);
io.of("/admin").on("connection", onConn);

await new Promise((r) => httpServer.listen(0, "127.0.0.1", r));
const url = `http://127.0.0.1:${httpServer.address().port}`;
for (const transport of ["websocket", "polling"]) {
  for (const nsp of ["/", "/admin"]) {
    const s = connect(url + nsp, { parser, transports: [transport], forceNew: true, auth: { token: "secret", n: 1 } });
    s.on("question", (n, ack) => ack(n + 1, Buffer.from([9, 8]), { ok: true }));
    await new Promise((r) => s.on("done", r));
    s.emit("ev", "hello", 42, 3.5, null, true, [1, "two"], { nested: { deep: [Buffer.from([1, 2, 3])] } });
    await new Promise((r) => s.emit("ev", Uint8Array.of(255, 0), Buffer.alloc(0), "é😀", -7, 2 ** 40, r));
    s.emit(42, "numeric event name");
    s.emit("ev", undefined, new Date(0));
    await new Promise((r) => s.emit("ev", "last", r));
    s.disconnect();
  }
}
await new Promise((r) => setTimeout(r, 200));
process.stdout.write(seen.join("\n") + "\n");
io.close();
process.exit(0);
