// Starts the real chatkit-server and Debian's Chromium for one test.
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, mkdirSync } from "node:fs";
import { createServer } from "node:net";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const root = resolve(fileURLToPath(new URL(".", import.meta.url)), "../..");
export const outputDir = process.env.CHATKIT_BROWSER_OUTPUT ?? join(tmpdir(), "chatkit-browser-output");
mkdirSync(outputDir, { recursive: true });

export function freePort() {
  return new Promise((done, fail) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => done(port));
    });
    s.on("error", fail);
  });
}

// A server on a free port, a fresh SQLite database and the fixture corpus.
export async function startServer(extra = {}) {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "chatkit-browser-"));
  const env = {
    PATH: process.env.PATH,
    CHATKIT_ENV: "development",
    PORT: String(port),
    THREADS: "2",
    DATABASE_URL: `sqlite://${dir}/chatkit.db`,
    CORPUS_DIR: join(root, "tests/fixtures/corpus"),
    WIDGET_DIR: join(root, "widget"),
    SECRET_KEY: "q3J8vLx0Zk2N7wRt5YpA9cHs4FmE1uGd6BiKoT_Wn-Xe",
    PUBLIC_VERIFY_URL: `http://localhost:${port}/`,
    BUILTIN_TOKEN_DELAY: "20ms",
    RATE_ANONYMOUS: "unlimited",
    RATE_ANONYMOUS_IP: "unlimited",
    ...(process.env.CHATKIT_TEST_SMTP_URL ? { SMTP_URL: process.env.CHATKIT_TEST_SMTP_URL } : {}),
    ...extra,
  };
  const binary = process.env.CHATKIT_SERVER ?? join(root, "build/src/chatkit-server");
  let child;
  let output = "";
  // A server killed and started again keeps its port and its database.
  const spawnServer = async () => {
    child = spawn(binary, ["serve"], { env, stdio: ["ignore", "pipe", "pipe"] });
    const mark = output.length;
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    await new Promise((done, fail) => {
      const started = Date.now();
      const poll = setInterval(() => {
        if (output.indexOf("listening on", mark) >= 0) {
          clearInterval(poll);
          done();
        } else if (child.exitCode !== null || Date.now() - started > 15000) {
          clearInterval(poll);
          fail(new Error(`server did not start:\n${output}`));
        }
      }, 20);
    });
  };
  const exit = (signal) => new Promise((done) => {
    if (child.exitCode !== null || child.signalCode !== null) return done();
    child.once("exit", done);
    child.kill(signal);
  });
  await spawnServer();
  return {
    port,
    url: `http://localhost:${port}/`,
    output: () => output,
    stop: () => exit("SIGTERM"),
    // kill -9: nothing is finished, flushed or said goodbye to.
    kill: () => exit("SIGKILL"),
    restart: spawnServer,
  };
}

// Runs `body` against a fresh server; its log tail joins any failure.
export async function withServer(extra, body) {
  const server = await startServer(extra);
  try {
    await body(server);
  } catch (err) {
    err.message += `\n--- server ---\n${server.output().slice(-3000)}`;
    throw err;
  } finally {
    await server.stop();
  }
}

export async function launch(args = []) {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    args: [
      "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
      ...args,
    ],
  });
}

// Opens the demo page and the chat panel; collects console messages.
export async function openWidget(browser, url, contextOptions = {}) {
  const context = await browser.newContext(contextOptions);
  const page = await context.newPage();
  const console_ = [];
  page.on("console", (m) => console_.push({ type: m.type(), text: m.text() }));
  page.on("dialog", (d) => {
    console_.push({ type: "dialog", text: d.message() });
    d.dismiss();
  });
  await page.goto(url);
  return { context, page, console: console_ };
}

export async function ask(page, question) {
  const input = page.locator("chatkit-widget textarea[part=input]");
  await input.fill(question);
  await input.press("Enter");
}

// An element inside the widget's shadow root (Playwright's locators pierce it).
export const widget = (page, selector, options) => page.locator(`chatkit-widget ${selector}`, options);
export const openPanel = (page) => widget(page, ".launcher").click();
// Another tab of the same browser (its storage shared) on `url`, panel open.
export async function openOtherTab(context, url) {
  const other = await context.newPage();
  await other.goto(url);
  await openPanel(other);
  return other;
}

export function assistantBubbles(page) {
  return page.locator("chatkit-widget .msg.assistant");
}

// The newest message in the SMTP sink for `to`.
export async function waitForMail(to, timeoutMs = 10000) {
  const dir = process.env.CHATKIT_TEST_MAILDIR;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      for (const name of readdirSync(join(dir, "new"))) {
        const text = readFileSync(join(dir, "new", name), "utf8");
        if (text.includes(`To: <${to}>`)) return text;
      }
    } catch {
      /* the Maildir appears with the first message */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no mail for ${to}`);
}

export async function fetchJson(base, path, body, token) {
  const r = await fetch(new URL(`api/v1${path}`, base), {
    method: body === undefined ? "GET" : "POST",
    headers: { "Content-Type": "application/json", ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return r.json();
}

const axePath = createRequire(import.meta.url).resolve("axe-core/axe.min.js");

// axe-core's WCAG 2.0-2.2 A and AA rules on the widget. axe is injected as an
// inline script: open the page with bypassCSP, the server's CSP forbids it.
// `scope`: a CSS selector of what to check (default: the widget).
export async function axeViolations(page, scope = "chatkit-widget") {
  await page.addScriptTag({ path: axePath });
  return page.evaluate(async (scope) => {
    const r = await globalThis.axe.run({ include: [[scope]] }, { runOnly: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"] });
    return r.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  }, scope);
}
