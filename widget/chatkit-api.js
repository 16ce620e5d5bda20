// The widget's client of the ChatKit HTTP API (API.md): tokens in
// localStorage under a namespaced key, JSON calls, streamed answers over
// fetch + ReadableStream with automatic resume (Last-Event-ID), analytics in
// batches. Tokens never reach the DOM or the console.
export class ChatKitError extends Error {
  constructor(code, message, { status = 0, details = null, retryAfter = 0 } = {}) {
    super(message);
    this.code = code;
    this.status = status;
    this.details = details;
    this.retryAfter = retryAfter;
  }
}

// The browser's fetch as it was when the widget loaded. A host page that
// wraps window.fetch later (to buffer bodies, or dropping the options) would
// otherwise stand between the widget and its server: answers would stop
// streaming, POSTs turn into GETs.
const originalFetch = globalThis.fetch.bind(globalThis);

const RESUME_ATTEMPTS = 6;
const ANALYTICS_BATCH = 20; // the server's batch limit (API.md)

export class ChatKitApi {
  constructor(apiBase, storage = globalThis.localStorage) {
    this.base = (apiBase || "").replace(/\/+$/, "");
    this.storage = storage;
    this.key = `chatkit:v1:${this.base || location.origin}`;
    this.events = [];
    this.flushTimer = null;
    addEventListener("pagehide", () => this.flushAnalytics(true));
    addEventListener("visibilitychange", () => document.visibilityState === "hidden" && this.flushAnalytics(true));
  }

  // --- stored identity -----------------------------------------------------
  get state() {
    try {
      return JSON.parse(this.storage.getItem(this.key)) ?? {};
    } catch {
      return {};
    }
  }
  set state(value) {
    this.storage.setItem(this.key, JSON.stringify(value));
  }
  get session() {
    return this.state.session ?? null;
  }
  get anonymous() {
    return this.state.anon ?? null;
  }
  token() {
    return this.session?.token ?? this.anonymous?.token ?? null;
  }
  // Other tabs of this site learn through these keys that an answer ended,
  // or that the reader logged out. A storage event needs a changed value:
  // two tabs writing in the same millisecond must not look like one.
  get turnKey() {
    return `${this.key}:turn`;
  }
  get logoutKey() {
    return `${this.key}:logout`;
  }
  // `answerId`: the answer that ended, when one tab's telling is enough.
  noteTurn(answerId = crypto.randomUUID()) {
    this.storage.setItem(this.turnKey, `${Date.now()}:${answerId}`);
  }
  turnNoted(answerId) {
    return this.storage.getItem(this.turnKey)?.endsWith(`:${answerId}`) ?? false;
  }
  forget(which) {
    const s = this.state;
    delete s[which];
    this.state = s;
  }

  // --- plumbing --------------------------------------------------------------
  url(path) {
    return `${this.base}/api/v1${path}`;
  }
  headers(auth, extra = {}) {
    const h = { ...extra };
    const token = auth === true ? this.token() : auth;
    if (token) h.Authorization = `Bearer ${token}`;
    return h;
  }
  async fail(response) {
    let body = null;
    try {
      body = await response.json();
    } catch {
      /* not JSON: keep the status */
    }
    const e = body?.error ?? {};
    const retryAfter = Number(response.headers.get("Retry-After") ?? e.details?.retry_after ?? 0);
    if (e.code === "SESSION_EXPIRED") this.dropDeadToken();
    return new ChatKitError(e.code ?? `HTTP_${response.status}`, e.message ?? response.statusText, {
      status: response.status,
      details: e.details ?? null,
      retryAfter,
    });
  }
  dropDeadToken() {
    if (this.session) this.forget("session");
    else this.forget("anon");
  }
  async call(method, path, body, { auth = true } = {}) {
    let response;
    try {
      response = await originalFetch(this.url(path), {
        method,
        headers: this.headers(auth, body === undefined ? {} : { "Content-Type": "application/json" }),
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch {
      throw new ChatKitError("NETWORK", "network error");
    }
    if (!response.ok) throw await this.fail(response);
    return response.status === 204 ? null : response.json();
  }

  // What the server tells every page that embeds the widget (API.md, Widget settings).
  widgetSettings() {
    return this.call("GET", "/widget/settings", undefined, { auth: false });
  }

  // A reader's rating of an answer; a later one replaces it (API.md, Feedback).
  rate(messageId, rating, reason, comment) {
    return this.call("POST", "/chat/feedback", {
      message_id: messageId,
      rating,
      ...(reason ? { reason } : {}),
      ...(comment ? { comment } : {}),
    });
  }

  // --- identity --------------------------------------------------------------
  async ensureToken() {
    if (this.token()) return;
    const r = await this.call("POST", "/auth/anonymous", undefined, { auth: false });
    this.state = { ...this.state, anon: { token: r.anon_token, id: r.anon_id, expires_at: r.expires_at } };
  }
  // The link in the mail returns to `returnUrl` when the server allows its origin.
  signup(email, consent, returnUrl) {
    return this.call("POST", "/auth/signup", { email, consent_data_storage: consent, return_url: returnUrl }, { auth: false });
  }
  resend(email, returnUrl) {
    return this.call("POST", "/auth/resend-verification", { email, return_url: returnUrl }, { auth: false });
  }
  async verify(token) {
    const r = await this.call("POST", "/auth/verify", { token }, { auth: false });
    const s = this.state;
    s.session = { token: r.session_token, expires_at: r.expires_at, email: r.user_profile.email, tier: r.user_profile.tier };
    this.state = s;
    return r;
  }
  async migrate() {
    const anon = this.anonymous;
    if (!anon || !this.session) return 0;
    try {
      const r = await this.call("POST", "/auth/migrate-session", { anon_token: anon.token });
      return r.migrated_messages;
    } finally {
      this.forget("anon");
    }
  }
  async refresh() {
    const r = await this.call("POST", "/auth/refresh-token");
    const s = this.state;
    const which = s.session ? "session" : "anon";
    s[which] = { ...s[which], token: r.token, expires_at: r.expires_at };
    this.state = s;
  }
  // This browser forgets the reader, the anonymous session from before the
  // sign-in too (its conversation is theirs as well), in every tab.
  async logout() {
    try {
      await this.call("POST", "/auth/logout");
    } finally {
      this.state = {};
      this.storage.setItem(this.logoutKey, `${Date.now()}:${crypto.randomUUID()}`);
    }
  }

  // --- chat ------------------------------------------------------------------
  history() {
    return this.call("GET", "/chat/history");
  }
  // Yields {id, event, data} for every event of a new answer, resuming with
  // Last-Event-ID when the connection drops. `onResume` is told about it.
  async *ask(body, { signal, onResume } = {}) {
    if (!globalThis.ReadableStream || !("body" in Response.prototype)) {
      yield* this.askWhole(body);
      return;
    }
    const first = await this.post("/chat/stream", body, signal, { Accept: "text/event-stream" });
    yield* this.follow_(first, null, signal, onResume);
  }
  // The same for an answer already asked (a reload mid-answer): from its start.
  async *resume(messageId, { signal, onResume } = {}) {
    let first;
    try {
      first = await originalFetch(this.url(`/chat/stream/${encodeURIComponent(messageId)}`), {
        headers: this.headers(true, { Accept: "text/event-stream" }),
        signal,
      });
    } catch (err) {
      if (signal?.aborted) throw err;
      throw new ChatKitError("NETWORK", "network error");
    }
    if (!first.ok) throw await this.fail(first);
    if (first.status === 204) return;
    yield* this.follow_(first, messageId, signal, onResume);
  }
  async *follow_(response, messageId, signal, onResume) {
    let lastId = null;
    for (let attempt = 0; ; ) {
      try {
        for await (const e of this.events_(response, signal)) {
          lastId = e.id ?? lastId;
          messageId = messageId ?? lastId?.split(":")[0];
          attempt = 0;
          yield e;
          if (e.event === "done" || e.event === "error") return;
        }
      } catch (err) {
        if (signal?.aborted) throw err;
      }
      if (signal?.aborted) return;
      if (!messageId || ++attempt > RESUME_ATTEMPTS) throw new ChatKitError("NETWORK", "stream lost");
      onResume?.();
      await sleep(Math.min(4000, 250 * 2 ** attempt), signal);
      try {
        const headers = { Accept: "text/event-stream", ...(lastId ? { "Last-Event-ID": lastId } : {}) };
        response = await originalFetch(this.url(`/chat/stream/${messageId}`), { headers: this.headers(true, headers), signal });
        if (response.status === 204) return;
        if (!response.ok) throw await this.fail(response);
      } catch (err) {
        if (err instanceof ChatKitError && err.code !== "NETWORK") throw err;
        response = null;
      }
    }
  }
  async post(path, body, signal, extra = {}) {
    let response;
    try {
      response = await originalFetch(this.url(path), {
        method: "POST",
        headers: this.headers(true, { "Content-Type": "application/json", ...extra }),
        body: JSON.stringify(body),
        signal,
      });
    } catch (err) {
      if (signal?.aborted) throw err;
      throw new ChatKitError("NETWORK", "network error");
    }
    if (!response.ok) throw await this.fail(response);
    return response;
  }
  async *events_(response, signal) {
    if (!response) throw new ChatKitError("NETWORK", "no connection");
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    const stop = () => reader.cancel().catch(() => {});
    signal?.addEventListener("abort", stop, { once: true });
    let pending = "";
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        pending += value;
        let end;
        while ((end = pending.indexOf("\n\n")) >= 0) {
          const frame = pending.slice(0, end);
          pending = pending.slice(end + 2);
          const e = {};
          for (const line of frame.split("\n")) {
            if (line.startsWith("id: ")) e.id = line.slice(4);
            else if (line.startsWith("event: ")) e.event = line.slice(7);
            else if (line.startsWith("data: ")) e.data = JSON.parse(line.slice(6));
          }
          if (e.event) yield e;
        }
      }
    } finally {
      signal?.removeEventListener("abort", stop);
    }
  }
  // Fallback for browsers without streaming bodies: POST /chat, one answer.
  async *askWhole(body) {
    const r = await this.call("POST", "/chat", body);
    yield { event: "sources", data: { sources: r.sources } };
    yield { event: "token", data: { content: r.answer } };
    yield { event: "done", data: { message_id: r.message_id, metadata: r.metadata } };
  }
  cancel(messageId) {
    return this.call("POST", `/chat/${messageId}/cancel`).catch(() => null);
  }

  // A read-only link to one of the reader's conversations (API.md, Shared
  // conversations): the same one again while it lives. Resolves its address.
  async shareConversation(conversationId) {
    const r = await this.call("POST", `/chat/conversations/${encodeURIComponent(conversationId)}/share`);
    return new URL(`${this.base}${r.path}`, location.href).href;
  }

  // --- signed-in extras --------------------------------------------------------
  saveChat(messages, title) {
    return this.call("POST", "/chat/save", { messages, title });
  }
  listSaved() {
    return this.call("GET", "/chat/saved");
  }
  getSaved(id) {
    return this.call("GET", `/chat/saved/${encodeURIComponent(id)}`);
  }
  deleteSaved(id) {
    return this.call("DELETE", `/chat/saved/${encodeURIComponent(id)}`);
  }
  personalize(preferences = {}) {
    return this.call("POST", "/user/personalize", { preferences });
  }

  // --- analytics: batched, never awaited by the UI ----------------------------
  track(event_type, event_data = {}) {
    this.events.push({ event_type, event_data });
    if (this.events.length >= ANALYTICS_BATCH) this.flushAnalytics(false);
    else this.flushTimer ??= setTimeout(() => this.flushAnalytics(false), 2000);
  }
  // `leaving`: the page is going away; keepalive lets the request outlive it.
  flushAnalytics(leaving) {
    clearTimeout(this.flushTimer);
    this.flushTimer = null;
    while (this.events.length) {
      const events = this.events.splice(0, ANALYTICS_BATCH);
      originalFetch(this.url("/analytics/event"), {
        method: "POST",
        headers: this.headers(true, { "Content-Type": "application/json" }),
        body: JSON.stringify({ events }),
        keepalive: leaving,
      }).catch(() => {});
    }
  }
}

function sleep(ms, signal) {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(t);
      resolve();
    }, { once: true });
  });
}
