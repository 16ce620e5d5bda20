// The seed's HTTPS guard: a non-localhost http: page gets an error panel in
// `shadow` and no widget; localhost over http: warns and runs; https: runs.
import { el } from "./chatkit-dom.js";

export function httpsAllowed(shadow, s) {
  const { protocol, hostname } = location;
  const local = ["localhost", "127.0.0.1", "[::1]"].includes(hostname);
  if (protocol === "https:") return true;
  if (local) {
    console.warn("⚠️  WARNING: ChatKit widget running over HTTP on localhost. This is only safe for development. Use HTTPS in production.");
    return true;
  }
  console.error("🔒 SECURITY ERROR: ChatKit widget requires HTTPS in production. Refusing to initialize.");
  shadow.append(el("div", { class: "https-error", role: "alert", part: "https-error", lang: s.lang, dir: s.dir }, [
    el("h3", {}, [s.httpsTitle]),
    el("p", {}, [s.httpsBody]),
    el("p", {}, [el("strong", {}, [s.httpsCurrent]), " ", el("code", {}, [`${protocol}//${hostname}`])]),
    el("p", {}, [el("strong", {}, [s.httpsRequired]), " ", el("code", {}, [`https://${hostname}`])]),
    el("p", {}, [s.httpsHint]),
  ]));
  return false;
}
