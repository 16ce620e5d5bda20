// What the log's bubbles hold: a question with the passage it asked about,
// an answer as it stays once it has ended, and the note an answer carries
// while its stream is being resumed.
import { renderMarkdown, sourceChips } from "./chatkit-markdown.js";
import { el } from "./chatkit-dom.js";
import { format } from "./chatkit-strings.js";

const PASSAGE_SHOWN = 90;

export const shortPassage = (text) => (text.length > PASSAGE_SHOWN ? `${text.slice(0, PASSAGE_SHOWN)}…` : text);

// The passage above the question, so a reader scrolling back sees what
// "what does this mean?" was about.
export function questionContent(question, passage, s) {
  if (!passage) return [question];
  return [el("span", { class: "passage", part: "passage" }, [format(s.askedAbout, { text: shortPassage(passage) })]), question];
}

// Rendered, how it ended, its sources and a copy action.
export function answerContent(text, sources, status, s) {
  const nodes = [renderMarkdown(text, sources, document, { source: s.source })];
  if (status === "cancelled") nodes.push(el("p", { class: "status" }, [s.stopped]));
  if (status === "failed") nodes.push(el("p", { class: "status" }, [s.incomplete]));
  if (sources.length) nodes.push(sourceChips(sources, s.sources, true));
  if (text) {
    const copy = el("button", { type: "button", class: "copy-answer", part: "copy-answer" }, [s.copyAnswer]);
    copy.addEventListener("click", async () => {
      await navigator.clipboard?.writeText(text).catch(() => {});
      copy.textContent = s.copied;
      setTimeout(() => (copy.textContent = s.copyAnswer), 1500);
    });
    nodes.push(copy);
  }
  return nodes;
}

// Seen, not only heard: without it a dropped stream looks like an answer
// that froze.
export function reconnectingNote(s) {
  return el("p", { class: "status reconnecting", part: "connection" }, [s.reconnecting]);
}
