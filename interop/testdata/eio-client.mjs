// Interop driver: runs the official engine.io-client (and, where the protocol
// has to be misused on purpose, raw `ws` / fetch) against an Engine.IO v4
// server implementing the interop contract (see eio-reference-server.mjs):
//
//   path "/engine.io/", pingInterval 300 ms, pingTimeout 200 ms (unless
//   EIO_PING_INTERVAL / EIO_PING_TIMEOUT say otherwise), CORS origin "*",
//   maxHttpBufferSize 1e6, every message echoed unchanged,
//   the text message "close-me" makes the server close the session.
//
// Usage: node eio-client.mjs <scenario> <baseURL>     (baseURL: http://127.0.0.1:3000)
//
// Prints exactly ONE JSON line on stdout: {"ok":true,...details} and exits 0,
// or {"ok":false,"error":"...",...} and exits 1. Diagnostics go to stderr.
// Env: EIO_SCENARIO_TIMEOUT_MS (default 10000) bounds the whole scenario.
import { Socket } from "engine.io-client";
import WebSocket from "ws";
import { Tracked, bytes0to255, bytesEqual, check, describeData, isBinary, openSockets, runScenario, sleep, withTimeout } from "./driver.mjs";

const PATH = "/engine.io/";
// Heartbeat the server under test is configured with (contract default 300/200).
const PING_INTERVAL = Number(process.env.EIO_PING_INTERVAL || 300);
const PING_TIMEOUT = Number(process.env.EIO_PING_TIMEOUT || 200);
// How late a ping-timeout close may come (scheduling slack on a loaded box).
const CLOSE_SLACK = 1000;
const MAX_PAYLOAD = 1e6;
const TIMEOUT_MS = Number(process.env.EIO_SCENARIO_TIMEOUT_MS || 10000);

const [scenario, baseURL] = process.argv.slice(2);

// ---------------------------------------------------------------- helpers

// Same payload as sent vs. received: strings must stay strings, binary must
// arrive as binary (Buffer / ArrayBuffer), with identical contents.
// Quirk of engine.io-parser: an empty text message is the bare packet "4",
// which the official parser decodes with data === undefined.
function sameMessage(sent, got) {
  if (sent === "") return got === "" || got === undefined;
  if (typeof sent === "string") return typeof got === "string" && got === sent;
  return isBinary(got) && bytesEqual(sent, got);
}

// An engine.io-client Socket wrapped with a message queue and close tracking.
class Client extends Tracked {
  constructor(opts = {}, label = "client") {
    super(label);
    this.messages = [];
    this.closeInfo = null;
    this.errors = [];
    this.handshake = null;
    this.pings = 0;
    this.socket = new Socket(baseURL, { path: PATH, ...opts });
    openSockets.add(this.socket);
    this.socket.on("handshake", (h) => (this.handshake = h));
    this.socket.on("open", () => this.mark(`open(${this.transport})`));
    this.socket.on("upgrading", () => this.mark("upgrading"));
    this.socket.on("upgrade", () => this.mark("upgrade"));
    this.socket.on("upgradeError", (e) => this.mark(`upgradeError(${e && e.message})`));
    this.socket.on("ping", () => {
      this.pings++;
      this.mark("ping");
    });
    this.socket.on("message", (d) => {
      this.messages.push(d);
      this._wake();
    });
    this.socket.on("error", (e) => this.errors.push(e));
    this.closed = new Promise((resolve) => {
      this.socket.on("close", (reason, description) => {
        this.mark(`close(${reason})`);
        openSockets.delete(this.socket);
        this.closeInfo = { reason, description };
        resolve(this.closeInfo);
        this._wake();
      });
    });
    this.opened = new Promise((resolve, reject) => {
      this.socket.once("open", () => resolve(this));
      this.closed.then((c) => reject(new Error(`${label}: closed before open: ${c.reason} ${describeErr(c.description)}`)));
    });
  }
  get transport() {
    return this.socket.transport && this.socket.transport.name;
  }
  send(d) {
    this.socket.send(d);
  }
  // Resolves with the next n messages (in arrival order).
  async take(n, ms = 5000) {
    const deadline = Date.now() + ms;
    while (this.messages.length < n) {
      if (this.closeInfo) {
        throw new Error(
          `${this.label}: closed (${this.closeInfo.reason} ${describeErr(this.closeInfo.description)}) after ${this.messages.length}/${n} messages; timeline ${this.timeline.join(" ")}`,
        );
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(`${this.label}: got ${this.messages.length}/${n} messages within ${ms} ms; timeline ${this.timeline.join(" ")}`);
      }
      await this._nextWake(left);
    }
    return this.messages.splice(0, n);
  }
  async echo(d, ms = 5000) {
    this.send(d);
    const [got] = await this.take(1, ms);
    check(sameMessage(d, got), `${this.label}: echo mismatch: sent ${describeData(d)}, got ${describeData(got)}`);
    return got;
  }
  async waitClose(ms = 5000) {
    return withTimeout(this.closed, ms, `${this.label}: close event`);
  }
  close() {
    this.socket.close();
  }
}

function describeErr(e) {
  if (e === undefined || e === null) return "";
  if (e instanceof Error) {
    const parts = [e.message];
    if (e.description !== undefined && typeof e.description !== "object") parts.push(String(e.description));
    return parts.join(" ");
  }
  if (typeof e === "object") {
    const parts = [];
    if (e.description !== undefined) parts.push(String(e.description));
    if (e.context && e.context.code !== undefined) parts.push(`code=${e.context.code}`);
    return parts.join(" ");
  }
  return String(e);
}

// Plain-JSON view of a "close" event (the description may hold an XHR/event).
function closeSummary(c) {
  if (!c) return null;
  const out = { reason: c.reason };
  const d = c.description;
  if (d instanceof Error) {
    out.error = d.message;
    if (d.description !== undefined && typeof d.description !== "object") out.errorDescription = d.description;
  } else if (d && typeof d === "object") {
    if (d.description !== undefined) out.description = String(d.description);
    if (d.context && d.context.code !== undefined) {
      out.wsCloseCode = d.context.code;
      out.wsCloseReason = String(d.context.reason ?? "");
    }
  }
  return out;
}

async function openClient(opts, label) {
  const c = new Client(opts, label);
  await withTimeout(c.opened, 5000, `${label}: open`);
  return c;
}

// Text + binary echo on one client.
async function basicEcho(c) {
  const text = await c.echo("hello");
  const bin = await c.echo(bytes0to255());
  return { text, binaryType: bin.constructor.name, binaryLength: bin.byteLength ?? bin.length };
}

// ---------------------------------------------------------------- scenarios

const scenarios = {};

// 1. websocket only: handshake, text + binary echo.
scenarios.websocket = async () => {
  const c = await openClient({ transports: ["websocket"] }, "ws");
  check(c.transport === "websocket", `transport is ${c.transport}`);
  const r = await basicEcho(c);
  check(Array.isArray(c.handshake.upgrades) && c.handshake.upgrades.length === 0, `websocket handshake upgrades should be [], got ${JSON.stringify(c.handshake.upgrades)}`);
  c.close();
  return { transport: "websocket", sid: c.handshake.sid, ...r };
};

// 2. polling only: text + binary echo, then 20 quick messages echoed in order
//    (payload batching in both directions).
scenarios.polling = async () => {
  const c = await openClient({ transports: ["polling"], upgrade: false }, "polling");
  check(c.transport === "polling", `transport is ${c.transport}`);
  const r = await basicEcho(c);
  const sent = [];
  for (let i = 0; i < 20; i++) {
    const m = i % 5 === 4 ? new Uint8Array([i, 255 - i, 0, 1]) : `batch-${i}`;
    sent.push(m);
    c.send(m);
  }
  const got = await c.take(20);
  for (let i = 0; i < 20; i++) {
    check(sameMessage(sent[i], got[i]), `batch message ${i}: sent ${describeData(sent[i])}, got ${describeData(got[i])}`);
  }
  check(c.transport === "polling", `transport changed to ${c.transport}`);
  // nothing extra may arrive
  await sleep(100);
  check(c.messages.length === 0, `unexpected extra messages: ${c.messages.map(describeData).join(", ")}`);
  c.close();
  return { transport: "polling", sid: c.handshake.sid, upgrades: c.handshake.upgrades, ...r, batched: 20 };
};

// 3. upgrade: polling -> websocket while a message (text, every 4th binary)
//    is sent every 3 ms before, during and after the upgrade. Every message
//    must come back exactly once and in order.
scenarios.upgrade = async () => {
  const c = new Client({}, "upgrade");
  const phase = { before: 0, during: 0, after: 0 };
  let state = "before";
  let upgradedTo = null;
  const sent = [];
  const mk = (i) => (i % 4 === 3 ? new Uint8Array([i & 255, (i >> 8) & 255, 7, 7, 7]) : `m-${i}`);
  let i = 0;
  const sendOne = () => {
    const m = mk(i++);
    sent.push(m);
    phase[state]++;
    c.send(m);
  };
  // a burst right at "open" (polling) and right when the probe succeeded
  // (client buffers while the polling transport is paused)
  c.socket.on("open", () => {
    for (let k = 0; k < 5; k++) sendOne();
  });
  const upgraded = new Promise((resolve) => {
    c.socket.on("upgrading", () => {
      state = "during";
      for (let k = 0; k < 5; k++) sendOne();
    });
    c.socket.on("upgrade", (t) => {
      state = "after";
      upgradedTo = t.name;
      resolve();
    });
  });
  let afterCount = 0;
  // Start sending immediately, i.e. even before "open" (buffered by the client).
  await new Promise((resolve, reject) => {
    const timer = setInterval(() => {
      if (c.closeInfo) {
        clearInterval(timer);
        reject(new Error(`closed during upgrade: ${JSON.stringify(closeSummary(c.closeInfo))}`));
        return;
      }
      sendOne();
      if (state === "after" && ++afterCount >= 20) {
        clearInterval(timer);
        resolve();
      }
      if (i > 1500) {
        clearInterval(timer);
        reject(new Error("no upgrade after 1500 messages (~5 s)"));
      }
    }, 3);
  });
  await withTimeout(upgraded, 1, "upgrade");
  check(c.handshake && c.handshake.upgrades.includes("websocket"), `handshake upgrades ${JSON.stringify(c.handshake && c.handshake.upgrades)}`);
  check(upgradedTo === "websocket", `upgraded to ${upgradedTo}`);
  check(c.transport === "websocket", `transport after upgrade is ${c.transport}`);
  check(phase.before > 0 && phase.during > 0 && phase.after > 0, `messages per phase ${JSON.stringify(phase)}`);
  const got = await c.take(sent.length, 5000);
  for (let k = 0; k < sent.length; k++) {
    check(sameMessage(sent[k], got[k]), `message ${k}: sent ${describeData(sent[k])}, got ${describeData(got[k])}`);
  }
  await sleep(100);
  check(c.messages.length === 0, `duplicates/extra messages: ${c.messages.length}`);
  // a binary + text round trip on the upgraded transport
  const r = await basicEcho(c);
  c.close();
  return { transport: c.transport, messages: sent.length, phase, ...r };
};

// 4. many: 100 concurrent clients (50 websocket-only, 50 default), 5 echoes each.
scenarios.many = async () => {
  const N = 100;
  const clients = [];
  for (let k = 0; k < N; k++) {
    clients.push(new Client(k % 2 === 0 ? { transports: ["websocket"] } : {}, `c${k}`));
  }
  await withTimeout(Promise.all(clients.map((c) => c.opened)), 8000, "all 100 clients open");
  const initial = {};
  for (const c of clients) initial[c.transport] = (initial[c.transport] || 0) + 1;
  const sids = new Set(clients.map((c) => c.handshake.sid));
  check(sids.size === N, `expected ${N} distinct sids, got ${sids.size}`);
  await Promise.all(
    clients.map(async (c, k) => {
      const sent = [];
      for (let j = 0; j < 5; j++) {
        const m = j === 2 ? new Uint8Array([k, j, 42]) : `c${k}-m${j}`;
        sent.push(m);
        c.send(m);
      }
      const got = await c.take(5, 8000);
      for (let j = 0; j < 5; j++) {
        check(sameMessage(sent[j], got[j]), `client ${k} message ${j}: sent ${describeData(sent[j])}, got ${describeData(got[j])}`);
      }
    }),
  );
  await sleep(100);
  const extra = clients.filter((c) => c.messages.length > 0).length;
  check(extra === 0, `${extra} clients got extra messages`);
  const transports = {};
  for (const c of clients) transports[c.transport] = (transports[c.transport] || 0) + 1;
  clients.forEach((c) => c.close());
  await withTimeout(Promise.all(clients.map((c) => c.closed)), 3000, "all clients closed");
  const reasons = [...new Set(clients.map((c) => c.closeInfo.reason))];
  check(reasons.length === 1 && reasons[0] === "forced close", `close reasons ${JSON.stringify(reasons)}`);
  return { clients: N, initialTransports: initial, finalTransports: transports };
};

// 5. limit: maxHttpBufferSize = 1e6.
//  websocket: the limit is the ws frame payload. Text frames carry "4"+text,
//    so the largest echoed ASCII text is 999,999 chars; binary frames carry the
//    raw bytes, so 1,000,000 bytes pass. One more byte: the server closes the
//    WebSocket with status 1009 -> client "close" reason "transport close".
//  polling: the limit is the POST body. A text message is "4"+text
//    (999,999 ASCII chars max), a binary message is "b"+base64(bytes)
//    (749,997 bytes max: 1 + 4*ceil(749997/3) = 1,000,000). One more: HTTP 413,
//    client "close" reason "transport error" (TransportError "xhr post error",
//    description 413).
async function limitCase(label, opts, msg, expectEcho) {
  const c = await openClient(opts, label);
  c.send(msg);
  if (expectEcho) {
    const [got] = await c.take(1, 5000);
    check(sameMessage(msg, got), `${label}: echo mismatch, got ${describeData(got)}`);
    c.close();
    return { echoed: true };
  }
  const closeInfo = await c.waitClose(5000);
  check(c.messages.length === 0, `${label}: over-limit message was echoed`);
  return closeSummary(closeInfo);
}

scenarios.limit = async () => {
  const ws = { transports: ["websocket"] };
  const poll = { transports: ["polling"], upgrade: false };
  const res = {};
  const text = (n) => "x".repeat(n);

  res.wsTextMax = await limitCase("ws text 999999", ws, text(MAX_PAYLOAD - 1), true);
  res.wsTextOver = await limitCase("ws text 1000000", ws, text(MAX_PAYLOAD), false);
  res.wsBinaryMax = await limitCase("ws binary 1000000", ws, new Uint8Array(MAX_PAYLOAD).fill(0xab), true);
  res.wsBinaryOver = await limitCase("ws binary 1000001", ws, new Uint8Array(MAX_PAYLOAD + 1), false);
  for (const k of ["wsTextOver", "wsBinaryOver"]) {
    check(res[k].reason === "transport close", `${k}: close reason ${JSON.stringify(res[k])}, want "transport close"`);
    check(res[k].wsCloseCode === 1009, `${k}: WebSocket close code ${res[k].wsCloseCode}, want 1009 (message too big)`);
  }

  const maxBinPolling = 749997; // 1 + 4*ceil(n/3) <= 1e6
  res.pollingTextMax = await limitCase("polling text 999999", poll, text(MAX_PAYLOAD - 1), true);
  res.pollingTextOver = await limitCase("polling text 1000000", poll, text(MAX_PAYLOAD), false);
  res.pollingBinaryMax = await limitCase(`polling binary ${maxBinPolling}`, poll, new Uint8Array(maxBinPolling).fill(0xcd), true);
  res.pollingBinaryOver = await limitCase(`polling binary ${maxBinPolling + 1}`, poll, new Uint8Array(maxBinPolling + 1), false);
  for (const k of ["pollingTextOver", "pollingBinaryOver"]) {
    check(res[k].reason === "transport error", `${k}: close reason ${JSON.stringify(res[k])}, want "transport error"`);
    check(res[k].error === "xhr post error" && res[k].errorDescription === 413, `${k}: want xhr post error / HTTP 413, got ${JSON.stringify(res[k])}`);
  }

  // UTF-8: the limit counts bytes, not characters. "é" is 2 bytes in UTF-8.
  // "4" + 499,999 x "é" = 999,999 bytes (fits); one more "é" = 1,000,001 bytes.
  res.wsUtf8Max = await limitCase("ws utf8 999999 bytes", ws, "é".repeat(499999), true);
  res.wsUtf8Over = await limitCase("ws utf8 1000001 bytes", ws, "é".repeat(500000), false);
  res.pollingUtf8Max = await limitCase("polling utf8 999999 bytes", poll, "é".repeat(499999), true);
  res.pollingUtf8Over = await limitCase("polling utf8 1000001 bytes", poll, "é".repeat(500000), false);
  check(res.wsUtf8Over.reason === "transport close" && res.wsUtf8Over.wsCloseCode === 1009, `wsUtf8Over ${JSON.stringify(res.wsUtf8Over)}`);
  check(res.pollingUtf8Over.reason === "transport error" && res.pollingUtf8Over.errorDescription === 413, `pollingUtf8Over ${JSON.stringify(res.pollingUtf8Over)}`);
  return res;
};

// 5b. The client splits its polling POSTs so that each stays under the
//     maxPayload advertised in the handshake; the server must advertise it
//     (otherwise the three 400 kB messages below go in one 1.2 MB POST -> 413).
scenarios["polling-split"] = async () => {
  const c = await openClient({ transports: ["polling"], upgrade: false }, "polling-split");
  check(c.handshake.maxPayload === MAX_PAYLOAD, `handshake maxPayload ${c.handshake.maxPayload}, want ${MAX_PAYLOAD}`);
  const sent = ["first", "a".repeat(400000), "b".repeat(400000), "c".repeat(400000), "last"];
  for (const m of sent) c.send(m); // "first" goes out at once; the rest is batched while that POST runs
  const got = await c.take(sent.length, 8000);
  for (let k = 0; k < sent.length; k++) check(sameMessage(sent[k], got[k]), `message ${k}: got ${describeData(got[k])}`);
  c.close();
  return { messages: sent.length, bytes: sent.reduce((a, m) => a + m.length, 0) };
};

// 6. ping-timeout: a client that never answers pings is dropped within
//    pingInterval + pingTimeout (+ slack); a healthy client survives >= 5 intervals.
async function rawWebSocketNoPong() {
  const url = baseURL.replace(/^http/, "ws") + PATH + "?EIO=4&transport=websocket";
  const ws = new WebSocket(url);
  let openAt = 0;
  let pings = 0;
  const frames = [];
  const result = await withTimeout(
    new Promise((resolve, reject) => {
      ws.on("error", reject);
      ws.on("message", (data, isBinary) => {
        const s = isBinary ? `<binary ${data.length}>` : data.toString();
        frames.push(s.length > 200 ? s.slice(0, 200) + "..." : s);
        if (!openAt) {
          if (!s.startsWith("0")) reject(new Error(`first frame is not an open packet: ${s}`));
          openAt = Date.now();
          const h = JSON.parse(s.slice(1));
          if (h.pingInterval !== PING_INTERVAL || h.pingTimeout !== PING_TIMEOUT) {
            reject(new Error(`handshake ${s}`));
          }
          return;
        }
        if (s === "2") pings++; // deliberately never answered with "3"
      });
      ws.on("close", (code, reason) => resolve({ code, reason: reason.toString(), afterOpenMs: Date.now() - openAt }));
    }),
    PING_INTERVAL + PING_TIMEOUT + CLOSE_SLACK + 1000,
    "raw websocket closed by server",
  );
  check(openAt > 0, "no open packet");
  check(pings >= 1, `server closed without pinging first (frames ${JSON.stringify(frames)})`);
  check(result.afterOpenMs >= PING_INTERVAL - 50, `closed too early: ${result.afterOpenMs} ms after open`);
  const limit = PING_INTERVAL + PING_TIMEOUT + CLOSE_SLACK;
  check(result.afterOpenMs < limit, `closed ${result.afterOpenMs} ms after open, want < ${limit}`);
  return { ...result, pings, frames };
}

// Raw HTTP long-polling session that never POSTs a pong: keep a GET pending,
// the server delivers ping(s), then (on timeout) a close packet; afterwards the
// sid is unknown (HTTP 400).
async function rawPollingNoPong() {
  const base = baseURL + PATH + "?EIO=4&transport=polling";
  const hs = await fetch(base);
  const body = await hs.text();
  check(hs.status === 200 && body.startsWith("0"), `polling handshake: ${hs.status} ${body}`);
  const openAt = Date.now();
  const { sid } = JSON.parse(body.slice(1));
  let pings = 0;
  let closeAt = 0;
  const payloads = [];
  while (!closeAt && Date.now() - openAt < 3 * (PING_INTERVAL + PING_TIMEOUT) + 2000) {
    const r = await fetch(`${base}&sid=${encodeURIComponent(sid)}`);
    const text = await r.text();
    payloads.push(`${r.status}:${text}`);
    if (r.status !== 200) {
      closeAt = Date.now();
      break;
    }
    for (const p of text.split("\x1e")) {
      if (p === "2") pings++;
      if (p === "1") closeAt = Date.now();
    }
  }
  check(closeAt > 0, `polling session not closed: ${JSON.stringify(payloads)}`);
  const afterOpenMs = closeAt - openAt;
  check(pings >= 1, `no ping before close: ${JSON.stringify(payloads)}`);
  const limit = PING_INTERVAL + PING_TIMEOUT + CLOSE_SLACK;
  check(afterOpenMs >= PING_INTERVAL - 50 && afterOpenMs < limit, `closed ${afterOpenMs} ms after open, want [${PING_INTERVAL - 50}, ${limit})`);
  const after = await fetch(`${base}&sid=${encodeURIComponent(sid)}`);
  const afterBody = await after.text();
  check(after.status === 400, `GET with the dead sid: HTTP ${after.status} ${afterBody}, want 400`);
  return { afterOpenMs, pings, payloads, deadSid: { status: after.status, body: afterBody } };
}

scenarios["ping-timeout"] = async () => {
  const [ws, polling] = await Promise.all([rawWebSocketNoPong(), rawPollingNoPong()]);
  // healthy clients (engine.io-client answers pings itself) stay open
  const healthy = await Promise.all([
    openClient({ transports: ["websocket"] }, "healthy-ws"),
    openClient({ transports: ["polling"], upgrade: false }, "healthy-polling"),
    openClient({}, "healthy-default"),
  ]);
  await sleep(PING_INTERVAL * 6 + 100);
  const res = {};
  for (const c of healthy) {
    check(!c.closeInfo, `${c.label} closed: ${JSON.stringify(closeSummary(c.closeInfo))}`);
    check(c.pings >= 5, `${c.label}: ${c.pings} pings in ${PING_INTERVAL * 6 + 100} ms, want >= 5`);
    await c.echo(`still alive ${c.label}`);
    res[c.label] = { pings: c.pings, transport: c.transport };
    c.close();
  }
  return { rawWebSocket: ws, rawPolling: polling, healthy: res };
};

// 7. server-close: "close-me" makes the server close the session; the client
//    sees "close" (reason "transport close"); a new Socket then works.
async function serverClose(label, opts) {
  const c = await openClient(opts, label);
  if (opts.transports === undefined) {
    // default transports: wait for the upgrade so that the close happens on websocket
    await withTimeout(new Promise((r) => (c.transport === "websocket" ? r() : c.socket.once("upgrade", r))), 3000, `${label}: upgrade`);
  }
  await c.echo("before close");
  const transport = c.transport;
  c.send("close-me");
  const info = closeSummary(await c.waitClose(3000));
  check(info.reason === "transport close", `${label}: close reason ${JSON.stringify(info)}, want "transport close"`);
  check(c.errors.length === 0, `${label}: error events: ${c.errors.map(describeErr).join("; ")}`);
  const c2 = await openClient(opts, `${label}-again`);
  check(c2.handshake.sid !== c.handshake.sid, `${label}: new session reused sid`);
  const r = await basicEcho(c2);
  c2.close();
  return { transport, close: info, reconnected: { transport: c2.transport, ...r } };
}

scenarios["server-close-ws"] = async () => serverClose("ws", { transports: ["websocket"] });
scenarios["server-close-polling"] = async () => serverClose("polling", { transports: ["polling"], upgrade: false });
scenarios["server-close-upgraded"] = async () => serverClose("upgraded", {});
scenarios["server-close"] = async () => ({
  websocket: await serverClose("ws", { transports: ["websocket"] }),
  polling: await serverClose("polling", { transports: ["polling"], upgrade: false }),
  upgraded: await serverClose("upgraded", {}),
});

// Extra: handshake contents as seen by engine.io-client, for each transport.
scenarios.handshake = async () => {
  const res = {};
  for (const [label, opts, upgrades] of [
    ["websocket", { transports: ["websocket"] }, []],
    ["polling", { transports: ["polling"], upgrade: false }, ["websocket"]],
  ]) {
    const c = await openClient(opts, label);
    const h = c.handshake;
    check(typeof h.sid === "string" && h.sid.length > 0, `${label}: sid ${JSON.stringify(h.sid)}`);
    check(h.pingInterval === PING_INTERVAL, `${label}: pingInterval ${h.pingInterval}, want ${PING_INTERVAL}`);
    check(h.pingTimeout === PING_TIMEOUT, `${label}: pingTimeout ${h.pingTimeout}, want ${PING_TIMEOUT}`);
    check(h.maxPayload === MAX_PAYLOAD, `${label}: maxPayload ${h.maxPayload}, want ${MAX_PAYLOAD}`);
    check(JSON.stringify(h.upgrades) === JSON.stringify(upgrades), `${label}: upgrades ${JSON.stringify(h.upgrades)}, want ${JSON.stringify(upgrades)}`);
    check(c.socket.id === h.sid, `${label}: socket.id ${c.socket.id} != sid`);
    res[label] = h;
    c.close();
  }
  return res;
};

// Extra: edge-case payloads on every transport: empty text (comes back as
// undefined, see sameMessage), empty binary,
// multi-byte UTF-8 (incl. astral plane), a JSON-looking string, a string that
// starts with a packet-type digit, a "b"-prefixed string (polling's binary marker).
// Text containing "\x1e" is deliberately absent: polling payloads use it as the
// record separator unescaped, so the official parser splits such a message.
scenarios.payloads = async () => {
  const cases = [
    "",
    new Uint8Array(0),
    "héllo wörld ✓ 日本語 😀🎉",
    '{"type":"message","data":[1,2,3]}',
    "4probe",
    "2",
    "3probe",
    "bAQID",
    "line1\nline2\r\n\ttab",
    "\u0000nul",
    new Uint8Array([0]),
    new Uint8Array([0x1e, 0x34, 0x62]),
  ];
  const res = {};
  for (const [label, opts] of [
    ["websocket", { transports: ["websocket"] }],
    ["polling", { transports: ["polling"], upgrade: false }],
  ]) {
    const c = await openClient(opts, label);
    // one at a time
    for (const m of cases) await c.echo(m);
    // all at once (batched in one polling payload)
    for (const m of cases) c.send(m);
    const got = await c.take(cases.length);
    for (let k = 0; k < cases.length; k++) {
      check(sameMessage(cases[k], got[k]), `${label} batched case ${k}: sent ${describeData(cases[k])}, got ${describeData(got[k])}`);
    }
    res[label] = cases.length;
    c.close();
  }
  return { cases: res };
};

// Extra: raw HTTP protocol checks (status codes; error bodies are recorded).
scenarios.protocol = async () => {
  const base = baseURL + PATH;
  const res = {};
  const get = async (label, query, headers = {}) => {
    const r = await fetch(base + query, { headers });
    const body = await r.text();
    res[label] = { status: r.status, body: body.length > 300 ? body.slice(0, 300) + "..." : body };
    return { r, body };
  };
  {
    const { r, body } = await get("handshake", "?EIO=4&transport=polling", { Origin: "http://example.test" });
    check(r.status === 200 && body.startsWith("0{"), `handshake ${r.status} ${body}`);
    const acao = r.headers.get("access-control-allow-origin");
    res.handshake.allowOrigin = acao;
    check(acao === "*" || acao === "http://example.test", `CORS Access-Control-Allow-Origin ${acao}`);
  }
  for (const [label, q] of [
    ["unknownTransport", "?EIO=4&transport=carrier-pigeon"],
    ["unknownSid", "?EIO=4&transport=polling&sid=doesnotexist"],
    ["missingTransport", "?EIO=4"],
  ]) {
    const { r, body } = await get(label, q);
    check(r.status === 400, `${label}: HTTP ${r.status} ${body}, want 400`);
  }
  // The query is percent-decoded, keys included.
  {
    const { r, body } = await get("escapedKey", "?%45IO=4&transport=%70olling");
    check(r.status === 200 && body.startsWith("0{"), `escapedKey: HTTP ${r.status} ${body}, want the open packet`);
  }
  // An invalid POST body is answered "200 ok", then the session is closed
  // (engine.io's polling transport answers every complete POST so; the
  // parse error closes the socket).
  {
    const sid = await rawOpen();
    const q = `?EIO=4&transport=polling&sid=${encodeURIComponent(sid)}`;
    const post = await fetch(base + q, { method: "POST", body: "4a\x1e\x1e4b" });
    const postBody = await post.text();
    const { r, body } = await get("afterInvalidPost", q);
    res.invalidPost = { status: post.status, body: postBody };
    check(post.status === 200 && postBody === "ok", `invalid POST: HTTP ${post.status} ${postBody}, want 200 ok`);
    check(r.status === 400 && body.includes('"code":1'), `GET after an invalid POST: HTTP ${r.status} ${body}, want 400 code 1`);
  }
  // Line-wrapped base64 (the Java client's) is binary, as Buffer.from decodes it.
  {
    const sid = await rawOpen();
    const q = `?EIO=4&transport=polling&sid=${encodeURIComponent(sid)}`;
    const post = await fetch(base + q, { method: "POST", body: "bAQID/w==\n" });
    check(post.status === 200, `line-wrapped base64 POST: HTTP ${post.status} ${await post.text()}`);
    const { r, body } = await get("wrappedBase64Echo", q);
    check(r.status === 200 && body === "bAQID/w==", `echo of line-wrapped base64: HTTP ${r.status} ${body}, want bAQID/w==`);
  }
  return res;
};

// rawOpen opens a polling session by hand and returns its sid.
async function rawOpen() {
  const r = await fetch(baseURL + PATH + "?EIO=4&transport=polling");
  const body = await r.text();
  check(r.status === 200 && body.startsWith("0{"), `handshake ${r.status} ${body}`);
  return JSON.parse(body.slice(1)).sid;
}

// Extra: long-polling answers are compressed from 1024 bytes with the
// encoding the request accepts (httpCompression, on by default); smaller
// ones and requests that accept none come as they are. fetch undoes the
// compression and keeps the Content-Encoding header.
scenarios["http-compression"] = async () => {
  const res = {};
  for (const [label, accept, size, want] of [
    ["gzip", "gzip, deflate", 2000, "gzip"],
    ["deflate", "deflate", 2000, "deflate"],
    ["small", "gzip, deflate", 500, null],
    ["identity", "identity", 2000, null],
  ]) {
    const sid = await rawOpen();
    const url = baseURL + PATH + `?EIO=4&transport=polling&sid=${encodeURIComponent(sid)}`;
    const msg = "4" + "x".repeat(size);
    const post = await fetch(url, { method: "POST", body: msg });
    check(post.status === 200, `${label}: POST ${post.status}`);
    const r = await fetch(url, { headers: { "Accept-Encoding": accept } });
    const body = await r.text();
    const enc = r.headers.get("content-encoding");
    res[label] = { status: r.status, contentEncoding: enc, contentType: r.headers.get("content-type"), length: body.length };
    check(r.status === 200 && body === msg, `${label}: HTTP ${r.status}, ${body.length} bytes, want the ${msg.length}-byte echo`);
    check(enc === want, `${label}: Content-Encoding ${enc}, want ${want}`);
  }
  return res;
};

// Extra: perMessageDeflate. engine.io-client in Node offers
// permessage-deflate through ws (threshold 1024) on /engine.io-deflate/,
// where the server takes it: messages on both sides of the threshold,
// text and binary, and one batch, come back unchanged.
scenarios["per-message-deflate"] = async () => {
  const c = await openClient({ path: "/engine.io-deflate/", transports: ["websocket"] }, "deflate");
  const ext = c.socket.transport.ws && c.socket.transport.ws._extensions && c.socket.transport.ws._extensions["permessage-deflate"];
  check(ext, "permessage-deflate was not negotiated");
  const big = "héllo ".repeat(400);
  const bin = new Uint8Array(3000).map((_, i) => i % 7);
  for (const m of ["small", big, new Uint8Array([1, 2, 3]), bin, "x".repeat(1023), "y".repeat(1024)]) await c.echo(m);
  const batch = [big, bin, "z", big + "!"];
  for (const m of batch) c.send(m);
  const got = await c.take(batch.length);
  for (let k = 0; k < batch.length; k++) check(sameMessage(batch[k], got[k]), `batched ${k}: sent ${describeData(batch[k])}, got ${describeData(got[k])}`);
  c.close();
  return { params: ext.params };
};

// Extra: the noop that releases the held GET during an upgrade comes on
// engine.io's 100 ms check cycle after "2probe", never sooner (the official
// client counts what it receives in that time).
scenarios["upgrade-noop"] = async () => {
  const delays = [];
  for (let i = 0; i < 3; i++) {
    const sid = await rawOpen();
    const q = `?EIO=4&transport=polling&sid=${encodeURIComponent(sid)}`;
    const ws = new WebSocket(baseURL.replace(/^http/, "ws") + PATH + "?EIO=4&transport=websocket&sid=" + encodeURIComponent(sid));
    await withTimeout(new Promise((resolve, reject) => { ws.on("open", resolve); ws.on("error", reject); }), 5000, "probe WebSocket open");
    const poll = () => fetch(baseURL + PATH + q).then(async (r) => ({ status: r.status, body: await r.text(), at: performance.now() }));
    const held = poll();
    await sleep(50); // the GET is held
    const pong = new Promise((resolve) => ws.once("message", (d) => resolve(String(d))));
    const sent = performance.now();
    ws.send("2probe");
    check((await withTimeout(pong, 5000, "3probe")) === "3probe", "no 3probe");
    let got = await withTimeout(held, 5000, "noop");
    // The contract's 300 ms heartbeat may ping through the held GET first.
    while (got.status === 200 && got.body === "2") {
      await fetch(baseURL + PATH + q, { method: "POST", body: "3" });
      got = await withTimeout(poll(), 5000, "noop");
    }
    check(got.status === 200 && got.body === "6", `held GET: HTTP ${got.status} ${got.body}, want the noop`);
    delays.push(Math.round(got.at - sent));
    ws.close();
  }
  for (const d of delays) check(d >= 95, `noop ${d} ms after 2probe, want >= ~100 ms (delays ${delays})`);
  return { delays };
};

// ---------------------------------------------------------------- main

runScenario({ script: "eio-client.mjs", scenarios, scenario, baseURL, timeoutMs: TIMEOUT_MS });
