// <chatkit-widget> in real Chromium against the real server.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { createRequire } from "node:module";
import { join } from "node:path";
import { ask, assistantBubbles, axeViolations, fetchJson, launch, openWidget, outputDir, waitForMail, withServer } from "./harness.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

test("ask: the answer streams in with cited sources", async () => {
  await withServer({}, async (server) => {
    const { page, console: logs } = await openWidget(browser, server.url);
    await page.locator("chatkit-widget .launcher").click();
    await ask(page, "What is embodied AI?");
    const answer = assistantBubbles(page).last();
    await answer.locator(".sources .chip").first().waitFor();
    assert.match(await answer.innerText(), /Embodied AI studies agents that learn by acting/);
    const chip = answer.locator(".sources .chip").first();
    assert.match(await chip.getAttribute("href"), /\/docs\/embodied\.md#embodied-ai$/);
    assert.equal(await answer.locator("a.cite").count() > 0, true, "citation markers become links");
    assert.ok(logs.some((l) => l.type === "warning" && l.text.includes("HTTP on localhost")));
    assert.equal(await page.evaluate(() => window.scrollY), 0, "the host page did not scroll");
    await page.screenshot({ path: join(outputDir, "answer.png") });
  });
});

test("feedback: thumbs down asks why, and the rating with its reason and comment reaches the server", async () => {
  await withServer({}, async (server) => {
    const { page } = await openWidget(browser, server.url);
    await page.locator("chatkit-widget .launcher").click();
    await ask(page, "What is embodied AI?");
    const row = page.locator("chatkit-widget .feedback").last();
    await row.waitFor();
    assert.equal(await row.getAttribute("role"), "group");
    const down = row.getByRole("button", { name: "Not helpful" });
    const first = page.waitForRequest((r) => r.url().endsWith("/api/v1/chat/feedback"));
    await down.click();
    const quick = await first;
    assert.equal(JSON.parse(quick.postData()).rating, "down");
    assert.equal((await quick.response()).status(), 204);
    assert.equal(await down.getAttribute("aria-pressed"), "true");
    const form = row.locator(".feedback-form");
    assert.equal(await form.isVisible(), true, "down asks why");
    assert.equal(await row.locator(".feedback-status").innerText(), "", "no thanks while the form still asks");
    await form.locator("select").selectOption("incomplete");
    await form.locator("textarea").fill("It never says what a body is.");
    assert.equal(await form.getByRole("combobox", { name: "What was wrong? (optional)" }).count(), 1, "named controls");
    assert.equal(await form.getByRole("textbox", { name: "Tell us more (optional)" }).count(), 1);
    const second = page.waitForRequest((r) => r.url().endsWith("/api/v1/chat/feedback"));
    await form.getByRole("button", { name: "Send feedback", exact: true }).click();
    const full = JSON.parse((await second).postData());
    assert.deepEqual({ rating: full.rating, reason: full.reason, comment: full.comment },
      { rating: "down", reason: "incomplete", comment: "It never says what a body is." });
    await row.locator(".feedback-status").filter({ hasText: "Thanks" }).waitFor();
    assert.equal(await form.count(), 0, "the form goes once sent");
    const upRequest = page.waitForRequest((r) => r.url().endsWith("/api/v1/chat/feedback"));
    await row.getByRole("button", { name: "Helpful", exact: true }).click();
    assert.equal(JSON.parse((await upRequest).postData()).rating, "up", "a later rating replaces the earlier");
    await row.locator(".feedback-status").filter({ hasText: "Thanks" }).waitFor();
  });
});

test("the 👎 form follows the theme and its controls are 44 px tap targets on a phone", async () => {
  await withServer({}, async (server) => {
    const { context, page } = await openWidget(browser, server.url, { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, bypassCSP: true });
    await page.evaluate(() => document.querySelector("chatkit-widget").setAttribute("theme", "dark"));
    await page.locator("chatkit-widget .launcher").click();
    await ask(page, "What is embodied AI?");
    const row = page.locator("chatkit-widget .feedback").last();
    await row.getByRole("button", { name: "Not helpful" }).click();
    const form = row.locator(".feedback-form");
    await form.waitFor();
    const looks = await form.evaluate((f) => [...f.children].map((c) => {
      const style = getComputedStyle(c);
      return { tag: c.tagName.toLowerCase(), height: c.getBoundingClientRect().height, color: style.color, background: style.backgroundColor };
    }));
    for (const c of looks) {
      assert.ok(c.height >= 44, `${c.tag} is ${c.height} px tall`);
      assert.equal(c.color, "rgb(249, 250, 251)", `${c.tag} has the dark theme's text colour`);
      assert.ok(["rgb(17, 24, 39)", "rgba(0, 0, 0, 0)"].includes(c.background), `${c.tag} has the dark theme's background: ${c.background}`);
    }
    assert.deepEqual(await axeViolations(page), []);
    await context.close();
  });
});

test("New chat during an answer stops it and starts the new conversation at once", async () => {
  await withServer({ BUILTIN_TOKEN_DELAY: "150ms" }, async (server) => {
    const { page } = await openWidget(browser, server.url);
    await page.locator("chatkit-widget .launcher").click();
    const cancelled = page.waitForRequest((r) => /\/api\/v1\/chat\/[0-9a-f-]+\/cancel$/.test(r.url()));
    await ask(page, "What is embodied AI?");
    await assistantBubbles(page).last().filter({ hasText: "Embodied" }).waitFor();
    await page.locator("chatkit-widget .new-chat").click();
    await cancelled;
    assert.equal(await page.locator("chatkit-widget .log .msg").count(), 0, "the log is the new conversation's");
    await ask(page, "How do embodied agents perceive the world?");
    await assistantBubbles(page).last().locator(".copy-answer").waitFor({ timeout: 20000 });
    assert.equal(await page.locator("chatkit-widget .log .msg.user").count(), 1);
    assert.match(await assistantBubbles(page).last().innerText(), /cameras, touch sensors/);
  });
});

test("a corpus passage with <script> and <img onerror> renders as inert text", async () => {
  await withServer({}, async (server) => {
    const { page, console: logs } = await openWidget(browser, server.url);
    await page.locator("chatkit-widget .launcher").click();
    await ask(page, "Tell me about quokkas");
    const answer = assistantBubbles(page).last();
    await answer.locator(".sources").waitFor();
    const text = await answer.innerText();
    assert.ok(text.includes("<script>alert('xss')</script>"), text);
    assert.ok(text.includes('<img src=x onerror="alert(1)">'), text);
    const injected = await page.evaluate(() => {
      const root = document.querySelector("chatkit-widget").shadowRoot;
      return root.querySelectorAll("script, img, [onerror]").length;
    });
    assert.equal(injected, 0);
    assert.ok(!logs.some((l) => l.type === "dialog"), "no script ran");
    await page.screenshot({ path: join(outputDir, "inert-markup.png") });
  });
});

test("stop cancels the answer", async () => {
  await withServer({ BUILTIN_TOKEN_DELAY: "250ms" }, async (server) => {
    const { page } = await openWidget(browser, server.url);
    await page.locator("chatkit-widget .launcher").click();
    await ask(page, "What is embodied AI?");
    const stop = page.locator("chatkit-widget button", { hasText: "Stop" });
    await page.waitForFunction(() => {
      const b = document.querySelector("chatkit-widget").shadowRoot.querySelectorAll(".msg.assistant");
      return b.length && b[b.length - 1].innerText.split(" ").length > 3;
    });
    await stop.click();
    const answer = assistantBubbles(page).last();
    await page.waitForFunction(() => {
      const root = document.querySelector("chatkit-widget").shadowRoot;
      return !root.querySelector("button.primary[type=submit]").hidden;
    });
    const text = await answer.innerText();
    assert.match(text, /\(stopped\)/);
    assert.ok(!text.includes("joint encoders"), "the rest of the answer never came");
  });
});

test("a dropped connection resumes with nothing lost or doubled", async () => {
  await withServer({ BUILTIN_TOKEN_DELAY: "120ms" }, async (server) => {
    const expected = (await fetchJson(server.url, "/chat", { message: "What is embodied AI?" })).answer;
    const { context, page } = await openWidget(browser, server.url);
    await page.locator("chatkit-widget .launcher").click();
    await ask(page, "What is embodied AI?");
    await page.waitForFunction(() => {
      const b = document.querySelector("chatkit-widget").shadowRoot.querySelectorAll(".msg.assistant");
      return b.length && b[b.length - 1].innerText.split(" ").length > 5;
    });
    await context.setOffline(true);
    await page.waitForTimeout(800);
    await context.setOffline(false);
    const answer = assistantBubbles(page).last();
    await answer.locator(".sources").waitFor({ timeout: 20000 });
    // The bubble's text without its source chips, against the Markdown the
    // server answered (markers and emphasis are rendered, not shown).
    const shown = await answer.evaluate((el) => {
      const copy = el.cloneNode(true);
      copy.querySelectorAll(".sources, .copy-answer").forEach((s) => s.remove());
      return copy.textContent;
    });
    const plain = (text) => text.replace(/\[(\d+)\]/g, "$1").replace(/\*\*|`/g, "").replace(/\s+/g, "").trim();
    assert.equal(plain(shown), plain(expected));
    await page.screenshot({ path: join(outputDir, "resumed.png") });
  });
});

test("a rate limit disables sending with a countdown", async () => {
  await withServer({ RATE_ANONYMOUS: "1/day" }, async (server) => {
    const { page } = await openWidget(browser, server.url);
    await page.locator("chatkit-widget .launcher").click();
    await ask(page, "What is embodied AI?");
    await assistantBubbles(page).last().locator(".sources").waitFor();
    await ask(page, "And sensors?");
    const cooldown = page.locator("chatkit-widget .cooldown");
    await cooldown.waitFor();
    assert.match(await cooldown.innerText(), /You can ask again in \d+ s/);
    assert.equal(await page.locator("chatkit-widget button.primary[type=submit]").isDisabled(), true);
    await page.screenshot({ path: join(outputDir, "cooldown.png") });
  });
});

test("sign-up by email link signs in and moves the anonymous conversation", { skip: !process.env.CHATKIT_TEST_MAILDIR }, async () => {
  await withServer({}, async (server) => {
    const { page } = await openWidget(browser, server.url);
    await page.locator("chatkit-widget .launcher").click();
    await ask(page, "What is embodied AI?");
    await assistantBubbles(page).last().locator(".sources").waitFor();
    const email = `browser-${Date.now()}@example.com`;
    await page.locator("chatkit-widget button", { hasText: "Sign up" }).first().click();
    await page.locator("chatkit-widget input[type=email]").fill(email);
    await page.locator("chatkit-widget input[type=checkbox]").check();
    await page.locator("chatkit-widget button", { hasText: "Send me a link" }).click();
    const mail = await waitForMail(email);
    const link = /(http:\/\/localhost:\d+\/#chatkit_verify=[A-Za-z0-9_-]+)/.exec(mail)[1];
    // The reader opens the link from their mail: a new tab of the same browser.
    const tab = await page.context().newPage();
    await tab.goto(link);
    await page.close();
    const page2 = tab;
    await page2.locator("chatkit-widget .msg.notice", { hasText: "Signed in as" }).waitFor();
    assert.equal(await page2.evaluate(() => location.hash), "", "the token left the address bar");
    await page2.locator("chatkit-widget button", { hasText: "Move them" }).click();
    await page2.locator("chatkit-widget .msg.notice", { hasText: "Moved 2 messages" }).waitFor();
    const session = await page2.evaluate(() => JSON.parse(localStorage.getItem(Object.keys(localStorage).find((k) => /^chatkit:v1:[^:]+:\/\/[^:]+:\d+$/.test(k)))).session.token);
    const dom = await page2.evaluate(() => document.documentElement.outerHTML + document.querySelector("chatkit-widget").shadowRoot.innerHTML);
    assert.ok(session && !dom.includes(session), "the token is not in the DOM");
    await page2.screenshot({ path: join(outputDir, "signed-in.png") });
  });
});

test("keyboard only: open, sign up dialog traps focus and gives it back", async () => {
  await withServer({}, async (server) => {
    const { page } = await openWidget(browser, server.url);
    await page.locator("chatkit-widget .launcher").focus();
    await page.keyboard.press("Enter");
    const active = () => page.evaluate(() => document.querySelector("chatkit-widget").shadowRoot.activeElement?.outerHTML ?? "");
    assert.match(await active(), /textarea/);
    const signup = page.locator("chatkit-widget button", { hasText: "Sign up" }).first();
    await signup.focus();
    await page.keyboard.press("Enter");
    assert.match(await active(), /type="email"/);
    for (let i = 0; i < 6; ++i) {
      await page.keyboard.press("Tab");
      assert.match(await active(), /chatkit-email|chatkit-consent|button/, "focus stays in the dialog");
    }
    await page.keyboard.press("Escape");
    assert.match(await active(), /Sign up/, "focus returns to the opener");

    // The whole sign-up without a mouse: Enter opens, type, Tab, Space, Enter.
    await page.keyboard.press("Enter");
    await page.keyboard.type(`keys-${Date.now()}@example.com`);
    await page.keyboard.press("Tab");
    await page.keyboard.press("Space");
    await page.keyboard.press("Tab");
    await page.keyboard.press("Tab");
    assert.match(await active(), /Send me a link/);
    await page.keyboard.press("Enter");
    await page.locator("chatkit-widget .msg.notice", { hasText: "Check your inbox" }).waitFor();
    await page.screenshot({ path: join(outputDir, "keyboard.png") });
  });
});

test("embedded on another origin, themed and localised, it talks to the API through CORS", async () => {
  await withServer({}, async (server) => {
    const context = await browser.newContext();
    const page = await context.newPage();
    // A site on another origin (its own little server) embeds the widget
    // from the API's origin.
    const api = `http://127.0.0.1:${server.port}`;
    const html = `<!doctype html><html><head><style>button { color: red !important; font-size: 40px; }</style>
<script type="module" src="${api}/widget/chatkit-widget.js"></script></head>
<body><p>Host page</p><chatkit-widget api-base="${api}" theme="dark" accent="#10b981" title="Docs helper"></chatkit-widget></body></html>`;
    const siteServer = createServer((req, res) => {
      res.writeHead(200, { "Content-Type": "text/html" });
      res.end(html);
    });
    await new Promise((done) => siteServer.listen(0, "127.0.0.1", done));
    const site = `http://localhost:${siteServer.address().port}`;
    after(() => siteServer.close());
    await page.goto(`${site}/docs`);
    await page.locator("chatkit-widget .launcher").waitFor();
    await page.evaluate(() => { document.querySelector("chatkit-widget").locale = { send: "Envoyer" }; });
    await page.locator("chatkit-widget .launcher").click();
    assert.equal(await page.locator("chatkit-widget h2").innerText(), "Docs helper");
    assert.equal(await page.locator("chatkit-widget button.primary[type=submit]").innerText(), "Envoyer");
    const sendColor = await page.locator("chatkit-widget button.primary[type=submit]").evaluate((b) => getComputedStyle(b).backgroundColor);
    assert.equal(sendColor, "rgb(16, 185, 129)", "accent attribute applies; host CSS does not leak in");
    await ask(page, "What is embodied AI?");
    const answer = assistantBubbles(page).last();
    await answer.locator(".sources .chip").first().waitFor();
    assert.match(await answer.innerText(), /Embodied AI studies/);
    // One polite live region; the finished answer is announced once, as plain text.
    assert.equal(await page.locator("chatkit-widget [aria-live=polite]").count(), 1);
    const announced = await page.locator("chatkit-widget [aria-live=polite]").textContent();
    assert.match(announced, /^Embodied AI studies/);
    assert.doesNotMatch(announced, /\[\d\]|\*\*/);
    await page.screenshot({ path: join(outputDir, "cross-origin-dark.png") });
    await context.close();
  });
});

test("starters: the demo's questions show on an empty conversation, one click asks it", async () => {
  await withServer({}, async (server) => {
    const { context, page } = await openWidget(browser, server.url);
    const errors = [];
    page.on("pageerror", (e) => errors.push(e.message));
    const bodies = [];
    page.on("request", (r) => r.url().endsWith("/chat/stream") && bodies.push(r.postDataJSON()));
    await page.locator("chatkit-widget .launcher").click();
    const starters = page.locator("chatkit-widget [part=starter]");
    assert.equal(await starters.count(), 3, "the demo page sets three");
    assert.ok(await starters.filter({ hasText: "How do I embed the widget?" }).isVisible());
    const first = await starters.first().innerText();
    await starters.first().click();
    await assistantBubbles(page).last().locator(".copy-answer").waitFor({ timeout: 20000 });
    assert.equal(bodies[0].message, first);
    assert.equal(await page.locator("chatkit-widget .msg.user").innerText(), first);
    assert.equal(await starters.count(), 0, "gone once the conversation has begun");
    await page.locator("chatkit-widget .new-chat").click();
    assert.equal(await starters.count(), 3, "back for a new conversation");
    await page.evaluate(() => document.querySelector("chatkit-widget").setAttribute("starters", '["Only this?"]'));
    assert.deepEqual(await starters.allInnerTexts(), ["Only this?"]);
    await page.evaluate(() => document.querySelector("chatkit-widget").setAttribute("starters", "[not json"));
    assert.equal(await starters.count(), 0, "invalid JSON is ignored");
    assert.deepEqual(errors, []);
    await context.close();
  });
});

test("a table or code block wider than the panel is a named tab stop that scrolls by keyboard", async () => {
  await withServer({}, async (server) => {
    const { context, page } = await openWidget(browser, server.url, { bypassCSP: true });
    const wide = Array.from({ length: 6 }, (_, i) => `\`configuration_value_${i}\``);
    const answer = [
      "Settings:", "", `| ${wide.join(" | ")} |`, `|${" --- |".repeat(6)}`, `| ${wide.map(() => "1").join(" | ")} |`, "",
      "```sh", `chatkit-server serve ${"--an-option=value ".repeat(20)}`, "```", "",
      "| a | b |", "| --- | --- |", "| 1 | 2 |",
    ].join("\n");
    const sse = [["sources", { sources: [] }], ["token", { content: answer }], ["done", { message_id: "m1" }]]
      .map(([event, data]) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`).join("");
    await page.route("**/api/v1/chat/stream", (route) => route.fulfill({ contentType: "text/event-stream", body: sse }));
    await page.locator("chatkit-widget .launcher").click();
    await ask(page, "Which settings are there?");
    await page.getByRole("region", { name: "Table" }).waitFor({ timeout: 5000 });
    const regions = await assistantBubbles(page).last().locator(".table, pre").evaluateAll((nodes) =>
      nodes.map((n) => [n.getAttribute("tabindex"), n.getAttribute("role"), n.getAttribute("aria-label")]));
    assert.deepEqual(regions, [["0", "region", "Table"], ["0", "region", "Code"], [null, null, null]], "the narrow table is no tab stop");
    await page.addScriptTag({ path: createRequire(import.meta.url).resolve("axe-core/axe.min.js") });
    const violations = await page.evaluate(async () =>
      (await globalThis.axe.run({ include: [["chatkit-widget"]] }, { runOnly: ["scrollable-region-focusable", "aria-allowed-role", "aria-prohibited-attr"] })).violations.map((v) => v.id));
    assert.deepEqual(violations, []);
    const table = page.getByRole("region", { name: "Table" });
    await table.focus();
    await page.keyboard.press("ArrowRight");
    await page.waitForFunction(() => document.querySelector("chatkit-widget").shadowRoot.querySelector(".msg.assistant .table").scrollLeft > 0);
    await context.close();
  });
});
