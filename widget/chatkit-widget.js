// <chatkit-widget api-base="https://chat.example.com" title="Ask the docs"
//                 theme="light|dark|auto" position="bottom-right|bottom-left|side|inline"
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
import { Support } from "./chatkit-support.js";
import { Recovery } from "./chatkit-recovery.js";
import { TurnNotes } from "./chatkit-turn-notes.js";
import { Expander } from "./chatkit-expand.js";
import { ConversationSync } from "./chatkit-sync.js";
import { starterButtons } from "./chatkit-starters.js";
import { isOpenHotkey } from "./chatkit-hotkey.js";
import { answerContent, questionContent, reconnectingNote, shortPassage } from "./chatkit-bubbles.js";

const SIGNUP_PROMPT_AFTER = 3;
const MOBILE = "(max-width: 600px)";

export class ChatKitWidget extends HTMLElement {
  static observedAttributes = ["title", "accent", "theme", "position", "starters"];

  constructor() {
    super();
    this.shadow = this.attachShadow({ mode: "open" });
    this.strings = englishStrings;
    this.messages = []; // {role, content, sources?} of this conversation, for saving
    this.asked = 0;
    // The answer being written: {controller, turn}. A turn is {question,
    // selected, bubble, answer, answerId, renewed}, its answer's bubble and
    // id once known.
    this.busy = null;
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
    this.sync.restore();
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
      this.recovery = new Recovery(this);
      this.notes = new TurnNotes(this.api);
      this.sync = new ConversationSync(this);
      this.support = new Support(this);
      this.conversation = crypto.randomUUID();
      this.render();
      this.selection = new SelectionWatcher(this, (text) => this.showSelection(text));
      this.account.start();
      this.api.track("widget_loaded", { page: location.pathname });
    } else {
      this.selection.connect();
    }
    this.sync.restore();
    // Page-wide listeners live only while the element is in the page (a
    // single-page docs site mounts and unmounts it).
    this.listeners = new AbortController();
    const signal = this.listeners.signal;
    addEventListener("online", () => {
      this.sync.online();
      this.recovery.retryAll();
    }, { signal });
    addEventListener("storage", (e) => this.sync.onStorage(e), { signal });
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
  // Ctrl+K itself (its own search) has marked it handled by then. A dialog
  // of the widget keeps focus while it is open.
  onHotkey(e) {
    if (e.defaultPrevented || this.getAttribute("hotkey") === "off" || this.account.modalOpen || this.expander.dialog) return;
    if (!isOpenHotkey(e)) return;
    e.preventDefault();
    if (this.ui.panel.hidden) this.toggle(true);
    else this.ui.input.focus();
  }

  // One click asks the starter; the button disappears with it, so focus
  // goes to the input rather than being lost.
  showStarters() {
    const empty = !this.ui.log.querySelector(".msg.user, .msg.assistant");
    const buttons = empty ? starterButtons(this.getAttribute("starters"), (q) => {
      this.ui.input.focus();
      this.send(q);
    }) : [];
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
    const dock = el("div", { class: "dock", lang: s.lang, dir: s.dir }, [ui.panel, ui.launcher]);
    this.shadow.append(dock);
    this.expander = new Expander(dock, s, ui.log);
    this.scroller = new LogScroller(ui.log, ui.more, { table: s.table, code: s.code }, (box, wide) => this.expander.mark(box, wide));
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
    // Not "Close chat": that is the header's ×, and a list of buttons would
    // show two (on a phone and at the side the launcher is hidden anyway).
    this.ui.launcher.setAttribute("aria-label", open ? this.strings.hide : this.strings.open);
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

  // Whose message it is, for screen readers: sighted readers tell by side and colour.
  addMessage(role, text) {
    const who = { user: this.strings.youAsked, assistant: this.strings.answerLabel }[role];
    const bubble = el("div", { class: `msg ${role}`, part: `message ${role}`, ...(who && { role: "group", "aria-label": who }) });
    if (text !== undefined) bubble.textContent = text;
    this.ui.log.append(bubble);
    this.scroller.follow();
    return bubble;
  }

  addQuestion(question, passage) {
    const bubble = this.addMessage("user");
    bubble.append(...questionContent(question, passage, this.strings));
    return bubble;
  }

  announce(text) {
    this.ui.live.textContent = text;
  }

  setBusy(busy) {
    const stopHadFocus = this.shadow.activeElement === this.ui.stop;
    this.ui.send.hidden = Boolean(busy);
    this.ui.stop.hidden = !busy;
    this.ui.send.disabled = Boolean(busy) || Boolean(this.recovery.cooldownTimer);
    if (stopHadFocus && !busy) this.ui.input.focus({ preventScroll: true });
  }

  showSelection(text) {
    this.ui.chip.hidden = !text;
    this.ui.chipText.textContent = text ? format(this.strings.askingAbout, { text: shortPassage(text) }) : "";
  }

  newConversation() {
    // An answer on its way belongs to the conversation being left: it is
    // stopped (on the server too), and the new one starts at once.
    if (this.busy) {
      const { controller, turn } = this.busy;
      if (turn.answerId) this.api.cancel(turn.answerId);
      controller.abort();
    }
    this.clearConversation();
    this.announce(this.strings.newConversation);
    this.ui.input.focus();
  }

  clearConversation() {
    this.conversation = crypto.randomUUID();
    this.messages = [];
    this.asked = 0;
    this.recovery.failed = [];
    this.sync.drop();
    this.ui.log.replaceChildren();
  }

  // Log out, in this tab or another: the conversation leaves every screen
  // with the reader. The server forgot the session; no cancel is sent.
  signedOut() {
    this.busy?.controller.abort();
    this.notes.clear();
    this.clearConversation();
    this.account.renderBar();
    this.addMessage("notice", this.strings.loggedOut);
    this.announce(this.strings.loggedOut);
  }

  // --- asking -------------------------------------------------------------
  // `text`: a starter's question; otherwise the input's, which is emptied.
  async send(text) {
    const question = (text ?? this.ui.input.value).trim();
    if (!question || this.busy || this.recovery.cooldownTimer) return;
    if (text === undefined) this.ui.input.value = "";
    const selected = this.selection.text;
    this.selection.clear();
    const turn = { question, selected, bubble: this.addQuestion(question, selected), answer: null, answerId: null, renewed: false };
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
      const r = await this.play((signal, onResume) => this.api.ask(body, { signal, onResume }), turn);
      if (this.conversation !== conversation) return; // New chat was pressed meanwhile
      this.messages.push({ role: "user", content: turn.question }, { role: "assistant", content: r.text, sources: r.sources });
      this.api.noteTurn(turn.answerId ?? undefined);
      if (++this.asked === SIGNUP_PROMPT_AFTER) this.account.softPrompt();
    } catch (err) {
      this.recovery.questionFailed(turn, err, signedIn);
    }
  }

  // Streams one answer into the turn's answer bubble (a new one at the end
  // of the log unless it has one); resolves {text, sources} when it ends
  // (also when stopped), rejects when it fails.
  async play(open, turn) {
    const bubble = (turn.answer ??= this.addMessage("assistant"));
    bubble.setAttribute("aria-busy", "true");
    bubble.textContent = this.strings.thinking;
    this.announce(this.strings.answering);
    const controller = new AbortController();
    this.busy = { controller, turn };
    this.setBusy(true);
    let text = "";
    let sources = [];
    let cancelled = false;
    let frame = 0;
    let lost = null; // the visible note while the stream is being resumed
    const paint = () => {
      frame = 0;
      bubble.replaceChildren(renderMarkdown(text, sources, document, { source: this.strings.source }), ...(lost ? [lost] : []));
      this.scroller.follow();
    };
    const onResume = () => {
      if (!lost) bubble.append((lost = reconnectingNote(this.strings)));
      this.scroller.follow();
      this.announce(this.strings.reconnecting);
      this.api.track("stream_resumed", {});
    };
    try {
      for await (const e of open(controller.signal, onResume)) {
        lost?.remove();
        lost = null;
        if (e.id && !turn.answerId) this.answerKnown(turn, e.id.split(":")[0]);
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
        else {
          bubble.remove();
          turn.answer = null;
        }
        throw err;
      }
      cancelled = true;
    } finally {
      bubble.removeAttribute("aria-busy");
      this.busy = null;
      this.setBusy(false);
      this.sync.answerEnded();
    }
    cancelAnimationFrame(frame);
    if (!bubble.isConnected) return { text, sources }; // its conversation was left
    this.finishBubble(bubble, text, sources, cancelled ? "cancelled" : "complete", { messageId: turn.answerId, question: turn.question, conversation: this.conversation });
    // One announcement per answer, as plain text.
    this.announce(`${plainText(text)}${cancelled ? ` ${this.strings.stopped}` : ""}`);
    if (this.relabel) queueMicrotask(() => this.redraw());
    return { text, sources };
  }

  // The answer's id arrives with its first event: from then on Stop can
  // cancel it, and the passage its question asked about is noted for the
  // history.
  answerKnown(turn, id) {
    turn.answerId = id;
    if (turn.selected) this.notes.note(id, { passage: turn.selected });
  }

  // An answer as it stays in the log (live, restored after a reload, or in
  // a saved chat) and, when it ended whole, beside it (not in it: the
  // answer's text stays the answer's) the reader's rating when it has an id
  // to rate (a saved chat's answers have none). A refusal (an answer
  // without sources) and a 👎 offer "Ask a person" about `question`, handing
  // over `conversation`: null for a saved chat, a snapshot of no
  // conversation the server could share.
  finishBubble(bubble, text, sources, status, { messageId = null, question = "", conversation = null } = {}) {
    bubble.replaceChildren(...answerContent(text, sources, status, this.strings));
    if (text && status === "complete") {
      const handOff = { question, conversation };
      const row = messageId ? feedbackRow(messageId, this.api, this.strings, () => this.support.offer(row, "thumbs_down", handOff)) : null;
      if (row) bubble.after(row);
      if (!sources.length) this.support.offer(row ?? bubble, "refusal", handOff);
    }
    this.scroller.follow();
  }

  stop() {
    if (!this.busy) return;
    const { controller, turn } = this.busy;
    this.api.track("answer_stopped", {});
    if (turn.answerId) this.api.cancel(turn.answerId);
    // The cancel makes the server end the stream with done/cancelled; abort
    // shortly after in case the connection is gone.
    setTimeout(() => controller.abort(), turn.answerId ? 1500 : 0);
  }

  sourceChips(sources, numbered = true) {
    return sourceChips(sources, this.strings.sources, numbered);
  }

  showError(err) {
    this.recovery.showError(err);
  }
}

if (!customElements.get("chatkit-widget")) customElements.define("chatkit-widget", ChatKitWidget);
