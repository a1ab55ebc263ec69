// The harness shared by the interop drivers (eio-client.mjs, sio-client.mjs):
// running one scenario under a timeout, the one-JSON-line result on stdout,
// checks, the event-loop lag measurement, a lifecycle timeline for clients
// and a few helpers for comparing payloads.
//
// A driver registers the sockets it opens in openSockets and ends with
// runScenario(...), which prints exactly ONE JSON line on stdout:
// {"ok":true,"scenario":...,"ms":...,"maxLoopLagMs":...,...details} and exits
// 0, or {"ok":false,"scenario":...,"error":"...","maxLoopLagMs":...,...} and
// exits 1.

// ---------------------------------------------------------------- output

// The sockets still open; they are closed before the result is printed.
export const openSockets = new Set();

// Event-loop lag of this driver process: a client stalled for longer than
// pingTimeout misses heartbeats (engine.io-client then closes with
// "ping timeout"), so every result reports it.
let maxLoopLagMs = 0;
{
  let last = performance.now();
  setInterval(() => {
    const now = performance.now();
    maxLoopLagMs = Math.max(maxLoopLagMs, now - last - 10);
    last = now;
  }, 10).unref();
}

let finished = false;
// Set by runScenario: the "scenario" of the result, how to close one of
// openSockets, and how long to let the closes reach the server.
let resultScenario;
let closeSocket = (s) => s.close();
let settleMs = 0;

function finish(result) {
  if (finished) return;
  finished = true;
  let pending = 0;
  for (const s of openSockets) {
    try {
      pending++;
      closeSocket(s);
    } catch {}
  }
  const write = () => {
    process.stdout.write(JSON.stringify(result) + "\n", () => {
      process.exit(result.ok ? 0 : 1);
    });
  };
  if (settleMs > 0) setTimeout(write, pending ? settleMs : 0);
  else write();
}

function fail(error, details = {}) {
  finish({ ok: false, scenario: resultScenario, error: String(error), maxLoopLagMs: Math.round(maxLoopLagMs), ...details });
}

// runScenario runs scenarios[scenario]() (an async function resolving with
// the details of the result) and prints the result:
//   script    the driver's file name, for the usage message
//   label     the "scenario" of the result (default: scenario)
//   timeoutMs bounds the whole scenario
//   close     closes one of openSockets at the end (default: s.close())
//   settleMs  when > 0, how long to wait after closing sockets (so that
//             their goodbyes reach the server) before printing the result
export function runScenario({ script, scenarios, scenario, label = scenario, baseURL, timeoutMs, close, settleMs: settle = 0 }) {
  resultScenario = label;
  if (close) closeSocket = close;
  settleMs = settle;
  const ALL = Object.keys(scenarios);
  if (!scenario || !baseURL) {
    process.stderr.write(`usage: node ${script} <scenario> <baseURL>\nscenarios: ${ALL.join(", ")}\n`);
    fail(`usage: node ${script} <scenario> <baseURL>`);
  } else if (!scenarios[scenario]) {
    fail(`unknown scenario ${JSON.stringify(scenario)}; known: ${ALL.join(", ")}`);
  } else {
    const started = Date.now();
    setTimeout(() => fail(`scenario timed out after ${timeoutMs} ms`), timeoutMs);
    process.on("unhandledRejection", (e) => fail(`unhandled rejection: ${e && e.stack ? e.stack : e}`));
    process.on("uncaughtException", (e) => fail(`uncaught exception: ${e && e.stack ? e.stack : e}`));
    scenarios[scenario]()
      .then((details) => finish({ ok: true, scenario: label, ms: Date.now() - started, maxLoopLagMs: Math.round(maxLoopLagMs), ...details }))
      .catch((e) => fail(e && e.message ? e.message : e, e && e.details ? { details: e.details } : {}));
  }
}

export class CheckError extends Error {
  constructor(message, details) {
    super(message);
    this.details = details;
  }
}

// check fails the scenario with message (and details in the result) unless cond.
export function check(cond, message, details) {
  if (!cond) throw new CheckError(message, details);
}

// ---------------------------------------------------------------- timeline

// Tracked is the base of the drivers' client wrappers: a lifecycle timeline
// ("event@ms since creation", included in failure messages) and waiters
// woken on every event.
export class Tracked {
  constructor(label) {
    this.label = label;
    this.waiters = [];
    this.t0 = Date.now();
    this.timeline = [];
  }
  mark(ev) {
    this.timeline.push(`${ev}@${Date.now() - this.t0}`);
  }
  _wake() {
    const w = this.waiters;
    this.waiters = [];
    w.forEach((f) => f());
  }
  // Resolves on the next _wake() or after ms, whichever comes first.
  _nextWake(ms) {
    return new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      this.waiters.push(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }
}

// ---------------------------------------------------------------- helpers

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timeout after ${ms} ms: ${what}`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

export function describeData(d) {
  if (typeof d === "string") {
    return d.length > 40 ? `string(${d.length}) ${JSON.stringify(d.slice(0, 40))}...` : JSON.stringify(d);
  }
  const name = d && d.constructor ? d.constructor.name : typeof d;
  const len = d && (d.byteLength ?? d.length);
  return `${name}(${len})`;
}

export function isBinary(d) {
  return d instanceof ArrayBuffer || ArrayBuffer.isView(d);
}

export function toBytes(d) {
  if (d instanceof ArrayBuffer) return new Uint8Array(d);
  if (ArrayBuffer.isView(d)) return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
  throw new Error(`not binary: ${describeData(d)}`);
}

export function bytesEqual(a, b) {
  const x = toBytes(a);
  const y = toBytes(b);
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

export function bytes0to255() {
  const b = new Uint8Array(256);
  for (let i = 0; i < 256; i++) b[i] = i;
  return b;
}
