// api-client.mjs: what a Node user reaches for on the server, as the
// official socket.io-client sees it: Leave of several rooms, Off of one
// handler and of all, a typed handler's answer and its error on a type
// mismatch.
//
//   node api-client.mjs <baseURL>
//
// The contract (api-reference-server.mjs on the official server, and
// interop/api_test.go's Go server), namespace "/api":
//   "rooms"(join[], leave[], ack)  joins then leaves; ack(rooms but its id)
//   "tick"(ack?)                   two handlers, each emits "tick-1"/"tick-2"
//   "off-one"(ack)                 removes the first "tick" handler, then ack()
//   "off-all"(ack)                 removes every "tick" handler, then ack()
//   "ping"(ack)                    ack("pong")
//   "greet"({name, n}, ack)        ack({greeting: "hello " + name, double: 2n}),
//                                  or ack({error: <string>}) when the argument
//                                  is not such an object
// Prints one JSON line {"ok":true,...} or {"ok":false,"error":...}.
import { io } from "socket.io-client";

const [base] = process.argv.slice(2);
const steps = [];
const hard = setTimeout(() => finish({ ok: false, error: "hard timeout", steps }, 1), 20000);
let socket;

function finish(result, code) {
  clearTimeout(hard);
  socket?.disconnect();
  process.stdout.write(JSON.stringify(result) + "\n");
  process.exit(code);
}

function check(cond, msg) {
  if (!cond) throw new Error(msg);
}

const ask = (...args) => socket.timeout(5000).emitWithAck(...args);

async function run() {
  socket = io(base + "/api", { forceNew: true, reconnection: false });
  await new Promise((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("connect_error", reject);
  });

  const rooms = await ask("rooms", ["a", "b", "c", "d"], ["a", "c", "zz"]);
  check(JSON.stringify(rooms) === JSON.stringify(["b", "d"]), `rooms after leaving a, c: ${JSON.stringify(rooms)}`);
  steps.push("leave");

  const ticks = [];
  socket.on("tick-1", () => ticks.push(1));
  socket.on("tick-2", () => ticks.push(2));
  // Handlers run in order and the server answers "ping" after "tick": the
  // ticks of one "tick" have all come when the ping's ack comes.
  const round = async () => {
    ticks.length = 0;
    socket.emit("tick");
    check((await ask("ping")) === "pong", "ping");
    return ticks.join(",");
  };
  check((await round()) === "1,2", `both handlers: ${ticks}`);
  await ask("off-one");
  check((await round()) === "2", `after off(tick, first): ${ticks}`);
  await ask("off-all");
  check((await round()) === "", `after off(tick): ${ticks}`);
  steps.push("off");

  const greeting = await ask("greet", { name: "ada", n: 21 });
  check(JSON.stringify(greeting) === JSON.stringify({ greeting: "hello ada", double: 42 }), `greet: ${JSON.stringify(greeting)}`);
  for (const bad of ["ada", 42, [1], { name: 7 }]) {
    const res = await ask("greet", bad);
    check(res && typeof res.error === "string" && res.error.length > 0, `greet(${JSON.stringify(bad)}): ${JSON.stringify(res)}`);
  }
  check(socket.connected, "the server disconnected after a type mismatch");
  steps.push("typed");
  return { ok: true, steps };
}

run().then(
  (r) => finish(r, 0),
  (err) => finish({ ok: false, error: String(err && err.message || err), steps }, 1),
);
