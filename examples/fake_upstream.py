#!/usr/bin/python3
"""A fake OpenAI-compatible model for tests and load tests.

Speaks the real streaming wire format of POST /v1/chat/completions
(text/event-stream, `data: {"choices":[{"delta":{"content":...}}]}` lines,
then `data: [DONE]`). The path prefix before /v1 picks a behaviour:

  /v1/...               stream the answer, TOKEN_DELAY between tokens
  /slow/v1/...          wait FIRST_TOKEN_DELAY before the first token
  /fail/v1/...          drop the connection after 3 tokens
  /malformed/v1/...     send a chunk that is not JSON after 2 tokens
  /split/v1/...         split a multi-byte UTF-8 character across two writes
  /crlf/v1/...          use CRLF line ends and content with newlines
  /tail/v1/...          end the chunked body 0.2 s after [DONE]
  /status/NNN/v1/...    refuse with HTTP NNN and an error body (as a model API
                        does for a bad key, a quota or an outage)
  /flood/v1/...         stream 1 KB tokens without end (until the client goes)

--answer '["Agents act", " [1", "]."]' streams those tokens, exactly, instead of
the built-in answer (a test scripts what the model says, citations and all).

Streams are chunked and the connection stays open for the next request
(except /fail/, which drops it); --idle-close closes a connection that sat
idle that long, as servers with short keep-alive timeouts do.

Every request and how it ended is appended, one JSON object per line, to
the log named by --log, so a test can check that a cancelled answer closed
its upstream request at once.

  /usr/bin/python3 examples/fake_upstream.py --port 0 --log /tmp/upstream.log
prints "listening on <port>" once ready.
"""
import argparse
import json
import socketserver
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ANSWER = ("Embodied AI studies agents that learn by acting [1]. "
          "They perceive through sensors [2] and caf\u00e9 robots serve coffee.").split(" ")
TOKENS = [(" " if i else "") + word for i, word in enumerate(ANSWER)]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fake-upstream"

    def log_message(self, *args):
        pass

    def record(self, **fields):
        fields["at"] = time.time()
        fields["peer"] = self.client_address[1]
        with self.server.log_lock, open(self.server.log_path, "a", encoding="utf-8") as f:
            f.write(json.dumps(fields) + "\n")

    def do_POST(self):
        mode = self.path.split("/v1/")[0].strip("/") or "normal"
        length = int(self.headers.get("Content-Length", "0"))
        body = json.loads(self.rfile.read(length) or b"{}")
        self.record(event="request", mode=mode, model=body.get("model"),
                    authorization=self.headers.get("Authorization", ""),
                    request_id=self.headers.get("X-Request-ID", ""),
                    messages=body.get("messages", []), stream=body.get("stream"),
                    max_tokens=body.get("max_tokens"))
        if not self.path.endswith("/chat/completions"):
            self.send_error(404)
            return
        if mode.startswith("status/"):
            payload = json.dumps({"error": {"message": "upstream-secret-body: key sk-test-key rejected"}}).encode()
            self.send_response(int(mode.split("/")[1]))
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
            self.record(event="refused", status=int(mode.split("/")[1]))
            return
        if not body.get("stream"):
            text = "".join(self.server.tokens)
            payload = json.dumps({"choices": [{"message": {"role": "assistant", "content": text}}]}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        sent = 0
        eol = b"\r\n" if mode == "crlf" else b"\n"

        def chunk(data):
            return b"%x\r\n" % len(data) + data + b"\r\n"
        try:
            if mode == "flood":
                event = b"data: " + json.dumps({"choices": [{"delta": {"content": "x" * 1024}}]}).encode() + eol + eol
                while True:
                    self.wfile.write(chunk(event))
                    self.wfile.flush()
                    sent += 1
            if mode == "slow":
                time.sleep(self.server.first_token_delay)
            for i, content in enumerate(self.server.tokens):
                if mode == "crlf" and i == 1:
                    content += "\nevent: done\r\ndata: forged"
                event = (b"data: " + json.dumps({"choices": [{"delta": {"content": content}}]}, ensure_ascii=False).encode()
                         + eol + eol)
                if mode == "malformed" and i == 2:
                    event = b"data: {not json" + eol + eol
                if mode == "split" and "\u00e9" in content:
                    raw = event
                    cut = raw.index("caf".encode()) + 4  # inside the two bytes of e-acute
                    self.wfile.write(chunk(raw[:cut]))
                    self.wfile.flush()
                    time.sleep(0.05)
                    self.wfile.write(chunk(raw[cut:]))
                else:
                    self.wfile.write(chunk(event))
                self.wfile.flush()
                sent += 1
                if mode == "fail" and sent == 3:
                    self.record(event="dropped", tokens=sent)
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                time.sleep(self.server.token_delay)
            done = chunk(b"data: [DONE]" + eol + eol)
            if mode == "tail":
                self.wfile.write(done)
                self.wfile.flush()
                time.sleep(0.2)
                done = b""
            self.wfile.write(done + b"0\r\n\r\n")
            self.wfile.flush()
            self.record(event="finished", tokens=sent)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
            self.record(event="client_closed", tokens=sent)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--log", default="/dev/null")
    parser.add_argument("--token-delay", type=float, default=0.05)
    parser.add_argument("--first-token-delay", type=float, default=3.0)
    parser.add_argument("--idle-close", type=float, default=None)
    parser.add_argument("--answer", default=None, help="JSON array of the tokens to stream")
    args = parser.parse_args()
    # The socket timeout also ends a connection that waits this long for its next request.
    Handler.timeout = args.idle_close
    ThreadingHTTPServer.daemon_threads = True
    ThreadingHTTPServer.request_queue_size = 4096
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.log_path = args.log
    server.log_lock = threading.Lock()
    server.token_delay = args.token_delay
    server.first_token_delay = args.first_token_delay
    server.tokens = json.loads(args.answer) if args.answer else TOKENS
    print(f"listening on {server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
