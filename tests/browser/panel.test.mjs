// What the panel shows and where, in real Chromium against the real server:
// the side placement, wide tables and code (Expand, the copy button), the
// passage a question asked about, and axe-core on those states.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { ask, assistantBubbles, axeViolations, launch, openPanel, openWidget, outputDir, widget, withServer } from "./harness.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

const desktop = { viewport: { width: 1280, height: 800 }, bypassCSP: true };
const rated = (page) => widget(page, ".feedback").last().waitFor({ timeout: 20000 });

// An answer with a wide table, a wide code block and a narrow table, served
// in place of the model's.
async function wideAnswer(page) {
  const wide = Array.from({ length: 6 }, (_, i) => `\`configuration_value_${i}\``);
  const answer = [
    "Settings:", "", `| ${wide.join(" | ")} |`, `|${" --- |".repeat(6)}`, `| ${wide.map(() => "1").join(" | ")} |`, "",
    "```sh", `chatkit-server serve ${"--an-option=value ".repeat(20)}`, "chatkit-server migrate", "```", "",
    "| a | b |", "| --- | --- |", "| 1 | 2 |",
  ].join("\n");
  const sse = [["sources", { sources: [] }], ["token", { content: answer }], ["done", { message_id: "m1" }]]
    .map(([event, data]) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`).join("");
  await page.route("**/api/v1/chat/stream", (route) => route.fulfill({ contentType: "text/event-stream", body: sse }));
  await openPanel(page);
  await ask(page, "Which settings are there?");
  await page.getByRole("region", { name: "Code" }).waitFor({ timeout: 5000 });
}

test("the copy button sits above a code block, not over its first line", async () => {
  await withServer({}, async (server) => {
    const { context, page } = await openWidget(browser, server.url, desktop);
    await wideAnswer(page);
    const overlap = await assistantBubbles(page).last().locator(".code").evaluate((wrap) => {
      const copy = wrap.querySelector(".copy").getBoundingClientRect();
      const pre = wrap.querySelector("pre");
      const text = pre.querySelector("code").firstChild;
      const range = document.createRange();
      range.setStart(text, 0);
      range.setEnd(text, text.data.indexOf("\n"));
      // The first line where it is visible: inside the block, which scrolls.
      const line = range.getClientRects()[0];
      const box = pre.getBoundingClientRect();
      const left = Math.max(line.left, box.left);
      const right = Math.min(line.right, box.right);
      const x = Math.min(right, copy.right) - Math.max(left, copy.left);
      const y = Math.min(line.bottom, copy.bottom) - Math.max(line.top, copy.top);
      return x > 0 && y > 0 ? `${Math.round(x)} × ${Math.round(y)} px` : "";
    });
    assert.equal(overlap, "", "nothing of the first line is under the button");
    await context.close();
  });
});

test("Expand opens a wide table or code block as wide as the window, by keyboard; Escape closes it", async () => {
  await withServer({}, async (server) => {
    const { context, page } = await openWidget(browser, server.url, desktop);
    await wideAnswer(page);
    const buttons = assistantBubbles(page).last().locator("[part=expand]");
    assert.deepEqual(await buttons.evaluateAll((b) => b.map((n) => n.getAttribute("aria-label"))), ["Expand table", "Expand code"],
      "the wide blocks have one each, the narrow table none");
    const expand = buttons.first();
    await expand.focus();
    await page.keyboard.press("Enter");
    const dialog = page.getByRole("dialog", { name: "Table" });
    await dialog.waitFor();
    const shown = await dialog.boundingBox();
    const panel = await widget(page, ".panel").boundingBox();
    assert.ok(shown.width > 1200 && shown.width > 3 * panel.width, `as wide as the window (${shown.width} px)`);
    const fits = await widget(page, ".expanded-body").evaluate((b) => b.scrollWidth <= b.clientWidth);
    assert.ok(fits, "the table fits there");
    const focused = () => page.evaluate(() => document.querySelector("chatkit-widget").shadowRoot.activeElement?.closest(".expanded") != null);
    assert.ok(await focused(), "focus moved into it");
    for (let i = 0; i < 3; ++i) {
      await page.keyboard.press("Tab");
      assert.ok(await focused(), "Tab stays inside");
    }
    assert.deepEqual(await axeViolations(page), [], "expanded");
    await page.screenshot({ path: join(outputDir, "expanded-table.png") });
    await page.keyboard.press("Escape");
    assert.equal(await dialog.count(), 0, "Escape closed it");
    assert.ok(await widget(page, ".panel").isVisible(), "and only it, not the panel");
    assert.equal(await expand.evaluate((b) => b.getRootNode().activeElement === b), true, "focus is back on Expand");

    await buttons.last().click();
    await page.getByRole("dialog", { name: "Code" }).getByRole("button", { name: "Close" }).click();
    assert.equal(await page.getByRole("dialog").count(), 0);
    await context.close();
  });
});

test("position=side: a full-height panel at the window's right edge that moves nothing on the page", async () => {
  await withServer({}, async (server) => {
    const { context, page } = await openWidget(browser, server.url, desktop);
    await page.evaluate(() => document.querySelector("chatkit-widget").setAttribute("position", "side"));
    const layout = () => page.evaluate(() => JSON.stringify([document.body.getBoundingClientRect(), document.documentElement.scrollWidth]));
    const closed = await layout();
    await openPanel(page);
    const panel = await widget(page, ".panel").boundingBox();
    const { width, height } = await page.evaluate(() => ({ width: document.documentElement.clientWidth, height: innerHeight }));
    assert.deepEqual([panel.y, panel.height], [0, height], "top to bottom");
    assert.equal(Math.round(panel.x + panel.width), width, "against the right edge, beside the scroll bar");
    assert.ok(panel.width <= 400, `as wide as the panel (${panel.width} px)`);
    assert.ok(await widget(page, ".launcher").isHidden(), "the launcher does not sit on it");
    assert.equal(await layout(), closed, "the page's layout did not move");
    assert.deepEqual(await axeViolations(page), [], "side panel, open");
    await ask(page, "What is embodied AI?");
    await rated(page);
    assert.deepEqual(await axeViolations(page), [], "side panel, answered");
    await page.screenshot({ path: join(outputDir, "side-panel.png") });
    await page.keyboard.press("Escape");
    assert.ok(await widget(page, ".panel").isHidden());
    assert.equal(await widget(page, ".launcher").evaluate((b) => b.getRootNode().activeElement === b), true, "focus returns to the launcher");
    await context.close();
  });
});

test("the question shows the passage it asked about, also after a reload", async () => {
  await withServer({}, async (server) => {
    const { context, page } = await openWidget(browser, server.url);
    await page.locator("#deployment + p").dblclick({ position: { x: 6, y: 6 } });
    const word = (await page.evaluate(() => String(document.getSelection()))).trim();
    assert.ok(word, "a word of the page is selected");
    await openPanel(page);
    await widget(page, ".selection").waitFor();
    await ask(page, "What does this mean?");
    await rated(page);
    await ask(page, "And without a passage?");
    await page.waitForFunction(() => document.querySelector("chatkit-widget").shadowRoot.querySelectorAll(".feedback").length === 2, null, { timeout: 20000 });
    const passages = () => widget(page, ".msg.user").evaluateAll((bubbles) => bubbles.map((b) => b.querySelector("[part=passage]")?.textContent ?? null));
    assert.deepEqual(await passages(), [`About: “${word}”`, null]);
    await page.reload();
    await openPanel(page);
    await widget(page, ".feedback").nth(1).waitFor();
    assert.deepEqual(await passages(), [`About: “${word}”`, null], "the history brings it back");
    assert.match(await widget(page, ".msg.user").first().innerText(), /What does this mean\?$/);
    await context.close();
  });
});

test("axe-core finds no WCAG 2.2 AA violation: starters, the feedback form", async () => {
  await withServer({}, async (server) => {
    for (const theme of ["light", "dark"]) {
      const { context, page } = await openWidget(browser, server.url, { bypassCSP: true });
      await page.evaluate((t) => document.querySelector("chatkit-widget").setAttribute("theme", t), theme);
      await openPanel(page);
      await widget(page, "[part=starter]").first().waitFor();
      assert.deepEqual(await axeViolations(page), [], `${theme}: starters`);
      await widget(page, "[part=starter]").first().click();
      await rated(page);
      await widget(page, ".feedback").getByRole("button", { name: "Not helpful" }).click();
      await widget(page, ".feedback-form").waitFor();
      assert.deepEqual(await axeViolations(page), [], `${theme}: feedback form`);
      await context.close();
    }
  });
});
