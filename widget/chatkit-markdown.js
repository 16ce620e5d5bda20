// Safe Markdown: text from the model or the corpus becomes DOM nodes built
// with createElement/textContent only. No string is ever parsed as HTML, so
// <script>, <img onerror> and friends arrive as visible text. Links keep
// http(s) targets only. Citation markers [n] become chips linking to source n.
export function renderMarkdown(text, sources, doc = document) {
  const root = doc.createDocumentFragment();
  const lines = text.replace(/\r\n?/g, "\n").split("\n");
  let paragraph = [];
  let list = null;
  let fence = null;
  const flushParagraph = () => {
    if (paragraph.length) {
      const p = doc.createElement("p");
      inline(paragraph.join(" "), p, sources, doc);
      root.append(p);
      paragraph = [];
    }
  };
  for (const line of lines) {
    if (fence) {
      if (/^```/.test(line)) {
        root.append(fence.pre);
        fence = null;
      } else {
        fence.code.textContent += (fence.code.textContent ? "\n" : "") + line;
      }
      continue;
    }
    if (/^```/.test(line)) {
      flushParagraph();
      list = null;
      const pre = doc.createElement("pre");
      const code = doc.createElement("code");
      pre.append(code);
      fence = { pre, code };
      continue;
    }
    const item = /^\s*(?:[-*]|\d+\.)\s+(.*)$/.exec(line);
    if (item) {
      flushParagraph();
      if (!list) {
        list = doc.createElement(/^\s*\d/.test(line) ? "ol" : "ul");
        root.append(list);
      }
      const li = doc.createElement("li");
      inline(item[1], li, sources, doc);
      list.append(li);
      continue;
    }
    list = null;
    if (!line.trim()) {
      flushParagraph();
      continue;
    }
    paragraph.push(line.replace(/^#+\s*/, ""));
  }
  if (fence) root.append(fence.pre);
  flushParagraph();
  return root;
}

const TOKEN = /(\*\*[^*]+\*\*|`[^`]+`|\*[^*]+\*|\[\d+\]|\[[^\]]+\]\([^)\s]+\))/g;

function inline(text, parent, sources, doc) {
  let last = 0;
  for (const m of text.matchAll(TOKEN)) {
    if (m.index > last) parent.append(doc.createTextNode(text.slice(last, m.index)));
    parent.append(piece(m[0], sources, doc));
    last = m.index + m[0].length;
  }
  if (last < text.length) parent.append(doc.createTextNode(text.slice(last)));
}

function piece(token, sources, doc) {
  if (token.startsWith("**")) return wrap("strong", token.slice(2, -2), doc);
  if (token.startsWith("`")) return wrap("code", token.slice(1, -1), doc);
  if (token.startsWith("*")) return wrap("em", token.slice(1, -1), doc);
  const cite = /^\[(\d+)\]$/.exec(token);
  if (cite) {
    const source = sources?.[Number(cite[1]) - 1];
    if (!source) return doc.createTextNode(token);
    const a = safeLink(source.url, doc) ?? doc.createElement("span");
    a.className = "cite";
    a.setAttribute("part", "citation");
    a.textContent = cite[1];
    a.title = source.title;
    return a;
  }
  const link = /^\[([^\]]+)\]\(([^)\s]+)\)$/.exec(token);
  const a = link && safeLink(link[2], doc);
  if (!a) return doc.createTextNode(link ? link[1] : token);
  a.textContent = link[1];
  return a;
}

function wrap(tag, text, doc) {
  const el = doc.createElement(tag);
  el.textContent = text;
  return el;
}

// Only http(s) and site-relative URLs become links; javascript:, data: and
// the rest stay text.
export function safeLink(url, doc = document) {
  let parsed;
  try {
    parsed = new URL(url, doc.baseURI);
  } catch {
    return null;
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") return null;
  const a = doc.createElement("a");
  a.href = parsed.href;
  a.target = "_blank";
  a.rel = "noopener noreferrer";
  return a;
}
