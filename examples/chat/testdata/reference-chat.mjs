// reference-chat.mjs: the chat protocol of examples/chat on the official
// Node socket.io 4.8 server, serving the same page (../static/index.html) and
// client bundle. chat-e2e.mjs is validated against it; the Go server must
// behave the same.
//
//   node testdata/reference-chat.mjs        # PORT (3000) and HOST (127.0.0.1)
//
// Protocol (namespace "/"):
//   "set-nick"(nick, ack)  -> ack({ok:true}) (or {ok:false, error} for an empty
//                             or over-long nickname)
//   "join"(room, ack)      -> leaves the previous room (which gets "system"
//                             "<nick> left"), joins room ("" means "lobby"),
//                             the room gets "system" "<nick> joined", then
//                             ack({room, members:[nicks in join order]})
//   "message"(text)        -> the room gets "message" {nick, text, time}
//   "typing"(bool)         -> the others in the room get "typing" {nick, typing}
//   disconnect             -> the room gets "system" "<nick> left" (after
//                             "typing" {nick, typing:false} if it was typing)
// A socket that sent no "set-nick" is called "guest-" + its id's first 4
// characters; "message" and "typing" outside a room are ignored.
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Server } from "socket.io";

const here = dirname(fileURLToPath(import.meta.url));
const indexHTML = readFileSync(join(here, "..", "static", "index.html"));

const MAX_NICK = 32, MAX_ROOM = 64, MAX_TEXT = 1000;

const http = createServer((req, res) => {
  const path = new URL(req.url, "http://x").pathname;
  if (path === "/" || path === "/index.html") {
    res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
    res.end(indexHTML);
  } else {
    res.writeHead(404, { "Content-Type": "text/plain; charset=utf-8" });
    res.end("not found\n");
  }
});

// serveClient (the default) serves /socket.io/socket.io.min.js, as the Go
// server's loop.ServeClient does.
const io = new Server(http, { cors: { origin: "*" }, perMessageDeflate: { threshold: 64 } });

function members(room) {
  const ids = io.sockets.adapter.rooms.get(room) || new Set();
  return [...ids].map((id) => io.sockets.sockets.get(id)?.data.nick).filter(Boolean);
}

function leaveRoom(socket) {
  const d = socket.data;
  if (!d.room) return;
  const room = d.room;
  d.room = "";
  socket.leave(room);
  if (d.typing) {
    d.typing = false;
    io.to(room).emit("typing", { nick: d.nick, typing: false });
  }
  io.to(room).emit("system", `${d.nick} left`);
}

io.on("connection", (socket) => {
  socket.data = { nick: "guest-" + socket.id.slice(0, 4), room: "", typing: false };

  socket.on("set-nick", (nick, ack) => {
    if (typeof ack !== "function") return;
    nick = typeof nick === "string" ? nick.trim() : "";
    if (nick === "") return ack({ ok: false, error: "empty nickname" });
    if (nick.length > MAX_NICK) return ack({ ok: false, error: "nickname longer than 32 characters" });
    socket.data.nick = nick;
    ack({ ok: true });
  });

  socket.on("join", (room, ack) => {
    room = (typeof room === "string" ? room.trim() : "").slice(0, MAX_ROOM) || "lobby";
    if (socket.data.room !== room) {
      leaveRoom(socket);
      socket.data.room = room;
      socket.join(room);
      io.to(room).emit("system", `${socket.data.nick} joined`);
    }
    if (typeof ack === "function") ack({ room, members: members(room) });
  });

  socket.on("message", (text) => {
    const { nick, room } = socket.data;
    if (!room || typeof text !== "string") return;
    text = text.trim().slice(0, MAX_TEXT);
    if (text === "") return;
    socket.data.typing = false;
    io.to(room).emit("message", { nick, text, time: Date.now() });
  });

  socket.on("typing", (typing) => {
    const d = socket.data;
    typing = typing === true;
    if (!d.room || d.typing === typing) return;
    d.typing = typing;
    socket.to(d.room).emit("typing", { nick: d.nick, typing });
  });

  socket.on("disconnect", () => leaveRoom(socket));
});

const host = process.env.HOST || "127.0.0.1";
const port = Number(process.env.PORT || 3000);
http.listen(port, host, () => {
  const { port: p } = http.address();
  console.log(`chat listening on http://${host}:${p}`);
});
for (const sig of ["SIGINT", "SIGTERM"]) {
  process.on(sig, () => {
    io.close();
    http.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 1000).unref();
  });
}
