// The cluster tests' client: an official socket.io-client 4.8 socket over
// WebSocket that records every event it gets, answers the "ask" and
// "askbin" broadcasts-with-ack with its label, and drives its node through
// the "ctl" event (node-server.mjs's contract). Shared by cluster-client.mjs
// and emitter-client.mjs.
import { io } from "socket.io-client";
import { check, openSockets } from "../../interop/testdata/driver.mjs";

// A client: its events as they came, and waiters woken on each.
export class Client {
  constructor(url, label) {
    this.label = label;
    this.got = [];
    this.waiters = new Set();
    this.socket = io(url, { transports: ["websocket"], reconnection: false, forceNew: true });
    openSockets.add(this.socket);
    this.socket.onAny((event, ...args) => this.push({ event, args }));
    this.socket.on("ask", (cb) => cb(this.label));
    this.socket.on("askbin", (cb) => cb(Buffer.from(this.label)));
    this.socket.on("disconnect", (reason) => this.push({ event: "disconnect", args: [reason] }));
  }
  push(e) {
    this.got.push(e);
    for (const w of this.waiters) w();
  }
  connected() {
    return new Promise((resolve, reject) => {
      this.socket.on("connect", resolve);
      this.socket.on("connect_error", reject);
    });
  }
  get id() {
    return this.socket.id;
  }
  ctl(op, arg) {
    return this.socket.timeout(8000).emitWithAck("ctl", op, arg).then((r) => {
      check(!(r && r.error), `${this.label}: ctl ${op}: ${r && r.error}`);
      return r;
    });
  }
  // Resolves with the first event matching pred, or fails after ms.
  async waitFor(pred, ms, what) {
    const deadline = Date.now() + ms;
    for (;;) {
      const e = this.got.find(pred);
      if (e) return e;
      const left = deadline - Date.now();
      check(left > 0, `${this.label}: no ${what} after ${ms} ms`, { got: this.got.map((g) => g.event) });
      await new Promise((resolve) => {
        const w = () => (this.waiters.delete(w), clearTimeout(t), resolve());
        const t = setTimeout(w, left);
        this.waiters.add(w);
      });
    }
  }
  count(pred) {
    return this.got.filter(pred).length;
  }
}
