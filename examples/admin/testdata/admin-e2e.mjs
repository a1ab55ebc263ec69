// admin-e2e.mjs: logs into the Admin UI (the official @socket.io/admin-ui
// build, served by the Go example) in headless Debian Chromium and checks
// that it shows the connected sockets and their rooms, live.
//
//   node testdata/admin-e2e.mjs <baseURL>
//
// Two clients (the official socket.io-client, in this process) connect to
// "/"; alice joins "room-e2e". The browser logs in with a wrong password
// (the UI says "Invalid credentials"), then as admin/secret; the sockets
// page lists both sockets, alice's page shows her rooms (her id, "lobby",
// "room-e2e"), the rooms page lists "room-e2e"; bob disconnects and leaves
// the sockets page.
//
// Prints one JSON line, {"ok":true,...} or {"ok":false,"error":...}, and
// exits 0 or 1. Hard timeout 40 s; the browser is always closed. CHROMIUM
// overrides /usr/bin/chromium; ADMIN_E2E_SCREENSHOTS=dir saves the page as
// PNG at the end (or at the failure).
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { io } from "socket.io-client";

const [base] = process.argv.slice(2);
const stepMs = 10000;
const steps = [];
const clients = [];
let browser;
let page;
let step = "start";
let done = false;

async function finish(result, code) {
  if (done) return;
  done = true;
  if (!result.ok) result.step = step;
  const dir = process.env.ADMIN_E2E_SCREENSHOTS;
  if (dir && page && !page.isClosed()) {
    mkdirSync(dir, { recursive: true });
    await page.screenshot({ path: join(dir, `admin-${result.ok ? "end" : "failure"}.png`), timeout: 3000 }).catch(() => {});
  }
  for (const c of clients) c.disconnect();
  if (browser) {
    await Promise.race([browser.close().catch(() => {}), new Promise((r) => setTimeout(r, 5000))]);
    try { browser.process?.()?.kill("SIGKILL"); } catch {}
  }
  process.stdout.write(JSON.stringify(result) + "\n");
  process.exit(code);
}

setTimeout(() => finish({ ok: false, error: "hard timeout after 40 s", steps }, 1), 40000).unref();

function fail(msg) {
  throw new Error(msg);
}

function client() {
  const c = io(base, { forceNew: true, reconnection: false });
  clients.push(c);
  return new Promise((resolve, reject) => {
    c.once("connect", () => resolve(c));
    c.once("connect_error", reject);
  });
}

// seeText waits until the page's visible text contains want.
async function seeText(want, what) {
  try {
    await page.getByText(want, { exact: false }).first().waitFor({ state: "visible", timeout: stepMs });
  } catch {
    const text = await page.evaluate(() => document.body.innerText).catch(() => "?");
    fail(`${what}: ${JSON.stringify(want)} not on the page, which reads ${JSON.stringify(text.slice(0, 600))}`);
  }
}

async function login(password) {
  await page.getByLabel("Server URL").fill(base);
  await page.getByLabel("Username").fill("admin");
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Connect" }).click();
}

async function run() {
  if (!base || !/^https?:\/\//.test(base)) fail("usage: node admin-e2e.mjs <baseURL>");
  step = "clients";
  const alice = await client();
  const bob = await client();
  alice.emit("join", "room-e2e");

  step = "launch";
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    timeout: 15000,
  });
  const context = await browser.newContext();
  // The page links Google's fonts and a CDN's icons: no network here.
  const origin = new URL(base).origin;
  await context.route((url) => url.origin !== origin, (route) => route.abort());
  page = await context.newPage();
  const pageErrors = [];
  page.on("pageerror", (err) => pageErrors.push(err.message));

  step = "refused";
  await page.goto(base + "/", { timeout: stepMs });
  await login("wrong");
  await seeText("Invalid credentials", "a wrong password");
  steps.push("refused");

  step = "login";
  await login("secret");
  await page.getByRole("button", { name: "Connect" }).waitFor({ state: "hidden", timeout: stepMs });
  steps.push("login");

  step = "sockets";
  await page.goto(base + "/#/sockets/", { timeout: stepMs });
  await seeText(alice.id, "the sockets page lists alice");
  await seeText(bob.id, "the sockets page lists bob");
  steps.push("sockets");

  step = "socket";
  await page.goto(`${base}/#/n/${encodeURIComponent("/")}/sockets/${alice.id}`, { timeout: stepMs });
  await seeText("room-e2e", "alice's page shows room-e2e");
  await seeText("lobby", "alice's page shows lobby");
  steps.push("rooms of a socket");

  step = "rooms";
  await page.goto(base + "/#/rooms/", { timeout: stepMs });
  await seeText("room-e2e", "the rooms page lists room-e2e");
  steps.push("rooms");

  step = "live";
  await page.goto(base + "/#/sockets/", { timeout: stepMs });
  await seeText(bob.id, "the sockets page lists bob again");
  const bobID = bob.id;
  bob.disconnect();
  try {
    await page.getByText(bobID).first().waitFor({ state: "detached", timeout: stepMs });
  } catch {
    fail("bob's socket stays on the sockets page after he disconnected");
  }
  await seeText(alice.id, "alice is still listed");
  steps.push("live");

  if (pageErrors.length) fail("page errors: " + pageErrors.join("; "));
  return { ok: true, steps };
}

run().then(
  (r) => finish(r, 0),
  (err) => finish({ ok: false, error: String(err && err.message || err), steps }, 1),
);
