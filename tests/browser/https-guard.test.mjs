// The seed's HTTPS guard matrix for non-localhost http: pages.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { launch, outputDir, startServer } from "./harness.mjs";

test("a non-localhost http: page shows the security error and does not initialise", async () => {
  const server = await startServer({ CORS_ORIGINS: "" });
  const browser = await launch(["--host-resolver-rules=MAP docs.example.test 127.0.0.1"]);
  try {
    const page = await browser.newPage();
    const logs = [];
    page.on("console", (m) => logs.push({ type: m.type(), text: m.text() }));
    await page.goto(`http://docs.example.test:${server.port}/`);
    const panel = page.locator("chatkit-widget .https-error");
    await panel.waitFor();
    assert.match(await panel.innerText(), /requires HTTPS/);
    assert.match(await panel.innerText(), /http:\/\/docs\.example\.test/);
    assert.equal(await page.locator("chatkit-widget .launcher").count(), 0, "no widget");
    assert.ok(logs.some((l) => l.type === "error" && l.text.includes("SECURITY ERROR")));
    await page.screenshot({ path: join(outputDir, "https-guard.png") });

    const local = await browser.newPage();
    await local.goto(`http://127.0.0.1:${server.port}/`);
    await local.locator("chatkit-widget .launcher").waitFor();
  } finally {
    await browser.close();
    await server.stop();
  }
});
