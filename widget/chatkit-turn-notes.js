// What the widget knows about answers that GET /chat/history does not say:
// the page passage their question asked about (the history has the
// question's text only), and that a Retry replaced a failed one (the server
// keeps both attempts; the reader asked once). Keyed by the answer's id,
// which the stream and the history both give, and kept in localStorage so
// that a reload and the site's other tabs show the same conversation.
const KEEP = 50; // the history returns at most 50 messages
const PASSAGE_CHARS = 500; // enough to recognise it; the server had all of it

export class TurnNotes {
  constructor(api) {
    this.api = api;
  }

  get key() {
    return `${this.api.key}:notes`;
  }

  all() {
    try {
      return JSON.parse(this.api.storage.getItem(this.key)) ?? {};
    } catch {
      return {};
    }
  }

  get(answerId) {
    return this.all()[answerId] ?? {};
  }

  // `fields`: {passage} or {replaced: true}.
  note(answerId, fields) {
    const notes = this.all();
    notes[answerId] = { ...notes[answerId], ...fields };
    if (notes[answerId].passage) notes[answerId].passage = notes[answerId].passage.slice(0, PASSAGE_CHARS);
    // Keys keep the order they were added in: the oldest go first.
    const ids = Object.keys(notes);
    for (const id of ids.slice(0, Math.max(0, ids.length - KEEP))) delete notes[id];
    this.api.storage.setItem(this.key, JSON.stringify(notes));
  }

  clear() {
    this.api.storage.removeItem(this.key);
  }
}
