// The `starters` attribute's questions (a JSON array of strings) as buttons
// while the conversation is empty. A value that is not such an array shows
// none; entries that are not strings are skipped.
import { el } from "./chatkit-dom.js";

export function starterButtons(attribute, onAsk) {
  let questions = [];
  try {
    questions = JSON.parse(attribute ?? "[]");
  } catch {
    /* not JSON: no starters */
  }
  return (Array.isArray(questions) ? questions : [])
    .filter((q) => typeof q === "string" && q.trim())
    .map((q) => {
      const button = el("button", { type: "button", class: "starter", part: "starter" }, [q]);
      button.addEventListener("click", () => onAsk(q));
      return button;
    });
}
