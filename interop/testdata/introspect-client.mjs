// introspect-client.mjs: what a Node user reads off the server — how many
// sockets a namespace has, the engine's clients, a namespace's rooms —
// the dynamic children that cleanupEmptyChildNamespaces removes, and the
// ack of one client's answer the same way from every emitter, as the
// official socket.io-client 4.8 sees it.
//
//   node introspect-client.mjs <baseURL>
//
// The contract (introspect-reference-server.mjs on the official server,
// interop/introspect_test.go's Go server), with cleanupEmptyChildNamespaces:
//   dynamic /^\/room-\d+$/   middleware: auth.refuse refuses ("refused");
//                            on connection emit("welcome", nsp name);
//                            "join"(rooms[], ack) joins, then ack()
//   "/" "inspect"(nsp, ack)  ack({namespaces: the /room-* names, sorted;
//                            sockets: nsp's sockets count (0 when none);
//                            clients: the engine's clients count;
//                            rooms: {room: size} of nsp, own ids left out})
//   "/" "ask-back"(ms, base, ack)  asks this client "question"(n) with a
//                            timeout of ms three ways — socket (n = base+1),
//                            the RemoteSocket of fetchSockets (base+2), a
//                            broadcast to its id (base+3) — and acks
//                            {socket, remote, broadcast}: each answer, or
//                            the error's message
// The client answers "question"(n) with n*10 when n < 100, never else.
// Prints one JSON line {"ok":true,...} or {"ok":false,"error":...}.
import { io } from "socket.io-client";

const [base] = process.argv.slice(2);
const steps = [];
const hard = setTimeout(() => finish({ ok: false, error: "hard timeout", steps }, 1), 30000);
const sockets = [];

function finish(result, code) {
  clearTimeout(hard);
  for (const s of sockets) s.disconnect();
  process.stdout.write(JSON.stringify(result) + "\n");
  process.exit(code);
}

function check(cond, msg) {
  if (!cond) throw new Error(msg);
}

// json is JSON with sorted keys: the servers may order them differently.
const sorted = (v) =>
  v && typeof v === "object" && !Array.isArray(v)
    ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sorted(v[k])]))
    : v;
const json = (v) => JSON.stringify(sorted(v));

function open(path, opts = {}) {
  const s = io(base + path, { forceNew: true, reconnection: false, ...opts });
  sockets.push(s);
  return s;
}

function connected(s) {
  return new Promise((resolve, reject) => {
    s.once("connect", resolve);
    s.once("connect_error", reject);
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function run() {
  const main = open("/");
  main.on("question", (n, cb) => {
    if (n < 100) cb(n * 10);
  });
  await connected(main);
  const inspect = (nsp) => main.timeout(5000).emitWithAck("inspect", nsp);
  // Waits until the server shows what want accepts (a disconnect reaches
  // it after the client's promise resolves).
  const until = async (nsp, want, what) => {
    let got;
    for (let i = 0; i < 100; i++) {
      got = await inspect(nsp);
      if (want(got)) return got;
      await sleep(50);
    }
    throw new Error(`${what}: ${json(got)}`);
  };

  let got = await inspect("/room-1");
  check(json(got) === json({ namespaces: [], sockets: 0, clients: 1, rooms: {} }), `at start: ${json(got)}`);
  steps.push("empty");

  const a = open("/room-1");
  const welcomeA = new Promise((r) => a.once("welcome", r));
  await connected(a);
  check((await welcomeA) === "/room-1", "welcome a");
  const b = open("/room-1");
  await connected(b);
  await a.timeout(5000).emitWithAck("join", ["x"]);
  await b.timeout(5000).emitWithAck("join", ["x", "y"]);
  got = await inspect("/room-1");
  check(json(got) === json({ namespaces: ["/room-1"], sockets: 2, clients: 3, rooms: { x: 2, y: 1 } }), `two sockets: ${json(got)}`);
  steps.push("counts");

  a.disconnect();
  got = await until("/room-1", (g) => g.sockets === 1 && g.clients === 2, "a gone");
  check(json(got) === json({ namespaces: ["/room-1"], sockets: 1, clients: 2, rooms: { x: 1, y: 1 } }), `a gone: ${json(got)}`);
  b.disconnect();
  got = await until("/room-1", (g) => g.namespaces.length === 0 && g.clients === 1, "the empty child removed");
  check(json(got) === json({ namespaces: [], sockets: 0, clients: 1, rooms: {} }), `b gone: ${json(got)}`);
  steps.push("cleanup");

  const c = open("/room-1");
  const welcomeC = new Promise((r) => c.once("welcome", r));
  await connected(c);
  check((await welcomeC) === "/room-1", "welcome again");
  got = await inspect("/room-1");
  check(json(got.namespaces) === json(["/room-1"]) && got.sockets === 1, `back: ${json(got)}`);
  c.disconnect();
  await until("/room-1", (g) => g.namespaces.length === 0, "removed again");
  steps.push("again");

  const d = open("/room-2", { auth: { refuse: true } });
  const refused = await connected(d).then(() => null, (err) => err.message);
  check(refused === "refused", `refusal: ${refused}`);
  await until("/room-2", (g) => g.namespaces.length === 0 && g.clients === 1, "removed after a refusal");
  steps.push("refused");

  got = await main.timeout(10000).emitWithAck("ask-back", 2000, 0);
  check(json(got) === json({ socket: 10, remote: 20, broadcast: [30] }), `answers: ${json(got)}`);
  got = await main.timeout(10000).emitWithAck("ask-back", 300, 100);
  const late = "operation has timed out";
  check(json(got) === json({ socket: late, remote: late, broadcast: late }), `timeouts: ${json(got)}`);
  steps.push("acks");
  return { ok: true, steps };
}

run().then(
  (r) => finish(r, 0),
  (err) => finish({ ok: false, error: String((err && err.message) || err), steps }, 1),
);
