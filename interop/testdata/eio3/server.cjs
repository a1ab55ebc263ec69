// The official server (socket.io 4.8, allowEIO3) serving the contract that
// interop/eio3_test.go serves with sioloop: client.cjs runs against both.
//
//   - path /socket.io/, pingInterval EIO3_PING_INTERVAL, pingTimeout
//     EIO3_PING_TIMEOUT (ms);
//   - "/": a middleware refuses a handshake whose query has refuse=data
//     (Error "refused", data {why: "test"}) or refuse=plain (no data);
//     on connection the socket emits "welcome" with its id; "echo" is
//     acknowledged with its arguments; "ask" makes the server emit
//     "question" (Buffer 09 08 07, "x") with an ack, and the client's ack
//     arguments come back in an "answer" event;
//   - "/admin": on connection the socket emits "auth" with its handshake
//     auth and its id.
const { Server } = require("socket.io");

const io = new Server(+process.env.PORT, {
  allowEIO3: true,
  pingInterval: +(process.env.EIO3_PING_INTERVAL || 25000),
  pingTimeout: +(process.env.EIO3_PING_TIMEOUT || 20000),
});
io.use((socket, next) => {
  const refuse = socket.handshake.query.refuse;
  if (!refuse) return next();
  const err = new Error("refused");
  if (refuse === "data") err.data = { why: "test" };
  next(err);
});
io.on("connection", (socket) => {
  socket.emit("welcome", socket.id);
  socket.on("echo", (...args) => {
    const ack = args.pop();
    ack(...args);
  });
  socket.on("ask", () => {
    socket.emit("question", Buffer.from([9, 8, 7]), "x", (...answer) => socket.emit("answer", ...answer));
  });
});
io.of("/admin").on("connection", (socket) => socket.emit("auth", socket.handshake.auth, socket.id));
console.log("listening");
