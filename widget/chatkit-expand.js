// Tables and code blocks wider than the log get an Expand button (part
// `expand`) that shows a copy of them in a dialog as wide as the window
// (part `expanded`), where most fit and the rest scroll both ways. The
// dialog takes focus and keeps it; Escape or Close gives it back.
import { el } from "./chatkit-dom.js";

export class Expander {
  // `host`: where the dialog goes, outside the panel, whose width would
  // bound it. `fallback`: focus after closing when the button is gone (an
  // answer still streaming redraws its blocks).
  constructor(host, strings, fallback) {
    this.host = host;
    this.s = strings;
    this.fallback = fallback;
    this.dialog = null;
  }

  // For each table and code box of the log, whenever its width may have changed.
  mark(box, wide) {
    const before = box.previousElementSibling;
    const button = before?.classList.contains("expand") ? before : null;
    if (!wide) return button?.remove();
    if (button) return;
    const code = box.matches("pre");
    const expand = el("button", { type: "button", class: "expand", part: "expand", "aria-label": code ? this.s.expandCode : this.s.expandTable }, [this.s.expand]);
    expand.addEventListener("click", () => this.open(box, expand));
    box.before(expand);
  }

  open(box, opener) {
    const s = this.s;
    const code = box.matches("pre");
    const copy = (code ? box : box.querySelector("table")).cloneNode(true);
    for (const name of ["tabindex", "role", "aria-label"]) copy.removeAttribute(name);
    const label = code ? s.code : s.table;
    const close = el("button", { type: "button", class: "secondary" }, [s.closeExpanded]);
    // A tab stop of its own, so the arrow keys scroll what is still too wide.
    const body = el("div", { class: "expanded-body", tabindex: "0", role: "region", "aria-label": label }, [copy]);
    const dialog = el("div", { class: "expanded", role: "dialog", "aria-modal": "true", "aria-label": label, part: "expanded" }, [
      el("div", { class: "expanded-bar" }, [el("strong", {}, [label]), close]),
      body,
    ]);
    const shut = () => {
      dialog.remove();
      this.dialog = null;
      (opener.isConnected ? opener : this.fallback).focus();
    };
    close.addEventListener("click", shut);
    dialog.addEventListener("keydown", (e) => {
      if (e.key === "Escape") {
        // The panel closes on Escape too: this one is the dialog's.
        e.stopPropagation();
        shut();
      } else if (e.key === "Tab") {
        const stops = [...dialog.querySelectorAll("button, a[href], [tabindex='0']")];
        const active = this.host.getRootNode().activeElement;
        const at = e.shiftKey ? stops[0] : stops[stops.length - 1];
        if (active === at) {
          e.preventDefault();
          (e.shiftKey ? stops[stops.length - 1] : stops[0]).focus();
        }
      }
    });
    this.dialog?.remove();
    this.dialog = dialog;
    this.host.append(dialog);
    close.focus();
  }
}
