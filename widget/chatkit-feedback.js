// A reader's rating of an answer that ended whole (API.md, Feedback): 👍 or
// 👎, and for 👎 an optional reason and comment. A later rating replaces one.
// `onDown` is told of a 👎 (the widget then offers "Ask a person").
import { el } from "./chatkit-dom.js";

export function feedbackRow(messageId, api, s, onDown) {
  const up = el("button", { type: "button", class: "rate", "aria-pressed": "false", "aria-label": s.helpful }, ["👍"]);
  const down = el("button", { type: "button", class: "rate", "aria-pressed": "false", "aria-label": s.notHelpful }, ["👎"]);
  const status = el("span", { class: "feedback-status", role: "status" });
  const reasons = [
    ["incorrect", s.reasonIncorrect],
    ["incomplete", s.reasonIncomplete],
    ["not_what_i_asked", s.reasonNotWhatIAsked],
    ["other", s.reasonOther],
  ];
  const reason = el("select", { "aria-label": s.feedbackReason }, [
    el("option", { value: "" }, [s.feedbackReason]),
    ...reasons.map(([value, label]) => el("option", { value }, [label])),
  ]);
  const comment = el("textarea", { rows: "2", maxlength: "500", "aria-label": s.feedbackComment, placeholder: s.feedbackComment });
  const submit = el("button", { type: "button", class: "secondary feedback-send" }, [s.feedbackSend]);
  const form = el("div", { class: "feedback-form" }, [reason, comment, submit]);
  // A 👎 is recorded at once, the reason when sent; the thanks waits for
  // the reason, or the form would still be asking below it.
  const send = async (rating, { why, text, quiet = false } = {}) => {
    up.setAttribute("aria-pressed", String(rating === "up"));
    down.setAttribute("aria-pressed", String(rating === "down"));
    status.textContent = "";
    try {
      await api.rate(messageId, rating, why, text);
      if (!quiet) status.textContent = s.feedbackThanks;
      api.track("answer_rated", { rating });
    } catch {
      status.textContent = s.feedbackFailed;
    }
  };
  const row = el("div", { class: "feedback", part: "feedback", role: "group", "aria-label": s.rateAnswer }, [up, down, status]);
  up.addEventListener("click", () => {
    form.remove();
    send("up");
  });
  down.addEventListener("click", () => {
    row.append(form);
    send("down", { quiet: true });
    reason.focus();
    onDown?.();
  });
  submit.addEventListener("click", () => {
    form.remove();
    send("down", { why: reason.value || undefined, text: comment.value.trim() || undefined });
    down.focus();
  });
  return row;
}
