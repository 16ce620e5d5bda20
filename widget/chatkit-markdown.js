// Safe Markdown: text from the model or the corpus becomes DOM nodes built
// with createElement/textContent only. No string is ever parsed as HTML, so
// <script>, <img onerror> and friends arrive as visible text. Links keep
// http(s) and site-relative targets only. Citation markers [n] become links
// to source n, named by its title.
//
// What it understands is CommonMark's common core plus GitHub's tables:
// headings, paragraphs, fenced code (any fence length, with a copy button),
// bullet and numbered lists nested by indentation, block quotes, rules, pipe
// tables; inline code, **strong**, *emphasis*, ~~strike~~, links, backslash
// escapes.

const FENCE = /^(\s*)(`{3,}|~{3,})(.*)$/;
const HEADING = /^\s{0,3}(#{1,6})\s+(.*?)(?:\s+#+)?\s*$/;
const RULE = /^\s{0,3}([-*_])(?:\s*\1){2,}\s*$/;
const ITEM = /^(\s*)([-*+]|\d{1,9}[.)])(\s+|$)(.*)$/;
const QUOTE = /^\s{0,3}>\s?(.*)$/;
const TABLE_DELIMITER = /^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$/;

export function renderMarkdown(text, sources, doc = document, labels = {}) {
  const root = doc.createDocumentFragment();
  const lines = String(text).replace(/\r\n?/g, "\n").split("\n");
  for (const node of blocks(lines, { sources, doc, labels })) root.append(node);
  return root;
}

function indentOf(line) {
  return line.length - line.trimStart().length;
}

function dedent(line, n) {
  let i = 0;
  while (i < n && i < line.length && line[i] === " ") i++;
  return line.slice(i);
}

function blocks(lines, ctx) {
  const out = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (!line.trim()) {
      i++;
      continue;
    }
    const fence = FENCE.exec(line);
    if (fence && !(fence[2][0] === "`" && fence[3].includes("`"))) {
      const indent = fence[1].length;
      const marker = fence[2];
      const body = [];
      i++;
      while (i < lines.length) {
        const close = lines[i].trim();
        if (close.startsWith(marker[0].repeat(marker.length)) && /^([`~])\1*$/.test(close) && close[0] === marker[0]) {
          i++;
          break;
        }
        body.push(dedent(lines[i], indent));
        i++;
      }
      out.push(codeBlock(body.join("\n"), fence[3].trim().split(/\s+/)[0] || "", ctx));
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading) {
      const h = ctx.doc.createElement(`h${Math.min(6, heading[1].length + 2)}`);
      inline(heading[2], h, ctx);
      out.push(h);
      i++;
      continue;
    }
    if (RULE.test(line)) {
      out.push(ctx.doc.createElement("hr"));
      i++;
      continue;
    }
    if (QUOTE.test(line)) {
      const inner = [];
      while (i < lines.length && lines[i].trim() && QUOTE.test(lines[i])) inner.push(QUOTE.exec(lines[i++])[1]);
      const quote = ctx.doc.createElement("blockquote");
      quote.append(...blocks(inner, ctx));
      out.push(quote);
      continue;
    }
    if (line.includes("|") && i + 1 < lines.length && TABLE_DELIMITER.test(lines[i + 1]) && lines[i + 1].includes("-")) {
      const rows = [line];
      i += 2;
      while (i < lines.length && lines[i].trim() && lines[i].includes("|")) rows.push(lines[i++]);
      out.push(table(rows, ctx));
      continue;
    }
    if (ITEM.test(line)) {
      i = list(lines, i, out, ctx);
      continue;
    }
    const paragraph = [];
    while (i < lines.length && lines[i].trim() && !startsBlock(lines, i)) paragraph.push(lines[i++].trim());
    if (!paragraph.length) paragraph.push(lines[i++].trim());
    const p = ctx.doc.createElement("p");
    inline(paragraph.join(" "), p, ctx);
    out.push(p);
  }
  return out;
}

function startsBlock(lines, i) {
  const line = lines[i];
  return (
    FENCE.test(line) ||
    HEADING.test(line) ||
    RULE.test(line) ||
    QUOTE.test(line) ||
    ITEM.test(line) ||
    (line.includes("|") && i + 1 < lines.length && TABLE_DELIMITER.test(lines[i + 1]) && lines[i + 1].includes("-"))
  );
}

// One list: items of the same kind (bullet or numbered) at the same indent.
// An item holds every following line indented past its marker, parsed as
// blocks of their own (nested lists, code, paragraphs).
function list(lines, start, out, ctx) {
  const first = ITEM.exec(lines[start]);
  const indent = first[1].length;
  const ordered = /\d/.test(first[2]);
  const el = ctx.doc.createElement(ordered ? "ol" : "ul");
  if (ordered && parseInt(first[2], 10) !== 1) el.start = parseInt(first[2], 10);
  let i = start;
  while (i < lines.length) {
    const m = ITEM.exec(lines[i]);
    if (!m || m[1].length !== indent || /\d/.test(m[2]) !== ordered) break;
    const contentIndent = indent + m[2].length + Math.max(1, m[3].length);
    const body = [m[4]];
    i++;
    while (i < lines.length) {
      const next = lines[i];
      if (!next.trim()) {
        // A blank line continues the item only when indented text follows.
        if (i + 1 < lines.length && lines[i + 1].trim() && indentOf(lines[i + 1]) >= contentIndent) {
          body.push("");
          i++;
          continue;
        }
        break;
      }
      if (indentOf(next) >= contentIndent) body.push(dedent(next, contentIndent));
      else if (indentOf(next) > indent && ITEM.test(next)) body.push(next.trimStart());
      else break;
      i++;
    }
    const li = ctx.doc.createElement("li");
    const inner = blocks(body, ctx);
    // A tight item's single paragraph reads as a line, not a block.
    if (inner.length && inner[0].tagName === "P") li.append(...inner.shift().childNodes);
    li.append(...inner);
    el.append(li);
    while (i < lines.length && !lines[i].trim()) {
      const after = lines.slice(i).find((l) => l.trim());
      const m2 = after && ITEM.exec(after);
      if (!m2 || m2[1].length !== indent || /\d/.test(m2[2]) !== ordered) break;
      i++;
    }
  }
  out.push(el);
  return i;
}

function cells(row) {
  let text = row.trim();
  if (text.startsWith("|")) text = text.slice(1);
  if (text.endsWith("|") && !text.endsWith("\\|")) text = text.slice(0, -1);
  const out = [];
  let cell = "";
  for (let i = 0; i < text.length; i++) {
    if (text[i] === "\\" && text[i + 1] === "|") {
      cell += "|";
      i++;
    } else if (text[i] === "|") {
      out.push(cell.trim());
      cell = "";
    } else cell += text[i];
  }
  out.push(cell.trim());
  return out;
}

function table(rows, ctx) {
  const { doc } = ctx;
  const wrap = doc.createElement("div");
  wrap.className = "table";
  const t = doc.createElement("table");
  const head = doc.createElement("thead");
  const body = doc.createElement("tbody");
  rows.forEach((row, r) => {
    const tr = doc.createElement("tr");
    for (const cell of cells(row)) {
      const td = doc.createElement(r === 0 ? "th" : "td");
      inline(cell, td, ctx);
      tr.append(td);
    }
    (r === 0 ? head : body).append(tr);
  });
  t.append(head, body);
  wrap.append(t);
  return wrap;
}

function codeBlock(code, lang, ctx) {
  const { doc, labels } = ctx;
  const wrap = doc.createElement("div");
  wrap.className = "code";
  const pre = doc.createElement("pre");
  const el = doc.createElement("code");
  if (lang) el.dataset.lang = lang;
  el.textContent = code;
  pre.append(el);
  const copy = doc.createElement("button");
  copy.type = "button";
  copy.className = "copy";
  copy.textContent = labels.copy || "Copy";
  copy.setAttribute("aria-label", labels.copyCode || "Copy code");
  copy.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(code);
      copy.textContent = labels.copied || "Copied";
    } catch {
      copy.textContent = labels.copyFailed || "Select and copy";
    }
    setTimeout(() => (copy.textContent = labels.copy || "Copy"), 1500);
  });
  wrap.append(copy, pre);
  return wrap;
}

// Inline markup, left to right; what does not close stays text.
function inline(text, parent, ctx) {
  const { doc } = ctx;
  let plain = "";
  const flush = () => {
    if (plain) parent.append(doc.createTextNode(plain));
    plain = "";
  };
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === "\\" && i + 1 < text.length && /[!-/:-@[-`{-~]/.test(text[i + 1])) {
      plain += text[i + 1];
      i += 2;
      continue;
    }
    if (c === "`") {
      const run = /^`+/.exec(text.slice(i))[0];
      const close = text.indexOf(run, i + run.length);
      if (close > 0 && text[close + run.length] !== "`") {
        flush();
        let inner = text.slice(i + run.length, close);
        if (inner.startsWith(" ") && inner.endsWith(" ") && inner.trim()) inner = inner.slice(1, -1);
        const code = doc.createElement("code");
        code.textContent = inner;
        parent.append(code);
        i = close + run.length;
        continue;
      }
      plain += run;
      i += run.length;
      continue;
    }
    const span = emphasis(text, i);
    if (span) {
      flush();
      const el = doc.createElement(span.tag);
      inline(span.inner, el, ctx);
      parent.append(el);
      i = span.end;
      continue;
    }
    if (c === "[") {
      const cite = /^\[(\d{1,3})\]/.exec(text.slice(i));
      if (cite) {
        flush();
        parent.append(citation(cite[1], ctx));
        i += cite[0].length;
        continue;
      }
      const link = linkAt(text, i);
      if (link) {
        flush();
        const a = safeLink(link.url, doc);
        const target = a || doc.createElement("span");
        inline(link.label, target, ctx);
        parent.append(target);
        i = link.end;
        continue;
      }
    }
    plain += c;
    i++;
  }
  flush();
}

function emphasis(text, i) {
  for (const [marker, tag] of [["**", "strong"], ["__", "strong"], ["~~", "del"], ["*", "em"], ["_", "em"]]) {
    if (!text.startsWith(marker, i)) continue;
    const next = text[i + marker.length];
    if (!next || /\s/.test(next)) continue;
    // "_" inside a word (snake_case) is not emphasis.
    if (marker[0] === "_" && i > 0 && /\w/.test(text[i - 1])) continue;
    let close = text.indexOf(marker, i + marker.length + 1);
    while (close > 0 && (/\s/.test(text[close - 1]) || (marker === "*" && text[close + 1] === "*" && text[close - 1] !== "*"))) {
      close = text.indexOf(marker, close + 1);
    }
    if (close < 0) continue;
    if (marker[0] === "_" && /\w/.test(text[close + marker.length] || "")) continue;
    return { tag, inner: text.slice(i + marker.length, close), end: close + marker.length };
  }
  return null;
}

function linkAt(text, i) {
  let depth = 0;
  let j = i;
  for (; j < text.length; j++) {
    if (text[j] === "\\") {
      j++;
      continue;
    }
    if (text[j] === "[") depth++;
    else if (text[j] === "]" && --depth === 0) break;
  }
  if (j >= text.length || text[j + 1] !== "(") return null;
  const close = text.indexOf(")", j + 2);
  if (close < 0) return null;
  const url = text.slice(j + 2, close).trim().split(/\s+/)[0];
  if (!url) return null;
  return { label: text.slice(i + 1, j), url, end: close + 1 };
}

function citation(number, ctx) {
  const { doc, sources, labels } = ctx;
  const source = sources?.[Number(number) - 1];
  if (!source) return doc.createTextNode(`[${number}]`);
  const a = safeLink(source.url, doc) ?? doc.createElement("span");
  a.className = "cite";
  a.setAttribute("part", "citation");
  a.textContent = number;
  a.title = source.title;
  a.setAttribute("aria-label", `${labels.source || "Source"} ${number}: ${source.title}`);
  return a;
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

// An answer's sources as links (chips), numbered as the citations are.
export function sourceChips(sources, label, numbered = true, doc = document) {
  const box = doc.createElement("div");
  box.className = "sources";
  box.setAttribute("role", "group");
  box.setAttribute("aria-label", label);
  box.setAttribute("part", "sources");
  sources.forEach((source, i) => {
    const a = safeLink(source.url, doc) ?? doc.createElement("span");
    a.className = "chip";
    a.setAttribute("part", "source");
    a.textContent = numbered ? `${i + 1}. ${source.title}` : source.title;
    a.title = source.excerpt ?? "";
    box.append(a);
  });
  return box;
}

// The answer as a screen reader should hear it: no markup, no [n] markers.
export function plainText(markdown) {
  return String(markdown)
    .replace(/```[^\n]*\n[\s\S]*?```/g, " ")
    .replace(/\[(\d{1,3})\]/g, "")
    .replace(/[*_~`#>|]/g, "")
    .replace(/\\(.)/g, "$1")
    .replace(/\s+/g, " ")
    .trim();
}
