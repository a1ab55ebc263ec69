// Drives an emitter against a cluster (the official Node node and a sioloop
// node, node-server.mjs's ctl contract) with official socket.io-client 4.8
// clients, two on each node, and checks every operation from the clients'
// side. The publisher is either the official @socket.io/redis-emitter 5.1
// ("npm", on REDIS_URL) or sioloop's Go emitter, driven over HTTP: each
// operation is POSTed as JSON to the given URL, which answers once it has
// published.
// Usage: node emitter-client.mjs <npm|http://ctl> <nodeURL,goURL>
// Prints one JSON result line (driver.mjs).
import { Client } from "./client.mjs";
import { Emitter } from "@socket.io/redis-emitter";
import { createClient } from "redis";
import { bytes0to255, bytesEqual, check, isBinary, runScenario, sleep, toBytes } from "../../interop/testdata/driver.mjs";

const [publisher, urlList] = process.argv.slice(2);
const urls = (urlList || "").split(",");
const WAIT = 5000;
const QUIET = 400; // after this long, an event that should not come is taken as absent

// publish runs one operation on the publisher: {op, rooms, except, ...}.
async function publisherOf() {
  if (publisher !== "npm") {
    return async (o) => {
      const res = await fetch(publisher, { method: "POST", body: JSON.stringify(o), signal: AbortSignal.timeout(8000) });
      check(res.ok, `go emitter: ${o.op}: ${res.status} ${await res.text()}`);
    };
  }
  const redis = createClient({ url: process.env.REDIS_URL });
  await redis.connect();
  const emitter = new Emitter(redis);
  const bin = () => [Buffer.from(Array.from({ length: 256 }, (_, i) => i)), { nested: [Buffer.from([1, 2, 3])] }];
  return async (o) => {
    let e = emitter;
    if (o.rooms && o.rooms.length) e = e.to(o.rooms);
    if (o.except && o.except.length) e = e.except(o.except);
    if (o.volatile) e = e.volatile;
    switch (o.op) {
      case "emit":
        e.emit(o.event, ...o.args, ...(o.bin ? bin() : []));
        break;
      case "socketsJoin":
        e.socketsJoin(o.room);
        break;
      case "socketsLeave":
        e.socketsLeave(o.room);
        break;
      case "disconnectSockets":
        e.disconnectSockets(o.close);
        break;
      case "serverSideEmit":
        emitter.serverSideEmit(o.event, ...o.args);
        break;
    }
  };
}

const canonical = (v) =>
  Array.isArray(v) ? v.map(canonical) : v && typeof v === "object" ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical(v[k])])) : v;
const deepEqual = (a, b) => JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));

const scenarios = {
  async emitter() {
    const publish = await publisherOf();
    const cs = [];
    for (const [i, u] of urls.entries()) for (const k of [0, 1]) cs.push(new Client(u, `${i === 0 ? "node" : "go"}.${k}`));
    await Promise.all(cs.map((c) => c.connected()));
    const [n0, n1, g0, g1] = cs;
    // r1: n0 and g0; r2: n0.
    await Promise.all([n0.ctl("join", "r1"), g0.ctl("join", "r1"), n0.ctl("join", "r2")]);
    const quietFor = async (event, want) => {
      await sleep(QUIET);
      for (const c of cs) check(c.count((e) => e.event === event) === (want.includes(c) ? 1 : 0), `${c.label}: "${event}" delivered ${c.count((e) => e.event === event)} times`);
    };

    const value = { n: 1.5, big: 3e10, neg: -200, s: 'é"\\x\n\u2028', arr: [1, null, true, false, "", [], {}], nested: { a: { b: [0.1] } } };
    await publish({ op: "emit", event: "json", args: [value, 42, "s"] });
    for (const c of cs) {
      const e = await c.waitFor((e) => e.event === "json", WAIT, "json");
      check(deepEqual(e.args, [value, 42, "s"]), `${c.label}: json differs`, { got: e.args });
    }
    await publish({ op: "emit", event: "bin", args: ["b"], bin: true });
    for (const c of cs) {
      const e = await c.waitFor((e) => e.event === "bin", WAIT, "bin");
      check(isBinary(e.args[1]) && bytesEqual(toBytes(e.args[1]), bytes0to255()), `${c.label}: bin: bad bytes`);
      check(isBinary(e.args[2].nested[0]) && bytesEqual(toBytes(e.args[2].nested[0]), new Uint8Array([1, 2, 3])), `${c.label}: nested bin`);
    }
    await publish({ op: "emit", event: "vol", args: [], volatile: true });
    for (const c of cs) await c.waitFor((e) => e.event === "vol", WAIT, "volatile");

    // One room (its own channel), several rooms (the namespace's), except, socket-id rooms.
    await publish({ op: "emit", event: "room", rooms: ["r1"], except: ["r2"], args: [] });
    await publish({ op: "emit", event: "rooms", rooms: ["r2", g1.socket.id], args: [] });
    await publish({ op: "emit", event: "direct", rooms: [n1.socket.id], args: [] });
    await g0.waitFor((e) => e.event === "room", WAIT, "to(r1).except(r2)");
    await n1.waitFor((e) => e.event === "direct", WAIT, "to(<id>)");
    await quietFor("room", [g0]);
    await quietFor("rooms", [n0, g1]);
    await quietFor("direct", [n1]);

    await publish({ op: "socketsJoin", rooms: [n1.socket.id, g1.socket.id], room: "j" });
    await sleep(100);
    await publish({ op: "emit", event: "joined", rooms: ["j"], args: [] });
    await quietFor("joined", [n1, g1]);
    await publish({ op: "socketsLeave", rooms: ["j"], room: "j" });
    await sleep(100);
    await publish({ op: "emit", event: "left", rooms: ["j"], args: [] });
    await quietFor("left", []);

    const tag = `sse-${publisher === "npm" ? "npm" : "go"}`;
    await publish({ op: "serverSideEmit", event: "sse-noack", args: [tag] });
    for (const c of [n0, g0]) {
      const deadline = Date.now() + WAIT;
      for (;;) {
        const seen = await c.ctl("sseSeen");
        if (seen.includes(tag)) break;
        check(Date.now() < deadline, `${c.label}'s node: serverSideEmit not seen: ${JSON.stringify(seen)}`);
        await sleep(50);
      }
    }

    await publish({ op: "disconnectSockets", rooms: ["r1"], except: ["r2"], close: false });
    const d = await g0.waitFor((e) => e.event === "disconnect", WAIT, "disconnect");
    check(d.args[0] === "io server disconnect", `${g0.label}: disconnect reason ${d.args[0]}`);
    await publish({ op: "disconnectSockets", rooms: [n1.socket.id], close: true });
    await n1.waitFor((e) => e.event === "disconnect", WAIT, "disconnect(true)");
    await sleep(QUIET);
    check(n0.socket.connected && g1.socket.connected, "a socket outside the selection was disconnected");
    return { publisher: publisher === "npm" ? "npm" : "go" };
  },
};

runScenario({ script: "emitter-client.mjs", scenarios, scenario: "emitter", baseURL: urlList, timeoutMs: 60000 });
