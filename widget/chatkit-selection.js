// The page passage a reader asks about. Focus moving into the widget (the
// launcher, the input) collapses the page selection, so it is captured
// before: on every selectionchange and on pointerdown inside the widget. A
// collapse caused by the widget keeps the passage; a click elsewhere on the
// page drops it. Text selected inside the widget (its input, an answer, its
// title) is never a passage: only the host page's text is.
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
    if (text && !this.touchesWidget(selection)) return this.set(text.slice(0, MAX_CHARS));
    if (text || fromWidget) return;
    const widgetHasFocus = document.activeElement === this.host;
    if (!widgetHasFocus && Date.now() - this.ownClickAt > OWN_CLICK_MS) this.set("");
  }

  // document.getSelection() reports a selection inside a shadow root at the
  // host's place in the page (Chromium: the body and the host's index), so
  // where it really starts and ends is asked of getComposedRanges, which may
  // look into our root. Where that is missing (or takes another signature,
  // Safari 17) the anchor and focus are all there is to go on.
  touchesWidget(selection) {
    const root = this.host.shadowRoot;
    let ranges = null;
    try {
      ranges = selection.getComposedRanges?.({ shadowRoots: [root] });
    } catch {
      /* the older signature: anchor and focus below */
    }
    const ours = (node) => node && (this.host.contains(node) || root.contains(node));
    if (!ranges) return [selection.anchorNode, selection.focusNode].some(ours);
    // A triple-click on the page's paragraph just before the widget ends the
    // range at the start of the widget's first block: a boundary inside our
    // root counts only when some of our text lies on the selected side of it.
    const selectsOurText = (node, offset, start) => {
      if (!root.contains(node)) return ours(node);
      const part = document.createRange();
      part.setStart(...(start ? [node, offset] : [root, 0]));
      part.setEnd(...(start ? [root, root.childNodes.length] : [node, offset]));
      return part.toString().trim() !== "";
    };
    return ranges.some((r) => selectsOurText(r.startContainer, r.startOffset, true) || selectsOurText(r.endContainer, r.endOffset, false));
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
