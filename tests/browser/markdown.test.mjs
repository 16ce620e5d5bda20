// The widget's Markdown renderer in real Chromium: every construct the
// server's answers use becomes real DOM, and nothing becomes markup.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { launch, startServer } from "./harness.mjs";

let browser, server;
before(async () => {
  browser = await launch();
  server = await startServer();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

async function render(markdown, sources = []) {
  const page = await browser.newPage();
  await page.goto(server.url);
  const html = await page.evaluate(
    async ([text, src]) => {
      const { renderMarkdown } = await import("/widget/chatkit-markdown.js");
      const box = document.createElement("div");
      box.append(renderMarkdown(text, src));
      document.body.append(box);
      const describe = (el) =>
        el.nodeType === 3
          ? el.textContent
          : `<${el.tagName.toLowerCase()}${el.getAttribute("href") ? ` href=${el.getAttribute("href")}` : ""}${
              el.getAttribute("aria-label") ? ` label=${el.getAttribute("aria-label")}` : ""
            }>${[...el.childNodes].map(describe).join("")}</${el.tagName.toLowerCase()}>`;
      return [...box.childNodes].map(describe).join("\n");
    },
    [markdown, sources],
  );
  await page.close();
  return html;
}

test("headings, paragraphs and inline markup are separate elements", async () => {
  const out = await render("## Setup\nText with **bold `code`** and *em*, a_b_c and \\*stars\\*.\n\nNext.");
  assert.equal(
    out,
    "<h4>Setup</h4>\n<p>Text with <strong>bold <code>code</code></strong> and <em>em</em>, a_b_c and *stars*.</p>\n<p>Next.</p>",
  );
});

test("tables become tables, with escaped pipes inside cells", async () => {
  const out = await render("| name | value |\n| --- | --- |\n| `a\\|b` | 1 |\n| c | 2 |");
  assert.match(out, /<table><thead><tr><th>name<\/th><th>value<\/th><\/tr><\/thead><tbody><tr><td><code>a\|b<\/code><\/td><td>1<\/td><\/tr><tr><td>c<\/td><td>2<\/td><\/tr><\/tbody><\/table>/);
});

test("nested and mixed lists keep their shape and numbers", async () => {
  const out = await render("3. three\n4. four\n   - inner\n     - deeper\n\n- bullet after\n- second");
  assert.equal(
    out,
    "<ol><li>three</li><li>four<ul><li>inner<ul><li>deeper</li></ul></li></ul></li></ol>\n<ul><li>bullet after</li><li>second</li></ul>",
  );
});

test("code fences of any length hold their text, with a copy button", async () => {
  const out = await render("````md\n```js\nx <b>\n```\n````\nafter");
  assert.equal(out, "<div><button label=Copy code>Copy</button><pre><code>```js\nx <b>\n```</code></pre></div>\n<p>after</p>");
});

test("citations link to their source, named by its title; hostile text stays text", async () => {
  const out = await render("See [1] and [9]. <img src=x onerror=alert(1)> [x](javascript:alert(1)) [ok](https://e.org/)", [
    { title: "Install guide", url: "/docs/install.md#steps" },
  ]);
  assert.match(out, /<a href=http:\/\/localhost:\d+\/docs\/install\.md#steps label=Source 1: Install guide>1<\/a>/);
  assert.match(out, /\[9\]/);
  assert.match(out, /<img src=x onerror=alert\(1\)>/, "markup shown as text");
  assert.match(out, /<span>x<\/span>/, "javascript: is not a link");
  assert.match(out, /<a href=https:\/\/e\.org\/>ok<\/a>/);
});
