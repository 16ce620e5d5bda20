// "Ask a person": the site's own support (SUPPORT_URL, served by
// GET /widget/settings), offered under a refusal and after a 👎, with the
// turn's question and the page filled into its template.
import { el } from "./chatkit-dom.js";

// The server checks SUPPORT_URL at start-up; the widget still never builds
// a link to anything else (a javascript: URL would run in the host page).
const SCHEMES = ["https:", "http:", "mailto:"];

// Each placeholder percent-encoded: the question may hold `&`, `#` or `?`.
export function fillSupportUrl(template, question, pageUrl) {
  const values = { question, conversation_url: pageUrl };
  return template.replace(/\{(question|conversation_url)\}/g, (_, key) => encodeURIComponent(values[key]));
}

function usable(template) {
  try {
    return typeof template === "string" && SCHEMES.includes(new URL(template).protocol) ? template : null;
  } catch {
    return null;
  }
}

export class Support {
  constructor(widget) {
    this.w = widget;
    this.template = null; // a promise of the template, or of null for none
  }

  // Asked once per page, when first needed: most readers never need it. A
  // failed request offers nothing rather than a link that may be wrong.
  load() {
    this.template ??= this.w.api.widgetSettings().then((r) => usable(r?.support_url), () => null);
    return this.template;
  }

  // Puts the link right after `row` (the answer's feedback row), once.
  // `after` tells analytics what led to it; the question never goes there.
  async offer(row, question, after) {
    const template = await this.load();
    if (!template || !row.isConnected || row.nextElementSibling?.matches(".support")) return;
    const s = this.w.strings;
    const mail = template.startsWith("mailto:");
    const href = () => fillSupportUrl(template, question, location.href);
    // A real link: Enter, middle-click and "copy link" work, and a mailto:
    // goes to the mail client instead of a blank tab.
    const link = el("a", { class: "support", part: "support", href: href(), ...(mail ? {} : { target: "_blank", rel: "noopener" }) },
      [s.askPerson, ...(mail ? [] : [el("span", { class: "sr-only" }, [` ${s.opensInNewTab}`])])]);
    link.addEventListener("click", () => {
      // A single-page site may have moved to another page since.
      link.href = href();
      this.w.api.track("support_opened", { after });
    });
    row.after(link);
    if (link.nextElementSibling) this.w.scroller.settle();
    else this.w.scroller.follow();
  }
}
