// Several tabs of one site share one conversation, in real Chromium against
// the real server: questions asked in two tabs at once, and Log out.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { ask, launch, openOtherTab, openPanel, openWidget, widget, withServer } from "./harness.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

const readLog = (page) => page.evaluate(() =>
  [...document.querySelector("chatkit-widget").shadowRoot.querySelectorAll(".log > .msg.user, .log > .msg.assistant")]
    .map((m) => `${m.classList.contains("user") ? "user" : "assistant"}: ${m.innerText.split(/\s+/).slice(0, 3).join(" ")}`));
const rated = (page, n) => page.waitForFunction((count) => {
  const root = document.querySelector("chatkit-widget").shadowRoot;
  return root.querySelectorAll(".feedback").length >= count && !root.querySelector("[aria-busy]");
}, n, { timeout: 20000 });

test("two tabs asking at once both end with the same log, without a reload", async () => {
  await withServer({ BUILTIN_TOKEN_DELAY: "60ms" }, async (server) => {
    const { context, page } = await openWidget(browser, server.url);
    await openPanel(page);
    await ask(page, "What is embodied AI?");
    await rated(page, 1);
    const other = await openOtherTab(context, server.url);
    await rated(other, 1);

    await Promise.all([ask(page, "How do teapots crack?"), ask(other, "What do sensors do?")]);
    await Promise.all([rated(page, 2), rated(other, 2)]);
    // Each tab reads the history again once its own answer has ended.
    const deadline = Date.now() + 10000;
    let logs;
    do {
      logs = await Promise.all([readLog(page), readLog(other)]);
      if (logs[0].length === 6 && JSON.stringify(logs[0]) === JSON.stringify(logs[1])) break;
      await page.waitForTimeout(100);
    } while (Date.now() < deadline);
    assert.equal(logs[0].length, 6, `three turns in the first tab: ${logs[0].join(" | ")}`);
    assert.deepEqual(logs[1], logs[0], "the same log in both tabs");
    await context.close();
  });
});

test("Log out in one tab clears the conversation in every tab", async () => {
  await withServer({}, async (server) => {
    const { context, page } = await openWidget(browser, server.url);
    const other = await context.newPage();
    // A signed-in reader without mail: a made-up session, and a history
    // endpoint that accepts it.
    const history = {
      conversation_id: "c1",
      messages: [
        { message_id: "m1-q", role: "user", content: "What is embodied AI?", sources: [], status: "complete" },
        { message_id: "m1", role: "assistant", content: "Embodied AI studies agents that act.", sources: [], status: "complete" },
      ],
    };
    for (const tab of [page, other]) {
      await tab.route("**/api/v1/chat/history", (route) => route.fulfill({ contentType: "application/json", body: JSON.stringify(history) }));
    }
    await page.evaluate(() => localStorage.setItem(`chatkit:v1:${location.origin}`, JSON.stringify({
      anon: { token: "a".repeat(43), expires_at: "2099-01-01T00:00:00Z" },
      session: { token: "x".repeat(43), email: "reader@example.com", expires_at: "2099-01-01T00:00:00Z" },
    })));
    await page.reload();
    await other.goto(server.url);
    for (const tab of [page, other]) {
      await openPanel(tab);
      await widget(tab, ".msg.assistant").waitFor();
    }

    await widget(page, ".bar button", { hasText: "Log out" }).click();
    for (const tab of [page, other]) {
      await widget(tab, ".msg.notice", { hasText: "logged out" }).waitFor({ timeout: 5000 });
      assert.equal(await widget(tab, ".msg.user, .msg.assistant").count(), 0, "the conversation left the screen");
      assert.ok(await widget(tab, ".bar button", { hasText: "Sign up" }).isVisible());
    }
    // A reload brings nothing back: the browser forgot the reader, the
    // anonymous session from before the sign-in too.
    const stored = await other.evaluate(() => JSON.parse(localStorage.getItem(`chatkit:v1:${location.origin}`)));
    assert.deepEqual(stored, {});
    await context.close();
  });
});

test("an answer resumed after a reload shows in the other tabs when it ends", async () => {
  await withServer({ BUILTIN_TOKEN_DELAY: "100ms" }, async (server) => {
    const { context, page } = await openWidget(browser, server.url);
    await openPanel(page);
    const other = await openOtherTab(context, server.url);
    // A first turn settles the anonymous token, whose storage event would
    // otherwise make the other tab read the history mid-answer.
    await ask(page, "What is embodied AI?");
    await Promise.all([rated(page, 1), rated(other, 1)]);

    await ask(page, "How do teapots crack?");
    await page.waitForFunction(() => {
      const b = document.querySelector("chatkit-widget").shadowRoot.querySelectorAll(".msg.assistant");
      return b.length === 2 && b[1].innerText.split(" ").length > 4;
    });
    await page.reload();
    await openPanel(page);
    await rated(page, 2);
    await rated(other, 2);
    assert.deepEqual(await readLog(other), await readLog(page), "the same log in both tabs");
    await context.close();
  });
});

test("a tab that could not read the history reads it again when the network is back", async () => {
  await withServer({}, async (server) => {
    const { context, page } = await openWidget(browser, server.url);
    await openPanel(page);
    const other = await openOtherTab(context, server.url);
    await ask(page, "What is embodied AI?");
    await Promise.all([rated(page, 1), rated(other, 1)]);

    // The other tab's network fails while this tab's answer ends.
    const failedRead = other.waitForRequest((r) => r.url().endsWith("/api/v1/chat/history"));
    await other.route("**/api/v1/chat/history", (route) => route.abort("internetdisconnected"));
    await ask(page, "How do teapots crack?");
    await rated(page, 2);
    await failedRead;
    await other.unroute("**/api/v1/chat/history");
    assert.equal(await widget(other, ".feedback").count(), 1, "nothing new while the read failed");

    await context.setOffline(true);
    await context.setOffline(false);
    await rated(other, 2);
    assert.deepEqual(await readLog(other), await readLog(page));
    await context.close();
  });
});
