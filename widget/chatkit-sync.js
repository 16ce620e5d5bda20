// One conversation across pages, reloads and tabs: the log is read back from
// GET /chat/history on load and whenever another tab of the site ends an
// answer, signs in or out. While this tab's own answer is being written the
// log is not replaced; it is read again once that answer has ended, so two
// tabs asking at once end with the same log.
export class ConversationSync {
  constructor(widget) {
    this.w = widget;
    this.restoring = 0; // the latest restore; older ones drop their answer
    this.stale = false; // the history changed while an answer was being written
    this.missed = false; // the last read failed (offline): read again when back online
  }

  async restore() {
    const w = this.w;
    if (!w.api.token()) return;
    if (w.busy) {
      this.stale = true;
      return;
    }
    const mine = ++this.restoring;
    const signedIn = Boolean(w.api.session);
    let history;
    try {
      history = await w.api.history();
      this.missed = false;
    } catch (err) {
      this.missed = true;
      // A dead anonymous token is replaced at the next question, silently; a
      // signed-in reader is told, once, that signing in brings it back.
      if (signedIn && err.status === 401) {
        w.api.forget("session");
        w.account.renderBar();
        w.addMessage("notice", w.strings.sessionEndedIdle);
      }
      return;
    }
    if (mine !== this.restoring) return;
    if (w.busy) this.stale = true;
    else this.show(history);
  }

  // The log was emptied (New chat, Log out): a restore under way would bring
  // back the conversation that was left.
  drop() {
    this.restoring++;
    this.stale = false;
  }

  // Called when an answer of this tab has ended, whole or not.
  answerEnded() {
    if (!this.stale) return;
    this.stale = false;
    queueMicrotask(() => this.restore());
  }

  // What changed while the history could not be read (another tab's answer)
  // shows once the network is back.
  online() {
    if (this.missed) this.restore();
  }

  // Another tab of this site signed in or out, or finished an answer.
  onStorage(e) {
    const w = this.w;
    if (e.key === w.api.key) {
      w.account.renderBar();
      w.account.scheduleRefresh();
      this.restore();
    } else if (e.key === w.api.turnKey) {
      this.restore();
    } else if (e.key === w.api.logoutKey) {
      w.signedOut();
    }
  }

  // The stored conversation, then what this page holds that the server does
  // not: notices, and questions waiting for Retry. An answer still being
  // written is resumed in its place.
  show(history) {
    const w = this.w;
    const notices = [...w.ui.log.querySelectorAll(".msg.notice")];
    w.ui.log.replaceChildren();
    w.messages = [];
    if (history.conversation_id) w.conversation = history.conversation_id;
    const unfinished = [];
    for (const { question, answer } of this.turnsToShow(history.messages)) {
      const turn = { question: question?.content ?? "", selected: "", bubble: null, answer: null, answerId: answer?.message_id ?? null, renewed: false };
      if (question) {
        turn.selected = (answer && w.notes.get(answer.message_id).passage) || "";
        turn.bubble = w.addQuestion(question.content, turn.selected);
        w.messages.push({ role: "user", content: question.content });
      }
      if (answer?.status === "streaming") {
        turn.answer = w.addMessage("assistant");
        unfinished.push(turn);
      } else if (answer) {
        w.finishBubble(w.addMessage("assistant"), answer.content, answer.sources ?? [], answer.status, { messageId: answer.message_id, question: turn.question, conversation: w.conversation });
        w.messages.push({ role: "assistant", content: answer.content, sources: answer.sources ?? [] });
      }
    }
    w.asked = w.messages.filter((m) => m.role === "user").length;
    w.ui.log.append(...notices);
    for (const { turn, row } of w.recovery.failed) w.ui.log.append(...[turn.bubble, turn.answer, row].filter(Boolean));
    w.scroller.follow(true);
    this.resumeAll(unfinished);
  }

  // The history's turns as this tab shows them. A failed answer a Retry
  // replaced is left out with its question, and so is one this tab shows
  // with its Retry. An answer still being written goes last: the server
  // records a turn when it ends, after everything recorded before.
  turnsToShow(messages) {
    const { notes, recovery } = this.w;
    const turns = [];
    for (const m of messages) {
      const last = turns[turns.length - 1];
      if (m.role === "assistant" && last && !last.answer) last.answer = m;
      else turns.push(m.role === "user" ? { question: m, answer: null } : { question: null, answer: m });
    }
    const held = new Set(recovery.failed.map((f) => f.turn.answerId));
    const shown = turns.filter(({ answer }) => !answer || !(held.has(answer.message_id) || notes.get(answer.message_id).replaced));
    const writing = (t) => t.answer?.status === "streaming";
    return [...shown.filter((t) => !writing(t)), ...shown.filter(writing)];
  }

  async resumeAll(turns) {
    for (const turn of turns) if (turn.answer.isConnected && !this.w.busy) await this.resume(turn);
  }

  async resume(turn) {
    const w = this.w;
    w.api.track("stream_resumed", { reload: true });
    try {
      const r = await w.play((signal, onResume) => w.api.resume(turn.answerId, { signal, onResume }), turn);
      w.messages.push({ role: "assistant", content: r.text, sources: r.sources });
      // The tab that asked was reloaded before the answer ended: the other
      // tabs learn of it from here, once. A tab that read the history just
      // before the server recorded the end resumes the answer too; telling
      // again would send the tabs resuming it back and forth.
      if (!w.api.turnNoted(turn.answerId)) w.api.noteTurn(turn.answerId);
    } catch (err) {
      w.recovery.offerRetry(turn, err);
    }
  }
}
