#!/usr/bin/python3
"""A fake OpenAI-compatible embeddings endpoint for tests and benchmarks.

Speaks the real wire format of POST /v1/embeddings: a JSON body with
"model", "input" (a string or a list of strings) and an optional
"dimensions"; the answer {"object": "list", "data": [{"object":
"embedding", "index": i, "embedding": [...]}], "model": ..., "usage": ...}.

Vectors are deterministic: each word of the text adds +1 or -1 to a
bucket its hash picks, and the sum is normalised. Texts that share words
are close; texts that share none are not. That proves the plumbing
(batching, the cache, fusion, fallback, deadlines, several instances
sharing the work) and nothing about the quality of a real model.

The path prefix before /v1 picks a behaviour:

  /v1/embeddings                  answer (after --delay-ms)
  /slow-questions/v1/embeddings   answer, but a single-text request (a
                                  reader's question) waits --slow-seconds
  /slow/v1/embeddings             every request waits --slow-seconds
  /status/NNN/v1/embeddings       refuse with HTTP NNN and an error body
  /flaky/v1/embeddings            the first two requests get 503, then answer
  /refuse/WORD/v1/embeddings      413 for a request with a text holding WORD
                                  (as servers do for an input past the model's
                                  length)
  /malformed/v1/embeddings        a body that is not JSON
  /wrong-dims/v1/embeddings       one dimension short of what was asked

Every request is appended, one JSON object per line, to the --log file:
{"event": "request", "mode": ..., "inputs": [...], "authorization": ...}.

  /usr/bin/python3 tests/support/fake_embeddings.py --port 0 --log /tmp/e.log
prints "listening on <port>" once ready.
"""
import argparse
import hashlib
import json
import math
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

WORD = re.compile(r"[a-z0-9]+")


def vector(text, dims):
    v = [0.0] * dims
    for word in WORD.findall(text.lower()):
        h = int.from_bytes(hashlib.blake2b(word.encode(), digest_size=8).digest(), "little")
        v[h % dims] += 1.0 if (h >> 32) & 1 else -1.0
    norm = math.sqrt(sum(x * x for x in v))
    if norm == 0:
        v[0] = 1.0
        return v
    return [x / norm for x in v]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fake-embeddings"

    def log_message(self, *args):
        pass

    def reply(self, status, body, content_type="application/json"):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        prefix = self.path.split("/v1/")[0].strip("/")
        mode = prefix or "normal"
        length = int(self.headers.get("Content-Length", "0"))
        body = json.loads(self.rfile.read(length) or b"{}")
        texts = body.get("input", [])
        if isinstance(texts, str):
            texts = [texts]
        with self.server.lock:
            self.server.requests += 1
            count = self.server.requests
            with open(self.server.log_path, "a", encoding="utf-8") as f:
                f.write(json.dumps({"event": "request", "mode": mode, "model": body.get("model"),
                                    "inputs": texts, "at": time.time(),
                                    "authorization": self.headers.get("Authorization", "")}) + "\n")
        if self.server.delay:
            time.sleep(self.server.delay)
        if mode.startswith("status/"):
            status = int(mode.split("/")[1])
            return self.reply(status, json.dumps({"error": {"message": "refused", "type": "fake"}}))
        if mode.startswith("refuse/") and any(mode.split("/")[1] in t for t in texts):
            return self.reply(413, json.dumps({"error": {"message": "input too long"}}))
        if mode == "flaky" and count <= 2:
            return self.reply(503, json.dumps({"error": {"message": "overloaded"}}))
        if mode == "malformed":
            return self.reply(200, "{\"data\": [ not json")
        if mode == "slow" or (mode == "slow-questions" and len(texts) == 1):
            time.sleep(self.server.slow_seconds)
        dims = int(body.get("dimensions") or self.server.dims)
        if mode == "wrong-dims":
            dims -= 1
        data = [{"object": "embedding", "index": i, "embedding": vector(t, dims)} for i, t in enumerate(texts)]
        data.reverse()  # the index, not the order, says which is which
        words = sum(len(t.split()) for t in texts)
        self.reply(200, json.dumps({"object": "list", "data": data, "model": body.get("model"),
                                    "usage": {"prompt_tokens": words, "total_tokens": words}}))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--log", default="/dev/null")
    parser.add_argument("--dims", type=int, default=64)
    parser.add_argument("--delay-ms", type=float, default=0)
    parser.add_argument("--slow-seconds", type=float, default=5)
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    server.lock = threading.Lock()
    server.requests = 0
    server.log_path = args.log
    server.dims = args.dims
    server.delay = args.delay_ms / 1000
    server.slow_seconds = args.slow_seconds
    print(f"listening on {server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
