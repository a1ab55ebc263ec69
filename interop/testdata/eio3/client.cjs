// socket.io-client 2.x (Engine.IO v3, Socket.IO protocol v4) against the
// contract of server.cjs: `node client.cjs <scenario> <baseURL>`, scenario
// one of polling, websocket, upgrade (the transports the client may use).
// Prints one JSON line, {"ok": true, ...} when every check passed.
const io = require("socket.io-client");

const [scenario, base] = process.argv.slice(2);
const transports = { polling: ["polling"], websocket: ["websocket"], upgrade: ["polling", "websocket"] }[scenario];
const waitMs = +(process.env.EIO3_WAIT_MS || 8000);
const pingInterval = +(process.env.EIO3_PING_INTERVAL || 25000);
const pingTimeout = +(process.env.EIO3_PING_TIMEOUT || 20000);
const opened = [];

function finish(result) {
  for (const s of opened) s.close();
  console.log(JSON.stringify(result));
  process.exit(result.ok ? 0 : 1);
}
process.on("uncaughtException", (e) => finish({ ok: false, error: String(e && e.stack) }));

function connect(nsp, query) {
  const s = io(base + nsp, { transports, forceNew: true, reconnection: false, query });
  opened.push(s);
  return s;
}

// once resolves with the arguments of s's next event ev, or fails.
function once(s, ev) {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error("timeout waiting for " + ev)), waitMs);
    s.once(ev, (...args) => { clearTimeout(t); resolve(args); });
  });
}

function check(cond, what, got) {
  if (!cond) throw new Error(what + ": got " + JSON.stringify(got));
}

const hex = (b) => Buffer.isBuffer(b) ? b.toString("hex") : "not a buffer: " + JSON.stringify(b);

async function main() {
  if (!transports) throw new Error("unknown scenario " + scenario);
  const s = connect("/", { foo: "bar" });
  const [id] = await once(s, "welcome");
  check(id === s.io.engine.id && id === s.id, "socket id is the engine id", { id, engine: s.io.engine.id, sid: s.id });

  // Acks from the server, binary both ways.
  const echoed = await new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error("timeout waiting for the echo ack")), waitMs);
    s.emit("echo", "h\u00e9 \ud83d\ude00", Buffer.from([1, 2, 3]), { n: 1, b: Buffer.from([4]) }, (...a) => { clearTimeout(t); resolve(a); });
  });
  check(echoed.length === 3 && echoed[0] === "h\u00e9 \ud83d\ude00" && hex(echoed[1]) === "010203" && echoed[2].n === 1 && hex(echoed[2].b) === "04",
    "echo ack", echoed.map((x) => Buffer.isBuffer(x) ? hex(x) : x));

  // An ack from the client to the server's event.
  s.once("question", (b, x, ack) => {
    check(hex(b) === "090807" && x === "x", "question", [hex(b), x]);
    ack("thanks", Buffer.from([5]));
  });
  s.emit("ask");
  const answer = await once(s, "answer");
  check(answer[0] === "thanks" && hex(answer[1]) === "05", "answer", answer.map((x) => Buffer.isBuffer(x) ? hex(x) : x));

  // Another namespace: its CONNECT carries the query, the server's auth.
  const admin = connect("/admin", { token: "abc" });
  const [auth, adminID] = await once(admin, "auth");
  check(JSON.stringify(auth) === '{"token":"abc"}', "admin auth", auth);
  check(adminID === "/admin#" + admin.io.engine.id && adminID === admin.id, "admin socket id", { adminID, id: admin.id });

  // Refusals, in the shapes a 2.x client reads as "error".
  const [withData] = await once(connect("/", { refuse: "data" }), "error");
  check(JSON.stringify(withData) === '{"why":"test"}', "middleware refusal with data", withData);
  const [plain] = await once(connect("/", { refuse: "plain" }), "error");
  check(plain === "refused", "middleware refusal", plain);
  const [nope] = await once(connect("/nope"), "error");
  check(JSON.stringify(nope) === '{"message":"Invalid namespace"}', "unknown namespace", nope);

  // The client pings, the server answers: the session outlives a few
  // ping timeouts, then still acks.
  const pongs = [];
  s.io.engine.on("pong", () => pongs.push(Date.now()));
  await new Promise((r) => setTimeout(r, 2 * (pingInterval + pingTimeout)));
  check(pongs.length >= 2 && s.connected, "pongs", { pongs: pongs.length, connected: s.connected });
  const [again] = await new Promise((resolve) => s.emit("echo", "again", (...a) => resolve(a)));
  check(again === "again", "echo after the pings", again);

  finish({ ok: true, transport: s.io.engine.transport.name, pongs: pongs.length });
}
main().catch((e) => finish({ ok: false, error: String(e && e.stack) }));
