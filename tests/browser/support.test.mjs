// "Ask a person" (SUPPORT_URL) in real Chromium against the real server:
// offered under a refusal and after a 👎 and nowhere else, filled with the
// turn's question and a read-only link to the conversation (the page when
// that link cannot be made), reported to analytics without the question,
// and absent when the server has no support URL or cannot say; the same in
// a conversation restored after a reload and in a saved chat opened from
// the list (a snapshot: the page's address, nothing shared).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { ask, assistantBubbles, axeViolations, fetchJson, launch, openPanel, openWidget, waitForMail, widget, withServer } from "./harness.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

const HELP = "https://help.example.com/new?q={question}&ref={conversation_url}";
const MAIL = "mailto:docs@example.com?subject=Docs%20question&body={question}";
// Refused by the fixture corpus, and full of what must be percent-encoded.
const REFUSED = "Is there a Zürich office & a phone line? #urgent 100%/day";
const ANSWERED = "What is embodied AI?";

const supportLink = (page) => widget(page, "[part=support]");
const rated = (page, n) => page.waitForFunction((count) => {
  const root = document.querySelector("chatkit-widget").shadowRoot;
  return root.querySelectorAll(".feedback").length === count && !root.querySelector("[aria-busy]");
}, n, { timeout: 20000 });
// Resolves once the widget has its settings and has acted on them: an offer
// waiting for them was queued on the same promise, so it has run by then.
const settled = (page) => page.evaluate(() => document.querySelector("chatkit-widget").support.load());

async function refusal(page, n = 1) {
  await ask(page, REFUSED);
  await rated(page, n);
  assert.equal(await assistantBubbles(page).last().locator(".sources").count(), 0, "the corpus has no source for it");
}

test("a refusal offers Ask a person, which opens the support URL with the question and a working link to the conversation, in a new tab", async () => {
  await withServer({ SUPPORT_URL: HELP }, async (server) => {
    const { context, page } = await openWidget(browser, `${server.url}#install`);
    await context.route("https://help.example.com/**", (route) => route.fulfill({ contentType: "text/html", body: "<title>help</title>" }));
    const settings = [];
    page.on("request", (r) => r.url().endsWith("/api/v1/widget/settings") && settings.push(r));
    await openPanel(page);
    await refusal(page);
    const link = widget(page, ".feedback + [part=support]");
    await link.waitFor();
    assert.equal(await widget(page, "a[part=support]").getAttribute("rel"), "noopener");
    assert.equal(await page.getByRole("link", { name: "Ask a person (opens in a new tab)" }).count(), 1, "named for screen readers");
    // What pressing it does is said before it is pressed, on screen and as
    // the link's description.
    const note = widget(page, "[part=support] .support-note");
    assert.ok(await note.isVisible(), "the reader sees it");
    assert.equal(await note.innerText(), "Sends the support team a read-only link to this conversation.");
    assert.equal(await link.getAttribute("aria-describedby"), await note.getAttribute("id"), "its description");
    const box = await link.boundingBox();
    assert.ok(box.width >= 44 && box.height >= 44, `44 px tap target (${box.width} × ${box.height})`);

    const opened = page.waitForRequest((r) => r.url().endsWith("/analytics/event") && r.postData().includes("support_opened"));
    const popup = context.waitForEvent("page");
    await link.focus();
    await page.keyboard.press("Enter");
    const tab = await popup;
    await tab.waitForURL(/help\.example\.com/);
    const shared = new URL(tab.url()).searchParams.get("ref");
    assert.match(shared, new RegExp(`^${server.url}c/[A-Za-z0-9_-]{43}$`), "the conversation's read-only link");
    const expected = `https://help.example.com/new?q=${encodeURIComponent(REFUSED)}&ref=${encodeURIComponent(shared)}`;
    assert.equal(tab.url(), expected);
    assert.equal(await tab.evaluate(() => window.opener), null, "noopener");
    assert.equal(page.url(), `${server.url}#install`, "the docs page stays");

    // What the support team opens: the conversation, read-only, in a page
    // that runs nothing and is kept out of search engines.
    const support = await context.newPage();
    const blocked = [];
    support.on("console", (m) => m.type() === "error" && blocked.push(m.text()));
    const view = await support.goto(shared);
    assert.equal(view.status(), 200);
    assert.match(view.headers()["x-robots-tag"], /noindex/);
    assert.equal(view.headers()["referrer-policy"], "no-referrer");
    assert.equal(await support.getByRole("heading", { name: "Question" }).count(), 1);
    assert.ok((await support.locator("main").innerText()).includes(REFUSED), "the question, as asked");
    assert.equal(await support.locator("script").count(), 0);
    assert.equal(await support.locator('meta[name="robots"]').getAttribute("content"), "noindex, nofollow");
    assert.deepEqual(blocked, [], "nothing the page asks for is refused by its CSP");
    await support.close();

    const batch = await opened;
    const event = batch.postDataJSON().events.find((e) => e.event_type === "support_opened");
    assert.deepEqual(event.event_data, { after: "refusal" });
    assert.ok(!batch.postData().includes("Zürich") && !batch.postData().includes("Z%C3%BCrich"), "never the question");
    assert.equal((await batch.response()).status(), 200);

    await refusal(page, 2);
    const second = widget(page, ".feedback + [part=support]").nth(1);
    await second.waitFor();
    assert.equal(settings.length, 1, "the settings are asked for once");
    const again = context.waitForEvent("page");
    await second.click();
    const tab2 = await again;
    await tab2.waitForURL(/help\.example\.com/);
    assert.equal(new URL(tab2.url()).searchParams.get("ref"), shared, "the same conversation, the same link");
    await context.close();
  });
});

test("pressing Ask a person twice while the link is on its way opens one tab and shares once", async () => {
  await withServer({ SUPPORT_URL: HELP }, async (server) => {
    const { context, page } = await openWidget(browser, server.url);
    await context.route("https://help.example.com/**", (route) => route.fulfill({ contentType: "text/html", body: "<title>help</title>" }));
    let shares = 0;
    await page.route("**/api/v1/chat/conversations/*/share", async (route) => {
      shares += 1;
      await new Promise((r) => setTimeout(r, 800));
      await route.continue();
    });
    const tabs = [];
    context.on("page", (p) => tabs.push(p));
    await openPanel(page);
    await refusal(page);
    const link = widget(page, ".feedback + [part=support]");
    const popup = context.waitForEvent("page");
    await link.click();
    await page.waitForFunction(() => document.querySelector("chatkit-widget").shadowRoot.querySelector("[part=support][aria-busy=true]"));
    await link.click();
    await link.click();
    const tab = await popup;
    await tab.waitForURL(/help\.example\.com/);
    assert.equal(await link.getAttribute("aria-busy"), null, "no longer busy");
    await new Promise((r) => setTimeout(r, 500)); // time for a second tab to open, were there one
    assert.equal(tabs.length, 1, "one tab");
    assert.equal(shares, 1, "one share request");
    assert.match(new URL(tabs[0].url()).searchParams.get("ref"), /\/c\/[A-Za-z0-9_-]{43}$/);
    await context.close();
  });
});

test("when the conversation's link cannot be made, Ask a person carries the page's address instead", async () => {
  await withServer({ SUPPORT_URL: HELP }, async (server) => {
    const { context, page } = await openWidget(browser, `${server.url}#faq`);
    await context.route("https://help.example.com/**", (route) => route.fulfill({ contentType: "text/html", body: "<title>help</title>" }));
    await page.route("**/api/v1/chat/conversations/*/share", (route) => route.abort());
    await openPanel(page);
    await refusal(page);
    const popup = context.waitForEvent("page");
    await widget(page, ".feedback + [part=support]").click();
    const tab = await popup;
    await tab.waitForURL(/help\.example\.com/);
    assert.equal(tab.url(), `https://help.example.com/new?q=${encodeURIComponent(REFUSED)}&ref=${encodeURIComponent(page.url())}`);
    await context.close();
  });
});

test("after 👎 an answer offers Ask a person too; a good answer without 👎 does not; a mailto: opens in place", async () => {
  await withServer({ SUPPORT_URL: MAIL }, async (server) => {
    const { context, page } = await openWidget(browser, server.url);
    await openPanel(page);
    await ask(page, ANSWERED);
    await rated(page, 1);
    assert.ok(await assistantBubbles(page).last().locator(".sources .chip").count() > 0, "answered, with sources");
    await settled(page);
    assert.equal(await supportLink(page).count(), 0, "not under a good answer");

    // A 👎 on a refusal keeps the one link it has.
    await refusal(page, 2);
    await widget(page, ".feedback").nth(1).getByRole("button", { name: "Not helpful" }).click();
    await widget(page, ".feedback").nth(1).locator(".feedback-form").waitFor();
    await settled(page);
    assert.equal(await supportLink(page).count(), 1);

    await widget(page, ".feedback").first().getByRole("button", { name: "Not helpful" }).click();
    await supportLink(page).nth(1).waitFor();
    const link = supportLink(page).first();
    assert.ok(await link.evaluate((a) => a.previousElementSibling === a.getRootNode().querySelector(".feedback")), "under the rated answer");
    const expected = `mailto:docs@example.com?subject=Docs%20question&body=${encodeURIComponent(ANSWERED)}`;
    assert.equal(await link.getAttribute("href"), expected);
    assert.equal(await link.getAttribute("target"), null, "a mail client, not a blank tab");
    assert.equal(await supportLink(page).locator(".support-note").count(), 0, "a template without {conversation_url} shares nothing");
    assert.equal(await link.getAttribute("aria-describedby"), null);
    assert.equal(await page.getByRole("link", { name: "Ask a person", exact: true }).count(), 2);

    // What the click navigates to, caught on its way out of the page.
    await page.evaluate(() => document.addEventListener("click", (e) => {
      const a = e.composedPath()[0].closest?.("a");
      if (a?.protocol === "mailto:") {
        globalThis.navigatedTo = a.href;
        e.preventDefault();
      }
    }));
    const opened = page.waitForRequest((r) => r.url().endsWith("/analytics/event") && r.postData().includes("support_opened"));
    await link.click();
    assert.equal(await page.evaluate(() => globalThis.navigatedTo), expected);
    const event = (await opened).postDataJSON().events.find((e) => e.event_type === "support_opened");
    assert.deepEqual(event.event_data, { after: "thumbs_down" });
    await context.close();
  });
});

test("Ask a person under an earlier answer, read scrolled up, shows no \"New text\" button", async () => {
  await withServer({ SUPPORT_URL: HELP }, async (server) => {
    const { context, page } = await openWidget(browser, server.url);
    await openPanel(page);
    for (const [n, q] of [ANSWERED, "How do teapots crack?", "What do sensors do?"].entries()) {
      await ask(page, q);
      await rated(page, n + 1);
    }
    const log = widget(page, ".log");
    assert.ok(await log.evaluate((l) => l.scrollHeight > l.clientHeight), "the log scrolls");
    await log.hover();
    await page.mouse.wheel(0, -5000);
    await page.waitForFunction(() => document.querySelector("chatkit-widget").shadowRoot.querySelector(".log").scrollTop === 0);
    await widget(page, ".feedback").first().getByRole("button", { name: "Not helpful" }).click();
    await supportLink(page).waitFor();
    // Two frames: the scroller decides on the next one.
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    assert.equal(await widget(page, ".more").isVisible(), false, "nothing new arrived at the bottom");
    await context.close();
  });
});

test("a conversation restored after a reload still offers Ask a person under its refusal and after a 👎, sharing that conversation", async () => {
  await withServer({ SUPPORT_URL: HELP }, async (server) => {
    const { context, page } = await openWidget(browser, `${server.url}#install`);
    await context.route("https://help.example.com/**", (route) => route.fulfill({ contentType: "text/html", body: "<title>help</title>" }));
    await openPanel(page);
    await ask(page, ANSWERED);
    await rated(page, 1);
    await refusal(page, 2);
    await supportLink(page).waitFor();
    const conversation = await page.evaluate(() => document.querySelector("chatkit-widget").conversation);

    await page.reload();
    await openPanel(page);
    await rated(page, 2);
    const link = widget(page, ".feedback + [part=support]");
    await link.waitFor();
    await settled(page);
    assert.equal(await supportLink(page).count(), 1, "under the refusal only");
    assert.ok(await link.evaluate((a) => a.previousElementSibling === a.getRootNode().querySelectorAll(".feedback")[1]), "under the refused answer");
    assert.equal(await page.getByRole("link", { name: "Ask a person (opens in a new tab)" }).count(), 1);
    const note = widget(page, "[part=support] .support-note");
    assert.equal(await note.innerText(), "Sends the support team a read-only link to this conversation.");
    assert.equal(await link.getAttribute("aria-describedby"), await note.getAttribute("id"));
    assert.equal(await page.evaluate(() => document.querySelector("chatkit-widget").conversation), conversation, "the same conversation");

    const popup = context.waitForEvent("page");
    await link.click();
    const tab = await popup;
    await tab.waitForURL(/help\.example\.com/);
    const shared = new URL(tab.url()).searchParams.get("ref");
    assert.match(shared, new RegExp(`^${server.url}c/[A-Za-z0-9_-]{43}$`), "the conversation's read-only link");
    assert.equal(tab.url(), `https://help.example.com/new?q=${encodeURIComponent(REFUSED)}&ref=${encodeURIComponent(shared)}`);
    const view = await context.newPage();
    await view.goto(shared);
    assert.ok((await view.locator("main").innerText()).includes(REFUSED), "the restored conversation is the one shared");
    await view.close();

    // A 👎 on the restored good answer offers it as well.
    await widget(page, ".feedback").first().getByRole("button", { name: "Not helpful" }).click();
    await supportLink(page).nth(1).waitFor();
    assert.ok(await supportLink(page).first().evaluate((a) => a.previousElementSibling === a.getRootNode().querySelector(".feedback")));
    assert.match(await supportLink(page).first().getAttribute("href"), new RegExp(`^https://help\\.example\\.com/new\\?q=${encodeURIComponent(ANSWERED)}&`));
    await context.close();
  });
});

// A saved chat with a good answer and a refusal, as the server answered them.
async function savedTurns(server) {
  const messages = [];
  for (const question of [ANSWERED, REFUSED]) {
    const r = await fetchJson(server.url, "/chat", { message: question });
    const sources = (r.sources ?? []).slice(0, 5).map(({ title, url }) => ({ title, url }));
    messages.push({ role: "user", content: question }, { role: "assistant", content: r.answer, sources });
  }
  assert.ok(messages[1].sources.length > 0 && messages[3].sources.length === 0, "one answered, one refused");
  return messages;
}

// Opens the first saved chat from the list; resolves once it is shown.
async function openFirstSaved(page) {
  await widget(page, ".bar button", { hasText: "Saved chats" }).click();
  await widget(page, "[part=saved-chats] button", { hasText: "Open" }).first().click();
  await widget(page, ".msg.assistant .copy-answer").nth(1).waitFor();
}

// What a saved chat's Ask a person must be: the refused question, the page's
// address (a snapshot has no conversation to share), opened in a new tab
// with no share request, named as the live one is, and no note that it
// shares anything.
async function assertSavedChatOffer(page, context, shares) {
  const link = widget(page, ".msg.assistant + [part=support]");
  await link.waitFor();
  await settled(page);
  assert.equal(await supportLink(page).count(), 1, "under the refusal only");
  assert.ok(await link.evaluate((a) => a.previousElementSibling === a.getRootNode().querySelectorAll(".msg.assistant")[1]), "under the refused answer");
  assert.equal(await widget(page, ".feedback").count(), 0, "a saved chat's answers cannot be rated");
  assert.equal(await page.getByRole("link", { name: "Ask a person (opens in a new tab)" }).count(), 1, "named as the live one");
  assert.equal(await widget(page, "[part=support] .support-note").count(), 0, "nothing is shared, so nothing said");
  assert.equal(await link.getAttribute("aria-describedby"), null);
  const expected = `https://help.example.com/new?q=${encodeURIComponent(REFUSED)}&ref=${encodeURIComponent(page.url())}`;
  assert.equal(await link.getAttribute("href"), expected);
  const opened = page.waitForRequest((r) => r.url().endsWith("/analytics/event") && r.postData().includes("support_opened"));
  const popup = context.waitForEvent("page");
  await link.click();
  const tab = await popup;
  await tab.waitForURL(/help\.example\.com/);
  assert.equal(tab.url(), expected);
  assert.equal(shares.length, 0, "nothing shared: the live conversation is not the saved chat");
  const event = (await opened).postDataJSON().events.find((e) => e.event_type === "support_opened");
  assert.deepEqual(event.event_data, { after: "refusal" });
}

test("a saved chat opened from the list offers Ask a person under its refusal, with its question and the page's address", async () => {
  await withServer({ SUPPORT_URL: HELP }, async (server) => {
    const messages = await savedTurns(server);
    const { context, page } = await openWidget(browser, `${server.url}#saved`);
    await context.route("https://help.example.com/**", (route) => route.fulfill({ contentType: "text/html", body: "<title>help</title>" }));
    // A signed-in reader without mail: a made-up session, and the history
    // and saved-chat endpoints that accept it.
    const chat = { chat_id: "s1", title: ANSWERED, created_at: "2024-01-01T00:00:00Z", messages };
    const json = (body) => (route) => route.fulfill({ contentType: "application/json", body: JSON.stringify(body) });
    await page.route("**/api/v1/chat/history", json({ conversation_id: null, messages: [] }));
    await page.route("**/api/v1/chat/saved", json({ chats: [{ chat_id: chat.chat_id, title: chat.title, created_at: chat.created_at }] }));
    await page.route("**/api/v1/chat/saved/s1", json(chat));
    await page.route("**/api/v1/analytics/event", json({ event_ids: [], logged_at: "2024-01-01T00:00:00Z" }));
    const shares = [];
    page.on("request", (r) => r.url().endsWith("/share") && shares.push(r.url()));
    await page.evaluate(() => localStorage.setItem(`chatkit:v1:${location.origin}`, JSON.stringify({
      session: { token: "x".repeat(43), email: "reader@example.com", expires_at: "2099-01-01T00:00:00Z" },
    })));
    await page.reload();
    await openPanel(page);
    await openFirstSaved(page);
    await assertSavedChatOffer(page, context, shares);
    await context.close();
  });
});

test("signed up, a chat saved with a refusal and opened again from the list offers Ask a person", { skip: !process.env.CHATKIT_TEST_MAILDIR }, async () => {
  await withServer({ SUPPORT_URL: HELP }, async (server) => {
    const { context, page: signup } = await openWidget(browser, server.url);
    await context.route("https://help.example.com/**", (route) => route.fulfill({ contentType: "text/html", body: "<title>help</title>" }));
    await openPanel(signup);
    const email = `support-${Date.now()}@example.com`;
    await widget(signup, "button", { hasText: "Sign up" }).first().click();
    await widget(signup, "input[type=email]").fill(email);
    await widget(signup, "input[type=checkbox]").check();
    await widget(signup, "button", { hasText: "Send me a link" }).click();
    const verify = /(http:\/\/localhost:\d+\/#chatkit_verify=[A-Za-z0-9_-]+)/.exec(await waitForMail(email))[1];
    // The reader opens the link from their mail: a new tab of the same browser.
    const page = await context.newPage();
    await page.goto(verify);
    await signup.close();
    await widget(page, ".msg.notice", { hasText: "Signed in as" }).waitFor();

    await ask(page, ANSWERED);
    await rated(page, 1);
    await refusal(page, 2);
    await widget(page, ".bar button", { hasText: "Save chat" }).click();
    await widget(page, ".msg.notice", { hasText: "Chat saved." }).waitFor();
    await widget(page, "button", { hasText: "New chat" }).click();
    const shares = [];
    page.on("request", (r) => r.url().endsWith("/share") && shares.push(r.url()));
    await openFirstSaved(page);
    await assertSavedChatOffer(page, context, shares);
    await context.close();
  });
});

test("without SUPPORT_URL, or when the settings cannot be read, nothing is offered", async () => {
  await withServer({}, async (server) => {
    const { context, page } = await openWidget(browser, server.url);
    await openPanel(page);
    await refusal(page);
    assert.equal(await settled(page), null);
    await widget(page, ".feedback").getByRole("button", { name: "Not helpful" }).click();
    await widget(page, ".feedback-form").waitFor();
    await settled(page);
    assert.equal(await supportLink(page).count(), 0);
    await context.close();
  });
  await withServer({ SUPPORT_URL: HELP }, async (server) => {
    const { context, page } = await openWidget(browser, server.url);
    await page.route("**/api/v1/widget/settings", (route) => route.abort());
    await openPanel(page);
    await refusal(page);
    assert.equal(await settled(page), null, "a failed request is no support URL");
    assert.equal(await supportLink(page).count(), 0);
    await context.close();
  });
});

test("axe-core finds no WCAG 2.2 AA violation with Ask a person shown", async () => {
  await withServer({ SUPPORT_URL: HELP }, async (server) => {
    for (const theme of ["light", "dark"]) {
      const { context, page } = await openWidget(browser, server.url, { bypassCSP: true });
      await page.evaluate((t) => document.querySelector("chatkit-widget").setAttribute("theme", t), theme);
      await openPanel(page);
      await refusal(page);
      await supportLink(page).waitFor();
      assert.deepEqual(await axeViolations(page), [], theme);
      await context.close();
    }
  });
});
