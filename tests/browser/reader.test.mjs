// The widget as a reader lives with it, in real Chromium against the real
// server: one conversation across reloads and tabs, asking about a
// selection, scrolling, recovery, isolation from the host page, phones,
// focus, and axe-core's WCAG checks.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { ask, assistantBubbles, axeViolations, fetchJson, launch, openOtherTab, openPanel, openWidget, outputDir, widget, withServer } from "./harness.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

const answered = (page) => assistantBubbles(page).last().locator(".copy-answer").waitFor({ timeout: 20000 });
const plain = (text) => text.replace(/\[(\d+)\]/g, "$1").replace(/\*\*|`/g, "").replace(/\s+/g, "");

// A signed-in look without mail: a made-up session in storage, and a history
// endpoint that accepts it (the real one would find it dead and sign out).
async function fakeSession(page, { store = true } = {}) {
  await page.route("**/api/v1/chat/history", (route) =>
    route.fulfill({ contentType: "application/json", body: JSON.stringify({ conversation_id: null, messages: [] }) }));
  if (!store) return;
  await page.evaluate(() => {
    const key = `chatkit:v1:${location.origin}`;
    const state = JSON.parse(localStorage.getItem(key) ?? "{}");
    localStorage.setItem(key, JSON.stringify({ ...state, session: { token: "x".repeat(43), email: "reader@example.com" } }));
  });
}

// The text of the last answer without its chips and buttons.
function lastAnswerText(page) {
  return assistantBubbles(page).last().evaluate((el) => {
    const copy = el.cloneNode(true);
    copy.querySelectorAll(".sources, .copy-answer, .status").forEach((n) => n.remove());
    return copy.textContent;
  });
}

test("a reload or another page keeps the conversation with its sources", async () => {
  await withServer({}, async (server) => {
    const { context, page } = await openWidget(browser, server.url);
    await openPanel(page);
    await ask(page, "What is embodied AI?");
    await answered(page);
    await ask(page, "How do teapots crack?");
    await answered(page);
    const before = await lastAnswerText(page);
    await page.goto(`${server.url}?another=page`);
    await openPanel(page);
    await widget(page, ".msg.assistant .sources .chip").first().waitFor();
    assert.equal(await widget(page, ".msg.user").count(), 2);
    assert.equal(await widget(page, ".msg.assistant").count(), 2);
    assert.equal(await widget(page, ".msg.user").first().innerText(), "What is embodied AI?");
    assert.equal(plain(await lastAnswerText(page)), plain(before));
    assert.ok(await widget(page, ".msg.assistant a.cite").count() > 0, "citations are links again");
    // The next question continues the same conversation on the server.
    await ask(page, "What do sensors do?");
    await answered(page);
    const token = await page.evaluate(() => JSON.parse(localStorage.getItem(`chatkit:v1:${location.origin}`)).anon.token);
    const history = await fetchJson(server.url, "/chat/history", undefined, token);
    assert.equal(history.messages.length, 6);
    await context.close();
  });
});

test("a reload mid-answer resumes it, whole", async () => {
  await withServer({ BUILTIN_TOKEN_DELAY: "100ms" }, async (server) => {
    const expected = (await fetchJson(server.url, "/chat", { message: "What is embodied AI?" })).answer;
    const { context, page } = await openWidget(browser, server.url);
    await openPanel(page);
    await ask(page, "What is embodied AI?");
    await page.waitForFunction(() => {
      const b = document.querySelector("chatkit-widget").shadowRoot.querySelectorAll(".msg.assistant");
      return b.length && b[b.length - 1].innerText.split(" ").length > 4;
    });
    await page.reload();
    await openPanel(page);
    await answered(page);
    assert.equal(await widget(page, ".msg.assistant").count(), 1, "the resumed answer is not doubled");
    assert.equal(plain(await lastAnswerText(page)), plain(expected));
    await context.close();
  });
});

test("two tabs of the site stay in step", async () => {
  await withServer({}, async (server) => {
    const { context, page } = await openWidget(browser, server.url);
    await openPanel(page);
    const other = await openOtherTab(context, server.url);
    await ask(page, "What is embodied AI?");
    await answered(page);
    await widget(other, ".msg.assistant .sources").waitFor({ timeout: 10000 });
    assert.equal(await widget(other, ".msg.user").innerText(), "What is embodied AI?");
    // Signing in in one tab shows in the other (a stored session, no mail needed).
    await fakeSession(other, { store: false }); // it learns of the session from the storage event
    await fakeSession(page);
    await widget(other, ".bar", { hasText: "reader@example.com" }).waitFor();
    await context.close();
  });
});

test("a passage selected with the mouse is asked about, shown as a removable chip", async () => {
  await withServer({}, async (server) => {
    const { context, page } = await openWidget(browser, server.url);
    const bodies = [];
    page.on("request", (r) => r.url().endsWith("/chat/stream") && bodies.push(r.postDataJSON()));
    const passage = page.locator("#deployment + p");
    const box = await passage.boundingBox();
    await page.mouse.move(box.x + 1, box.y + 4);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width - 1, box.y + box.height - 4, { steps: 8 });
    await page.mouse.up();
    const selected = (await page.evaluate(() => String(document.getSelection()))).trim();
    assert.match(selected, /PostgreSQL/);
    await openPanel(page);
    await widget(page, ".selection").waitFor();
    assert.match(await widget(page, ".selection").innerText(), /Asking about: “Run several/);
    await widget(page, "textarea[part=input]").click();
    assert.ok(await widget(page, ".selection").isVisible(), "clicking into the input keeps the passage");
    await ask(page, "What does this mean?");
    await answered(page);
    assert.equal(bodies[0].context.mode, "chat");
    assert.equal(bodies[0].context.selected_text, selected);
    assert.ok(await widget(page, ".selection").isHidden(), "the chip goes with the question");

    // Removed before asking: nothing is attached.
    await passage.dblclick();
    await widget(page, ".selection").waitFor();
    await widget(page, ".selection button").click();
    await ask(page, "And how does it scale?");
    await answered(page);
    assert.equal(bodies[1].context.mode, "browse");
    assert.equal(bodies[1].context.selected_text, null);
    await context.close();
  });
});

test("the log follows new text only while the reader is at the bottom", async () => {
  await withServer({ BUILTIN_TOKEN_DELAY: "20ms" }, async (server) => {
    const { context, page } = await openWidget(browser, server.url);
    await openPanel(page);
    for (const q of ["What is embodied AI?", "How do teapots crack?", "What do sensors do?"]) {
      await ask(page, q);
      await answered(page);
    }
    const log = widget(page, ".log");
    const atBottom = () => log.evaluate((l) => l.scrollHeight - l.scrollTop - l.clientHeight <= 24);
    assert.ok(await atBottom(), "after an answer ends, its chips are in view");
    await ask(page, "What is embodied AI?");
    await page.waitForFunction(() => {
      const b = document.querySelector("chatkit-widget").shadowRoot.querySelectorAll(".msg.assistant");
      return b[b.length - 1].innerText.split(" ").length > 3;
    });
    await log.hover();
    await page.mouse.wheel(0, -5000);
    await page.waitForTimeout(1200);
    assert.equal(await log.evaluate((l) => l.scrollTop), 0, "reading above is not pulled down");
    await widget(page, ".more").waitFor();
    await widget(page, ".more").click();
    await page.waitForFunction(() => {
      const l = document.querySelector("chatkit-widget").shadowRoot.querySelector(".log");
      return l.scrollHeight - l.scrollTop - l.clientHeight <= 24;
    });
    assert.equal(await page.evaluate(() => scrollY), 0, "the host page never scrolls");
    await answered(page);
    await context.close();
  });
});

test("offline, the question stays with Retry and goes out when the connection is back", async () => {
  await withServer({}, async (server) => {
    const { context, page } = await openWidget(browser, server.url);
    await openPanel(page);
    await ask(page, "What is embodied AI?");
    await answered(page);
    await context.setOffline(true);
    await ask(page, "How do teapots crack?");
    const error = widget(page, ".msg.error");
    await error.waitFor();
    assert.match(await error.innerText(), /offline/i);
    assert.ok(await error.locator("button", { hasText: "Retry" }).isVisible());
    assert.equal(await widget(page, ".msg.user").last().innerText(), "How do teapots crack?");
    await widget(page, "textarea[part=input]").fill("a draft");
    await context.setOffline(false);
    await page.waitForFunction(() => document.querySelector("chatkit-widget").shadowRoot.querySelectorAll(".msg.assistant .copy-answer").length === 2, null, { timeout: 20000 });
    assert.equal(await error.count(), 0);
    assert.equal(await widget(page, "textarea[part=input]").inputValue(), "a draft", "what the reader typed meanwhile stays");
    await context.close();
  });
});

test("a dead anonymous token is replaced without a word to the reader", async () => {
  await withServer({}, async (server) => {
    const { context, page } = await openWidget(browser, server.url);
    await page.evaluate((origin) => {
      localStorage.setItem(`chatkit:v1:${origin}`, JSON.stringify({ anon: { token: "A".repeat(43), expires_at: "2099-01-01T00:00:00Z" } }));
    }, new URL(server.url).origin);
    await page.reload();
    await openPanel(page);
    await ask(page, "What is embodied AI?");
    await answered(page);
    assert.equal(await widget(page, ".msg.error").count(), 0);
    assert.equal(await widget(page, ".msg.notice").count(), 0);
    await context.close();
  });
});

test("a hostile host stylesheet does not reach in; the site's theme does", async () => {
  await withServer({}, async (server) => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const html = `<!doctype html><html><head><style>
      * { font-family: monospace !important; letter-spacing: 4px !important; line-height: 5 !important;
          text-transform: uppercase !important; font-size: 30px !important; word-spacing: 20px !important; }
      chatkit-widget { --chatkit-accent: #10b981; }
      chatkit-widget::part(send) { border-radius: 0; }
    </style><script type="module" src="/widget/chatkit-widget.js"></script></head>
    <body><p>Host</p><chatkit-widget api-base=""></chatkit-widget></body></html>`;
    await page.route(`${server.url}hostile`, (route) => route.fulfill({ contentType: "text/html", body: html }));
    await page.goto(`${server.url}hostile`);
    await openPanel(page);
    await ask(page, "What is embodied AI?");
    await answered(page);
    const style = await assistantBubbles(page).last().evaluate((b) => {
      const s = getComputedStyle(b);
      return { transform: s.textTransform, spacing: s.letterSpacing, font: s.fontFamily, size: s.fontSize, words: s.wordSpacing };
    });
    assert.equal(style.transform, "none");
    assert.equal(style.spacing, "normal");
    assert.equal(style.words, "0px");
    assert.doesNotMatch(style.font, /^monospace$/);
    assert.equal(style.size, "14px");
    const textarea = await widget(page, "textarea[part=input]").boundingBox();
    assert.ok(textarea.height < 80, `the input keeps its height (${textarea.height} px)`);
    const send = widget(page, "button.primary[type=submit]");
    assert.equal(await send.evaluate((b) => getComputedStyle(b).backgroundColor), "rgb(16, 185, 129)");
    assert.equal(await send.evaluate((b) => getComputedStyle(b).borderRadius), "0px");
    await page.screenshot({ path: join(outputDir, "hostile-host.png") });
    await context.close();
  });
});

test("on a phone every /docs page fits the screen and its launcher is reachable", async () => {
  await withServer({ CORPUS_DIR: fileURLToPath(new URL("../../docs", import.meta.url)) }, async (server) => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true, deviceScaleFactor: 2 });
    const page = await context.newPage();
    await page.goto(new URL("/docs/", server.url).href);
    const pages = await page.locator("ul.pages a").evaluateAll((links) => links.map((a) => a.getAttribute("href")));
    assert.ok(pages.length >= 8, `the demo's docs (${pages.length} pages)`);
    const wide = [];
    for (const href of pages) {
      await page.goto(new URL(href, server.url).href);
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      const launcher = await widget(page, ".launcher").boundingBox();
      if (width > 390 || !launcher || launcher.x + launcher.width > 390) wide.push(`${href}: ${width} px`);
    }
    assert.deepEqual(wide, [], "long inline code wraps instead of widening the page");
    await context.close();
  });
});

test("on a phone the panel is a full-screen sheet with 44 px targets", async () => {
  await withServer({}, async (server) => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true, deviceScaleFactor: 2 });
    const page = await context.newPage();
    await page.goto(server.url);
    await widget(page, ".launcher").tap();
    await ask(page, "What is embodied AI?");
    await answered(page);
    const panel = await widget(page, ".panel").boundingBox();
    assert.deepEqual([panel.x, panel.y, panel.width], [0, 0, 390]);
    assert.ok(panel.height >= 800, `full height (${panel.height})`);
    for (const selector of ["button.primary", "header button", ".chip", ".bar button"]) {
      const box = await widget(page, selector).first().boundingBox();
      assert.ok(box.height >= 44, `${selector} is ${box.height} px tall`);
    }
    const citeTarget = await widget(page, ".cite").first().evaluate((a) => {
      const after = getComputedStyle(a, "::after");
      return [parseFloat(after.width), parseFloat(after.height)];
    });
    assert.deepEqual(citeTarget, [44, 44]);
    await page.screenshot({ path: join(outputDir, "mobile-sheet.png") });
    await context.close();
  });
});

test("focus stays on a sensible control after Stop, Log out and closing the dialog", async () => {
  await withServer({ BUILTIN_TOKEN_DELAY: "150ms" }, async (server) => {
    const { context, page } = await openWidget(browser, server.url);
    await openPanel(page);
    await ask(page, "What is embodied AI?");
    await page.waitForFunction(() => document.querySelector("chatkit-widget").shadowRoot.querySelector(".msg.assistant[aria-busy]")?.innerText.includes(" "));
    await widget(page, "button", { hasText: "Stop" }).focus();
    await page.keyboard.press("Enter");
    await assistantBubbles(page).last().locator(".status").waitFor();
    const focused = () => page.evaluate(() => {
      const a = document.querySelector("chatkit-widget").shadowRoot.activeElement;
      return a ? a.tagName.toLowerCase() + (a.textContent ? `:${a.textContent}` : "") : "none";
    });
    assert.equal(await focused(), "textarea");

    await widget(page, ".bar button", { hasText: "Sign up" }).click();
    await page.keyboard.press("Escape");
    assert.equal(await focused(), "button:Sign up");
    await widget(page, ".bar button", { hasText: "Sign up" }).click();
    await widget(page, ".backdrop").click({ position: { x: 5, y: 5 } });
    assert.equal(await widget(page, ".modal").count(), 0, "a click on the backdrop closes the dialog");

    await fakeSession(page);
    await page.reload();
    await openPanel(page);
    await widget(page, ".bar button", { hasText: "Log out" }).click();
    await widget(page, ".msg.notice", { hasText: "logged out" }).waitFor();
    assert.equal(await focused(), "button:Sign up");
    await context.close();
  });
});

test("after Retry focus goes to the question input", async () => {
  await withServer({}, async (server) => {
    const { context, page } = await openWidget(browser, server.url);
    await openPanel(page);
    // The first ask fails on the network; Retry's goes through.
    let failures = 1;
    await page.route("**/api/v1/chat/stream", (route) => (failures-- > 0 ? route.abort("connectionreset") : route.continue()));
    await ask(page, "What is embodied AI?");
    const retry = widget(page, ".msg.error button", { hasText: "Retry" });
    await retry.focus();
    await page.keyboard.press("Enter");
    await answered(page);
    assert.equal(await page.evaluate(() => document.querySelector("chatkit-widget").shadowRoot.activeElement?.getAttribute("part")), "input");
    await context.close();
  });
});

test("screen readers hear who wrote each message, and one Close chat button in every placement", async () => {
  await withServer({}, async (server) => {
    const { context, page } = await openWidget(browser, server.url);
    await openPanel(page);
    await ask(page, "What is embodied AI?");
    await answered(page);
    assert.equal(await page.getByRole("group", { name: "You asked", exact: true }).innerText(), "What is embodied AI?");
    assert.equal(await page.getByRole("group", { name: "Answer", exact: true }).count(), 1);
    const placements = [["bottom-right", { width: 1280, height: 800 }], ["side", { width: 1280, height: 800 }], ["bottom-right", { width: 390, height: 844 }]];
    for (const [position, viewport] of placements) {
      await page.setViewportSize(viewport);
      await page.evaluate((p) => document.querySelector("chatkit-widget").setAttribute("position", p), position);
      assert.equal(await page.getByRole("button", { name: "Close chat", exact: true }).count(), 1, `${position} at ${viewport.width} px`);
    }
    await context.close();
  });
});

test("axe-core finds no WCAG 2.2 AA violation: open, streaming, dialog, signed in, dark", async () => {
  await withServer({ BUILTIN_TOKEN_DELAY: "150ms" }, async (server) => {
    for (const theme of ["light", "dark"]) {
      // axe is injected as an inline script, which the server's CSP forbids.
      const { context, page } = await openWidget(browser, server.url, { bypassCSP: true });
      await page.evaluate((t) => document.querySelector("chatkit-widget").setAttribute("theme", t), theme);
      await openPanel(page);
      assert.deepEqual(await axeViolations(page), [], `${theme}: open`);
      await ask(page, "What is embodied AI?");
      await page.waitForFunction(() => document.querySelector("chatkit-widget").shadowRoot.querySelector(".msg.assistant[aria-busy]"));
      assert.deepEqual(await axeViolations(page), [], `${theme}: streaming`);
      await answered(page);
      assert.deepEqual(await axeViolations(page), [], `${theme}: answered`);
      await widget(page, ".bar button", { hasText: "Sign up" }).click();
      assert.deepEqual(await axeViolations(page), [], `${theme}: dialog`);
      await page.keyboard.press("Escape");
      await fakeSession(page);
      await page.reload();
      await page.evaluate((t) => document.querySelector("chatkit-widget").setAttribute("theme", t), theme);
      await openPanel(page);
      await widget(page, ".bar", { hasText: "reader@example.com" }).waitFor();
      assert.deepEqual(await axeViolations(page), [], `${theme}: signed in`);
      await page.screenshot({ path: join(outputDir, `axe-${theme}.png`) });
      await context.close();
    }
  });
});

test("each Retry asks its own question again, and another tab's answer keeps the failed ones", async () => {
  await withServer({}, async (server) => {
    const { context, page } = await openWidget(browser, server.url);
    let refuse = 2;
    await page.route("**/api/v1/chat/stream", (route) => (refuse-- > 0
      ? route.fulfill({ status: 503, contentType: "application/json", body: JSON.stringify({ error: { code: "SERVICE_UNAVAILABLE", message: "busy" } }) })
      : route.continue()));
    await openPanel(page);
    await ask(page, "What is embodied AI?");
    await widget(page, ".msg.error").first().waitFor();
    await ask(page, "How do teapots crack?");
    await page.waitForFunction(() => document.querySelector("chatkit-widget").shadowRoot.querySelectorAll(".msg.error").length === 2);

    // Another tab answers meanwhile: this tab's failed questions stay.
    const other = await openOtherTab(context, server.url);
    await ask(other, "What do sensors do?");
    await answered(other);
    await widget(page, ".msg.assistant").first().waitFor();
    assert.equal(await widget(page, ".msg.error").count(), 2, "the failed questions survive the other tab's update");

    await widget(page, ".msg.error").first().locator("button").click();
    await page.waitForFunction(() => {
      const msgs = [...document.querySelector("chatkit-widget").shadowRoot.querySelectorAll(".msg")];
      const last = msgs.filter((m) => m.matches(".user")).pop();
      return last?.textContent === "What is embodied AI?" && last.nextElementSibling?.querySelector(".copy-answer");
    }, null, { timeout: 20000 });
    assert.equal(await widget(page, ".msg.error").count(), 1);
    assert.match(await widget(page, ".msg.error").innerText(), /busy|try again/i);
    const stillFailed = await widget(page, ".msg.error").evaluate((row) => row.previousElementSibling.textContent);
    assert.equal(stillFailed, "How do teapots crack?");
    await context.close();
  });
});

test("after the link is sent, focus stays in the dialog", async () => {
  await withServer({}, async (server) => {
    const { context, page } = await openWidget(browser, server.url);
    await openPanel(page);
    await widget(page, ".bar button", { hasText: "Sign up" }).click();
    await widget(page, "input[type=email]").fill(`focus-${Date.now()}@example.com`);
    await widget(page, "input[type=checkbox]").check();
    await widget(page, "button", { hasText: "Send me a link" }).click();
    await widget(page, ".modal [role=status]", { hasText: "Check your inbox" }).waitFor();
    const active = () => page.evaluate(() => document.querySelector("chatkit-widget").shadowRoot.activeElement?.textContent ?? "none");
    assert.equal(await active(), "Close");
    await page.keyboard.press("Tab");
    await page.keyboard.press("Tab");
    await page.keyboard.press("Tab");
    assert.ok(await page.evaluate(() => document.querySelector("chatkit-widget").shadowRoot.activeElement?.closest(".modal") != null), "Tab stays inside");
    assert.match(await widget(page, ".modal button", { hasText: /Send again in \d+ s/ }).innerText(), /Send again in/);
    await context.close();
  });
});

test("analytics: the seed's event types and the widget's own, in batches, with keepalive on page hide", async () => {
  await withServer({ BUILTIN_TOKEN_DELAY: "100ms" }, async (server) => {
    const { context, page } = await openWidget(browser, server.url);
    const batches = [];
    page.on("request", (r) => r.url().endsWith("/analytics/event") && batches.push(r.postDataJSON()));
    await openPanel(page);
    await ask(page, "What is embodied AI?");
    await page.waitForFunction(() => document.querySelector("chatkit-widget").shadowRoot.querySelector(".msg.assistant[aria-busy]")?.innerText.includes(" "));
    await widget(page, "button", { hasText: "Stop" }).click();
    await assistantBubbles(page).last().locator(".status").waitFor();
    for (const q of ["How do teapots crack?", "What do sensors do?"]) {
      await ask(page, q);
      await answered(page);
    }
    await widget(page, ".msg.notice button", { hasText: "Not now" }).click();
    await widget(page, ".bar button", { hasText: "Sign up" }).click();
    await widget(page, ".modal button", { hasText: "Cancel" }).click();
    // Leaving the page sends what is queued (keepalive), without waiting for the timer.
    await page.evaluate(() => dispatchEvent(new Event("pagehide")));
    await page.waitForTimeout(300);
    const events = batches.flatMap((b) => b.events ?? [b]);
    const types = new Set(events.map((e) => e.event_type));
    for (const t of ["widget_loaded", "chat_message", "answer_stopped", "soft_prompt_shown", "soft_prompt_dismissed", "signup_modal_opened", "signup_modal_closed"])
      assert.ok(types.has(t), `${t} was sent (got ${[...types].join(", ")})`);
    assert.ok(batches.every((b) => Array.isArray(b.events) && b.events.length <= 20), "batches of at most 20");
    assert.ok(events.every((e) => !JSON.stringify(e).includes("teapots")), "never the question's text");
    await context.close();
  });
});

test("a signed-in reader whose session died gets the sign-in dialog and keeps the question", async () => {
  await withServer({}, async (server) => {
    const { context, page } = await openWidget(browser, server.url);
    const dead = () => page.evaluate(() => {
      const key = `chatkit:v1:${location.origin}`;
      localStorage.setItem(key, JSON.stringify({ session: { token: "D".repeat(43), email: "gone@example.com", expires_at: "2099-01-01T00:00:00Z" } }));
    });
    // Dead on arrival: told once, signed out.
    await dead();
    await page.reload();
    await openPanel(page);
    await widget(page, ".msg.notice", { hasText: "Sign in again to see your conversation" }).waitFor();
    await widget(page, ".bar button", { hasText: "Sign up" }).waitFor();
    // Dying between load and question: the dialog, and the question kept.
    await dead();
    await ask(page, "How do I deploy?");
    await widget(page, ".modal").waitFor();
    assert.equal(await widget(page, "textarea[part=input]").inputValue(), "How do I deploy?", "the draft is kept");
    assert.match(await widget(page, ".msg.notice").last().innerText(), /session ended/i);
    assert.equal(await widget(page, ".msg.user").count(), 0, "the unsent question is not left in the log");
    await context.close();
  });
});
