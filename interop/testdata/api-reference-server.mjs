// api-reference-server.mjs: the contract of api-client.mjs on the
// official Node server (`go test -tags reference -run Reference ./interop/`).
// PORT=<port> node api-reference-server.mjs prints "listening" when ready.
import { createServer } from "node:http";
import { Server } from "socket.io";

const http = createServer();
const io = new Server(http);
io.of("/api").on("connection", (socket) => {
  socket.on("rooms", (join, leave, ack) => {
    socket.join(join);
    for (const r of leave) socket.leave(r);
    ack([...socket.rooms].filter((r) => r !== socket.id));
  });
  const tick1 = () => socket.emit("tick-1");
  const tick2 = () => socket.emit("tick-2");
  socket.on("tick", tick1);
  socket.on("tick", tick2);
  socket.on("off-one", (ack) => { socket.off("tick", tick1); ack(); });
  socket.on("off-all", (ack) => { socket.removeAllListeners("tick"); ack(); });
  socket.on("ping", (ack) => ack("pong"));
  // What a typed handler does in Go, by hand.
  socket.on("greet", (v, ack) => {
    if (v === null || typeof v !== "object" || Array.isArray(v) || (v.name !== undefined && typeof v.name !== "string") || (v.n !== undefined && typeof v.n !== "number")) {
      ack({ error: "argument 0 is not {name: string, n: number}" });
      return;
    }
    ack({ greeting: "hello " + v.name, double: 2 * v.n });
  });
});
http.listen(Number(process.env.PORT || 0), "127.0.0.1", () => {
  console.log("listening");
});
