// <chatkit-widget api-base="https://chat.example.com" title="Ask the docs"
//                 theme="light|dark|auto" position="bottom-right|bottom-left|inline"
//                 accent="#2563eb" hotkey="off" starters='["How do I …?"]'>
// A plain ES module, no build step, no dependencies. One script tag:
//   <script type="module" src="https://chat.example.com/widget/chatkit-widget.js"></script>
import { ChatKitApi, ChatKitError } from "./chatkit-api.js";
import { renderMarkdown, sourceChips, plainText } from "./chatkit-markdown.js";
import { adoptStyles } from "./chatkit-styles.js";
import { strings as englishStrings, format } from "./chatkit-strings.js";
import { Account } from "./chatkit-account.js";
import { LogScroller } from "./chatkit-scroll.js";
import { SelectionWatcher } from "./chatkit-selection.js";
import { el, chatIcon } from "./chatkit-dom.js";
import { httpsAllowed } from "./chatkit-https.js";
import { feedbackRow } from "./chatkit-feedback.js";

const SIGNUP_PROMPT_AFTER = 3;
const MOBILE = "(max-width: 600px)";
// Answers that may be asked again as they are: the server or the network failed.
const RETRYABLE = new Set(["NETWORK", "SERVICE_UNAVAILABLE", "GENERATION_FAILED", "STREAM_IDLE_TIMEOUT", "INTERNAL_ERROR", "HTTP_502", "HTTP_503", "HTTP_504"]);
const DEAD_TOKEN = new Set(["SESSION_EXPIRED", "UNAUTHORIZED", "INVALID_TOKEN", "SESSION_ENDED"]);
// Ctrl+K opens the chat; Cmd+K on Apple systems, where Ctrl+K in a text
// field deletes to the end of the line.
const MAC = /mac|iphone|ipad/i.test(navigator.userAgentData?.platform ?? navigator.platform ?? "");

export class ChatKitWidget extends HTMLElement {
  static observedAttributes = ["title", "accent", "theme", "position", "starters"];

  constructor() {
    super();
    this.shadow = this.attachShadow({ mode: "open" });
    this.strings = englishStrings;
    this.messages = []; // {role, content, sources?} of this conversation, for saving
    this.asked = 0;
    this.busy = null; // {controller, messageId}
    this.cooldownTimer = null;
    this.failed = []; // {turn, row}: questions that could not be sent, oldest first
    this.restoring = 0; // the latest restore; older ones drop their answer
  }

  // A site overrides strings: el.locale = { send: "Envoyer" }.
  set locale(overrides) {
    this.strings = { ...englishStrings, ...overrides, errors: { ...englishStrings.errors, ...(overrides?.errors ?? {}) } };
    if (!this.ui) return;
    // Mid-answer the stream still writes into the current log: redraw after.
    if (this.busy) this.relabel = true;
    else this.redraw();
  }
  redraw() {
    this.relabel = false;
    this.render();
    this.restore();
  }
  get locale() {
    return this.strings;
  }

  connectedCallback() {
    if (this.refused) return;
    if (!this.ui) {
      adoptStyles(this.shadow);
      if (!httpsAllowed(this.shadow, this.strings)) {
        this.refused = true;
        return;
      }
      this.api = new ChatKitApi(this.getAttribute("api-base") ?? "");
      this.account = new Account(this);
      this.conversation = crypto.randomUUID();
      this.render();
      this.selection = new SelectionWatcher(this, (text) => this.showSelection(text));
      this.account.start();
      this.api.track("widget_loaded", { page: location.pathname });
    } else {
      this.selection.connect();
    }
    this.restore();
    // Page-wide listeners live only while the element is in the page (a
    // single-page docs site mounts and unmounts it).
    this.listeners = new AbortController();
    const signal = this.listeners.signal;
    addEventListener("online", () => this.retryAll(), { signal });
    addEventListener("storage", (e) => this.onStorage(e), { signal });
    addEventListener("keydown", (e) => this.onHotkey(e), { signal });
    visualViewport?.addEventListener("resize", () => this.fitViewport(), { signal });
    visualViewport?.addEventListener("scroll", () => this.fitViewport(), { signal });
  }

  disconnectedCallback() {
    this.listeners?.abort();
    this.selection?.disconnect();
    this.busy?.controller.abort();
  }

  attributeChangedCallback() {
    if (this.ui) this.applyAttributes();
  }

  applyAttributes() {
    const accent = this.getAttribute("accent");
    if (accent && /^#[0-9a-f]{3,8}$|^rgb/i.test(accent)) this.style.setProperty("--chatkit-accent", accent);
    if (!this.hasAttribute("theme")) this.setAttribute("theme", "light");
    this.ui.title.textContent = this.getAttribute("title") || this.strings.title;
    this.showStarters();
  }

  // Listening on window, last on the key's way up, so a page that answers
  // Ctrl+K itself (its own search) has marked it handled by then.
  // The sign-up dialog keeps focus while it is open.
  onHotkey(e) {
    if (e.defaultPrevented || this.getAttribute("hotkey") === "off" || this.account.modalOpen) return;
    if (!(MAC ? e.metaKey : e.ctrlKey) || e.altKey || e.shiftKey || e.key?.toLowerCase() !== "k") return;
    e.preventDefault();
    if (this.ui.panel.hidden) this.toggle(true);
    else this.ui.input.focus();
  }

  // The `starters` attribute's questions (a JSON array of strings) as
  // buttons while the conversation is empty; one click asks it. A value that
  // is not such an array shows none.
  showStarters() {
    let questions = [];
    try {
      questions = JSON.parse(this.getAttribute("starters") ?? "[]");
    } catch {
      /* not JSON: no starters */
    }
    const empty = !this.ui.log.querySelector(".msg.user, .msg.assistant");
    const buttons = (Array.isArray(questions) && empty ? questions : [])
      .filter((q) => typeof q === "string" && q.trim())
      .map((q) => {
        const button = el("button", { type: "button", class: "starter", part: "starter" }, [q]);
        button.addEventListener("click", () => {
          // The button disappears as its question is asked: focus goes to
          // the input rather than being lost.
          this.ui.input.focus();
          this.send(q);
        });
        return button;
      });
    this.ui.starters.replaceChildren(...buttons);
    this.ui.starters.hidden = !buttons.length;
  }

  render() {
    const s = this.strings;
    this.shadow.replaceChildren();
    adoptStyles(this.shadow);
    const ui = (this.ui = {});
    ui.launcher = el("button", { class: "launcher", part: "launcher", "aria-label": s.open, "aria-expanded": "false" }, [chatIcon()]);
    ui.title = el("h2", { id: "chatkit-title" }, [s.title]);
    ui.newChat = el("button", { type: "button", class: "new-chat", part: "new-chat" }, [s.newChat]);
    ui.close = el("button", { type: "button", "aria-label": s.close }, ["×"]);
    ui.log = el("div", { class: "log", role: "region", "aria-label": s.conversation, tabindex: "0", part: "log" });
    ui.more = el("button", { class: "more", type: "button", hidden: "" }, [s.newText]);
    ui.live = el("div", { class: "sr-only", "aria-live": "polite" });
    ui.chipText = el("span", {});
    ui.chipRemove = el("button", { type: "button", "aria-label": s.removeSelection }, ["×"]);
    ui.chip = el("div", { class: "selection", part: "selection", hidden: "" }, [ui.chipText, ui.chipRemove]);
    ui.input = el("textarea", { rows: "2", placeholder: s.placeholder, "aria-label": s.inputLabel, maxlength: "2000", part: "input" });
    ui.send = el("button", { class: "primary", type: "submit", part: "send" }, [s.send]);
    ui.stop = el("button", { class: "secondary", type: "button", hidden: "" }, [s.stop]);
    ui.form = el("form", { class: "composer", "aria-label": s.inputLabel }, [ui.input, ui.send, ui.stop]);
    ui.cooldown = el("div", { class: "cooldown", hidden: "" });
    ui.bar = el("div", { class: "bar", part: "account-bar" });
    ui.lists = el("div", {});
    ui.starters = el("div", { class: "starters", role: "group", "aria-label": s.starters, hidden: "" });
    ui.panel = el("section", { class: "panel", part: "panel", "aria-labelledby": "chatkit-title", hidden: "" }, [
      el("header", { part: "header" }, [ui.title, el("span", { class: "header-actions" }, [ui.newChat, ui.close])]),
      el("div", { class: "log-box" }, [ui.log, ui.more]),
      ui.starters, ui.live, ui.cooldown, ui.chip, ui.form, ui.bar, ui.lists,
    ]);
    this.shadow.append(el("div", { class: "dock", lang: s.lang, dir: s.dir }, [ui.panel, ui.launcher]));
    this.scroller = new LogScroller(ui.log, ui.more, { table: s.table, code: s.code });
    // Whatever fills or empties the log (a question, the history, a new or
    // saved chat) decides whether the starters show.
    new MutationObserver(() => this.showStarters()).observe(ui.log, { childList: true });
    if (this.getAttribute("position") === "inline") this.toggle(true);

    ui.launcher.addEventListener("click", () => this.toggle(ui.panel.hidden));
    ui.close.addEventListener("click", () => this.toggle(false));
    ui.newChat.addEventListener("click", () => this.newConversation());
    ui.chipRemove.addEventListener("click", () => {
      this.selection.clear();
      ui.input.focus();
    });
    ui.form.addEventListener("submit", (e) => {
      e.preventDefault();
      this.send();
    });
    ui.input.addEventListener("keydown", (e) => {
      if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
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
    if (this.selection) this.showSelection(this.selection.text);
  }

  toggle(open) {
    this.ui.panel.hidden = !open;
    this.ui.launcher.setAttribute("aria-expanded", String(open));
    this.ui.launcher.setAttribute("aria-label", open ? this.strings.close : this.strings.open);
    this.toggleAttribute("open", open);
    this.fitViewport();
    if (open) {
      this.ui.input.focus({ preventScroll: true });
      this.scroller.follow(true);
    } else this.ui.launcher.focus({ preventScroll: true });
  }

  // Phones: the panel is a full-screen sheet sized to the visual viewport,
  // so the input stays above the on-screen keyboard.
  fitViewport() {
    const panel = this.ui?.panel;
    if (!panel) return;
    const sheet = matchMedia(MOBILE).matches && !panel.hidden && globalThis.visualViewport;
    panel.style.height = sheet ? `${visualViewport.height}px` : "";
    panel.style.top = sheet ? `${visualViewport.offsetTop}px` : "";
  }

  addMessage(role, text) {
    const bubble = el("div", { class: `msg ${role}`, part: `message ${role}` });
    if (text !== undefined) bubble.textContent = text;
    this.ui.log.append(bubble);
    this.scroller.follow();
    return bubble;
  }

  announce(text) {
    this.ui.live.textContent = text;
  }

  setBusy(busy) {
    const stopHadFocus = this.shadow.activeElement === this.ui.stop;
    this.ui.send.hidden = Boolean(busy);
    this.ui.stop.hidden = !busy;
    this.ui.send.disabled = Boolean(busy) || Boolean(this.cooldownTimer);
    if (stopHadFocus && !busy) this.ui.input.focus({ preventScroll: true });
  }

  showSelection(text) {
    this.ui.chip.hidden = !text;
    const short = text.length > 90 ? `${text.slice(0, 90)}…` : text;
    this.ui.chipText.textContent = text ? format(this.strings.askingAbout, { text: short }) : "";
  }

  newConversation() {
    // An answer on its way belongs to the conversation being left: it is
    // stopped (on the server too), and the new one starts at once.
    if (this.busy) {
      const { controller, messageId } = this.busy;
      if (messageId) this.api.cancel(messageId);
      controller.abort();
    }
    this.conversation = crypto.randomUUID();
    this.messages = [];
    this.asked = 0;
    this.failed = [];
    this.ui.log.replaceChildren();
    this.announce(this.strings.newConversation);
    this.ui.input.focus();
  }

  // --- one conversation across pages, reloads and tabs -----------------------
  async restore() {
    if (!this.api.token() || this.busy) return;
    const mine = ++this.restoring;
    const signedIn = Boolean(this.api.session);
    let history;
    try {
      history = await this.api.history();
    } catch (err) {
      // A dead anonymous token is replaced at the next question, silently; a
      // signed-in reader is told, once, that signing in brings it back.
      if (signedIn && err.status === 401) {
        this.api.forget("session");
        this.account.renderBar();
        this.addMessage("notice", this.strings.sessionEndedIdle);
      }
      return;
    }
    if (!this.busy && mine === this.restoring) this.showHistory(history);
  }

  // The stored conversation, then what this page holds that the server does
  // not: notices, and questions that could not be sent (with their Retry).
  showHistory(history) {
    const log = this.ui.log;
    const notices = [...log.querySelectorAll(".msg.notice")];
    log.replaceChildren();
    this.messages = [];
    if (history.conversation_id) this.conversation = history.conversation_id;
    let streaming = null;
    for (const m of history.messages) {
      if (m.role === "user") {
        this.addMessage("user", m.content);
        this.messages.push({ role: "user", content: m.content });
      } else if (m.status === "streaming") {
        streaming = m.message_id;
      } else {
        this.finishBubble(this.addMessage("assistant"), m.content, m.sources ?? [], m.status, m.message_id);
        this.messages.push({ role: "assistant", content: m.content, sources: m.sources ?? [] });
      }
    }
    this.asked = this.messages.filter((m) => m.role === "user").length;
    log.append(...notices);
    for (const { turn, row } of this.failed) log.append(turn.bubble, row);
    this.scroller.follow(true);
    if (streaming) this.resumeAnswer(streaming);
  }

  async resumeAnswer(messageId) {
    this.api.track("stream_resumed", { reload: true });
    try {
      const r = await this.play((signal, onResume) => this.api.resume(messageId, { signal, onResume }));
      this.messages.push({ role: "assistant", content: r.text, sources: r.sources });
    } catch (err) {
      this.showError(err);
    }
  }

  // Another tab of this site signed in or out, or finished an answer.
  onStorage(e) {
    if (e.key === this.api.key) {
      this.account.renderBar();
      this.account.scheduleRefresh();
      this.restore();
    } else if (e.key === this.api.turnKey && !this.busy) {
      this.restore();
    }
  }

  // --- asking -------------------------------------------------------------
  // `text`: a starter's question; otherwise the input's, which is emptied.
  async send(text) {
    const question = (text ?? this.ui.input.value).trim();
    if (!question || this.busy || this.cooldownTimer) return;
    if (text === undefined) this.ui.input.value = "";
    const selected = this.selection.text;
    this.selection.clear();
    const turn = { question, selected, bubble: this.addMessage("user", question), renewed: false };
    this.scroller.follow(true);
    this.api.track("chat_message", { length: question.length, mode: selected ? "chat" : "browse" });
    await this.ask(turn);
  }

  async ask(turn) {
    const body = {
      message: turn.question,
      context: { mode: turn.selected ? "chat" : "browse", selected_text: turn.selected || null, page_url: location.pathname, session_id: this.conversation },
    };
    const signedIn = Boolean(this.api.session);
    try {
      await this.api.ensureToken();
      const conversation = this.conversation;
      const r = await this.play((signal, onResume) => this.api.ask(body, { signal, onResume }));
      if (this.conversation !== conversation) return; // New chat was pressed meanwhile
      this.messages.push({ role: "user", content: turn.question }, { role: "assistant", content: r.text, sources: r.sources });
      this.api.noteTurn();
      if (++this.asked === SIGNUP_PROMPT_AFTER) this.account.softPrompt();
    } catch (err) {
      this.questionFailed(turn, err, signedIn);
    }
  }

  // Streams one answer into a new bubble; resolves {text, sources} when it
  // ends (also when stopped), rejects when it fails.
  async play(open) {
    const bubble = this.addMessage("assistant");
    bubble.setAttribute("aria-busy", "true");
    bubble.textContent = this.strings.thinking;
    this.announce(this.strings.answering);
    const controller = new AbortController();
    this.busy = { controller, messageId: null };
    this.setBusy(true);
    let text = "";
    let sources = [];
    let cancelled = false;
    let frame = 0;
    let messageId = null;
    const paint = () => {
      frame = 0;
      bubble.replaceChildren(renderMarkdown(text, sources, document, { source: this.strings.source }));
      this.scroller.follow();
    };
    const onResume = () => {
      this.announce(this.strings.reconnecting);
      this.api.track("stream_resumed", {});
    };
    try {
      for await (const e of open(controller.signal, onResume)) {
        if (e.id && !this.busy.messageId) this.busy.messageId = messageId = e.id.split(":")[0];
        if (e.event === "sources") sources = e.data.sources ?? [];
        else if (e.event === "token") {
          text += e.data.content;
          // Fast streams: one DOM update per animation frame, not per token.
          frame ||= requestAnimationFrame(paint);
        } else if (e.event === "error") throw new ChatKitError(e.data.error.code, e.data.error.message);
        else if (e.event === "done" && e.data.cancelled) cancelled = true;
      }
      cancelled ||= controller.signal.aborted;
    } catch (err) {
      if (!controller.signal.aborted) {
        cancelAnimationFrame(frame);
        if (text) this.finishBubble(bubble, text, sources, "failed");
        else bubble.remove();
        throw err;
      }
      cancelled = true;
    } finally {
      bubble.removeAttribute("aria-busy");
      this.busy = null;
      this.setBusy(false);
    }
    cancelAnimationFrame(frame);
    if (!bubble.isConnected) return { text, sources }; // its conversation was left
    this.finishBubble(bubble, text, sources, cancelled ? "cancelled" : "complete", messageId);
    // One announcement per answer, as plain text.
    this.announce(`${plainText(text)}${cancelled ? ` ${this.strings.stopped}` : ""}`);
    if (this.relabel) queueMicrotask(() => this.redraw());
    return { text, sources };
  }

  // An answer as it stays in the log: rendered, its sources, how it ended,
  // a copy action, and (when it ended whole) the reader's rating.
  finishBubble(bubble, text, sources, status, messageId) {
    bubble.replaceChildren(renderMarkdown(text, sources, document, { source: this.strings.source }));
    if (status === "cancelled") bubble.append(el("p", { class: "status" }, [this.strings.stopped]));
    if (status === "failed") bubble.append(el("p", { class: "status" }, [this.strings.incomplete]));
    if (sources.length) bubble.append(this.sourceChips(sources));
    if (text) {
      const copy = el("button", { type: "button", class: "copy-answer", part: "copy-answer" }, [this.strings.copyAnswer]);
      copy.addEventListener("click", async () => {
        await navigator.clipboard?.writeText(text).catch(() => {});
        copy.textContent = this.strings.copied;
        setTimeout(() => (copy.textContent = this.strings.copyAnswer), 1500);
      });
      bubble.append(copy);
    }
    // Beside the answer, not in it: the answer's text stays the answer's.
    if (text && messageId && status === "complete") bubble.after(feedbackRow(messageId, this.api, this.strings));
    this.scroller.follow();
  }

  questionFailed(turn, err, signedIn) {
    const code = err instanceof ChatKitError ? err.code : "NETWORK";
    const s = this.strings;
    if (DEAD_TOKEN.has(code) || err.status === 401) {
      if (!signedIn && !turn.renewed) {
        // The server forgot this visitor (restart, expiry): start a new
        // anonymous session and ask again, once, without bothering them.
        this.api.forget("anon");
        turn.renewed = true;
        return this.ask(turn);
      }
      if (signedIn) {
        this.api.forget("session");
        this.account.renderBar();
        turn.bubble.remove();
        this.ui.input.value ||= turn.question;
        this.addMessage("notice", s.sessionEnded);
        return this.account.openModal(this.ui.input);
      }
    }
    if (code === "RATE_LIMIT_EXCEEDED") {
      turn.bubble.remove();
      this.ui.input.value ||= turn.question;
      return this.startCooldown(err.retryAfter || 60);
    }
    if (!RETRYABLE.has(code)) {
      turn.bubble.remove();
      this.ui.input.value ||= turn.question;
      return this.showError(err);
    }
    const offline = navigator.onLine === false;
    const retry = el("button", { type: "button", class: "secondary" }, [s.retry]);
    const row = el("div", { class: "msg error", part: "message error", role: "alert" });
    row.append(offline ? s.offline : s.errors[code] ?? s.errors.INTERNAL_ERROR, " ", retry);
    turn.bubble.after(row);
    this.scroller.follow();
    const failure = { turn, row };
    this.failed.push(failure);
    retry.addEventListener("click", () => this.retry(failure));
  }

  // Asks a failed question again, where it stands in the log.
  async retry(failure) {
    if (this.busy || this.cooldownTimer || !this.failed.includes(failure)) return;
    failure.row.remove();
    this.failed = this.failed.filter((f) => f !== failure);
    // Its answer comes next in the log, after whatever was said meanwhile.
    this.ui.log.append(failure.turn.bubble);
    this.api.track("question_retried", {});
    await this.ask(failure.turn);
  }

  // Back online: every question that could not be sent, in the order asked.
  async retryAll() {
    for (const failure of [...this.failed]) await this.retry(failure);
  }

  stop() {
    if (!this.busy) return;
    const { controller, messageId } = this.busy;
    this.api.track("answer_stopped", {});
    if (messageId) this.api.cancel(messageId);
    // The cancel makes the server end the stream with done/cancelled; abort
    // shortly after in case the connection is gone.
    setTimeout(() => controller.abort(), messageId ? 1500 : 0);
  }

  sourceChips(sources, numbered = true) {
    return sourceChips(sources, this.strings.sources, numbered);
  }

  showError(err) {
    const code = err instanceof ChatKitError ? err.code : "NETWORK";
    if (code === "RATE_LIMIT_EXCEEDED") return this.startCooldown(err.retryAfter || 60);
    if (code === "SESSION_EXPIRED") this.account.renderBar();
    const message = this.strings.errors[code] ?? this.strings.errors.INTERNAL_ERROR;
    this.addMessage("error", message).setAttribute("role", "alert");
  }

  // 429: sending is disabled, with a countdown, until Retry-After passes.
  // Announced when it starts and when it ends, not every second.
  startCooldown(seconds) {
    let left = Math.ceil(seconds);
    const tick = () => {
      if (left <= 0) {
        clearInterval(this.cooldownTimer);
        this.cooldownTimer = null;
        this.ui.cooldown.hidden = true;
        this.setBusy(false);
        this.announce(this.strings.cooldownOver);
        return;
      }
      this.ui.cooldown.textContent = format(this.strings.cooldown, { s: left });
      left -= 1;
    };
    clearInterval(this.cooldownTimer);
    this.ui.cooldown.hidden = false;
    this.cooldownTimer = setInterval(tick, 1000);
    tick();
    this.announce(this.ui.cooldown.textContent);
    this.setBusy(false);
  }
}

if (!customElements.get("chatkit-widget")) customElements.define("chatkit-widget", ChatKitWidget);
