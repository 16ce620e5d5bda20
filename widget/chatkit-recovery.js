// What <chatkit-widget> does when a question or its answer fails. A failure
// the network or the server caused stays in the log with an error row and
// Retry, where the answer was; the rest put the question back into the
// input and say why. Retry asks once more at the end of the log, where the
// server records the new turn, and the failed attempt leaves this tab and,
// through the turn notes, every tab and reload: the reader asked once.
import { ChatKitError } from "./chatkit-api.js";
import { el } from "./chatkit-dom.js";
import { format } from "./chatkit-strings.js";

// Answers that may be asked again as they are: the server or the network failed.
const RETRYABLE = new Set(["NETWORK", "SERVICE_UNAVAILABLE", "GENERATION_FAILED", "STREAM_IDLE_TIMEOUT", "INTERNAL_ERROR", "HTTP_502", "HTTP_503", "HTTP_504"]);
const DEAD_TOKEN = new Set(["SESSION_EXPIRED", "UNAUTHORIZED", "INVALID_TOKEN", "SESSION_ENDED"]);

const codeOf = (err) => (err instanceof ChatKitError ? err.code : "NETWORK");

export class Recovery {
  constructor(widget) {
    this.w = widget;
    this.failed = []; // {turn, row}: questions waiting for Retry, oldest first
    this.cooldownTimer = null;
  }

  questionFailed(turn, err, signedIn) {
    const w = this.w;
    const code = codeOf(err);
    if (DEAD_TOKEN.has(code) || err.status === 401) {
      if (!signedIn && !turn.renewed) {
        // The server forgot this visitor (restart, expiry): start a new
        // anonymous session and ask again, once, without bothering them.
        w.api.forget("anon");
        turn.renewed = true;
        return w.ask(turn);
      }
      if (signedIn) {
        w.api.forget("session");
        w.account.renderBar();
        this.takeBack(turn);
        w.addMessage("notice", w.strings.sessionEnded);
        return w.account.openModal(w.ui.input);
      }
    }
    if (code === "RATE_LIMIT_EXCEEDED") {
      this.takeBack(turn);
      return this.startCooldown(err.retryAfter || 60);
    }
    if (!RETRYABLE.has(code)) {
      this.takeBack(turn);
      return this.showError(err);
    }
    this.offerRetry(turn, err);
  }

  // The question leaves the log for the input, unless the reader has typed
  // something else there meanwhile.
  takeBack(turn) {
    turn.bubble.remove();
    turn.answer?.remove();
    this.w.ui.input.value ||= turn.question;
  }

  // The error row goes where the answer was: after what arrived of it, or
  // after the question when nothing did.
  offerRetry(turn, err) {
    const s = this.w.strings;
    if (!turn.bubble) return this.showError(err); // its question is older than the history
    const retry = el("button", { type: "button", class: "secondary" }, [s.retry]);
    const row = el("div", { class: "msg error", part: "message error", role: "alert" });
    row.append(navigator.onLine === false ? s.offline : s.errors[codeOf(err)] ?? s.errors.INTERNAL_ERROR, " ", retry);
    (turn.answer ?? turn.bubble).after(row);
    this.w.scroller.follow();
    const failure = { turn, row };
    this.failed.push(failure);
    retry.addEventListener("click", () => this.retry(failure));
  }

  async retry(failure) {
    const w = this.w;
    if (w.busy || this.cooldownTimer || !this.failed.includes(failure)) return;
    const { turn, row } = failure;
    // Retry goes with its row: focus moves to the input, as after Stop.
    if (row.contains(w.shadow.activeElement)) w.ui.input.focus({ preventScroll: true });
    row.remove();
    this.failed = this.failed.filter((f) => f !== failure);
    // The server keeps what it had of the failed answer; the history shows
    // it no more.
    if (turn.answerId) w.notes.note(turn.answerId, { replaced: true });
    turn.answer?.remove();
    turn.answer = null;
    turn.answerId = null;
    w.ui.log.append(turn.bubble);
    w.api.track("question_retried", {});
    await w.ask(turn);
  }

  // Back online: every question that could not be sent, in the order asked.
  async retryAll() {
    for (const failure of [...this.failed]) await this.retry(failure);
  }

  showError(err) {
    const w = this.w;
    const code = codeOf(err);
    if (code === "RATE_LIMIT_EXCEEDED") return this.startCooldown(err.retryAfter || 60);
    if (code === "SESSION_EXPIRED") w.account.renderBar();
    w.addMessage("error", w.strings.errors[code] ?? w.strings.errors.INTERNAL_ERROR).setAttribute("role", "alert");
  }

  // 429: sending is disabled, with a countdown, until Retry-After passes.
  // Announced when it starts and when it ends, not every second.
  startCooldown(seconds) {
    const w = this.w;
    let left = Math.ceil(seconds);
    const tick = () => {
      if (left <= 0) {
        clearInterval(this.cooldownTimer);
        this.cooldownTimer = null;
        w.ui.cooldown.hidden = true;
        w.setBusy(false);
        w.announce(w.strings.cooldownOver);
        return;
      }
      w.ui.cooldown.textContent = format(w.strings.cooldown, { s: left });
      left -= 1;
    };
    clearInterval(this.cooldownTimer);
    w.ui.cooldown.hidden = false;
    this.cooldownTimer = setInterval(tick, 1000);
    tick();
    w.announce(w.ui.cooldown.textContent);
    w.setBusy(false);
  }
}
