// docs/openapi.json against the real server: every operation is called, and
// every response (status, content type, body) must be one the document
// describes, validated with ajv (JSON Schema 2020-12, as OpenAPI 3.1 uses).
// So the document cannot drift from what the server does.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { startServer, waitForMail } from "./harness.mjs";

let server;
let doc;
let ajv;
const seen = new Set(); // "get /path/{x}": operations answered with a 2xx

before(async () => {
  server = await startServer({ RATE_ANALYTICS: "60/minute" });
  doc = await (await fetch(new URL("openapi.json", server.url))).json();
  ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema(doc, "openapi.json");
});
after(async () => {
  await server?.stop();
});

const pointer = (...parts) => parts.map((p) => String(p).replaceAll("~", "~0").replaceAll("/", "~1")).join("/");

// The document's path template for a concrete path.
function templateOf(path) {
  const bare = path.split("?")[0];
  for (const template of Object.keys(doc.paths)) {
    const pattern = template.replace(/\{page\}/, ".+").replace(/\{[^}]+\}/g, "[^/]+");
    if (new RegExp(`^${pattern}$`).test(bare)) return template;
  }
  return null;
}

async function call(method, path, { body, token, headers = {}, raw } = {}) {
  const h = { ...headers };
  if (token) h.Authorization = `Bearer ${token}`;
  if (body !== undefined && !raw) h["Content-Type"] ??= "application/json";
  const r = await fetch(new URL(path.replace(/^\//, ""), server.url), {
    method,
    headers: h,
    body: body === undefined ? undefined : raw ? body : JSON.stringify(body),
  });
  const text = await r.text();
  const template = templateOf(path);
  assert.ok(template, `${method} ${path}: no path of the document matches`);
  const operation = doc.paths[template][method.toLowerCase()];
  assert.ok(operation, `${method} ${template}: not in the document`);
  let response = operation.responses[String(r.status)];
  assert.ok(response, `${method} ${template}: status ${r.status} is not documented (${text.slice(0, 200)})`);
  let schemaAt = pointer("paths", template, method.toLowerCase(), "responses", r.status);
  if (response.$ref) {
    schemaAt = response.$ref.slice(2);
    response = schemaAt.split("/").reduce((o, k) => o[k.replaceAll("~1", "/").replaceAll("~0", "~")], doc);
  }
  if (r.status === 204) {
    assert.equal(text, "", `${method} ${template}: a 204 has no body`);
  } else {
    const type = (r.headers.get("content-type") ?? "").split(";")[0].trim();
    assert.ok(response.content?.[type], `${method} ${template} ${r.status}: content type ${type} is not documented`);
    if (type === "application/json") {
      const body = JSON.parse(text);
      const valid = ajv.validate({ $ref: `openapi.json#/${schemaAt}/${pointer("content", type, "schema")}` }, body);
      assert.ok(valid, `${method} ${template} ${r.status}: ${ajv.errorsText(ajv.errors)}\n${text.slice(0, 400)}`);
    }
  }
  if (r.status < 300) seen.add(`${method.toLowerCase()} ${template}`);
  const json = (r.headers.get("content-type") ?? "").startsWith("application/json") && text ? JSON.parse(text) : null;
  return { status: r.status, json, text, headers: r.headers };
}

// The events of an SSE body.
const events = (text) => text.split("\n\n").filter((f) => f.includes("event: ")).map((f) => ({
  id: /^id: (.*)$/m.exec(f)?.[1],
  event: /^event: (.*)$/m.exec(f)[1],
}));

test("operations, static files and probes answer as documented", async () => {
  for (const path of ["/health", "/livez", "/readyz", "/metrics", "/openapi.json", "/", "/widget/chatkit-widget.js",
                      "/api/v1/widget/settings"])
    assert.equal((await call("GET", path)).status, 200, path);
  assert.equal((await call("GET", "/widget/nope.js")).status, 404);
  const answer = await call("POST", "/api/v1/chat", { body: { message: "What is embodied AI?" } });
  const page = new URL(answer.json.sources[0].url, server.url).pathname;
  assert.equal((await call("GET", page)).status, 200, page);
  assert.equal((await call("GET", "/docs/no/such/page")).status, 404);
});

test("chat, streams, history and analytics answer as documented", async () => {
  const anon = (await call("POST", "/api/v1/auth/anonymous")).json.anon_token;
  assert.equal((await call("GET", "/api/v1/auth/session-check", { token: anon })).status, 200);
  assert.equal((await call("GET", "/api/v1/auth/session-check")).status, 401);
  assert.equal((await call("GET", "/api/v1/auth/verification-status", { token: anon })).status, 200);

  const ask = { message: "What is embodied AI?", context: { mode: "browse", session_id: crypto.randomUUID() } };
  assert.equal((await call("POST", "/api/v1/chat", { body: ask, token: anon })).status, 200);
  assert.equal((await call("POST", "/api/v1/chat", { body: { message: "" } })).status, 400);
  assert.equal((await call("POST", "/api/v1/chat", { body: "x", raw: true, headers: { "Content-Type": "text/plain" } })).status, 415);
  assert.equal((await call("POST", "/api/v1/chat", { body: { message: "x".repeat(40000) } })).status, 413);
  assert.equal((await call("POST", "/api/v1/chat", { body: ask, token: "A".repeat(43) })).status, 401);

  const stream = await call("POST", "/api/v1/chat/stream", { body: ask, token: anon, headers: { Accept: "text/event-stream" } });
  assert.equal(stream.status, 200);
  const frames = events(stream.text);
  const id = frames[0].id.split(":")[0];
  assert.equal((await call("GET", `/api/v1/chat/stream/${id}`, { token: anon })).status, 200);
  const last = frames.at(-1).id;
  assert.equal((await call("GET", `/api/v1/chat/stream/${id}`, { token: anon, headers: { "Last-Event-ID": last } })).status, 204);
  assert.equal((await call("POST", "/api/v1/chat/stream", { body: ask, token: anon, headers: { "Last-Event-ID": last } })).status, 204);
  assert.equal((await call("GET", `/api/v1/chat/stream/${id}`, { token: anon, headers: { "Last-Event-ID": "x" } })).status, 400);
  assert.equal((await call("GET", `/api/v1/chat/stream/${crypto.randomUUID()}`, { token: anon })).status, 404);
  assert.equal((await call("POST", `/api/v1/chat/${id}/cancel`, { token: anon })).status, 204);
  const rating = { message_id: id, rating: "down", reason: "incomplete", comment: "Missing the config key." };
  assert.equal((await call("POST", "/api/v1/chat/feedback", { body: rating, token: anon })).status, 204);
  assert.equal((await call("POST", "/api/v1/chat/feedback", { body: { ...rating, rating: "meh" }, token: anon })).status, 400);
  assert.equal((await call("POST", "/api/v1/chat/feedback", { body: { ...rating, message_id: crypto.randomUUID() }, token: anon })).status, 404);
  assert.equal((await call("POST", `/api/v1/chat/${crypto.randomUUID()}/cancel`, { token: anon })).status, 404);

  let history;
  for (let i = 0; i < 50 && !(history?.json.messages.length >= 4); i++) {
    history = await call("GET", "/api/v1/chat/history", { token: anon });
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.equal(history.json.messages.length, 4);
  assert.equal((await call("GET", "/api/v1/chat/history")).status, 401);

  const conversation = `/api/v1/chat/conversations/${ask.context.session_id}/share`;
  const shared = await call("POST", conversation, { token: anon });
  assert.equal(shared.status, 200);
  assert.equal((await call("POST", conversation)).status, 401);
  assert.equal((await call("POST", `/api/v1/chat/conversations/${crypto.randomUUID()}/share`, { token: anon })).status, 404);
  assert.equal((await call("GET", shared.json.path)).status, 200);
  const listed = await call("GET", "/api/v1/chat/shares", { token: anon });
  assert.equal(listed.status, 200);
  assert.deepEqual(listed.json.shares.map((s) => s.conversation_id), [ask.context.session_id]);
  assert.equal(listed.json.shares[0].expires_at, shared.json.expires_at);
  assert.equal((await call("GET", "/api/v1/chat/shares")).status, 401);
  assert.equal((await call("DELETE", conversation, { token: anon })).status, 204);
  assert.equal((await call("GET", shared.json.path)).status, 404);
  assert.deepEqual((await call("GET", "/api/v1/chat/shares", { token: anon })).json.shares, []);
  assert.equal((await call("DELETE", `/api/v1/chat/conversations/${crypto.randomUUID()}/share`, { token: anon })).status, 404);

  const event = { event_type: "widget_loaded", event_data: { page: "/" } };
  assert.equal((await call("POST", "/api/v1/analytics/event", { body: event, token: anon })).status, 200);
  assert.equal((await call("POST", "/api/v1/analytics/event", { body: { events: [event, event] }, token: anon })).status, 200);
  assert.equal((await call("POST", "/api/v1/analytics/event", { body: { event_type: "Bad Type" } })).status, 400);
  let limited;
  for (let i = 0; i < 4 && limited !== 429; i++)
    limited = (await call("POST", "/api/v1/analytics/event", { body: { events: Array(20).fill(event) }, token: anon })).status;
  assert.equal(limited, 429);

  const rotated = await call("POST", "/api/v1/auth/refresh-token", { token: anon });
  assert.equal(rotated.status, 200);
  assert.equal((await call("POST", "/api/v1/auth/logout", { token: rotated.json.token })).status, 204);
  assert.equal((await call("POST", "/api/v1/auth/logout", { token: rotated.json.token })).status, 401);
});

test("sign-up, saved chats and personalization answer as documented", { skip: !process.env.CHATKIT_TEST_MAILDIR }, async () => {
  const email = `openapi-${Date.now()}@example.com`;
  assert.equal((await call("POST", "/api/v1/auth/signup", { body: { email: "nope", consent_data_storage: true } })).status, 400);
  assert.equal((await call("POST", "/api/v1/auth/signup", { body: { email, consent_data_storage: true } })).status, 200);
  const link = /#chatkit_verify=([A-Za-z0-9_-]+)/.exec(await waitForMail(email))[1];
  const login = await call("POST", "/api/v1/auth/verify", { body: { token: link } });
  assert.equal(login.status, 200);
  const token = login.json.session_token;
  // After the verify: a second link would have made the first one void.
  assert.equal((await call("POST", "/api/v1/auth/resend-verification", { body: { email } })).status, 200);
  assert.equal((await call("POST", "/api/v1/auth/verify", { body: { token: "A".repeat(43) } })).status, 400);

  const anon = (await call("POST", "/api/v1/auth/anonymous")).json.anon_token;
  await call("POST", "/api/v1/chat", { body: { message: "What is embodied AI?" }, token: anon });
  assert.equal((await call("POST", "/api/v1/auth/migrate-session", { body: { anon_token: anon }, token: anon })).status, 401);
  let moved;
  for (let i = 0; i < 50 && moved?.status !== 200; i++) {
    moved = await call("POST", "/api/v1/auth/migrate-session", { body: { anon_token: anon }, token });
    if (moved.status !== 200) await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(moved.status, 200);
  assert.equal((await call("POST", "/api/v1/auth/migrate-session", { body: { anon_token: anon }, token })).status, 404);

  const saved = await call("POST", "/api/v1/chat/save", {
    token,
    body: { title: "Deploying", messages: [{ role: "user", content: "How?" }, { role: "assistant", content: "So [1].", sources: [{ title: "Deploy", url: "/docs/deploy" }] }] },
  });
  assert.equal(saved.status, 200);
  assert.equal((await call("POST", "/api/v1/chat/save", { token, body: { messages: [{ role: "system", content: "x" }] } })).status, 400);
  assert.equal((await call("GET", "/api/v1/chat/saved", { token })).status, 200);
  assert.equal((await call("GET", "/api/v1/chat/saved", { token: anon })).status, 401);
  assert.equal((await call("GET", `/api/v1/chat/saved/${saved.json.chat_id}`, { token })).status, 200);
  assert.equal((await call("DELETE", `/api/v1/chat/saved/${saved.json.chat_id}`, { token })).status, 204);
  assert.equal((await call("GET", `/api/v1/chat/saved/${saved.json.chat_id}`, { token })).status, 404);
  assert.equal((await call("POST", "/api/v1/user/personalize", { token, body: { preferences: { topics: ["robots"] } } })).status, 200);
  assert.equal((await call("GET", "/api/v1/chat/history", { token })).status, 200);
  assert.equal((await call("DELETE", "/api/v1/user", { token: anon })).status, 401);
  assert.equal((await call("DELETE", "/api/v1/user", { token })).status, 204);
  assert.equal((await call("GET", "/api/v1/auth/session-check", { token })).status, 401);
});

test("every operation in the document was exercised with a success", { skip: !process.env.CHATKIT_TEST_MAILDIR }, () => {
  const all = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`));
  const missing = all.filter((op) => !seen.has(op));
  assert.deepEqual(missing, [], "operations the tests never saw succeed");
});
