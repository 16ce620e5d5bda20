// Identity and signed-in extras of <chatkit-widget>: sign-up by email link,
// the verification link, moving the anonymous conversation into the account,
// token refresh, logout, saved chats and recommendations.
import { ChatKitError } from "./chatkit-api.js";
import { el } from "./chatkit-dom.js";
import { format } from "./chatkit-strings.js";

const VERIFY_KEY = "chatkit_verify";
const REFRESH_MARGIN_MS = 5 * 60 * 1000;
const RESEND_AFTER_S = 60;

export class Account {
  constructor(widget) {
    this.w = widget;
    this.modalOpen = false;
    this.refreshTimer = null;
  }
  get api() {
    return this.w.api;
  }
  get s() {
    return this.w.strings;
  }

  start() {
    this.renderBar();
    this.scheduleRefresh();
    this.consumeVerificationLink();
    // A link opened in a tab that already shows the page only changes the hash.
    addEventListener("hashchange", () => this.consumeVerificationLink());
  }

  // #chatkit_verify=<token> in the page URL: verify, then remove it from the
  // address bar (history.replaceState) so it is not bookmarked or shared.
  async consumeVerificationLink() {
    const hash = new URLSearchParams(location.hash.slice(1));
    const token = hash.get(VERIFY_KEY);
    if (!token) return;
    hash.delete(VERIFY_KEY);
    const rest = hash.toString();
    history.replaceState(history.state, "", location.pathname + location.search + (rest ? `#${rest}` : ""));
    this.w.toggle(true);
    try {
      const r = await this.api.verify(token);
      this.api.track("signup_completed", {});
      this.w.sync.restore();
      this.w.addMessage("notice", format(this.s.signedInAs, { email: r.user_profile.email }));
      this.renderBar();
      this.scheduleRefresh();
      if (this.api.anonymous) this.offerMigration();
    } catch (err) {
      this.w.showError(err);
    }
  }

  offerMigration() {
    const button = el("button", { class: "secondary", type: "button" }, [this.s.migrate]);
    const notice = this.w.addMessage("notice");
    notice.append(this.s.migrateOffer, " ", button);
    button.addEventListener("click", async () => {
      button.disabled = true;
      try {
        const n = await this.api.migrate();
        notice.textContent = format(this.s.migrated, { n });
        this.w.sync.restore();
      } catch (err) {
        notice.remove();
        this.w.showError(err);
      }
    });
  }

  scheduleRefresh() {
    clearTimeout(this.refreshTimer);
    const current = this.api.session ?? this.api.anonymous;
    if (!current?.expires_at) return;
    const wait = Math.max(10_000, Date.parse(current.expires_at) - Date.now() - REFRESH_MARGIN_MS);
    this.refreshTimer = setTimeout(async () => {
      try {
        await this.api.refresh();
      } catch (err) {
        if (err instanceof ChatKitError && err.status === 401) this.renderBar();
      }
      this.scheduleRefresh();
    }, Math.min(wait, 2 ** 31 - 1));
  }

  renderBar() {
    const bar = this.w.ui.bar;
    bar.replaceChildren();
    this.w.ui.lists.replaceChildren();
    const session = this.api.session;
    if (!session) {
      const signup = el("button", { class: "secondary", type: "button", part: "signup" }, [this.s.signup]);
      signup.addEventListener("click", () => this.openModal(signup));
      bar.append(signup);
      return;
    }
    const save = el("button", { class: "secondary", type: "button" }, [this.s.save]);
    const saved = el("button", { class: "secondary", type: "button", "aria-expanded": "false" }, [this.s.savedChats]);
    const recs = el("button", { class: "secondary", type: "button", "aria-expanded": "false" }, [this.s.recommendations]);
    const logout = el("button", { class: "secondary", type: "button" }, [this.s.logout]);
    bar.append(el("span", {}, [format(this.s.signedInAs, { email: session.email })]), save, saved, recs, logout);
    save.addEventListener("click", () => this.saveChat());
    saved.addEventListener("click", () => this.showSaved(saved));
    recs.addEventListener("click", () => this.showRecommendations(recs));
    logout.addEventListener("click", async () => {
      this.api.track("logout", {});
      await this.api.logout().catch(() => {});
      this.w.signedOut();
      this.w.ui.bar.querySelector("button")?.focus();
    });
  }

  // Once per conversation after a few questions, until the reader says "not now".
  softPrompt() {
    if (this.api.session || this.api.storage.getItem(this.promptKey)) return;
    const signup = el("button", { class: "secondary", type: "button" }, [this.s.signup]);
    const dismiss = el("button", { class: "secondary", type: "button" }, [this.s.notNow]);
    const notice = this.w.addMessage("notice");
    notice.append(this.s.signupPrompt, " ", signup, " ", dismiss);
    this.api.track("soft_prompt_shown", {});
    signup.addEventListener("click", () => this.openModal(this.w.ui.input));
    dismiss.addEventListener("click", () => {
      this.api.storage.setItem(this.promptKey, "1");
      this.api.track("soft_prompt_dismissed", {});
      notice.remove();
      this.w.ui.input.focus();
    });
  }
  get promptKey() {
    return `${this.api.key}:prompt-dismissed`;
  }

  // The sign-up dialog: focus moves in, Tab cycles inside, Escape or a click
  // on the backdrop closes, and focus returns to whatever opened it.
  openModal(opener) {
    if (this.modalOpen) return;
    this.modalOpen = true;
    this.api.track("signup_modal_opened", {});
    const s = this.s;
    const email = el("input", { type: "email", id: "chatkit-email", autocomplete: "email", required: "" });
    const consent = el("input", { type: "checkbox", id: "chatkit-consent" });
    const status = el("p", { role: "status" });
    const submit = el("button", { class: "primary", type: "submit" }, [s.sendLink]);
    const resend = el("button", { class: "secondary", type: "button", hidden: "" }, [s.resend]);
    const cancel = el("button", { class: "secondary", type: "button" }, [s.cancel]);
    const form = el("form", { class: "modal-form" }, [
      el("label", { for: "chatkit-email" }, [s.emailLabel]),
      email,
      el("label", {}, [consent, s.consentLabel]),
      status,
      el("div", { class: "actions" }, [cancel, resend, submit]),
    ]);
    const dialog = el("div", { class: "modal", role: "dialog", "aria-modal": "true", "aria-labelledby": "chatkit-signup-title", "aria-describedby": "chatkit-signup-intro", part: "modal" }, [
      el("h3", { id: "chatkit-signup-title" }, [s.signupTitle]),
      el("p", { id: "chatkit-signup-intro", class: "intro" }, [s.signupIntro]),
      form,
    ]);
    const backdrop = el("div", { class: "backdrop" }, [dialog]);
    this.w.ui.panel.append(backdrop);
    let resendTimer = null;
    const close = () => {
      clearInterval(resendTimer);
      backdrop.remove();
      this.modalOpen = false;
      this.api.track("signup_modal_closed", {});
      (opener?.isConnected ? opener : this.w.ui.input).focus();
    };
    const returnUrl = location.href.split("#")[0];
    // Resending is offered after a pause, counting down, as the server limits it.
    const offerResend = () => {
      let left = RESEND_AFTER_S;
      resend.hidden = false;
      resend.disabled = true;
      clearInterval(resendTimer);
      const tick = () => {
        resend.textContent = left > 0 ? format(s.resendIn, { s: left }) : s.resend;
        resend.disabled = left > 0;
        if (left-- <= 0) clearInterval(resendTimer);
      };
      tick();
      resendTimer = setInterval(tick, 1000);
    };
    cancel.addEventListener("click", close);
    backdrop.addEventListener("click", (e) => e.target === backdrop && close());
    backdrop.addEventListener("keydown", (e) => {
      if (e.key === "Escape") {
        e.stopPropagation();
        close();
      } else if (e.key === "Tab") {
        const focusable = [...dialog.querySelectorAll("input, button")].filter((n) => !n.disabled && !n.hidden);
        const first = focusable[0];
        const last = focusable[focusable.length - 1];
        const active = this.w.shadow.activeElement;
        if (e.shiftKey && active === first) {
          e.preventDefault();
          last.focus();
        } else if (!e.shiftKey && active === last) {
          e.preventDefault();
          first.focus();
        }
      }
    });
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      submit.disabled = true;
      try {
        await this.api.signup(email.value.trim(), consent.checked, returnUrl);
        this.api.track("signup_initiated", {});
        status.textContent = s.linkSent;
        this.w.addMessage("notice", s.linkSent);
        offerResend();
        cancel.textContent = s.closeDialog;
        cancel.focus();
      } catch (err) {
        status.textContent = s.errors[err.code] ?? s.errors.INTERNAL_ERROR;
        submit.disabled = false;
      }
    });
    resend.addEventListener("click", async () => {
      try {
        await this.api.resend(email.value.trim(), returnUrl);
        status.textContent = s.linkSentAgain;
        offerResend();
      } catch (err) {
        status.textContent = s.errors[err.code] ?? s.errors.INTERNAL_ERROR;
      }
    });
    email.focus();
  }

  async saveChat() {
    if (!this.w.messages.length) return;
    try {
      await this.api.saveChat(this.w.messages, this.w.messages[0].content.slice(0, 80));
      this.api.track("save_chat", { messages: this.w.messages.length });
      this.w.addMessage("notice", this.s.saved);
    } catch (err) {
      this.w.showError(err);
    }
  }

  // One list at a time under the chat: saved chats or recommendations.
  async togglePanel(toggle, build) {
    const box = this.w.ui.lists;
    if (toggle.getAttribute("aria-expanded") === "true") {
      toggle.setAttribute("aria-expanded", "false");
      box.replaceChildren();
      return;
    }
    try {
      box.replaceChildren(await build());
      toggle.setAttribute("aria-expanded", "true");
    } catch (err) {
      this.w.showError(err);
    }
  }

  showSaved(toggle) {
    return this.togglePanel(toggle, async () => {
      const { chats } = await this.api.listSaved();
      const list = el("ul", {});
      for (const chat of chats) {
        const open = el("button", { class: "secondary", type: "button" }, [this.s.open_]);
        const del = el("button", { class: "secondary", type: "button" }, [this.s.delete]);
        const item = el("li", {}, [el("span", {}, [chat.title]), el("span", {}, [open, del])]);
        open.addEventListener("click", () => this.openSaved(chat.chat_id));
        del.addEventListener("click", async () => {
          await this.api.deleteSaved(chat.chat_id).catch((err) => this.w.showError(err));
          item.remove();
        });
        list.append(item);
      }
      return el("div", { class: "list", part: "saved-chats" }, [el("strong", {}, [this.s.savedChats]), list]);
    });
  }

  async openSaved(id) {
    try {
      const chat = await this.api.getSaved(id);
      this.w.ui.log.replaceChildren();
      this.w.messages = chat.messages.map((m) => ({ role: m.role, content: m.content, sources: m.sources ?? [] }));
      // Each answer with the question it answered, for "Ask a person".
      let question = "";
      for (const m of this.w.messages) {
        if (m.role === "user") this.w.addMessage("user", (question = m.content));
        else {
          this.w.finishBubble(this.w.addMessage("assistant"), m.content, m.sources, "complete", { question });
          question = "";
        }
      }
      this.w.scroller.follow(true);
    } catch (err) {
      this.w.showError(err);
    }
  }

  showRecommendations(toggle) {
    return this.togglePanel(toggle, async () => {
      const r = await this.api.personalize({});
      this.api.track("personalize", {});
      const list = el("ul", {});
      for (const section of r.personalized_content.sections ?? []) list.append(el("li", {}, [this.w.sourceChips([section], false).firstChild]));
      return el("div", { class: "list", part: "recommendations" }, [el("strong", {}, [this.s.recommendations]), list]);
    });
  }
}
