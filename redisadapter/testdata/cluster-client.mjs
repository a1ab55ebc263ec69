// Drives a mixed cluster with official socket.io-client 4.8 clients: two on
// each node, each node acting in turn, every crossing checked from the
// clients' side. Usage: node cluster-client.mjs <scenario> <url,url,...>
// (the first URL is the Node node, the others sioloop nodes). Prints one
// JSON result line (driver.mjs).
import { Client } from "./client.mjs";
import { createClient } from "redis";
import { bytes0to255, bytesEqual, check, isBinary, runScenario, sleep, toBytes } from "../../interop/testdata/driver.mjs";

const [scenario, urlList] = process.argv.slice(2);
const urls = (urlList || "").split(",");
const names = urls.map((_, i) => (i === 0 ? "node" : `go${i}`));

async function cluster() {
  const clients = [];
  urls.forEach((u, i) => {
    for (const k of [0, 1]) clients.push(new Client(u, `${names[i]}.${k}`));
  });
  await Promise.all(clients.map((c) => c.connected()));
  return clients;
}

const WAIT = 5000;

// In the sharded adapter's dynamic modes a node subscribes to a room's
// channel when the room is created on it, asynchronously (as Node's does on
// "create-room"): an emit to the room right after a remote socketsJoin may
// find no subscriber yet, on a Node node as on a sioloop one. This waits
// until the room's channel (on REDIS_URL) has one.
async function roomSubscribed(room) {
  if (!process.env.SHARDED || process.env.SUBSCRIPTION_MODE === "static") return;
  const r = createClient({ url: process.env.REDIS_URL });
  await r.connect();
  try {
    const deadline = Date.now() + WAIT;
    for (;;) {
      const [, n] = await r.sendCommand(["PUBSUB", "SHARDNUMSUB", `socket.io#/#${room}#`]);
      if (Number(n) > 0) return;
      check(Date.now() < deadline, `room ${room}: no subscriber after ${WAIT} ms`);
      await sleep(10);
    }
  } finally {
    await r.quit();
  }
}
// Quiet period after which an event that should not arrive is taken as absent.
const QUIET = 400;

// canonical sorts object keys: a Go node re-encodes the values it was sent
// from Go maps, whose keys come out sorted.
const canonical = (v) =>
  Array.isArray(v) ? v.map(canonical) : v && typeof v === "object" ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical(v[k])])) : v;
const deepEqual = (a, b) => JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));

const scenarios = {
  // io.emit (JSON and binary), to(room).except(room), socket-id rooms, from
  // each node to every node's clients.
  async broadcast() {
    const cs = await cluster();
    const origins = names.map((n, i) => [n, cs[2 * i]]);
    // Rooms: "r1" holds every client's first socket, "r2" the Node node's
    // and go1's first; so to(r1).except(r2) reaches go2's first only.
    await Promise.all(cs.filter((_, i) => i % 2 === 0).map((c) => c.ctl("join", "r1")));
    await cs[0].ctl("join", "r2");
    await cs[2].ctl("join", "r2");
    await sleep(100);
    const value = { from: "", n: 1.5, big: 3e10, neg: -200, s: 'é"\\x\n\u2028', arr: [1, null, true, false, "", [], {}], nested: { a: { b: [0.1] } } };
    for (const [origin, c] of origins) {
      const v = { ...value, from: origin };
      await c.ctl("emit", { event: "json", args: [v, 42, "s"] });
      for (const r of cs) {
        const e = await r.waitFor((e) => e.event === "json" && e.args[0].from === origin, WAIT, `json from ${origin}`);
        check(deepEqual(e.args, [v, 42, "s"]), `${r.label}: json from ${origin} differs`, { got: e.args });
      }
      await c.ctl("emit", { event: "bin", args: [origin], bin: true });
      for (const r of cs) {
        const e = await r.waitFor((e) => e.event === "bin" && e.args[0] === origin, WAIT, `bin from ${origin}`);
        check(isBinary(e.args[1]) && bytesEqual(toBytes(e.args[1]), bytes0to255()), `${r.label}: bin from ${origin}: bad bytes`);
        check(isBinary(e.args[2].nested[0]) && bytesEqual(toBytes(e.args[2].nested[0]), new Uint8Array([1, 2, 3])), `${r.label}: nested bin from ${origin}`);
      }
      await c.ctl("emit", { event: "room", rooms: ["r1"], except: ["r2"], args: [origin] });
      await cs[4].waitFor((e) => e.event === "room" && e.args[0] === origin, WAIT, `room from ${origin}`);
      const target = cs[(origins.findIndex(([o]) => o === origin) * 2 + 3) % cs.length];
      await c.ctl("emit", { event: "direct", rooms: [target.id], args: [origin] });
      await target.waitFor((e) => e.event === "direct" && e.args[0] === origin, WAIT, `direct from ${origin}`);
      await sleep(QUIET);
      for (const r of cs) {
        const rooms = r === cs[4] ? 1 : 0;
        check(r.count((e) => e.event === "room" && e.args[0] === origin) === rooms, `${r.label}: to(r1).except(r2) from ${origin} delivered ${r.count((e) => e.event === "room" && e.args[0] === origin)} times`);
        const direct = r === target ? 1 : 0;
        check(r.count((e) => e.event === "direct" && e.args[0] === origin) === direct, `${r.label}: to(<id>) from ${origin} delivered wrongly`);
        check(r.count((e) => e.event === "json" && e.args[0].from === origin) === 1, `${r.label}: json from ${origin} delivered more than once`);
      }
    }
    return { clients: cs.length };
  },

  // Every request type, made by each node and answered by the others:
  // REMOTE_FETCH, SOCKETS (made by sioloop nodes only), REMOTE_JOIN, REMOTE_LEAVE, ALL_ROOMS, SERVER_SIDE_EMIT
  // with and without ack, BROADCAST with acks, a fetched remote socket's
  // emit, then REMOTE_DISCONNECT.
  async requests() {
    const cs = await cluster();
    const labels = cs.map((c) => c.label).sort();
    const ownerOf = (id) => names[Math.floor(cs.findIndex((c) => c.id === id) / 2)];
    for (let i = 0; i < names.length; i++) {
      const origin = names[i];
      const c = cs[2 * i];
      const target = cs[(2 * i + 3) % cs.length]; // the second client of the next node
      const socks = await c.ctl("fetch", { rooms: [] });
      check(socks.length === cs.length && cs.every((x) => socks.some((s) => s.id === x.id)), `${origin}: fetchSockets gave ${socks.length} sockets`, { socks });
      for (const s of socks) {
        const owner = ownerOf(s.id);
        check(s.data && s.data.node === owner, `${origin}: socket of ${owner}: data ${JSON.stringify(s.data)}`);
        check(s.rooms.includes(s.id), `${origin}: socket of ${owner}: rooms ${JSON.stringify(s.rooms)} lack its id`);
        check(s.hs.query && s.hs.query.EIO === "4" && s.hs.query.transport === "websocket", `${origin}: socket of ${owner}: query ${JSON.stringify(s.hs.query)}`);
        check(typeof s.hs.address === "string" && s.hs.address.length > 0 && s.hs.url.startsWith("/socket.io/?"), `${origin}: socket of ${owner}: handshake ${JSON.stringify(s.hs)}`);
        check(typeof s.hs.issued === "number" && s.hs.issued > 1.6e12 && s.hs.auth && typeof s.hs.auth === "object", `${origin}: socket of ${owner}: issued/auth ${JSON.stringify(s.hs)}`);
      }
      if (origin !== "node") {
        // SOCKETS: the official adapter 8.3 answers it but no longer sends it.
        const ids = await c.ctl("sockets", { rooms: [] });
        check(ids.length === cs.length && cs.every((x) => ids.includes(x.id)), `${origin}: sockets gave ${JSON.stringify(ids)}`);
      }
      const one = await c.ctl("fetch", { rooms: [target.id] });
      check(one.length === 1 && one[0].id === target.id, `${origin}: fetchSockets of one id gave ${one.length}`);

      const room = `j-${origin}`;
      await c.ctl("socketsJoin", { rooms: [target.id], room });
      await roomSubscribed(room);
      await c.ctl("emit", { event: "joined", rooms: [room], args: [origin] });
      await target.waitFor((e) => e.event === "joined" && e.args[0] === origin, WAIT, `joined from ${origin}`);
      // The sharded adapter (a ClusterAdapter) has no ALL_ROOMS: a Node
      // node's allRooms is its own; a sioloop node's asks every node.
      if (origin !== "node" || !process.env.SHARDED) {
        const rooms = await c.ctl("allRooms");
        check(rooms.includes(room) && cs.every((x) => rooms.includes(x.id)), `${origin}: allRooms ${JSON.stringify(rooms)}`);
      }
      await c.ctl("socketsLeave", { rooms: [target.id], room });
      await c.ctl("emit", { event: "left", rooms: [room], args: [origin] });

      const rs = await c.ctl("sse", { event: "sse", x: origin, ack: true });
      const others = names.filter((n) => n !== origin).sort();
      check(deepEqual(rs.map((r) => r.node).sort(), others) && rs.every((r) => r.x === origin), `${origin}: serverSideEmit answers ${JSON.stringify(rs)}`);
      await c.ctl("sse", { event: "sse-noack", x: `na-${origin}` });

      const acks = await c.ctl("bcastAck", { rooms: [], event: "ask", timeout: 4000 });
      check(deepEqual([...acks].sort(), labels), `${origin}: broadcast acks ${JSON.stringify(acks)}`);

      await c.ctl("remoteEmit", { id: target.id, event: "re", x: origin });
      await target.waitFor((e) => e.event === "re" && e.args[0] === origin, WAIT, `remote socket emit from ${origin}`);
    }
    await sleep(QUIET);
    for (const r of cs) check(r.count((e) => e.event === "left") === 0, `${r.label}: got a broadcast to a room it left`);
    for (let i = 0; i < names.length; i++) {
      for (const n of names.filter((_, k) => k !== i)) {
        const seen = await cs[2 * i].ctl("sseSeen");
        check(seen.includes(`na-${n}`), `${names[i]}: serverSideEmit without ack from ${n} not seen: ${JSON.stringify(seen)}`);
      }
    }
    for (let i = 0; i < names.length; i++) {
      const target = cs[(2 * i + 3) % cs.length];
      await cs[2 * i].ctl("disconnectSockets", { rooms: [target.id], close: false });
      const e = await target.waitFor((e) => e.event === "disconnect", WAIT, `disconnect from ${names[i]}`);
      check(e.args[0] === "io server disconnect", `${target.label}: disconnect reason ${e.args[0]}`);
    }
    return { clients: cs.length };
  },

  // Binary values in requests and answers, which the sharded adapter sends
  // as MessagePack (the classic one sends them as JSON, where a Buffer does
  // not survive): serverSideEmit with a Buffer and its answers carrying it
  // back, and broadcast acks answered with Buffers, made by each node.
  async binary() {
    const cs = await cluster();
    const labels = cs.map((c) => c.label).sort();
    for (let i = 0; i < names.length; i++) {
      const origin = names[i];
      const c = cs[2 * i];
      const x = Buffer.from([0, 1, 2, 255, i]);
      const rs = await c.ctl("sse", { event: "sse", x, ack: true });
      const others = names.filter((n) => n !== origin).sort();
      check(deepEqual(rs.map((r) => r.node).sort(), others), `${origin}: serverSideEmit answers from ${JSON.stringify(rs.map((r) => r.node))}`);
      for (const r of rs) check(isBinary(r.x) && bytesEqual(toBytes(r.x), x), `${origin}: serverSideEmit answer of ${r.node}: x is not the Buffer sent`, { x: r.x });
      const acks = await c.ctl("bcastAck", { rooms: [], event: "askbin", timeout: 4000 });
      check(acks.every(isBinary), `${origin}: broadcast acks not all binary`, { acks });
      const got = acks.map((a) => Buffer.from(toBytes(a)).toString()).sort();
      check(deepEqual(got, labels), `${origin}: binary broadcast acks ${JSON.stringify(got)}`);
    }
    return { clients: cs.length };
  },
};

runScenario({ script: "cluster-client.mjs", scenarios, scenario, baseURL: urlList, timeoutMs: 60000 });
