// The official engine.io server with the options a Node user reaches for
// beyond the defaults; interop/options_test.go sends the same raw requests
// to it and to sioloop configured alike (newOptionsServer) and compares
// the answers.
//
//   - /hooks/: cookie: true; "initial_headers" adds X-Initial (the
//     request's transport), "headers" adds X-Headers ("sid" when the
//     request carries one, else "handshake"); every message is echoed
//   - /cookie/: a cookie with every attribute set
//   - /strict: addTrailingSlash: false
//   - /generated/: generateId(req) fails when the query has fail=1
//   - "connection_error" of every engine is recorded; GET /errors answers
//     them as JSON [{code, message, context, url}] and forgets them
//   - listens on 127.0.0.1:$PORT, prints "listening" once ready
import http from "node:http";
import { attach } from "engine.io";

const port = Number(process.env.PORT || 3000);
let errors = [];

const httpServer = http.createServer((req, res) => {
  if (req.url === "/errors") {
    res.writeHead(200, { "Content-Type": "application/json" });
    res.end(JSON.stringify(errors));
    errors = [];
    return;
  }
  res.writeHead(404).end();
});

const hooks = attach(httpServer, { path: "/hooks/", cookie: true });
hooks.on("initial_headers", (headers, req) => {
  headers["X-Initial"] = req._query.transport;
});
hooks.on("headers", (headers, req) => {
  headers["X-Headers"] = req._query.sid ? "sid" : "handshake";
});

const cookie = attach(httpServer, {
  path: "/cookie/",
  cookie: {
    name: "sess",
    path: "/app",
    domain: "example.com",
    maxAge: 3600,
    httpOnly: false,
    secure: true,
    sameSite: "strict",
  },
});

const strict = attach(httpServer, { path: "/strict", addTrailingSlash: false });

const generated = attach(httpServer, { path: "/generated/" });
generated.generateId = (req) => {
  if (new URL(req.url, "http://x").searchParams.get("fail") === "1") {
    throw new Error("no id");
  }
  return "generated-id-0000000";
};

for (const e of [hooks, cookie, strict, generated]) {
  e.on("connection", (socket) => {
    socket.on("message", (data) => socket.send(data));
  });
  e.on("connection_error", (err) => {
    errors.push({
      code: err.code,
      message: err.message,
      context: err.context && err.context.message ? err.context.message : "",
      url: err.req.url,
    });
  });
}

httpServer.listen(port, "127.0.0.1", () => {
  process.stdout.write("listening\n");
});

const shutdown = () => {
  for (const e of [hooks, cookie, strict, generated]) e.close();
  httpServer.close();
  process.exit(0);
};
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
