// Captures what the official socket.io-client 4.8 really sends, byte for
// byte, and writes it as the seed corpus of every fuzz target a client can
// reach (Go's testdata/fuzz/<Target>/ format):
//
//   loop/testdata/fuzz/FuzzParseRequest     each HTTP request (head and body)
//   wsframe/testdata/fuzz/FuzzDecode        each WebSocket stream (masked frames)
//   eio/testdata/fuzz/FuzzDecodePayload     each polling POST body (text, base64 binary)
//   eio/testdata/fuzz/FuzzDecodePacket      each WebSocket message
//   parser/testdata/fuzz/FuzzDecodePacket   each Socket.IO packet (text part)
//   sio/testdata/fuzz/FuzzClientMessages    each connection's messages in order
//                                           (binary packets with their attachments)
//   loop/testdata/fuzz/FuzzInflate          each permessage-deflate message (the
//                                           websocket sessions compress, as with
//                                           PerMessageDeflate, no context takeover)
//
// The client talks to the official socket.io 4.8 server on a loopback port;
// every TCP connection's inbound bytes are recorded as they arrive. Run from
// interop/testdata after `npm ci`:
//
//   node capture-fuzz-seeds.mjs ../..      (the repository root)
//   node capture-fuzz-seeds.mjs ../.. loop/FuzzInflate   (only these targets)
//
// and commit the files it writes. Prints one JSON line with the counts.
import http from "node:http";
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { Server } from "socket.io";
import { io as ioc } from "socket.io-client";

const root = process.argv[2];
if (!root) {
  process.stderr.write("usage: node capture-fuzz-seeds.mjs <repository root> [pkg/FuzzTarget ...]\n");
  process.exit(2);
}
const only = new Set(process.argv.slice(3)); // empty: every target

// ---------------------------------------------------------------- server

const streams = []; // one Buffer[] per TCP connection, client to server
const httpServer = http.createServer();
httpServer.on("connection", (sock) => {
  const chunks = [];
  streams.push(chunks);
  sock.on("data", (b) => chunks.push(Buffer.from(b)));
});
// permessage-deflate as sioloop negotiates it: no context takeover, so
// each compressed message inflates on its own.
const server = new Server(httpServer, {
  pingInterval: 200, pingTimeout: 2000, maxHttpBufferSize: 1e6,
  perMessageDeflate: { threshold: 0, serverNoContextTakeover: true, clientNoContextTakeover: true },
});
const onConnection = (s) => {
  s.on("echo", (...args) => {
    const ack = typeof args.at(-1) === "function" ? args.pop() : null;
    if (ack) ack(...args);
  });
  s.on("ask", () => s.emit("question", "q", Buffer.from([1, 2]), () => {}));
};
server.on("connection", onConnection);
server.of("/chat").on("connection", onConnection);
await new Promise((r) => httpServer.listen(0, "127.0.0.1", r));
const url = `http://127.0.0.1:${httpServer.address().port}`;

// ---------------------------------------------------------------- clients

const withTimeout = (p, ms, what) =>
  Promise.race([p, new Promise((_, rej) => setTimeout(() => rej(new Error(`${what}: timed out`)), ms))]);

// session makes one client speak every kind of packet it can send.
async function session(opts) {
  const root = ioc(url, { ...opts, forceNew: true, reconnection: false, auth: { token: "t0k€n" } });
  const chat = ioc(url + "/chat", { ...opts, reconnection: false });
  const ask = (s, ...args) => withTimeout(new Promise((r) => s.emit(...args, (...a) => r(a))), 5000, args[0]);
  await withTimeout(new Promise((r) => root.on("connect", r)), 5000, "connect");
  await withTimeout(new Promise((r) => (chat.connected ? r() : chat.on("connect", r))), 5000, "connect /chat");
  root.on("question", (...args) => args.at(-1)("answer", Buffer.from("bin"), { nested: [Buffer.alloc(0)] }));
  root.emit("echo-event", "plain", 1, 2.5, null, true, { a: ["x", { y: "ü\u2028" }] });
  await ask(root, "echo", "with ack");
  await ask(root, "echo", Buffer.from([0, 1, 2, 255]));
  await ask(root, "echo", { deep: { buf: Buffer.from("x"), list: [Buffer.from("y"), 3] } }, Buffer.alloc(0));
  await ask(chat, "echo", "in /chat", Buffer.from("z"));
  root.volatile.emit("echo-event", "volatile");
  root.send("a message");
  root.emit("ask");
  await new Promise((r) => setTimeout(r, 450)); // the answer, a heartbeat
  chat.disconnect();
  root.disconnect();
  await new Promise((r) => setTimeout(r, 100));
}

// The client compresses every message on WebSocket (its default: from
// 1024 bytes).
await session({ transports: ["websocket"], perMessageDeflate: { threshold: 0 } });
await session({ transports: ["polling"] });
await session({}); // polling, then the upgrade
await new Promise((r) => setTimeout(r, 200));
server.close();

// ---------------------------------------------------------------- split

// httpRequests splits a connection's bytes into HTTP requests; after an
// upgrade request the rest is the WebSocket stream.
function splitStream(buf) {
  const requests = [];
  let i = 0;
  while (i < buf.length) {
    const end = buf.indexOf("\r\n\r\n", i);
    if (end < 0) break;
    const head = buf.subarray(i, end + 4).toString("latin1");
    const m = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    const len = m ? Number(m[1]) : 0;
    requests.push({ raw: buf.subarray(i, end + 4 + len), head, body: buf.subarray(end + 4, end + 4 + len) });
    i = end + 4 + len;
    if (/\r\nupgrade:\s*websocket/i.test(head)) return { requests, ws: buf.subarray(i) };
  }
  return { requests, ws: null };
}

// wsMessages decodes a client's masked frames into messages, inflating
// the compressed ones (deflated: the bytes as sent).
function wsMessages(buf) {
  const msgs = [];
  let i = 0;
  let frag = null;
  while (i + 2 <= buf.length) {
    const fin = buf[i] & 0x80, op = buf[i] & 0x0f, rsv1 = (buf[i] & 0x40) !== 0;
    let len = buf[i + 1] & 0x7f, j = i + 2;
    if (len === 126) { len = buf.readUInt16BE(j); j += 2; }
    else if (len === 127) { len = Number(buf.readBigUInt64BE(j)); j += 8; }
    const key = buf.subarray(j, j + 4);
    j += 4;
    if (j + len > buf.length) break;
    const p = Buffer.from(buf.subarray(j, j + len)).map((b, k) => b ^ key[k & 3]);
    i = j + len;
    if (op >= 8) continue; // control frames
    frag = frag ? { ...frag, data: Buffer.concat([frag.data, p]) } : { binary: op === 2, rsv1, data: p };
    if (fin) {
      const m = { binary: frag.binary, data: Buffer.from(frag.data) };
      if (frag.rsv1) {
        m.deflated = m.data;
        m.data = zlib.inflateRawSync(Buffer.concat([m.data, Buffer.from([0, 0, 0xff, 0xff])]), { finishFlush: zlib.constants.Z_SYNC_FLUSH });
      }
      msgs.push(m);
      frag = null;
    }
  }
  return msgs;
}

// pollingMessages splits a POST body into Engine.IO packets (0x1e), with
// base64 "b" packets decoded, as the Go shard hands them to a session.
function pollingMessages(body) {
  const msgs = [];
  for (const seg of body.toString("latin1").split("\x1e")) {
    if (seg[0] === "b") msgs.push({ binary: true, data: Buffer.from(seg.slice(1), "base64") });
    else msgs.push({ binary: false, data: Buffer.from(seg, "latin1") });
  }
  return msgs;
}

// ---------------------------------------------------------------- write

// goBytes renders b as a Go []byte literal of the corpus format.
const goBytes = (b) =>
  "[]byte(\"" +
  [...b].map((c) => (c >= 0x20 && c < 0x7f && c !== 0x22 && c !== 0x5c ? String.fromCharCode(c) : "\\x" + c.toString(16).padStart(2, "0"))).join("") +
  "\")";

const counts = {};
const seen = new Set();
function seed(pkg, target, name, ...values) {
  const text = "go test fuzz v1\n" + values.join("\n") + "\n";
  const key = pkg + target + text;
  if (seen.has(key) || (only.size > 0 && !only.has(`${pkg}/${target}`))) return;
  seen.add(key);
  const dir = path.join(root, pkg, "testdata", "fuzz", target);
  fs.mkdirSync(dir, { recursive: true });
  counts[`${pkg}/${target}`] = (counts[`${pkg}/${target}`] || 0) + 1;
  fs.writeFileSync(path.join(dir, `client-${name}-${counts[`${pkg}/${target}`]}`), text);
}
const u16 = (n) => `uint16(${n & 0xffff})`;

// clientMessages renders messages as FuzzClientMessages reads them: for
// each, a kind byte (0 text, 1 binary), a uvarint length, the bytes.
function clientMessages(msgs) {
  const parts = [];
  for (const m of msgs) {
    const len = [];
    let n = m.data.length;
    do { len.push((n & 0x7f) | (n > 0x7f ? 0x80 : 0)); n >>>= 7; } while (n > 0);
    parts.push(Buffer.from([m.binary ? 1 : 0, ...len]), m.data);
  }
  return Buffer.concat(parts);
}

for (const chunks of streams) {
  const { requests, ws } = splitStream(Buffer.concat(chunks));
  const transport = ws ? "websocket" : "polling";
  const conn = []; // the Engine.IO messages of this connection
  for (const r of requests) {
    seed("loop", "FuzzParseRequest", transport, goBytes(r.raw), u16(r.raw.length >> 1));
    if (r.head.startsWith("POST") && r.body.length > 0) {
      seed("eio", "FuzzDecodePayload", "polling", goBytes(r.body), u16(r.body.length >> 1));
      conn.push(...pollingMessages(r.body));
    }
  }
  if (ws && ws.length > 0) {
    const stream = ws.subarray(0, 4096);
    seed("wsframe", "FuzzDecode", "stream", goBytes(stream), u16(stream.length >> 1), u16(0));
    seed("wsframe", "FuzzDecode", "stream-max", goBytes(stream), u16(stream.length / 3), u16(64));
    for (const m of wsMessages(ws)) {
      seed("eio", "FuzzDecodePacket", "ws", goBytes(m.data), `bool(${m.binary})`, u16(m.data.length >> 1));
      if (m.deflated) seed("loop", "FuzzInflate", "deflated", goBytes(m.deflated), `bool(${!m.binary})`, u16(1024));
      conn.push(m);
    }
  }
  for (const m of conn) {
    if (!m.binary && m.data[0] === 0x34 /* '4' */) {
      const pkt = m.data.subarray(1);
      seed("parser", "FuzzDecodePacket", "packet", goBytes(pkt), u16(pkt.length >> 1));
    }
  }
  if (conn.length > 0) seed("sio", "FuzzClientMessages", transport, goBytes(clientMessages(conn)));
}

process.stdout.write(JSON.stringify({ ok: true, connections: streams.length, seeds: counts }) + "\n");
process.exit(0);
