// Reference implementation of the interop test contract, using the official
// engine.io server from npm. sioloop's Go server must behave the same way for
// eio-client.mjs; `go test -tags reference ./interop/` runs every scenario
// against this server to prove the scenarios themselves.
//
// Contract:
//   - listens on 127.0.0.1:$PORT (default 3000), engine.io path "/engine.io/"
//   - pingInterval 300 ms, pingTimeout 200 ms (overridable with
//     EIO_PING_INTERVAL / EIO_PING_TIMEOUT, which eio-client.mjs reads too),
//     maxHttpBufferSize 1e6
//   - CORS origin "*"
//   - every message (text or binary) is echoed back unchanged
//   - the text message "close-me" makes the server close that session
//   - prints "listening" on stdout once ready
import http from "node:http";
import { attach } from "engine.io";

const port = Number(process.env.PORT || 3000);
const host = process.env.HOST || "127.0.0.1";

const httpServer = http.createServer((req, res) => {
  res.writeHead(404).end();
});

const engine = attach(httpServer, {
  path: "/engine.io/",
  pingInterval: Number(process.env.EIO_PING_INTERVAL || 300),
  pingTimeout: Number(process.env.EIO_PING_TIMEOUT || 200),
  maxHttpBufferSize: 1e6,
  cors: { origin: "*" },
});

// The same contract with perMessageDeflate (its default threshold, 1024).
const deflateEngine = attach(httpServer, {
  path: "/engine.io-deflate/",
  pingInterval: Number(process.env.EIO_PING_INTERVAL || 300),
  pingTimeout: Number(process.env.EIO_PING_TIMEOUT || 200),
  maxHttpBufferSize: 1e6,
  cors: { origin: "*" },
  perMessageDeflate: true,
});

for (const e of [engine, deflateEngine]) {
  e.on("connection", (socket) => {
    socket.on("message", (data) => {
      if (data === "close-me") {
        socket.close();
        return;
      }
      socket.send(data);
    });
  });
}

httpServer.listen(port, host, () => {
  process.stdout.write("listening\n");
});

const shutdown = () => {
  engine.close();
  deflateEngine.close();
  httpServer.close();
  process.exit(0);
};
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
