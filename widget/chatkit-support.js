// "Ask a person": the site's own support (SUPPORT_URL, served by
// GET /widget/settings), offered under a refusal and after a 👎, with the
// turn's question and a read-only link to the conversation (the page's
// address when that link cannot be had) filled into its template. The link
// itself says that pressing it shares the conversation.
import { el } from "./chatkit-dom.js";

// The server checks SUPPORT_URL at start-up; the widget still never builds
// a link to anything else (a javascript: URL would run in the host page).
const SCHEMES = ["https:", "http:", "mailto:"];
// How long a press waits for the conversation's link before the page's
// address goes instead: well inside the 5 s a browser lets a click open a tab.
const SHARE_WAIT_MS = 3000;
// Ids of the notes that say what a press shares, unique in the shadow root.
let notes = 0;

// Each placeholder percent-encoded: the question may hold `&`, `#` or `?`.
export function fillSupportUrl(template, question, conversationUrl) {
  const values = { question, conversation_url: conversationUrl };
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
    this.links = new Map(); // conversation id -> a promise of its read-only link's address
  }

  // Asked once per page, when first needed: most readers never need it. A
  // failed request offers nothing rather than a link that may be wrong.
  load() {
    this.template ??= this.w.api.widgetSettings().then((r) => usable(r?.support_url), () => null);
    return this.template;
  }

  // The conversation's read-only link (POST .../share), made the first time
  // the reader hands it over and the same one after; null when it cannot be
  // had within SHARE_WAIT_MS (no token, an error, a slow network).
  sharedLink(conversation) {
    let link = this.links.get(conversation);
    if (!link) {
      link = this.w.api.shareConversation(conversation).catch(() => null);
      this.links.set(conversation, link);
      link.then((url) => url || this.links.delete(conversation)); // a failure is asked again next time
    }
    return Promise.race([link, new Promise((done) => setTimeout(() => done(null), SHARE_WAIT_MS))]);
  }

  // Puts the link right after `anchor` (the answer's feedback row, or the
  // answer when it cannot be rated), once. `after` tells analytics what led
  // to it; the question never goes there. `conversation`: the id of the
  // conversation the answer belongs to, null when there is none to share
  // (a saved chat).
  async offer(anchor, after, { question, conversation }) {
    const template = await this.load();
    if (!template || !anchor.isConnected || anchor.nextElementSibling?.matches(".support")) return;
    const s = this.w.strings;
    const mail = template.startsWith("mailto:");
    // Pressing it hands the conversation over: its read-only link goes in
    // {conversation_url}. Until then (and when it cannot be had, or there is
    // none) the page's address, which a single-page site may have changed
    // since.
    const wantsLink = template.includes("{conversation_url}");
    const sharing = wantsLink && conversation != null;
    let shared = null;
    const href = () => fillSupportUrl(template, question, shared ?? location.href);
    // A real link: Enter, middle-click and "copy link" work, and a mailto:
    // goes to the mail client instead of a blank tab.
    // Said before the press, not after: pressing it shares the conversation.
    // Shown on the link and read as its description, its name staying
    // "Ask a person". A saved chat shares nothing, so says nothing.
    const note = sharing
      ? el("span", { class: "support-note", id: `chatkit-support-note-${++notes}`, "aria-hidden": "true" }, [s.sharesConversation])
      : null;
    const link = el("a", {
      class: "support", part: "support", href: href(),
      ...(note ? { "aria-describedby": note.id } : {}),
      ...(mail ? {} : { target: "_blank", rel: "noopener" }),
    }, [
      el("span", {}, [s.askPerson, ...(mail ? [] : [el("span", { class: "sr-only" }, [` ${s.opensInNewTab}`])])]),
      ...(note ? [note] : []),
    ]);
    let following = false; // the click below is ours, with the link filled in
    let busy = false; // a press waits for the link: another would open a second tab
    link.addEventListener("click", async (e) => {
      if (following) return;
      if (busy) {
        e.preventDefault();
        return;
      }
      this.w.api.track("support_opened", { after });
      if (!sharing || shared) {
        link.href = href();
        return;
      }
      // Held until the link exists, then clicked again: the browser opens it
      // as it opens any link (same target, noopener, a mailto: in place).
      e.preventDefault();
      busy = true;
      link.setAttribute("aria-busy", "true");
      try {
        shared = await this.sharedLink(conversation);
      } finally {
        busy = false;
        link.removeAttribute("aria-busy");
      }
      link.href = href();
      following = true;
      link.click();
      following = false;
    });
    anchor.after(link);
    if (link.nextElementSibling) this.w.scroller.settle();
    else this.w.scroller.follow();
  }
}
