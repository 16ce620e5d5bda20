// The message list follows new text only while the reader is at its bottom.
// A reader who scrolled up to read stays where they are and gets a "new text"
// button instead. Only the list scrolls, never the host page. Tables and
// code blocks wider than the list scroll sideways; those that do are named
// tab stops (axe: scrollable-region-focusable) so a keyboard reader can
// scroll them, and those that fit stay out of the tab order. `onWide` is
// told about each block as it is measured (the expand control).
const BOTTOM_SLACK_PX = 24;

export class LogScroller {
  // `labels`: {table, code}, the names of wide blocks.
  constructor(log, button, labels, onWide = () => {}) {
    this.log = log;
    this.button = button;
    this.labels = labels;
    this.onWide = onWide;
    this.pinned = true;
    this.frame = 0;
    this.ownTop = -1; // where our own last scroll put the log
    log.addEventListener("scroll", () => {
      // Our own scroll reports itself a frame later, when new text may have
      // grown the log already: only a move the reader made unpins.
      if (Math.abs(this.log.scrollTop - this.ownTop) < 2) return;
      this.pinned = this.atBottom();
      if (this.pinned) this.button.hidden = true;
    }, { passive: true });
    button.addEventListener("click", () => this.follow(true));
    // Which blocks are wide changes with the list's width: the panel opens,
    // a phone turns.
    new ResizeObserver(() => this.markWide()).observe(log);
  }

  atBottom() {
    const { scrollHeight, scrollTop, clientHeight } = this.log;
    return scrollHeight - scrollTop - clientHeight <= BOTTOM_SLACK_PX;
  }

  // After layout, so chips, notices and images added in the same task count.
  // `force`: the reader acted (sent a question, clicked the button).
  follow(force = false) {
    if (force) this.pinned = true;
    cancelAnimationFrame(this.frame);
    this.frame = requestAnimationFrame(() => {
      this.markWide();
      if (this.pinned) {
        this.log.scrollTop = this.log.scrollHeight;
        this.ownTop = this.log.scrollTop;
        this.button.hidden = true;
      } else if (this.log.scrollHeight > this.log.clientHeight) {
        this.button.hidden = false;
      }
    });
  }

  // Something grew above the end of the log (a link under an earlier
  // answer): a log at its bottom stays there, and a reader scrolled up is
  // not told of new text, as there is none.
  settle() {
    if (this.pinned) this.follow();
  }

  markWide() {
    for (const box of this.log.querySelectorAll(".table, pre")) {
      const wide = box.scrollWidth > box.clientWidth;
      this.onWide(box, wide);
      if (wide) {
        box.tabIndex = 0;
        box.setAttribute("role", "region");
        box.setAttribute("aria-label", box.matches("pre") ? this.labels.code : this.labels.table);
      } else {
        for (const name of ["tabindex", "role", "aria-label"]) box.removeAttribute(name);
      }
    }
  }
}
