// The widget against what a host page does around it, in real Chromium
// against the real server: text selected inside the widget, a right-to-left
// page, a page that wraps window.fetch, a page that takes Ctrl+K itself.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { ask, assistantBubbles, launch, openPanel, openWidget, widget, withServer } from "./harness.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

const answered = (page, n) => page.waitForFunction((count) =>
  document.querySelector("chatkit-widget").shadowRoot.querySelectorAll(".msg.assistant .copy-answer").length === count, n, { timeout: 20000 });
const selectedText = (page) => page.evaluate(() => String(document.getSelection()).trim());

test("text selected inside the widget never becomes the page passage", async () => {
  await withServer({}, async (server) => {
    const { context, page } = await openWidget(browser, server.url);
    const bodies = [];
    page.on("request", (r) => r.url().endsWith("/chat/stream") && bodies.push(r.postDataJSON()));
    await openPanel(page);

    // Ctrl+A in its own input, then Enter.
    const input = widget(page, "textarea[part=input]");
    await input.fill("What is embodied AI?");
    await input.press("ControlOrMeta+a");
    assert.equal(await selectedText(page), "What is embodied AI?");
    await input.press("Enter");
    await answered(page, 1);

    // A double-click on a word of the answer, then on the panel title.
    await assistantBubbles(page).last().locator("p").first().dblclick({ position: { x: 6, y: 6 } });
    assert.ok(await selectedText(page), "a word of the answer is selected");
    await ask(page, "How do teapots crack?");
    await answered(page, 2);
    await widget(page, "h2").dblclick({ position: { x: 6, y: 6 } });
    assert.ok(await selectedText(page), "a word of the title is selected");
    await ask(page, "What do sensors do?");
    await answered(page, 3);

    for (const [i, body] of bodies.entries()) {
      assert.equal(body.context.selected_text, null, `question ${i + 1} carries no passage`);
      assert.equal(body.context.mode, "browse");
    }
    assert.ok(await widget(page, ".selection").isHidden(), "no chip for the widget's own text");

    // The page's own text still is a passage.
    await page.locator("#deployment + p").dblclick({ position: { x: 6, y: 6 } });
    await widget(page, ".selection").waitFor();
    await ask(page, "What does this mean?");
    await answered(page, 4);
    assert.equal(bodies[3].context.mode, "chat");
    assert.ok(bodies[3].context.selected_text);
    await context.close();
  });
});

test("a paragraph triple-clicked just before the widget is the page passage", async () => {
  await withServer({}, async (server) => {
    const { context, page } = await openWidget(browser, server.url);
    await openPanel(page);
    // The demo's last paragraph: the selection runs on to the start of the
    // widget's first block, without taking any of its text.
    await page.locator("#security + p").click({ clickCount: 3 });
    await widget(page, ".selection").waitFor({ timeout: 5000 });
    assert.match(await widget(page, ".selection").innerText(), /Asking about: “In production the server/);
    await context.close();
  });
});

test("on a right-to-left page the widget's English stays left-to-right, and its locale sets both", async () => {
  await withServer({}, async (server) => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const html = `<!doctype html><html dir="rtl" lang="ar"><head><script type="module" src="/widget/chatkit-widget.js"></script></head>
    <body><p>صفحة</p><chatkit-widget api-base=""></chatkit-widget></body></html>`;
    await page.route(`${server.url}rtl`, (route) => route.fulfill({ contentType: "text/html", body: html }));
    await page.goto(`${server.url}rtl`);
    await openPanel(page);
    const dock = widget(page, ".dock");
    assert.deepEqual([await dock.getAttribute("dir"), await dock.getAttribute("lang")], ["ltr", "en"]);
    for (const selector of ["h2", "textarea[part=input]", ".log"]) {
      assert.equal(await widget(page, selector).evaluate((n) => getComputedStyle(n).direction), "ltr", selector);
    }
    await page.evaluate(() => { document.querySelector("chatkit-widget").locale = { lang: "ar", dir: "rtl", send: "إرسال" }; });
    assert.deepEqual([await dock.getAttribute("dir"), await dock.getAttribute("lang")], ["rtl", "ar"]);
    assert.equal(await widget(page, "textarea[part=input]").evaluate((n) => getComputedStyle(n).direction), "rtl");
    await context.close();
  });
});

test("a host page that wraps window.fetch later does not carry the widget's requests", async () => {
  await withServer({}, async (server) => {
    const { context, page } = await openWidget(browser, server.url);
    await widget(page, ".launcher").waitFor();
    // A careless wrapper: it keeps the URL, drops method, headers and body.
    await page.evaluate(() => {
      const original = window.fetch;
      window.wrapped = [];
      window.fetch = (input) => {
        window.wrapped.push(String(input));
        return original(input);
      };
    });
    await openPanel(page);
    await ask(page, "What is embodied AI?");
    await widget(page, ".msg.assistant .copy-answer, .msg.error").first().waitFor({ timeout: 20000 });
    assert.deepEqual(await page.evaluate(() => window.wrapped), [], "no request went through the page's wrapper");
    assert.equal(await widget(page, ".msg.error").count(), 0);
    assert.match(await assistantBubbles(page).last().innerText(), /Embodied AI studies/);
    await context.close();
  });
});

test("Ctrl+K opens the chat at the input and Escape closes it, unless the page took the key or hotkey=off", async () => {
  await withServer({}, async (server) => {
    const { context, page } = await openWidget(browser, server.url);
    await widget(page, ".launcher").waitFor();
    const panel = widget(page, ".panel");
    const focused = () => page.evaluate(() => document.querySelector("chatkit-widget").shadowRoot.activeElement?.tagName ?? "none");

    await page.keyboard.press("ControlOrMeta+k");
    assert.ok(await panel.isVisible(), "the panel opened");
    assert.equal(await focused(), "TEXTAREA");
    await page.keyboard.press("Escape");
    assert.ok(await panel.isHidden(), "Escape closed it");

    // The page's own search already answered Ctrl+K.
    await page.evaluate(() => {
      window.takeK = (e) => e.key === "k" && (e.ctrlKey || e.metaKey) && e.preventDefault();
      document.addEventListener("keydown", window.takeK);
    });
    await page.keyboard.press("ControlOrMeta+k");
    assert.ok(await panel.isHidden(), "a key the page handled is left to it");
    await page.evaluate(() => document.removeEventListener("keydown", window.takeK));

    await page.evaluate(() => document.querySelector("chatkit-widget").setAttribute("hotkey", "off"));
    await page.keyboard.press("ControlOrMeta+k");
    assert.ok(await panel.isHidden(), "hotkey=off turns it off");
    await page.evaluate(() => document.querySelector("chatkit-widget").removeAttribute("hotkey"));
    await page.keyboard.press("ControlOrMeta+k");
    assert.ok(await panel.isVisible(), "and back on without the attribute");
    await context.close();
  });
});
