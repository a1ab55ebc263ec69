// Interop driver: the official socket.io-client 4.8 against sio.Server's
// Shutdown and Drain. interop/shutdown_test.go starts the Go server and
// calls them when the scenario asks.
//
// Usage: node shutdown-client.mjs <scenario>:<transport> <baseURL>
// Server contract (namespace "/"):
//   "start" (n, withAck) -> emits "question" with an ack if withAck, then
//                  "n" i for i < n (1 KiB of text each), then calls
//                  io.Shutdown
//   "drain" ()   -> calls io.Drain(1 s)
// Prints ONE JSON line (see driver.mjs).
import { io } from "socket.io-client";
import { check, openSockets, runScenario, sleep, withTimeout } from "./driver.mjs";

const [scenarioArg, baseURL] = process.argv.slice(2);
const [scenario, transport] = String(scenarioArg || "").split(":");
const WAIT_MS = Number(process.env.SIO_WAIT_MS || 8000);

function client() {
  const s = io(baseURL, { transports: [transport], forceNew: true, reconnection: false });
  openSockets.add(s);
  s.connectedP = withTimeout(new Promise((r, j) => { s.once("connect", r); s.once("connect_error", j); }), WAIT_MS, "connect");
  s.gone = new Promise((r) => s.once("disconnect", (reason) => r({ reason, at: Date.now() })));
  return s;
}

async function receiveAll(withAck, N) {
  const s = client();
  await s.connectedP;
  let got = 0, inOrder = true;
  s.on("n", (i, pad) => {
    if (i !== got || pad.length !== 1024) inOrder = false;
    got++;
  });
  s.on("question", (ack) => setTimeout(() => ack("answer"), 300));
  s.emit("start", N, withAck);
  const { reason } = await withTimeout(s.gone, 15000, "disconnect");
  check(got === N && inOrder, `got ${got} of ${N} packets (in order: ${inOrder}) before "${reason}"`);
  // A WebSocket gets its close frame after the packets. A polling client
  // gets the close packet on the GET after them if it comes within the
  // server's grace (a second) — but one that was between two GETs when
  // Shutdown came (still reading a large answer) may come after the
  // server has stopped: its GET fails, "transport error". Nothing is lost
  // either way (engine.io would wait 30 s for that GET; sioloop does not).
  const reasons = transport === "websocket" ? ["transport close"] : ["transport close", "transport error"];
  check(reasons.includes(reason), `disconnect reason ${reason}`);
  return { got, reason };
}

const scenarios = {
  // Every packet emitted before Shutdown arrives, in order, then the
  // transport closes; the ack the server awaits is answered in time.
  async shutdown() {
    return receiveAll(true, 300);
  },

  // The same with no ack to wait for and 3 MB emitted, more than the
  // kernel's socket buffers take at once: Shutdown closes the session at
  // once, with packets still queued for it (polling: for its next GETs;
  // WebSocket: in the connection's output).
  async burst() {
    return receiveAll(false, 3000);
  },

  // Drain(1 s) spreads 10 disconnects over the window.
  async drain() {
    const clients = Array.from({ length: 10 }, client);
    await Promise.all(clients.map((c) => c.connectedP));
    const start = Date.now();
    clients[0].emit("drain");
    const gone = await withTimeout(Promise.all(clients.map((c) => c.gone)), 15000, "every disconnect");
    const at = gone.map((g) => g.at - start).sort((a, b) => a - b);
    check(gone.every((g) => g.reason === "transport close"), `reasons ${JSON.stringify(gone.map((g) => g.reason))}`);
    check(at[at.length - 1] - at[0] >= 500, `disconnects not spread: ${JSON.stringify(at)} ms`);
    return { at };
  },
};

runScenario({ script: "shutdown-client.mjs", scenarios, scenario, label: scenarioArg, baseURL, timeoutMs: 30000 });
