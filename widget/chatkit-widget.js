// <chatkit-widget api-base="https://chat.example.com" title="Ask the docs"
//                 theme="light|dark|auto" position="bottom-right|bottom-left|inline"
//                 accent="#2563eb">
// A plain ES module, no build step, no dependencies. One script tag:
//   <script type="module" src="https://chat.example.com/widget/chatkit-widget.js"></script>
import { ChatKitApi, ChatKitError } from "./chatkit-api.js";
import { renderMarkdown, safeLink } from "./chatkit-markdown.js";
import { adoptStyles } from "./chatkit-styles.js";
import { strings as englishStrings, format } from "./chatkit-strings.js";
import { Account } from "./chatkit-account.js";
import { el } from "./chatkit-dom.js";

const SIGNUP_PROMPT_AFTER = 3;

export class ChatKitWidget extends HTMLElement {
  static observedAttributes = ["title", "accent", "theme", "position"];

  constructor() {
    super();
    this.shadow = this.attachShadow({ mode: "open" });
    this.strings = englishStrings;
    this.messages = []; // {role, content} of this conversation, for saving
    this.asked = 0;
    this.busy = null; // {controller, messageId}
    this.cooldownTimer = null;
  }

  // A site overrides strings: el.locale = { send: "Envoyer" }.
  set locale(overrides) {
    this.strings = { ...englishStrings, ...overrides, errors: { ...englishStrings.errors, ...(overrides?.errors ?? {}) } };
    if (this.ui) this.render();
  }
  get locale() {
    return this.strings;
  }

  connectedCallback() {
    if (this.ui || this.refused) return;
    adoptStyles(this.shadow);
    if (!this.httpsAllowed()) return;
    this.api = new ChatKitApi(this.getAttribute("api-base") ?? "");
    this.account = new Account(this);
    this.conversation = crypto.randomUUID();
    this.render();
    this.account.start();
    this.api.track("widget_loaded", { page: location.pathname });
  }

  attributeChangedCallback() {
    if (this.ui) this.applyAttributes();
  }

  // The seed's HTTPS guard: a non-localhost http: page gets an error panel
  // and no widget; localhost over http: warns and runs; https: runs.
  httpsAllowed() {
    const { protocol, hostname } = location;
    const local = ["localhost", "127.0.0.1", "[::1]"].includes(hostname);
    if (protocol === "https:") return true;
    if (local) {
      console.warn("⚠️  WARNING: ChatKit widget running over HTTP on localhost. This is only safe for development. Use HTTPS in production.");
      return true;
    }
    this.refused = true;
    console.error("🔒 SECURITY ERROR: ChatKit widget requires HTTPS in production. Refusing to initialize.");
    const s = this.strings;
    const box = el("div", { class: "https-error", role: "alert", part: "https-error" }, [
      el("h3", {}, [s.httpsTitle]),
      el("p", {}, [s.httpsBody]),
      el("p", {}, [el("strong", {}, [s.httpsCurrent]), " ", el("code", {}, [`${protocol}//${hostname}`])]),
      el("p", {}, [el("strong", {}, [s.httpsRequired]), " ", el("code", {}, [`https://${hostname}`])]),
      el("p", {}, [s.httpsHint]),
    ]);
    this.shadow.append(box);
    return false;
  }

  applyAttributes() {
    const accent = this.getAttribute("accent");
    if (accent && /^#[0-9a-f]{3,8}$|^rgb/i.test(accent)) this.style.setProperty("--chatkit-accent", accent);
    if (!this.hasAttribute("theme")) this.setAttribute("theme", "light");
    this.ui.title.textContent = this.getAttribute("title") || this.strings.title;
  }

  render() {
    const s = this.strings;
    this.shadow.replaceChildren();
    adoptStyles(this.shadow);
    const ui = (this.ui = {});
    ui.launcher = el("button", { class: "launcher", part: "launcher", "aria-label": s.open, "aria-expanded": "false" }, [chatIcon()]);
    ui.title = el("h2", { id: "chatkit-title" }, [s.title]);
    ui.close = el("button", { "aria-label": s.close }, ["×"]);
    ui.log = el("div", { class: "log", role: "log", "aria-live": "polite", "aria-relevant": "additions", part: "log" });
    ui.live = el("div", { class: "sr-only", "aria-live": "polite" });
    ui.input = el("textarea", { rows: "2", placeholder: s.placeholder, "aria-label": s.inputLabel, maxlength: "2000", part: "input" });
    ui.send = el("button", { class: "primary", type: "submit", part: "send" }, [s.send]);
    ui.stop = el("button", { class: "secondary", type: "button", hidden: "" }, [s.stop]);
    ui.form = el("form", { class: "composer" }, [ui.input, ui.send, ui.stop]);
    ui.cooldown = el("div", { class: "cooldown", role: "status", hidden: "" });
    ui.bar = el("div", { class: "bar", part: "account-bar" });
    ui.lists = el("div", {});
    ui.panel = el("section", { class: "panel", part: "panel", "aria-labelledby": "chatkit-title", hidden: "" }, [
      el("header", { part: "header" }, [ui.title, ui.close]),
      ui.log, ui.live, ui.cooldown, ui.form, ui.bar, ui.lists,
    ]);
    this.shadow.append(el("div", { class: "dock" }, [ui.panel, ui.launcher]));
    if (this.getAttribute("position") === "inline") this.toggle(true);

    ui.launcher.addEventListener("click", () => this.toggle(ui.panel.hidden));
    ui.close.addEventListener("click", () => this.toggle(false));
    ui.form.addEventListener("submit", (e) => {
      e.preventDefault();
      this.send();
    });
    ui.input.addEventListener("keydown", (e) => {
      if (e.key === "Enter" && !e.shiftKey) {
        e.preventDefault();
        this.send();
      }
    });
    ui.stop.addEventListener("click", () => this.stop());
    this.shadow.addEventListener("keydown", (e) => {
      if (e.key === "Escape" && !this.account?.modalOpen && !ui.panel.hidden) this.toggle(false);
    });
    this.applyAttributes();
    this.account?.renderBar();
  }

  toggle(open) {
    this.ui.panel.hidden = !open;
    this.ui.launcher.setAttribute("aria-expanded", String(open));
    this.ui.launcher.setAttribute("aria-label", open ? this.strings.close : this.strings.open);
    if (open) this.ui.input.focus({ preventScroll: true });
    else this.ui.launcher.focus({ preventScroll: true });
  }

  addMessage(role, text) {
    const bubble = el("div", { class: `msg ${role}`, part: `message ${role}` });
    if (text !== undefined) bubble.textContent = text;
    this.ui.log.append(bubble);
    this.scrollLog();
    return bubble;
  }

  // Scrolls the message list only: never the host page.
  scrollLog() {
    this.ui.log.scrollTop = this.ui.log.scrollHeight;
  }

  announce(text) {
    this.ui.live.textContent = text;
  }

  setBusy(busy) {
    this.ui.send.hidden = Boolean(busy);
    this.ui.stop.hidden = !busy;
    this.ui.send.disabled = Boolean(busy) || Boolean(this.cooldownTimer);
  }

  async send() {
    const question = this.ui.input.value.trim();
    if (!question || this.busy || this.cooldownTimer) return;
    this.ui.input.value = "";
    this.addMessage("user", question);
    this.messages.push({ role: "user", content: question });
    this.api.track("message_sent", { length: question.length });
    const selected = String(document.getSelection?.() ?? "").slice(0, 5000);
    const body = {
      message: question,
      context: { mode: selected ? "chat" : "browse", selected_text: selected || null, page_url: location.pathname, session_id: this.conversation },
    };
    const bubble = this.addMessage("assistant");
    bubble.setAttribute("aria-busy", "true");
    bubble.textContent = this.strings.thinking;
    const controller = new AbortController();
    this.busy = { controller, messageId: null };
    this.setBusy(true);
    let text = "";
    let sources = [];
    let frame = 0;
    const paint = () => {
      frame = 0;
      bubble.replaceChildren(renderMarkdown(text, sources));
      this.scrollLog();
    };
    try {
      await this.api.ensureToken();
      for await (const e of this.api.ask(body, { signal: controller.signal, onResume: () => this.announce(this.strings.reconnecting) })) {
        if (e.id && !this.busy.messageId) this.busy.messageId = e.id.split(":")[0];
        if (e.event === "sources") sources = e.data.sources ?? [];
        else if (e.event === "token") {
          text += e.data.content;
          // Fast streams: one DOM update per animation frame, not per token.
          frame ||= requestAnimationFrame(paint);
        } else if (e.event === "error") throw new ChatKitError(e.data.error.code, e.data.error.message);
        else if (e.event === "done" && e.data.cancelled) text += ` ${this.strings.stopped}`;
      }
      cancelAnimationFrame(frame);
      paint();
      bubble.append(this.sourceChips(sources));
      this.messages.push({ role: "assistant", content: text });
      this.announce(text);
    } catch (err) {
      cancelAnimationFrame(frame);
      if (controller.signal.aborted) {
        paint();
        bubble.append(document.createTextNode(` ${this.strings.stopped}`));
      } else {
        bubble.remove();
        this.showError(err);
      }
    } finally {
      bubble.removeAttribute("aria-busy");
      this.busy = null;
      this.setBusy(false);
      if (++this.asked === SIGNUP_PROMPT_AFTER) this.account.softPrompt();
    }
  }

  stop() {
    if (!this.busy) return;
    const { controller, messageId } = this.busy;
    if (messageId) this.api.cancel(messageId);
    // The cancel makes the server end the stream with done/cancelled; abort
    // shortly after in case the connection is gone.
    setTimeout(() => controller.abort(), messageId ? 1500 : 0);
  }

  sourceChips(sources) {
    const box = el("div", { class: "sources", "aria-label": this.strings.sources, part: "sources" });
    sources.forEach((source, i) => {
      const a = safeLink(source.url) ?? el("span", {});
      a.className = "chip";
      a.setAttribute("part", "source");
      a.textContent = `${i + 1}. ${source.title}`;
      a.title = source.excerpt ?? "";
      box.append(a);
    });
    return box;
  }

  showError(err) {
    const code = err instanceof ChatKitError ? err.code : "NETWORK";
    if (code === "RATE_LIMIT_EXCEEDED") return this.startCooldown(err.retryAfter || 60);
    if (code === "SESSION_EXPIRED") this.account.renderBar();
    const message = this.strings.errors[code] ?? this.strings.errors.INTERNAL_ERROR;
    this.addMessage("error", message).setAttribute("role", "alert");
  }

  // 429: sending is disabled, with a countdown, until Retry-After passes.
  startCooldown(seconds) {
    let left = Math.ceil(seconds);
    const tick = () => {
      if (left <= 0) {
        clearInterval(this.cooldownTimer);
        this.cooldownTimer = null;
        this.ui.cooldown.hidden = true;
        this.setBusy(false);
        return;
      }
      this.ui.cooldown.textContent = format(this.strings.cooldown, { s: left });
      left -= 1;
    };
    this.ui.cooldown.hidden = false;
    this.cooldownTimer = setInterval(tick, 1000);
    tick();
    this.setBusy(false);
  }
}

// A speech bubble drawn with SVG: emoji fonts are not everywhere.
function chatIcon() {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("width", "26");
  svg.setAttribute("height", "26");
  svg.setAttribute("aria-hidden", "true");
  const path = document.createElementNS(ns, "path");
  path.setAttribute("fill", "currentColor");
  path.setAttribute("d", "M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2z");
  svg.append(path);
  return svg;
}

if (!customElements.get("chatkit-widget")) customElements.define("chatkit-widget", ChatKitWidget);
