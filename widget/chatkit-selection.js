// The page passage a reader asks about. Focus moving into the widget (the
// launcher, the input) collapses the page selection, so it is captured
// before: on every selectionchange and on pointerdown inside the widget. A
// collapse caused by the widget keeps the passage; a click elsewhere on the
// page drops it.
const MAX_CHARS = 5000;
const OWN_CLICK_MS = 800;

export class SelectionWatcher {
  constructor(host, onChange) {
    this.host = host;
    this.onChange = onChange;
    this.text = "";
    this.ownClickAt = 0;
    this.listener = () => this.capture(false);
    this.connect();
    host.addEventListener("pointerdown", () => {
      this.capture(true);
      this.ownClickAt = Date.now();
    }, true);
  }

  connect() {
    document.addEventListener("selectionchange", this.listener);
  }

  disconnect() {
    document.removeEventListener("selectionchange", this.listener);
  }

  capture(fromWidget) {
    const selection = document.getSelection();
    const text = String(selection ?? "").trim();
    const node = selection?.anchorNode;
    const inside = node && (this.host.contains(node) || this.host.shadowRoot?.contains(node));
    if (text && !inside) return this.set(text.slice(0, MAX_CHARS));
    if (text || fromWidget) return;
    const widgetHasFocus = document.activeElement === this.host;
    if (!widgetHasFocus && Date.now() - this.ownClickAt > OWN_CLICK_MS) this.set("");
  }

  set(text) {
    if (text === this.text) return;
    this.text = text;
    this.onChange(text);
  }

  clear() {
    this.set("");
  }
}
