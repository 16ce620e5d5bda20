// Standard SSE clients against the real server (API.md "Chat"): a POST that
// @microsoft/fetch-event-source retries after a drop continues the same
// answer, once; an `eventsource` client stops at the 204 a finished answer
// gives instead of reconnecting every 3 s.
import { test } from "node:test";
import assert from "node:assert/strict";
import { fetchEventSource } from "@microsoft/fetch-event-source";
import { EventSource } from "eventsource";
import { fetchJson, withServer } from "./harness.mjs";

// fetch-event-source was written for browsers: it reads `window` and the
// page's visibility (openWhenHidden makes the latter moot).
globalThis.window ??= globalThis;
globalThis.document ??= { hidden: false, addEventListener() {}, removeEventListener() {} };

const api = (server, path) => new URL(`api/v1${path}`, server.url).href;

// A fetch whose first response body breaks after `bytes` bytes: a network drop mid-answer.
function droppingFetch(bytes, calls) {
  return async (input, init) => {
    calls.push({ url: String(input), headers: { ...(init?.headers ?? {}) } });
    const response = await fetch(input, init);
    if (calls.length > 1 || !response.body) return response;
    let seen = 0;
    const reader = response.body.getReader();
    const body = new ReadableStream({
      async pull(controller) {
        const { value, done } = await reader.read();
        if (done) return controller.close();
        seen += value.length;
        controller.enqueue(value);
        if (seen >= bytes) {
          reader.cancel().catch(() => {});
          controller.error(new TypeError("network connection lost"));
        }
      },
    });
    return new Response(body, { status: response.status, headers: response.headers });
  };
}

test("fetch-event-source: a dropped POST is retried with Last-Event-ID and yields one answer, once", async () => {
  await withServer({ BUILTIN_TOKEN_DELAY: "30ms" }, async (server) => {
    const expected = (await fetchJson(server.url, "/chat", { message: "What is embodied AI?" })).answer;
    const token = (await fetchJson(server.url, "/auth/anonymous", {})).anon_token;
    const calls = [];
    let text = "";
    const ids = [];
    const controller = new AbortController();
    await fetchEventSource(api(server, "/chat/stream"), {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
      body: JSON.stringify({ message: "What is embodied AI?" }),
      fetch: droppingFetch(600, calls),
      openWhenHidden: true,
      signal: controller.signal,
      onmessage(e) {
        ids.push(e.id);
        if (e.event === "token") text += JSON.parse(e.data).content;
        if (e.event === "done" || e.event === "error") controller.abort();
      },
      onerror() {
        return 50; // retry soon
      },
    }).catch((err) => {
      if (err.name !== "AbortError") throw err;
    });
    assert.equal(calls.length, 2, "one retry after the drop");
    assert.ok(calls[1].headers["last-event-id"], "the retry carries the last id it saw");
    assert.equal(text, expected, "nothing lost, nothing twice");
    assert.equal(new Set(ids).size, ids.length, "no event twice");
    assert.equal(new Set(ids.map((id) => id.split(":")[0])).size, 1, "one answer");
    const history = await fetchJson(server.url, "/chat/history", undefined, token);
    assert.equal(history.messages.filter((m) => m.role === "assistant").length, 1, "the server made one answer");
  });
});

test("eventsource: a finished answer replays once, then the 204 stops the client", async () => {
  await withServer({}, async (server) => {
    const token = (await fetchJson(server.url, "/auth/anonymous", {})).anon_token;
    const asked = await fetchJson(server.url, "/chat", { message: "What is embodied AI?" }, token);
    const calls = [];
    const source = new EventSource(api(server, `/chat/stream/${asked.message_id}`), {
      fetch: (input, init) => {
        calls.push(init?.headers?.["Last-Event-ID"] ?? init?.headers?.["last-event-id"] ?? null);
        return fetch(input, { ...init, headers: { ...init.headers, Authorization: `Bearer ${token}` } });
      },
    });
    let text = "";
    source.addEventListener("token", (e) => (text += JSON.parse(e.data).content));
    // The server closes the stream after `done`; the client reconnects with
    // the last id, gets 204 and must stop for good.
    await new Promise((r) => setTimeout(r, 5000));
    assert.equal(text, asked.answer);
    assert.equal(source.readyState, EventSource.CLOSED, "the client gave up after the 204");
    assert.equal(calls.length, 2, `one reconnect, not a loop (${calls.length} requests)`);
    assert.match(calls[1] ?? "", /:\d+$/, "the reconnect said where it stopped");
    source.close();
  });
});
