// Regenerates the screenshots in docs/images/ (not a test):
//   node tests/browser/screenshots.mjs   (after building; uses Debian's Chromium)
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ask, launch, withServer } from "./harness.mjs";

const out = resolve(fileURLToPath(new URL(".", import.meta.url)), "../../docs/images");
mkdirSync(out, { recursive: true });
const browser = await launch();
const answered = (page) => page.locator("chatkit-widget .msg.assistant .copy-answer").last().waitFor({ timeout: 20000 });

await withServer({ BUILTIN_TOKEN_DELAY: "0ms" }, async (server) => {
  const shoot = async (name, options, theme, steps) => {
    const context = await browser.newContext(options);
    const page = await context.newPage();
    await page.goto(server.url);
    await page.evaluate((t) => document.querySelector("chatkit-widget").setAttribute("theme", t), theme);
    await steps(page);
    await page.screenshot({ path: join(out, name) });
    await context.close();
  };
  const conversation = async (page, tap) => {
    const launcher = page.locator("chatkit-widget .launcher");
    await (tap ? launcher.tap() : launcher.click());
    await ask(page, "How do I deploy several instances?");
    await answered(page);
  };
  await shoot("widget-desktop.png", { viewport: { width: 1280, height: 800 } }, "light", async (page) => {
    await conversation(page);
    await page.locator("#security + p").click({ clickCount: 3 });
    await page.locator("chatkit-widget .selection").waitFor();
  });
  await shoot("widget-side.png", { viewport: { width: 1280, height: 800 } }, "light", async (page) => {
    await page.evaluate(() => document.querySelector("chatkit-widget").setAttribute("position", "side"));
    await conversation(page);
  });
  await shoot("widget-dark.png", { viewport: { width: 1280, height: 800 } }, "dark", (page) => conversation(page));
  await shoot("widget-mobile.png", { viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true }, "light", (page) => conversation(page, true));
});
await browser.close();
console.log(`screenshots in ${out}`);
