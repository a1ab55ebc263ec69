// Official socket.io-client 4.8 clients behind a round-robin TCP balancer
// (no sticky sessions) in front of sioloop nodes that forward each other's
// requests. Half the clients stay on long-polling, half upgrade to
// WebSocket; each, many times: an event with an ack (text and binary)
// answered by its node, and an event its node sends it. A client must
// keep its session (same id, no disconnect) throughout.
// Usage: node roundrobin-client.mjs <scenario> <balancerURL>; scenario
// "forwarding" (CLIENTS per transport, default 6; ROUNDS, default 8).
// Prints one JSON result line (driver.mjs).
import { io } from "socket.io-client";
import { bytes0to255, bytesEqual, check, isBinary, openSockets, runScenario, toBytes, withTimeout } from "../../interop/testdata/driver.mjs";

const [scenario, url] = process.argv.slice(2);
const CLIENTS = Number(process.env.CLIENTS || 6);
const ROUNDS = Number(process.env.ROUNDS || 8);

async function client(label, transports) {
  const socket = io(url, { transports, reconnection: false, forceNew: true });
  openSockets.add(socket);
  const events = [];
  socket.on("disconnect", (reason) => events.push(`disconnect(${reason})`));
  socket.on("connect_error", (e) => events.push(`connect_error(${e.message})`));
  await withTimeout(new Promise((resolve) => socket.once("connect", resolve)), 10000, `${label} connects`);
  const id = socket.id;
  if (transports.includes("websocket")) {
    const engine = socket.io.engine;
    if (engine.transport.name !== "websocket") {
      await withTimeout(new Promise((resolve) => engine.once("upgrade", resolve)), 10000, `${label} upgrades`);
    }
  }
  const nodes = new Set();
  for (let i = 0; i < ROUNDS; i++) {
    const text = `${label}-${i}`;
    const [echo, node] = await socket.timeout(10000).emitWithAck("echo", text, Buffer.from(bytes0to255()));
    check(echo[0] === text && isBinary(echo[1]) && bytesEqual(toBytes(echo[1]), bytes0to255()), `${label}: echo ${i} differs`, { echo });
    nodes.add(node);
    const pushed = new Promise((resolve) => socket.once("pushed", resolve));
    socket.emit("push", i);
    check((await withTimeout(pushed, 10000, `${label} pushed ${i}`)) === i, `${label}: pushed ${i}`);
  }
  check(socket.id === id && socket.connected, `${label}: lost its session`, { events });
  check(events.length === 0, `${label}: ${events.join(", ")}`);
  check(nodes.size === 1, `${label}: answered by ${[...nodes]}`);
  return { transport: socket.io.engine.transport.name, node: [...nodes][0] };
}

const scenarios = {
  async forwarding() {
    const runs = [];
    for (let i = 0; i < CLIENTS; i++) {
      runs.push(client(`polling${i}`, ["polling"]));
      runs.push(client(`upgrade${i}`, ["polling", "websocket"]));
    }
    const results = await Promise.all(runs);
    const count = (pred) => results.filter(pred).length;
    check(count((r) => r.transport === "polling") === CLIENTS && count((r) => r.transport === "websocket") === CLIENTS, "transports", { results });
    const nodes = [...new Set(results.map((r) => r.node))];
    check(nodes.length > 1, `every session on one node: ${nodes}`);
    return { clients: results.length, nodes };
  },
};

runScenario({ script: "roundrobin-client.mjs", scenarios, scenario, baseURL: url, timeoutMs: 90000 });
