#!/usr/bin/python3
"""Interop driver: runs python-socketio's Client (Debian bookworm's
python3-socketio 5.7.2 on python3-engineio 4.3.4, websocket-client, requests;
the Python client listed by the Socket.IO docs) against a Socket.IO server
implementing the contract written at the top of sio-reference-server.mjs.

Usage: /usr/bin/python3 sio_client.py <scenario> <baseURL>

Prints exactly ONE JSON line on stdout: {"ok": true, ...details} and exits 0,
or {"ok": false, "error": "...", ...} and exits 1. Diagnostics go to stderr.
Env: SIO_SCENARIO_TIMEOUT_MS (default 40000) bounds the whole scenario;
SIO_WAIT_MS (default 8000) is the wait for one expected event / ack / connect.

Needs: apt-get install -y python3-socketio python3-websocket python3-requests
(run it with Debian's /usr/bin/python3, which sees those packages).
"""

import json
import os
import sys
import threading
import time
import traceback

try:
    import socketio
    import engineio
except ImportError as exc:  # pragma: no cover
    sys.stdout.write(json.dumps({"ok": False, "error": "python-socketio not importable (apt-get install -y python3-socketio python3-websocket python3-requests): %s" % exc}) + "\n")
    sys.stdout.flush()
    os._exit(1)

PATH = "socket.io"  # python-socketio's socketio_path (no slashes)
WAIT = float(os.environ.get("SIO_WAIT_MS", "8000")) / 1000.0  # wait for one expected event / ack / connect
TIMEOUT_MS = int(os.environ.get("SIO_SCENARIO_TIMEOUT_MS", "40000"))

scenario = sys.argv[1] if len(sys.argv) > 1 else ""
base_url = sys.argv[2] if len(sys.argv) > 2 else ""

# ---------------------------------------------------------------- output

_T0 = time.monotonic()
_timeline = []


def mark(what):
    """Lifecycle timeline (ms since start), included in every result."""
    _timeline.append("%s@%d" % (what, (time.monotonic() - _T0) * 1000))


_finish_lock = threading.Lock()
_finished = False
_clients = []


def finish(result):
    global _finished
    with _finish_lock:
        if _finished:
            return
        _finished = True
    for c in list(_clients):
        try:
            c.sio.disconnect()
        except Exception:
            pass
    sys.stdout.write(json.dumps(result, default=_json_default) + "\n")
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0 if result.get("ok") else 1)


def fail(error, **details):
    finish(dict(ok=False, scenario=scenario, error=str(error), timeline=_timeline, **details))


def _json_default(v):
    if isinstance(v, (bytes, bytearray)):
        return "<bytes %d:%s%s>" % (len(v), bytes(v[:8]).hex(), "..." if len(v) > 8 else "")
    return repr(v)


def show(v):
    return json.dumps(v, default=_json_default)


class CheckError(Exception):
    pass


def check(cond, message):
    if not cond:
        raise CheckError(message)


# ---------------------------------------------------------------- helpers


def mixed_args():
    """JSON + binary (bytes at top level and nested in dicts and lists)."""
    return (
        1,
        "two",
        None,
        True,
        3.5,
        "héllo wörld ✓ 😀",
        {"a": b"\x01\x02\x03", "nested": [b"\x04\x05", {"deep": b"", "text": "x"}], "n": 0},
        bytes(range(256)),
        [b"buf", "s", [b"\xff"], {"empty": {}}],
        {},
        [],
    )


def same(a, b):
    """Deep equality; tuples and lists are interchangeable (JSON arrays)."""
    if isinstance(a, (bytes, bytearray)) or isinstance(b, (bytes, bytearray)):
        return isinstance(a, (bytes, bytearray)) and isinstance(b, (bytes, bytearray)) and bytes(a) == bytes(b)
    if isinstance(a, (list, tuple)) or isinstance(b, (list, tuple)):
        return isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)) and len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) or isinstance(b, dict):
        return isinstance(a, dict) and isinstance(b, dict) and sorted(a) == sorted(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    return a == b


_uniq = [0]


def tag(p):
    _uniq[0] += 1
    return "%s-%d-%d" % (p, os.getpid(), _uniq[0])


class PyClient:
    """A socketio.Client with an event log per namespace."""

    def __init__(self, label, namespaces=("/",), **client_opts):
        self.label = label
        self.cond = threading.Condition()
        self.events = []  # (namespace, name, args)
        self.connect_errors = []  # (namespace, data)
        self.disconnects = []
        self.sio = socketio.Client(reconnection=False, handle_sigint=False, **client_opts)
        for ns in namespaces:
            self.sio.on("*", self._catch_all(ns), namespace=ns)
            self.sio.on("connect_error", self._on_connect_error(ns), namespace=ns)
            self.sio.on("disconnect", self._on_disconnect(ns), namespace=ns)
        _clients.append(self)

    def _catch_all(self, ns):
        def handler(event, *args):
            with self.cond:
                self.events.append((ns, event, args))
                self.cond.notify_all()

        return handler

    def _on_connect_error(self, ns):
        def handler(*data):
            with self.cond:
                self.connect_errors.append((ns, data[0] if len(data) == 1 else list(data)))
                self.cond.notify_all()

        return handler

    def _on_disconnect(self, ns):
        def handler():
            with self.cond:
                self.disconnects.append(ns)
                self.cond.notify_all()

        return handler

    def connect(self, namespaces=("/",), wait_timeout=WAIT, **kw):
        # python-socketio waits for the namespace CONNECTs in a loop that only
        # ends when a wait_timeout passes without news: a refused namespace
        # costs one full wait_timeout.
        for attempt in (1, 2):
            mark("%s:connect%s" % (self.label, kw.get("transports") or ""))
            try:
                self.sio.connect(base_url, socketio_path=PATH, namespaces=list(namespaces), wait_timeout=wait_timeout, **kw)
                mark("%s:connected(%s)" % (self.label, self.sio.transport()))
                return self
            except socketio.exceptions.ConnectionError as exc:
                mark("%s:connect-failed(%s)" % (self.label, exc))
                # Not refused (no connect_error): the Engine.IO connection
                # went away before the namespace CONNECT completed, e.g. the
                # server's 1 s connectTimeout expired on an overloaded box.
                # Retry once, as socket.io-client's reconnection would.
                if attempt == 2 or self.connect_errors:
                    raise
                time.sleep(0.1)

    def take(self, name, ns="/", pred=lambda args: True, timeout=WAIT):
        """Removes and returns the args of the first event `name` matching pred."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                for i, (n, e, args) in enumerate(self.events):
                    if n == ns and e == name and pred(args):
                        del self.events[i]
                        return args
                left = deadline - time.monotonic()
                if left <= 0:
                    raise CheckError("%s: no %r event on %s within %.1fs; events %s" % (self.label, name, ns, timeout, show(self.events)[:1500]))
                self.cond.wait(left)

    def all(self, name, ns="/"):
        with self.cond:
            return [args for (n, e, args) in self.events if n == ns and e == name]

    def ack(self, event, *args, ns="/"):
        """emit with a callback; returns ALL ack arguments as a list."""
        done = threading.Event()
        box = []

        def cb(*resp):
            box.append(list(resp))
            done.set()

        mark("%s:ack(%s)" % (self.label, event))
        self.sio.emit(event, tuple(args), namespace=ns, callback=cb)
        if not done.wait(WAIT):
            raise CheckError("%s: no ack for %r on %s within %.1fs" % (self.label, event, ns, WAIT))
        return box[0]

    def emit(self, event, *args, ns="/"):
        self.sio.emit(event, tuple(args), namespace=ns)


def barrier(sender, clients):
    """sender asks for io.emit("all", t); once every client has it, all that the
    server sent them before has arrived (per-socket order, FIFO connections)."""
    t = tag("barrier")
    sender.emit("emit-all", t)
    for c in clients:
        c.take("all", pred=lambda a: len(a) > 0 and a[0] == t)


def mixed_echo(c, ns="/"):
    sent = mixed_args()
    got = c.ack("echo", *sent, ns=ns)
    check(same(list(sent), got), "%s: echo ack mismatch: sent %s, got %s" % (c.label, show(sent), show(got)))
    if ns == "/":
        t = tag("ev")
        c.emit("echo-event", t, *sent)
        ev = c.take("echo-event", pred=lambda a: len(a) > 0 and a[0] == t)
        check(same([t] + list(sent), ev), "%s: echo-event mismatch: got %s" % (c.label, show(ev)))
    return {"args": len(sent), "binaryType": type(got[7]).__name__}


# ---------------------------------------------------------------- scenarios

scenarios = {}


def scenario_fn(name):
    def deco(f):
        scenarios[name] = f
        return f

    return deco


def transport_echo(label, transports):
    c = PyClient(label).connect(transports=transports)
    check(c.sio.transport() == transports[0], "%s: transport %s" % (label, c.sio.transport()))
    auth = c.take("auth")
    check(same(list(auth), [{}]), "%s: auth %s, want [{}]" % (label, show(auth)))
    r = mixed_echo(c)
    check(c.sio.transport() == transports[0], "%s: transport changed to %s" % (label, c.sio.transport()))
    sid = c.sio.get_sid("/")
    c.sio.disconnect()
    return dict(transport=transports[0], sid=sid, **r)


@scenario_fn("connect-auth")
def connect_auth():
    """Default transports (polling, then the client upgrades during connect()), auth echoed."""
    auth = {"token": "py", "n": 1, "nested": {"list": [1, "x", None], "flag": True}}
    c = PyClient("auth").connect(auth=auth)
    got = c.take("auth")
    check(len(got) == 1 and same(got[0], auth), "auth echoed as %s, want %s" % (show(got), show(auth)))
    r = c.ack("echo", "hello")
    check(r == ["hello"], "echo %s" % show(r))
    sid = c.sio.get_sid("/")
    check(isinstance(sid, str) and sid and sid != c.sio.eio.sid, "socket sid %r vs engine sid %r" % (sid, c.sio.eio.sid))
    transport = c.sio.transport()
    check(transport == "websocket", "transport after connect %s, want websocket (upgraded)" % transport)
    c.sio.disconnect()
    return {"auth": got[0], "transport": transport}


@scenario_fn("echo")
def echo():
    """Mixed JSON + bytes via ack and via echo-event; zero-arg ack; server->client ack."""
    c = PyClient("echo").connect(transports=["websocket"])
    c.take("auth")
    r = mixed_echo(c)
    none = c.ack("echo")
    check(none == [], "zero-arg ack %s" % show(none))
    # server -> client ack: the handler's return value is the ack
    c.sio.on("question", lambda *args: ("answer-to",) + args + (b"\x09\x08\x07",))
    c.emit("ask", 1, "q", {"x": [1]})
    answer = c.take("answer")
    check(same(answer, ["answer-to", 1, "q", {"x": [1]}, b"\x09\x08\x07"]), "answer %s" % show(answer))
    c.sio.disconnect()
    return dict(answer=answer, **r)


@scenario_fn("custom-namespace")
def custom_namespace():
    """"/" and "/custom" on one connection, both get the auth payload."""
    auth = {"ns": "both"}
    c = PyClient("custom", namespaces=("/", "/custom")).connect(namespaces=("/", "/custom"), auth=auth, transports=["websocket"])
    a1 = c.take("auth", ns="/")
    a2 = c.take("auth", ns="/custom")
    check(same(a1, [auth]) and same(a2, [auth]), "auth %s / %s" % (show(a1), show(a2)))
    sid_root, sid_custom = c.sio.get_sid("/"), c.sio.get_sid("/custom")
    check(sid_root and sid_custom and sid_root != sid_custom, "sids %r %r" % (sid_root, sid_custom))
    r = mixed_echo(c, ns="/custom")
    c.sio.disconnect()
    return dict(sids={"/": sid_root, "/custom": sid_custom}, **r)


@scenario_fn("middleware")
def middleware():
    """"/private" refuses a bad token (connect_error data = {message, data});
    connect() raises ConnectionError; the right token is welcomed."""
    res = {}
    for label, auth in (("no-auth", None), ("bad-token", {"token": "wrong"})):
        c = PyClient(label, namespaces=("/private",))
        raised = None
        try:
            c.connect(namespaces=("/private",), auth=auth, transports=["websocket"], wait_timeout=1.5)
        except socketio.exceptions.ConnectionError as exc:
            raised = exc
        check(raised is not None, "%s: connect() did not raise" % label)
        check(str(raised) == "One or more namespaces failed to connect", "%s: ConnectionError %r" % (label, str(raised)))
        check(len(c.connect_errors) >= 1, "%s: no connect_error event" % label)
        for ns, data in c.connect_errors:
            check(ns == "/private" and same(data, {"message": "unauthorized", "data": {"reason": "bad token"}}), "%s: connect_error %s %s" % (label, ns, show(data)))
        res[label] = {"exception": str(raised), "connect_error": data}
    c = PyClient("good-token", namespaces=("/private",)).connect(namespaces=("/private",), auth={"token": "secret"}, transports=["websocket"])
    welcome = c.take("welcome", ns="/private")
    check(same(welcome, [c.sio.get_sid("/private")]), "welcome %s, want sid %s" % (show(welcome), c.sio.get_sid("/private")))
    c.sio.disconnect()
    res["accepted"] = {"welcome": welcome[0]}
    return res


@scenario_fn("rooms")
def rooms():
    """Two python clients: A joins "r"; B's to-room "r" reaches A, not B."""
    a = PyClient("A").connect(transports=["websocket"])
    b = PyClient("B").connect(transports=["polling"])
    a.take("auth")
    b.take("auth")
    check(a.ack("join", "r") == ["r"], "join ack")
    rooms_a = a.ack("rooms")[0]
    check(sorted(rooms_a) == sorted([a.sio.get_sid("/"), "r"]), "rooms %s" % show(rooms_a))
    b.emit("to-room", "r", "hi", {"bin": b"\x01\x02"})
    got = a.take("room-msg")
    check(same(got, ["hi", {"bin": b"\x01\x02"}]), "A got %s" % show(got))
    barrier(b, [a, b])
    check(b.all("room-msg") == [], "B (not in the room) got %s" % show(b.all("room-msg")))
    check(a.all("room-msg") == [], "A got a duplicate %s" % show(a.all("room-msg")))
    ids = a.ack("fetch", "r")[0]
    check(ids == [a.sio.get_sid("/")], "fetch %s" % show(ids))
    a.sio.disconnect()
    b.sio.disconnect()
    return {"A": got, "rooms": rooms_a}


@scenario_fn("websocket")
def websocket():
    return transport_echo("websocket", ["websocket"])


@scenario_fn("polling")
def polling():
    return transport_echo("polling", ["polling"])


# ---------------------------------------------------------------- main


def main():
    if not scenario or not base_url:
        sys.stderr.write("usage: python3 sio_client.py <scenario> <baseURL>\nscenarios: %s\n" % ", ".join(scenarios))
        fail("usage: python3 sio_client.py <scenario> <baseURL>")
    if scenario not in scenarios:
        fail("unknown scenario %r; known: %s" % (scenario, ", ".join(scenarios)))
    timer = threading.Timer(TIMEOUT_MS / 1000.0, lambda: fail("scenario timed out after %d ms" % TIMEOUT_MS))
    timer.daemon = True
    timer.start()
    started = time.monotonic()
    try:
        details = scenarios[scenario]()
    except CheckError as exc:
        fail(exc)
    except Exception as exc:  # noqa: BLE001
        traceback.print_exc()
        fail("%s: %s" % (type(exc).__name__, exc))
    finish(dict(ok=True, scenario=scenario, ms=int((time.monotonic() - started) * 1000), versions=versions(), timeline=_timeline, **details))


def versions():
    try:
        import importlib.metadata as md

        return {n: md.version(n) for n in ("python-socketio", "python-engineio", "websocket-client", "requests")}
    except Exception:  # noqa: BLE001
        return {}


if __name__ == "__main__":
    main()
