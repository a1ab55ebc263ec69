// Interop driver: the official socket.io-client 4.8 against sioloop's abuse
// limits (sio.Limits, eio.Options MaxConnections*). interop/limits_test.go
// starts one Go server per scenario with the limit the scenario names; the
// official Node server has none of these limits, so there is no reference
// run. Each scenario shows what a client sees at the limit, and that a
// client within it is served.
//
// Usage: node limits-client.mjs <scenario>:<transport> <baseURL>
//   transport: websocket or polling (the only transport the client uses)
// Server contract (all scenarios): namespace "/", handlers
//   "echo" (...args, ack)   -> ack(...args)
//   "join" ([rooms], ack)   -> socket.join(rooms); ack(socket.rooms)
//   socket errors           -> socket.emit("socket-error", err.message)
// Prints ONE JSON line (see driver.mjs).
import { io } from "socket.io-client";
import { check, openSockets, runScenario, sleep, withTimeout } from "./driver.mjs";

const [scenarioArg, baseURL] = process.argv.slice(2);
const [scenario, transport] = String(scenarioArg || "").split(":");
const WAIT_MS = Number(process.env.SIO_WAIT_MS || 8000);

// client opens a socket on "/" that does not reconnect by itself, and
// records its events; s.outcome resolves with its connect or its
// connect_error (listened for from the start: either may come before the
// scenario awaits it).
function client() {
  const s = io(baseURL, { transports: [transport], forceNew: true, reconnection: false });
  openSockets.add(s);
  s.log = [];
  s.onAny((ev, ...args) => s.log.push([ev, ...args]));
  const settled = new Promise((resolve) => {
    s.once("connect", () => resolve({ connected: true }));
    s.once("connect_error", (err) => resolve({ connected: false, message: err.message, description: describe(err.description) }));
  });
  s.outcome = () => withTimeout(settled, WAIT_MS, "connect or connect_error");
  return s;
}

const outcome = (s) => s.outcome();

// describe keeps what is readable of a transport error's description: the
// HTTP status (polling) or the ws library's error message (websocket).
function describe(d) {
  if (d == null || typeof d !== "object") return d;
  return d.message || String(d);
}

const disconnected = (s) =>
  withTimeout(new Promise((resolve) => (s.disconnected && !s.active ? resolve("already") : s.once("disconnect", resolve))), WAIT_MS, "disconnect");

// ask emits with an ack and resolves with every argument of the answer.
const ask = (s, ...args) => withTimeout(new Promise((r) => s.emit(...args, (...a) => r(a))), WAIT_MS, `ack of ${args[0]}`);

const scenarios = {
  // EventRate 20/s, burst 20: a flood is cut; a client within the rate is served.
  async "event-rate"() {
    const good = client();
    check((await outcome(good)).connected, "the well-behaved client did not connect");
    const bad = client();
    check((await outcome(bad)).connected, "the flooding client did not connect");
    const gone = disconnected(bad);
    for (let i = 0; i < 200; i++) bad.emit("noise", i);
    const reason = await gone;
    check(reason === "io server disconnect", `flooding client: disconnect reason ${reason}`);
    for (let i = 0; i < 5; i++) {
      check((await ask(good, "echo", i))[0] === i, "echo within the rate");
      await sleep(60);
    }
    check(good.connected, "the well-behaved client was disconnected");
    return { floodReason: reason };
  },

  // ByteRate 20,000/s, burst 20,000: 10 KiB binary messages in a burst are cut.
  async "byte-rate"() {
    const good = client();
    check((await outcome(good)).connected, "the well-behaved client did not connect");
    const bad = client();
    check((await outcome(bad)).connected, "the flooding client did not connect");
    const gone = disconnected(bad);
    const blob = Buffer.alloc(10 * 1024, 7);
    for (let i = 0; i < 20; i++) bad.emit("noise", blob);
    const reason = await gone;
    check(reason === "io server disconnect", `flooding client: disconnect reason ${reason}`);
    const small = Buffer.alloc(1000, 1);
    check((await ask(good, "echo", small))[0].length === 1000, "echo within the rate");
    check(good.connected, "the well-behaved client was disconnected");
    return { floodReason: reason };
  },

  // MaxConnections 2 (or MaxConnectionsPerIP 2): the third connection is
  // refused with a connect_error; once one closes, a new one is served.
  async "conn-cap"() {
    const a = client();
    const b = client();
    check((await outcome(a)).connected && (await outcome(b)).connected, "the first two did not connect");
    const c = client();
    const refused = await outcome(c);
    check(!refused.connected, "the third connection was served");
    a.disconnect();
    // The server counts a's close when it sees it: retry, bounded.
    let d;
    for (let i = 0; ; i++) {
      d = client();
      if ((await outcome(d)).connected) break;
      d.close();
      check(i < 50, "no room after a connection closed");
      await sleep(100);
    }
    return { refused };
  },

  // MaxRoomsPerSocket 3: a join of 5 rooms joins 3; the socket error names the limit.
  async "rooms-cap"() {
    const s = client();
    check((await outcome(s)).connected, "did not connect");
    const [rooms] = await ask(s, "join", ["r1", "r2", "r3", "r4", "r5"]);
    check(rooms.length === 4 && rooms.includes("r1") && rooms.includes("r3") && !rooms.includes("r4"), `rooms ${JSON.stringify(rooms)}`);
    for (let i = 0; i < 50 && !s.log.some((e) => e[0] === "socket-error"); i++) await sleep(20);
    const err = s.log.find((e) => e[0] === "socket-error");
    check(err && /too many rooms/.test(err[1]), `socket errors ${JSON.stringify(s.log)}`);
    const [again] = await ask(s, "join", ["r1"]);
    check(again.length === 4, "rejoining a room the socket is in was refused");
    return { rooms, error: err[1] };
  },

  // MaxAttachments 2: a packet with 2 attachments is served, one with 3
  // closes the connection (as socket.io-parser's maxAttachments does).
  async attachments() {
    const s = client();
    check((await outcome(s)).connected, "did not connect");
    const x = Buffer.from([1]);
    const [a, b] = await ask(s, "echo", x, x);
    check(a.length === 1 && b.length === 1, "two attachments not echoed");
    const gone = disconnected(s);
    s.emit("echo", x, x, x);
    const reason = await gone;
    check(reason === "transport close" || reason === "transport error", `disconnect reason ${reason}`);
    return { reason };
  },
};

runScenario({ script: "limits-client.mjs", scenarios, scenario, label: scenarioArg, baseURL, timeoutMs: 30000 });
