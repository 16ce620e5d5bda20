// The docs team's insights page (admin listener) in real Chromium: what it
// shows after real questions, and axe-core on it.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { axeViolations, fetchJson, freePort, launch, withServer } from "./harness.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

test("the insights page lists what readers asked and what was refused, and passes axe", async () => {
  const admin = await freePort();
  await withServer({ ADMIN_BIND: `127.0.0.1:${admin}` }, async (server) => {
    const token = (await fetchJson(server.url, "/auth/anonymous", {})).anon_token;
    const session_id = crypto.randomUUID();
    for (const message of ["What is embodied AI?", "How do quokkas sleep in winter?"])
      assert.ok((await fetchJson(server.url, "/chat", { message, context: { mode: "browse", session_id } }, token)).answer);
    for (const light of [true, false]) {
      const context = await browser.newContext({ bypassCSP: true, colorScheme: light ? "light" : "dark" });
      const page = await context.newPage();
      const response = await page.goto(`http://127.0.0.1:${admin}/admin/insights`);
      assert.equal(response.status(), 200);
      const text = await page.locator("body").innerText();
      assert.match(text, /quokkas sleep in winter/i, "the refused question is listed");
      assert.deepEqual(await axeViolations(page, "body"), [], light ? "light" : "dark");
      await context.close();
    }
  });
});
