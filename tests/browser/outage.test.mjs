// The widget when its server dies mid-answer (kill -9) and comes back on the
// same port and database, in real Chromium.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { ask, launch, openPanel, openWidget, outputDir, widget, withServer } from "./harness.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

// The conversation as the reader reads it, top to bottom: each message's
// kind and first words (notices, such as the sign-up prompt, aside).
const readLog = (page) => page.evaluate(() =>
  [...document.querySelector("chatkit-widget").shadowRoot.querySelectorAll(".log > .msg:not(.notice)")].map((m) => {
    const kind = ["user", "assistant", "error"].find((k) => m.classList.contains(k));
    return kind === "error" ? kind : `${kind}: ${m.innerText.split(/\s+/).slice(0, 3).join(" ")}`;
  }));
const rated = (page, n) => page.waitForFunction((count) => {
  const root = document.querySelector("chatkit-widget").shadowRoot;
  return root.querySelectorAll(".feedback").length === count && !root.querySelector("[aria-busy]");
}, n, { timeout: 20000 });

test("a server killed mid-answer: resuming shows, the error sits where the answer was, reloads keep the log", async () => {
  // A quick idle timeout ends the stream the restarted server cannot finish;
  // a long lease keeps it unfinished (nobody closes it) for the whole test.
  await withServer({ BUILTIN_TOKEN_DELAY: "150ms", STREAM_IDLE_TIMEOUT: "2s", INSTANCE_LEASE: "300" }, async (server) => {
    const { context, page } = await openWidget(browser, server.url);
    await openPanel(page);
    await ask(page, "What is embodied AI?");
    await rated(page, 1);
    await ask(page, "How do teapots crack?");
    await page.waitForFunction(() => {
      const answers = document.querySelector("chatkit-widget").shadowRoot.querySelectorAll(".msg.assistant");
      return answers.length === 2 && answers[1].innerText.split(" ").length > 4;
    });
    await server.kill();

    const resuming = widget(page, ".msg.assistant [part=connection]");
    await resuming.waitFor({ timeout: 5000 });
    assert.match(await resuming.innerText(), /Connection lost/);
    await page.screenshot({ path: join(outputDir, "resuming.png") });
    await server.restart();
    const error = widget(page, ".msg.error");
    await error.waitFor({ timeout: 20000 });
    assert.equal(await resuming.count(), 0, "the note goes with the stream");
    const failed = await readLog(page);
    assert.deepEqual(failed, ["user: What is embodied", "assistant: Embodied AI studies", "user: How do teapots", "assistant: Teapots crack when", "error"],
      "the error row comes under what arrived of the answer");
    assert.match(await widget(page, ".msg.assistant").last().innerText(), /\(incomplete\)/);

    await page.reload();
    await openPanel(page);
    await error.waitFor({ timeout: 20000 });
    assert.deepEqual(await readLog(page), failed, "a reload shows the interrupted question once, in its place");

    await error.locator("button", { hasText: "Retry" }).click();
    await rated(page, 2);
    const retried = ["user: What is embodied", "assistant: Embodied AI studies", "user: How do teapots", "assistant: Teapots crack when"];
    assert.deepEqual(await readLog(page), retried, "Retry replaces the failed attempt");
    await page.reload();
    await openPanel(page);
    await rated(page, 2);
    assert.deepEqual(await readLog(page), retried, "and a reload agrees: asked once, answered once");
    await context.close();
  });
});
