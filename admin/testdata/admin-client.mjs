// admin-client.mjs: the official socket.io-client plays the Admin UI (on
// the /admin namespace) and two observed clients, and checks what the
// admin namespace reports and does.
//
//   node admin-client.mjs <baseURL> <scenario>
//
// scenario "development": wrong password refused; login (session, config,
// all_sockets); a new client's socket_connected, room_joined,
// socket_updated (upgrade, data), event_received, event_sent; the UI's
// actions join, leave, emit, _disconnect; server_stats; a reconnection
// with the session id.
// scenario "readonly-production": config has AGGREGATED_EVENTS only;
// nothing per socket; the actions do nothing.
//
// The Go test's server: user "admin", password "secret", serverId
// "test-server"; namespace "/" joins "lobby" on connection, and on
// "hello"(x) sets the socket's data to {name: x} and emits "greeting"(x).
// Prints one JSON line {"ok":true,...} or {"ok":false,"error":...}.
import { io } from "socket.io-client";

const [base, scenario] = process.argv.slice(2);
const stepMs = 5000;
const sockets = [];
const steps = [];

const hard = setTimeout(() => finish({ ok: false, error: "hard timeout", steps }, 1), 40000);

function finish(result, code) {
  clearTimeout(hard);
  for (const s of sockets) s.disconnect();
  process.stdout.write(JSON.stringify(result) + "\n");
  process.exit(code);
}

function fail(msg) {
  throw new Error(msg);
}

function check(cond, msg) {
  if (!cond) fail(msg);
}

function connect(nsp, opts = {}) {
  const s = io(base + nsp, { forceNew: true, reconnection: false, ...opts });
  sockets.push(s);
  return s;
}

// Recorder keeps every event an admin socket gets, and waits for one
// matching a predicate (seen before or after the call).
function recorder(s) {
  const seen = [];
  let waiters = [];
  s.onAny((event, ...args) => {
    seen.push({ event, args });
    waiters = waiters.filter((w) => !(w.match(event, args) && (w.resolve({ event, args }), true)));
  });
  return {
    seen,
    wait(what, match, ms = stepMs) {
      const found = seen.find((e) => match(e.event, e.args));
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const w = { match, resolve };
        waiters.push(w);
        setTimeout(() => reject(new Error(`no ${what} within ${ms} ms; got ${JSON.stringify(seen.map((e) => e.event))}`)), ms);
      });
    },
    count(event) {
      return seen.filter((e) => e.event === event).length;
    },
  };
}

function once(s, event, ms = stepMs) {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no ${event} within ${ms} ms`)), ms);
    s.once(event, (...args) => {
      clearTimeout(t);
      resolve(args);
    });
  });
}

function isISODate(v) {
  return typeof v === "string" && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(v);
}

async function login(auth) {
  const admin = connect("/admin", { auth });
  const rec = recorder(admin);
  await once(admin, "connect");
  return { admin, rec };
}

async function development() {
  const a = connect("/", { transports: ["websocket"] });
  await once(a, "connect");

  const bad = connect("/admin", { auth: { username: "admin", password: "wrong" } });
  const [err] = await once(bad, "connect_error");
  check(err.message === "invalid credentials", `wrong password: ${err.message}`);
  steps.push("refused");

  const { admin, rec } = await login({ username: "admin", password: "secret" });
  const session = (await rec.wait("session", (e) => e === "session")).args[0];
  check(/^[0-9a-f]{16}$/.test(session), `session id ${session}`);
  const config = (await rec.wait("config", (e) => e === "config")).args[0];
  const want = ["EMIT", "JOIN", "LEAVE", "DISCONNECT", "MJOIN", "MLEAVE", "MDISCONNECT", "AGGREGATED_EVENTS", "ALL_EVENTS"];
  check(JSON.stringify(config.supportedFeatures) === JSON.stringify(want), `features ${JSON.stringify(config.supportedFeatures)}`);
  check(rec.seen.findIndex((e) => e.event === "session") < rec.seen.findIndex((e) => e.event === "config"), "session after config");
  const all = (await rec.wait("all_sockets", (e) => e === "all_sockets")).args[0];
  const sa = all.find((x) => x.id === a.id);
  check(sa, `all_sockets lacks ${a.id}: ${JSON.stringify(all.map((x) => x.id))}`);
  check(sa.nsp === "/" && JSON.stringify(sa.rooms) === JSON.stringify([a.id, "lobby"]), `a: ${JSON.stringify(sa)}`);
  check(sa.clientId === a.io.engine.id.slice(0, 12) && sa.transport === "websocket", `a's client: ${sa.clientId} ${sa.transport}`);
  check(sa.handshake.address === "127.0.0.1" && sa.handshake.url.startsWith("/socket.io/?") && sa.handshake.query.EIO === "4", `a's handshake: ${JSON.stringify(sa.handshake)}`);
  check(typeof sa.handshake.headers.host === "string" && typeof sa.handshake.issued === "number", `a's headers: ${JSON.stringify(sa.handshake)}`);
  check(JSON.stringify(sa.data) === "{}", `a's data: ${JSON.stringify(sa.data)}`);
  check(all.some((x) => x.nsp === "/admin" && x.id === admin.id), "all_sockets lacks the admin socket");
  steps.push("login");

  // A new client, over polling first: connected, its rooms, the upgrade.
  const b = connect("/");
  await once(b, "connect");
  const [conn, ts] = (await rec.wait("socket_connected", (e, args) => e === "socket_connected" && args[0].id === b.id)).args;
  check(conn.nsp === "/" && conn.transport === "polling" && conn.clientId === b.io.engine.id.slice(0, 12), `b connected: ${JSON.stringify(conn)}`);
  check(isISODate(ts), `socket_connected timestamp ${ts}`);
  await rec.wait("room_joined b.id", (e, args) => e === "room_joined" && args[0] === "/" && args[1] === b.id && args[2] === b.id && isISODate(args[3]));
  await rec.wait("room_joined lobby", (e, args) => e === "room_joined" && args[0] === "/" && args[1] === "lobby" && args[2] === b.id);
  await rec.wait("socket_updated transport", (e, args) => e === "socket_updated" && args[0].id === b.id && args[0].nsp === "/" && args[0].transport === "websocket");
  steps.push("observed");

  // Events both ways, and the data the handler set.
  const greeting = once(b, "greeting");
  b.emit("hello", "bob", () => {});
  const recv = (await rec.wait("event_received", (e, args) => e === "event_received" && args[1] === b.id)).args;
  check(recv[0] === "/" && JSON.stringify(recv[2]) === JSON.stringify(["hello", "bob"]) && isISODate(recv[3]), `event_received ${JSON.stringify(recv)}`);
  const sent = (await rec.wait("event_sent", (e, args) => e === "event_sent" && args[1] === b.id)).args;
  check(JSON.stringify(sent[2]) === JSON.stringify(["greeting", "bob"]), `event_sent ${JSON.stringify(sent)}`);
  await greeting;
  const upd = (await rec.wait("socket_updated data", (e, args) => e === "socket_updated" && args[0].id === b.id && args[0].data)).args[0];
  check(JSON.stringify(upd.data) === JSON.stringify({ name: "bob" }), `data ${JSON.stringify(upd)}`);
  steps.push("events");

  // The UI's actions, on one socket (its id as the filter).
  admin.emit("join", "/", "room-x", b.id);
  await rec.wait("room_joined room-x", (e, args) => e === "room_joined" && args[1] === "room-x" && args[2] === b.id);
  admin.emit("leave", "/", "room-x", b.id);
  await rec.wait("room_left room-x", (e, args) => e === "room_left" && args[1] === "room-x" && args[2] === b.id && isISODate(args[3]));
  const notice = once(b, "notice");
  admin.emit("emit", "/", b.id, "notice", 1, "two");
  const got = await notice;
  check(JSON.stringify(got) === JSON.stringify([1, "two"]), `notice ${JSON.stringify(got)}`);
  const gone = once(b, "disconnect");
  const bid = b.id; // the client forgets it on disconnect
  admin.emit("_disconnect", "/", false, bid);
  const [why] = await gone;
  check(why === "io server disconnect", `b's disconnect reason ${why}`);
  const disc = (await rec.wait("socket_disconnected", (e, args) => e === "socket_disconnected" && args[1] === bid)).args;
  check(disc[0] === "/" && disc[2] === "server namespace disconnect" && isISODate(disc[3]), `socket_disconnected ${JSON.stringify(disc)}`);
  await rec.wait("room_left lobby", (e, args) => e === "room_left" && args[1] === "lobby" && args[2] === bid);
  steps.push("actions");

  const stats = (await rec.wait("server_stats", (e) => e === "server_stats", 5000)).args[0];
  check(stats.serverId === "test-server" && typeof stats.hostname === "string" && stats.pid > 0 && stats.uptime > 0, `stats ${JSON.stringify(stats)}`);
  check(stats.clientsCount >= 2 && stats.pollingClientsCount === 0, `clients ${stats.clientsCount}/${stats.pollingClientsCount}`);
  const root = stats.namespaces.find((n) => n.name === "/");
  const adm = stats.namespaces.find((n) => n.name === "/admin");
  check(root && root.socketsCount === 1 && adm && adm.socketsCount === 1, `namespaces ${JSON.stringify(stats.namespaces)}`);
  check(Array.isArray(stats.aggregatedEvents), "aggregatedEvents");
  const types = new Set(stats.aggregatedEvents.map((e) => e.type));
  for (const t of ["rawConnection", "packetsIn", "packetsOut", "bytesIn", "bytesOut"]) check(types.has(t), `aggregatedEvents lack ${t}: ${JSON.stringify(stats.aggregatedEvents)}`);
  steps.push("stats");

  // The UI reconnects with its session id, no password.
  const again = await login({ sessionId: session });
  await again.rec.wait("config again", (e) => e === "config");
  check(again.rec.count("session") === 0, "a session id login got a new session");
  steps.push("session");
  return { ok: true, scenario, steps };
}

async function readonlyProduction() {
  const { admin, rec } = await login({ username: "admin", password: "secret" });
  const config = (await rec.wait("config", (e) => e === "config")).args[0];
  check(JSON.stringify(config.supportedFeatures) === JSON.stringify(["AGGREGATED_EVENTS"]), `features ${JSON.stringify(config.supportedFeatures)}`);
  const a = connect("/");
  await once(a, "connect");
  admin.emit("join", "/", "room-x", a.id);
  admin.emit("_disconnect", "/", true, a.id);
  // Two stats later nothing else came, and a is still connected.
  await rec.wait("server_stats", (e) => e === "server_stats", 5000);
  const n = rec.count("server_stats");
  await rec.wait("another server_stats", (e) => e === "server_stats" && rec.count("server_stats") > n, 5000);
  const others = rec.seen.filter((e) => !["session", "config", "server_stats"].includes(e.event));
  check(others.length === 0, `production sent ${JSON.stringify(others.map((e) => e.event))}`);
  check(a.connected, "a readonly _disconnect disconnected a");
  steps.push("readonly");
  return { ok: true, scenario, steps };
}

const run = scenario === "development" ? development : scenario === "readonly-production" ? readonlyProduction : null;
if (!run) finish({ ok: false, error: `unknown scenario ${scenario}` }, 1);
run().then(
  (r) => finish(r, 0),
  (err) => finish({ ok: false, error: String(err && err.message || err), steps }, 1),
);
