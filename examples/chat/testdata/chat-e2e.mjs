// chat-e2e.mjs: drives the chat page in headless Debian Chromium.
//
//   node testdata/chat-e2e.mjs <baseURL>[,<baseURL of bob>] [websocket|polling]
//
// With two URLs (two nodes of a cluster: examples/cluster) alice opens the
// first and bob the second.
//
// Two browser contexts (two visitors, alice and bob) open <baseURL>/ (with
// ?transports=polling for the polling variant), set their nicknames and join
// the same fresh room. Alice types: bob sees "alice is typing"; alice sends:
// bob sees "alice: <text>" and the indicator goes away; bob answers with
// Enter and alice sees it; bob switches to another room (alice sees "bob
// left", not his message there) and back; bob disconnects and alice sees
// "bob left". Both
// pages must show the transport asked for: "websocket" (after the upgrade
// from polling) or "polling" (and never upgrade).
//
// Prints one JSON line, {"ok":true,...} or {"ok":false,"error":...}, and
// exits 0 or 1. Hard timeout 30 s (CHAT_E2E_TIMEOUT_MS); the browser is
// always closed. CHROMIUM overrides /usr/bin/chromium; CHAT_E2E_SCREENSHOTS=dir
// saves both pages as PNG at the end (or at the failure).
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";

const [baseArg, transport = "websocket"] = process.argv.slice(2);
const hardTimeoutMs = Number(process.env.CHAT_E2E_TIMEOUT_MS || 30000);
const stepTimeoutMs = 10000;
const started = Date.now();

let browser;
let step = "start";
let extensions = null; // the WebSocket's negotiated extensions
const steps = [];
const pageErrors = [];
const consoleTail = [];
let pages = [];
let done = false;

function print(obj) {
  process.stdout.write(JSON.stringify(obj) + "\n");
}

async function finish(result, code) {
  if (done) return;
  done = true;
  result.ms = Date.now() - started;
  if (!result.ok) {
    result.step = step;
    if (consoleTail.length) process.stderr.write("browser console (last lines):\n" + consoleTail.join("\n") + "\n");
  }
  await screenshots(result.ok ? "end" : "failure").catch(() => {});
  if (browser) {
    const closed = browser.close().catch(() => {});
    const timer = new Promise((r) => setTimeout(r, 5000));
    await Promise.race([closed, timer]);
    try { browser.process?.()?.kill("SIGKILL"); } catch {}
  }
  print(result);
  process.exit(code);
}

async function screenshots(tag) {
  const dir = process.env.CHAT_E2E_SCREENSHOTS;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  for (const [i, page] of pages.entries()) {
    if (!page.isClosed()) await page.screenshot({ path: join(dir, `chat-${transport}-${tag}-${i + 1}.png`), timeout: 3000 });
  }
}

const hardTimer = setTimeout(() => {
  finish({ ok: false, error: `hard timeout after ${hardTimeoutMs} ms` }, 1);
}, hardTimeoutMs);
hardTimer.unref?.();

function fail(msg) {
  throw new Error(msg);
}

// waitTestid waits until the element with data-testid=id satisfies check,
// evaluated in the page: check(text, visible) with text its textContent.
async function waitTestid(page, id, checkSrc, what) {
  try {
    await page.waitForFunction(
      ([id, checkSrc]) => {
        const el = document.querySelector(`[data-testid="${id}"]`);
        if (!el) return false;
        const visible = !el.hidden && el.offsetParent !== null;
        return new Function("text", "visible", `return (${checkSrc});`)(el.textContent, visible);
      },
      [id, checkSrc],
      { timeout: stepTimeoutMs, polling: 50 },
    );
  } catch (err) {
    const now = await page.evaluate((id) => document.querySelector(`[data-testid="${id}"]`)?.textContent, id).catch(() => "?");
    fail(`${what}: data-testid=${id} never satisfied ${checkSrc} (it shows ${JSON.stringify(now)})`);
  }
}

// waitLine waits for the nth (1-based) element data-testid=kind ("message"
// or "system") whose text contains want.
async function waitLine(page, kind, want, what, nth = 1) {
  try {
    await page.locator(`[data-testid="${kind}"]`, { hasText: want }).nth(nth - 1).waitFor({ timeout: stepTimeoutMs });
  } catch {
    const lines = await page.locator('[data-testid="messages"] > li').allTextContents().catch(() => []);
    fail(`${what}: no ${kind} containing ${JSON.stringify(want)}; the list has ${JSON.stringify(lines)}`);
  }
}

async function members(page) {
  return page.locator('[data-testid="member"]').allTextContents();
}

async function run() {
  if (!baseArg || !/^https?:\/\//.test(baseArg)) fail("usage: node chat-e2e.mjs <baseURL> [websocket|polling]");
  if (transport !== "websocket" && transport !== "polling") fail(`transport must be websocket or polling, not ${transport}`);
  const urls = baseArg.split(",").map((b) => {
    const url = new URL("/", b);
    if (transport === "polling") url.searchParams.set("transports", "polling");
    return url;
  });

  step = "launch";
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    // Playwright adds --headless and a fresh, empty --user-data-dir itself.
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
    timeout: 15000,
  });

  const room = "e2e-" + Math.random().toString(36).slice(2, 8);
  const people = ["alice", "bob"];
  for (const nick of people) {
    const context = await browser.newContext();
    const page = await context.newPage();
    page.on("pageerror", (err) => pageErrors.push(`${nick}: ${err.message}`));
    page.on("console", (m) => {
      consoleTail.push(`${nick} [${m.type()}] ${m.text()}`);
      if (consoleTail.length > 40) consoleTail.shift();
    });
    pages.push(page);
  }
  const [alice, bob] = pages;

  step = "open";
  await Promise.all(pages.map((p, i) => p.goto(urls[Math.min(i, urls.length - 1)].href, { timeout: stepTimeoutMs })));
  for (const [i, page] of pages.entries()) {
    await waitTestid(page, "status", `text === "connected"`, `${people[i]} connects`);
  }
  steps.push("connected");

  step = "join";
  for (const [i, page] of pages.entries()) {
    await page.getByTestId("room").fill(room);
    await page.getByTestId("nick").fill(people[i]);
    await page.getByTestId("set-nick").click();
    await waitTestid(page, "current-room", `text === ${JSON.stringify(room)}`, `${people[i]} joins ${room}`);
  }
  await waitLine(alice, "system", "bob joined", "alice sees bob join");
  const bobSees = await members(bob);
  if (bobSees.join(",") !== "alice,bob") fail(`bob's member list is ${JSON.stringify(bobSees)}, want ["alice","bob"]`);
  await waitTestid(alice, "members", `text === "alicebob"`, "alice's member list has bob");
  steps.push("joined");

  step = "transport";
  for (const [i, page] of pages.entries()) {
    await waitTestid(page, "transport", `text === ${JSON.stringify(transport)}`, `${people[i]}'s transport`);
  }
  if (transport === "websocket") {
    // The server takes Chromium's permessage-deflate offer (perMessageDeflate).
    const ext = await alice.evaluate(() => socket.io.engine.transport.ws && socket.io.engine.transport.ws.extensions);
    if (!String(ext).startsWith("permessage-deflate")) fail(`WebSocket extensions ${JSON.stringify(ext)}, want permessage-deflate`);
    extensions = ext;
  }
  steps.push("transport");

  step = "typing";
  const text = "hello from alice " + room;
  // Record the "typing" events alice receives: she must get none of her own.
  await alice.evaluate(() => {
    window.typingEvents = [];
    window.chatSocket.on("typing", (e) => window.typingEvents.push(e));
  });
  const input = alice.getByTestId("input");
  await input.click();
  await input.pressSequentially("hello from", { delay: 20 });
  await waitTestid(bob, "typing", `visible && text.includes("alice is typing")`, "bob sees alice typing");
  steps.push("typing");

  step = "message";
  await input.fill(text);
  await alice.getByTestId("send").click();
  await waitLine(bob, "message", `alice: ${text}`, "bob gets alice's message");
  await waitLine(alice, "message", `alice: ${text}`, "alice sees her own message");
  // The server sent alice any "typing" of hers before this message.
  const ownTyping = await alice.evaluate(() => window.typingEvents);
  if (ownTyping.length) fail(`alice got "typing" events meant for the others: ${JSON.stringify(ownTyping)}`);
  await waitTestid(bob, "typing", `!visible`, "bob's typing indicator clears");
  if (((await alice.getByTestId("input").inputValue()) !== "")) fail("alice's input was not cleared after send");
  steps.push("message");

  step = "reply";
  await bob.getByTestId("input").fill("hi alice");
  await bob.getByTestId("input").press("Enter");
  await waitLine(alice, "message", "bob: hi alice", "alice gets bob's reply");
  steps.push("reply");

  step = "switch";
  const other = room + "-b";
  await bob.getByTestId("room").fill(other);
  await bob.getByTestId("join").click();
  await waitTestid(bob, "current-room", `text === ${JSON.stringify(other)}`, `bob switches to ${other}`);
  await waitTestid(bob, "members", `text === "bob"`, `bob is alone in ${other}`);
  await waitLine(alice, "system", "bob left", "alice sees bob leave for another room");
  await waitTestid(alice, "members", `text === "alice"`, "bob leaves alice's member list");
  await bob.getByTestId("input").fill("only bob hears this");
  await bob.getByTestId("input").press("Enter");
  await waitLine(bob, "message", "bob: only bob hears this", "bob gets his message in the other room");
  await bob.getByTestId("room").fill(room);
  await bob.getByTestId("join").click();
  await waitLine(alice, "system", "bob joined", "alice sees bob come back", 2);
  await waitTestid(alice, "members", `text === "alicebob"`, "bob is back in alice's member list");
  const leaked = await alice.locator('[data-testid="message"]', { hasText: "only bob hears this" }).count();
  if (leaked) fail("alice got a message sent to another room");
  steps.push("switch");

  step = "leave";
  await bob.evaluate(() => window.chatSocket.disconnect());
  await waitLine(alice, "system", "bob left", "alice sees bob disconnect", 2);
  await waitTestid(alice, "members", `text === "alice"`, "bob leaves alice's member list");
  steps.push("leave");

  step = "final";
  await waitTestid(alice, "transport", `text === ${JSON.stringify(transport)}`, "alice's transport at the end");
  const count = await bob.locator('[data-testid="message"]').count();
  if (count !== 3) fail(`bob has ${count} messages, want 3 (alice's and his own two)`);
  if (pageErrors.length) fail("page errors: " + pageErrors.join("; "));
  return { ok: true, transport, urls: urls.map((u) => u.href), room, steps, extensions };
}

run().then(
  (res) => finish(res, 0),
  (err) => finish({ ok: false, transport, error: String(err && err.message || err), steps, pageErrors }, 1),
);
