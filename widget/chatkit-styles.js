// The widget's stylesheet. Everything is inside the shadow root: host-page
// CSS cannot reach in and ours cannot leak out. Sites theme it through the
// custom properties below (set them on chatkit-widget) and ::part().
export const css = `
:host {
  --chatkit-accent: #2563eb;
  --chatkit-bg: #ffffff;
  --chatkit-fg: #111827;
  --chatkit-muted: #4b5563;
  --chatkit-border: #e5e7eb;
  --chatkit-bubble: #f3f4f6;
  --chatkit-radius: 12px;
  --chatkit-font: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  --chatkit-width: 380px;
  --chatkit-height: 560px;
  all: initial;
  font-family: var(--chatkit-font);
  color: var(--chatkit-fg);
}
:host([theme="dark"]) {
  --chatkit-bg: #111827; --chatkit-fg: #f9fafb; --chatkit-muted: #9ca3af;
  --chatkit-border: #374151; --chatkit-bubble: #1f2937;
}
@media (prefers-color-scheme: dark) {
  :host([theme="auto"]) {
    --chatkit-bg: #111827; --chatkit-fg: #f9fafb; --chatkit-muted: #9ca3af;
    --chatkit-border: #374151; --chatkit-bubble: #1f2937;
  }
}
* { box-sizing: border-box; }
/* The host page's rules on chatkit-widget (a "* { ... }" included) beat
   :host, and inherited properties flow in through it. Our roots start again
   from initial values; custom properties are not reset by "all", so themes
   still reach in. */
.dock, .https-error {
  all: initial;
  font-family: var(--chatkit-font); font-size: 14px; line-height: 1.45; color: var(--chatkit-fg);
  -webkit-text-size-adjust: 100%;
}
.dock { position: fixed; bottom: 20px; right: 20px; z-index: 2147483000; display: flex; flex-direction: column; align-items: flex-end; gap: 12px; }
:host([position="bottom-left"]) .dock { right: auto; left: 20px; align-items: flex-start; }
:host([position="inline"]) .dock { position: static; }
/* position="side": open, the panel takes the window's right edge from top to
   bottom, beside the page's scroll bar, never over it; the page's layout
   does not move (a page that wants its text beside the panel reserves the
   room itself while the element has the open attribute). The launcher,
   which would sit on the panel, waits until it closes. */
:host([position="side"][open]) .dock { top: 0; right: 0; bottom: 0; }
:host([position="side"][open]) .launcher { display: none; }
:host([position="side"]) .panel { height: 100%; max-height: none; border-radius: 0; border-width: 0 0 0 1px; box-shadow: -6px 0 24px rgba(0,0,0,.12); }
.launcher { width: 56px; height: 56px; border-radius: 50%; border: none; background: var(--chatkit-accent); color: #fff; cursor: pointer; box-shadow: 0 4px 16px rgba(0,0,0,.2); display: flex; align-items: center; justify-content: center; }
.panel { width: var(--chatkit-width); max-width: calc(100vw - 40px); height: var(--chatkit-height); max-height: calc(100vh - 100px); background: var(--chatkit-bg); color: var(--chatkit-fg); border: 1px solid var(--chatkit-border); border-radius: var(--chatkit-radius); display: flex; flex-direction: column; overflow: hidden; box-shadow: 0 8px 32px rgba(0,0,0,.18); position: relative; }
.panel[hidden], [hidden] { display: none !important; }
header { display: flex; align-items: center; justify-content: space-between; padding: 10px 14px; background: var(--chatkit-accent); color: #fff; }
header h2 { font-size: 15px; margin: 0; font-weight: 600; }
header button { background: transparent; color: #fff; border: none; font: inherit; font-size: 18px; cursor: pointer; min-width: 32px; min-height: 32px; border-radius: 6px; }
header .new-chat { font-size: 13px; border: 1px solid rgba(255,255,255,.6); padding: 2px 8px; }
.header-actions { display: flex; gap: 6px; align-items: center; }
header button:focus-visible { outline: 2px solid #fff; outline-offset: 1px; box-shadow: 0 0 0 4px rgba(0,0,0,.55); }
.log-box { flex: 1; position: relative; display: flex; flex-direction: column; min-height: 0; }
.log:focus-visible { outline: 2px solid var(--chatkit-accent); outline-offset: -2px; }
.more { position: absolute; bottom: 8px; left: 50%; transform: translateX(-50%); font: inherit; font-size: 12px; padding: 4px 12px; border-radius: 14px; border: 1px solid var(--chatkit-border); background: var(--chatkit-bg); color: var(--chatkit-fg); box-shadow: 0 2px 8px rgba(0,0,0,.15); cursor: pointer; }
.selection { display: flex; align-items: center; gap: 6px; margin: 0 10px; padding: 4px; padding-inline-start: 10px; border: 1px solid var(--chatkit-border); border-inline-start: 3px solid var(--chatkit-accent); border-radius: 8px; font-size: 12px; color: var(--chatkit-muted); }
.selection span { flex: 1; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.selection button { font: inherit; background: transparent; color: var(--chatkit-fg); border: none; cursor: pointer; min-width: 28px; min-height: 28px; border-radius: 6px; }
.msg .status { color: var(--chatkit-muted); font-style: italic; margin-top: 4px; }
.msg .reconnecting { color: var(--chatkit-fg); font-style: normal; font-weight: 600; }
.msg .passage { display: block; margin-bottom: 4px; padding-inline-start: 6px; border-inline-start: 2px solid rgba(255,255,255,.8); font-size: 12px; font-style: italic; }
.feedback { display: flex; flex-wrap: wrap; align-items: center; gap: 4px; margin-top: 6px; }
.feedback .rate { min-width: 44px; min-height: 44px; font: inherit; border: 1px solid var(--chatkit-border); border-radius: 6px; background: transparent; cursor: pointer; }
.feedback .rate[aria-pressed="true"] { border-color: var(--chatkit-accent); }
.feedback-status { font-size: 11px; color: var(--chatkit-muted); }
.feedback-form { display: flex; flex-direction: column; gap: 4px; width: 100%; }
/* Themed like the composer; every control a 44 px tap target. */
.feedback-form select, .feedback-form textarea { font: inherit; font-size: 13px; min-height: 44px; padding: 0 8px; border: 1px solid var(--chatkit-border); border-radius: 8px; background: var(--chatkit-bg); color: var(--chatkit-fg); }
.feedback-form textarea { padding: 8px; }
.feedback-form select:focus-visible { outline: 2px solid var(--chatkit-accent); outline-offset: 2px; }
.feedback-send { align-self: flex-start; min-height: 44px; }
.support { align-self: flex-start; display: inline-flex; flex-direction: column; align-items: flex-start; justify-content: center; gap: 2px; min-height: 44px; padding: 4px 14px; border: 1px solid var(--chatkit-accent); border-radius: 8px; color: var(--chatkit-fg); font-size: 13px; text-decoration: none; }
.support:hover { background: var(--chatkit-bubble); }
.support[aria-busy="true"] { cursor: progress; }
.support-note { font-size: 12px; color: var(--chatkit-muted); }
.copy-answer { display: block; margin-top: 6px; font: inherit; font-size: 11px; padding: 2px 8px; border: 1px solid var(--chatkit-border); border-radius: 6px; background: transparent; color: var(--chatkit-muted); cursor: pointer; }
.msg.error button { margin-inline-start: 4px; }
.starters { display: flex; flex-direction: column; align-items: flex-start; gap: 6px; padding: 0 12px 10px; }
.starter { font: inherit; font-size: 13px; text-align: start; padding: 6px 10px; border: 1px solid var(--chatkit-border); border-radius: 8px; background: var(--chatkit-bg); color: var(--chatkit-fg); cursor: pointer; }
.starter:hover { border-color: var(--chatkit-accent); }
.log { flex: 1; min-height: 0; overflow-y: auto; padding: 12px; display: flex; flex-direction: column; gap: 10px; overscroll-behavior: contain; }
.msg { max-width: 90%; padding: 8px 12px; border-radius: var(--chatkit-radius); line-height: 1.45; font-size: 14px; word-wrap: break-word; white-space: normal; }
.msg.user { align-self: flex-end; background: var(--chatkit-accent); color: #fff; }
.msg.assistant { align-self: flex-start; background: var(--chatkit-bubble); }
.msg.notice { align-self: center; background: transparent; color: var(--chatkit-muted); font-size: 13px; text-align: center; }
.msg.error { align-self: center; color: #b91c1c; font-size: 13px; }
.msg p { margin: 0 0 6px; } .msg p:last-child { margin-bottom: 0; }
.msg pre, .expanded pre { background: rgba(0,0,0,.06); padding: 8px; border-radius: 6px; overflow-x: auto; white-space: pre; margin: 0; }
.msg h3, .msg h4, .msg h5, .msg h6 { font-size: 14px; margin: 8px 0 4px; }
.msg ul, .msg ol { margin: 4px 0 6px; padding-inline-start: 20px; }
.msg li { margin: 2px 0; }
.msg blockquote { margin: 6px 0; padding-inline-start: 10px; border-inline-start: 3px solid var(--chatkit-border); color: var(--chatkit-muted); }
.msg hr { border: none; border-top: 1px solid var(--chatkit-border); margin: 8px 0; }
.msg code, .expanded code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; background: rgba(0,0,0,.06); padding: 0 3px; border-radius: 4px; }
.msg pre code, .expanded pre code { background: none; padding: 0; }
/* Copy (and Expand) on a line of their own above the code: laid over it,
   they hid the end of its first line. */
.msg .code { display: flex; flex-wrap: wrap; justify-content: flex-end; gap: 4px; margin: 6px 0; }
.msg .code pre { flex: 1 0 100%; min-width: 0; }
.msg .code .copy, .expand { font: inherit; font-size: 11px; padding: 2px 6px; border: 1px solid var(--chatkit-border); border-radius: 6px; background: var(--chatkit-bg); color: var(--chatkit-fg); cursor: pointer; }
.msg .expand { display: block; margin-block: 6px -2px; margin-inline-start: auto; }
.msg .code .expand { margin: 0; }
.msg .table { overflow-x: auto; margin: 6px 0; }
.msg table, .expanded table { border-collapse: collapse; font-size: 13px; }
.msg th, .msg td, .expanded th, .expanded td { border: 1px solid var(--chatkit-border); padding: 3px 6px; text-align: start; vertical-align: top; }
.cite { display: inline-block; min-width: 18px; padding: 0 5px; margin: 0 2px; border-radius: 9px; background: var(--chatkit-accent); color: #fff; font-size: 11px; text-align: center; text-decoration: none; vertical-align: super; }
.sources { display: flex; flex-wrap: wrap; gap: 6px; margin-top: 8px; }
.chip { font-size: 12px; padding: 3px 8px; border: 1px solid var(--chatkit-border); border-radius: 12px; color: var(--chatkit-fg); text-decoration: none; background: var(--chatkit-bg); }
.chip:hover, .chip:focus { border-color: var(--chatkit-accent); }
form.composer { display: flex; gap: 8px; padding: 10px; border-top: 1px solid var(--chatkit-border); }
textarea { flex: 1; resize: none; min-height: 40px; max-height: 120px; padding: 8px; border: 1px solid var(--chatkit-border); border-radius: 8px; font: inherit; font-size: 14px; background: var(--chatkit-bg); color: var(--chatkit-fg); }
button.primary { background: var(--chatkit-accent); color: #fff; border: none; border-radius: 8px; padding: 0 14px; font: inherit; font-size: 14px; cursor: pointer; }
button.secondary { background: transparent; color: var(--chatkit-fg); border: 1px solid var(--chatkit-border); border-radius: 8px; padding: 4px 10px; font: inherit; font-size: 13px; cursor: pointer; }
button:disabled { opacity: .5; cursor: not-allowed; }
button:focus-visible, textarea:focus-visible, a:focus-visible, input:focus-visible { outline: 2px solid var(--chatkit-accent); outline-offset: 2px; }
.launcher:focus-visible, button.primary:focus-visible { outline-color: var(--chatkit-fg); }
/* Phones: a full-screen sheet (its height follows the visual viewport, set
   by the script, so the input stays above the keyboard), safe-area insets,
   44 px tap targets. */
@media (max-width: 600px) {
  :host([open]) .dock { inset: 0; bottom: 0; right: 0; left: 0; top: 0; }
  :host([open]) .launcher { display: none; }
  .panel { position: fixed; left: 0; top: 0; width: 100vw; max-width: none; height: 100dvh; max-height: none; border-radius: 0; border: none;
    padding: env(safe-area-inset-top) env(safe-area-inset-right) env(safe-area-inset-bottom) env(safe-area-inset-left); }
  button, .chip, textarea, input[type=email] { min-height: 44px; }
  .chip { display: inline-flex; align-items: center; }
  header button, .selection button { min-width: 44px; min-height: 44px; }
  /* A citation keeps its size in the line; its touch area grows to 44 px. */
  .cite { position: relative; min-width: 24px; }
  .cite::after { content: ""; position: absolute; left: 50%; top: 50%; width: 44px; height: 44px; transform: translate(-50%, -50%); }
  textarea, .feedback-form select, .feedback-form textarea { font-size: 16px; }
}
.bar { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; justify-content: space-between; padding: 6px 10px; border-top: 1px solid var(--chatkit-border); font-size: 12px; color: var(--chatkit-muted); }
.cooldown { padding: 6px 10px; font-size: 13px; color: #b45309; }
.list { padding: 8px 12px; border-top: 1px solid var(--chatkit-border); max-height: 160px; overflow-y: auto; font-size: 13px; }
.list ul { list-style: none; margin: 4px 0; padding: 0; }
.list li { display: flex; justify-content: space-between; gap: 6px; padding: 3px 0; }
.backdrop { position: absolute; inset: 0; background: rgba(0,0,0,.45); display: flex; align-items: center; justify-content: center; }
.modal { background: var(--chatkit-bg); color: var(--chatkit-fg); border-radius: var(--chatkit-radius); padding: 16px; width: 88%; display: flex; flex-direction: column; gap: 10px; }
.modal-form { display: flex; flex-direction: column; gap: 10px; }
.modal .intro { margin: 0; font-size: 13px; color: var(--chatkit-muted); }
.modal h3 { margin: 0; font-size: 16px; }
.modal input[type=email] { padding: 8px; border: 1px solid var(--chatkit-border); border-radius: 8px; font: inherit; }
.modal label { font-size: 13px; display: flex; gap: 6px; align-items: flex-start; }
.modal .actions { display: flex; gap: 8px; justify-content: flex-end; }
/* As wide as the window, as tall as its content up to the window's height. */
.expanded { position: fixed; left: 16px; right: 16px; top: 50%; transform: translateY(-50%); max-height: calc(100vh - 32px); z-index: 1; display: flex; flex-direction: column; background: var(--chatkit-bg); color: var(--chatkit-fg); border: 1px solid var(--chatkit-border); border-radius: var(--chatkit-radius); box-shadow: 0 0 0 100vmax rgba(0,0,0,.45); }
.expanded-bar { display: flex; justify-content: space-between; align-items: center; padding: 8px 8px 8px 12px; border-bottom: 1px solid var(--chatkit-border); }
.expanded-body { flex: 1; min-height: 0; overflow: auto; padding: 12px; }
.expanded-body:focus-visible { outline: 2px solid var(--chatkit-accent); outline-offset: -2px; }
.sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.https-error { padding: 20px; background: #fee; border: 2px solid #c00; border-radius: 8px; color: #333; font-size: 14px; max-width: 420px; }
.https-error h3 { color: #c00; margin: 0 0 10px; font-size: 16px; }
.https-error code { background: #f5f5f5; padding: 2px 6px; border-radius: 3px; }
`;

export function adoptStyles(root) {
  if ("adoptedStyleSheets" in root && typeof CSSStyleSheet === "function" && "replaceSync" in CSSStyleSheet.prototype) {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
    root.adoptedStyleSheets = [sheet];
  } else {
    const style = document.createElement("style");
    style.textContent = css;
    root.append(style);
  }
}
