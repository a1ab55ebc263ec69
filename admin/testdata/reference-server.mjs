// reference-server.mjs: the scenario server of admin-client.mjs on the
// official Node server and @socket.io/admin-ui, to validate the client's
// expectations: `go test -tags reference -run Reference ./admin/`.
//
//   PORT=0 SCENARIO=development|readonly-production node reference-server.mjs
//
// Prints "listening <port>" when ready.
import { createServer } from "node:http";
import { Server } from "socket.io";
import { instrument } from "@socket.io/admin-ui";
import bcrypt from "bcryptjs";

const http = createServer();
const io = new Server(http);
io.on("connection", (socket) => {
  socket.join("lobby");
  socket.on("hello", (name) => {
    socket.data.name = name;
    socket.emit("greeting", name);
  });
});
const production = process.env.SCENARIO === "readonly-production";
instrument(io, {
  auth: { type: "basic", username: "admin", password: bcrypt.hashSync("secret", 4) },
  serverId: "test-server",
  readonly: production,
  mode: production ? "production" : "development",
});
http.listen(Number(process.env.PORT || 0), "127.0.0.1", () => {
  console.log(`listening ${http.address().port}`);
});
