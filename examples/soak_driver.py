#!/usr/bin/env python3
"""The load and the sampler of examples/soak.sh (read that first).

Virtual clients, each on its own address (X-Forwarded-For from a trusted
proxy, so per-IP limits count them apart), loop: an anonymous session
(renewed before it expires), a streamed answer (a quarter of them dropped
mid-stream and resumed with Last-Event-ID), an analytics batch, now and then a
sign-up to the SMTP sink. Every --interval seconds the sampler records the
server's RSS, the database's size and its row counts, and prints the growth
of each per 1,000 answers since the previous sample.
"""
import argparse
import http.client
import json
import os
import random
import sqlite3
import subprocess
import threading
import time

TABLES = ["sessions", "verification_tokens", "mail_outbox", "conversations", "messages", "chat_streams",
          "stream_chunks", "analytics_events", "rate_limit_counters", "users"]
QUESTIONS = ["What is embodied AI?", "How do I install it?", "How do I run several instances?",
             "What does the retriever rank first?", "How are answers streamed?"]


class counters:
    def __init__(self):
        self.lock = threading.Lock()
        self.answers = self.resumes = self.analytics = self.signups = self.sessions = 0
        self.errors = {}

    def add(self, name, n=1):
        with self.lock:
            setattr(self, name, getattr(self, name) + n)

    def error(self, what):
        with self.lock:
            self.errors[what] = self.errors.get(what, 0) + 1


class client:
    def __init__(self, args, index, stats):
        self.args, self.stats = args, stats
        self.headers = {"X-Forwarded-For": f"10.77.{index // 250}.{index % 250 + 1}", "X-Forwarded-Proto": "https",
                        "Origin": args.origin}
        self.token, self.token_at = None, 0
        self.index = index

    def request(self, method, path, body=None, extra=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.args.port, timeout=60)
        headers = dict(self.headers, **(extra or {}))
        if body is not None:
            headers["Content-Type"] = "application/json"
            body = json.dumps(body)
        conn.request(method, path, body, headers)
        return conn, conn.getresponse()

    def call(self, method, path, body=None, bearer=True):
        conn, r = self.request(method, path, body, {"Authorization": f"Bearer {self.token}"} if bearer else None)
        data = r.read()
        conn.close()
        if r.status != 200:
            self.stats.error(f"{method} {path.split('/')[3]} {r.status}")
        return r.status, data

    def session(self):
        # Renewed well inside SESSION_LIFETIME, as a widget would sign in again.
        if self.token and time.time() - self.token_at < self.args.session_seconds / 2:
            return
        status, data = self.call("POST", "/api/v1/auth/anonymous", bearer=False)
        if status == 200:
            self.token, self.token_at = json.loads(data)["anon_token"], time.time()
            self.stats.add("sessions")

    def read_events(self, response, stop_after=None):
        """Events of an SSE body up to done/error (or stop_after of them): (last id, final event)."""
        last_id, event, seen = None, None, 0
        for raw in response:
            line = raw.decode().rstrip("\r\n")
            if line.startswith("id: "):
                last_id = line[4:]
            elif line.startswith("event: "):
                event = line[7:]
            elif line == "" and event:
                seen += 1
                if event in ("done", "error") or (stop_after and seen >= stop_after):
                    return last_id, event
                event = None
        return last_id, None

    def answer(self):
        body = {"message": random.choice(QUESTIONS), "context": {"mode": "browse"}}
        conn, r = self.request("POST", "/api/v1/chat/stream", body,
                               {"Authorization": f"Bearer {self.token}", "Accept": "text/event-stream"})
        if r.status != 200:
            r.read()
            conn.close()
            self.stats.error(f"POST stream {r.status}")
            return
        drop = random.random() < 0.25
        last_id, final = self.read_events(r, stop_after=random.randint(3, 10) if drop else None)
        conn.close()
        if drop and final not in ("done", "error") and last_id:
            message_id = last_id.split(":")[0]
            conn, r = self.request("GET", f"/api/v1/chat/stream/{message_id}", None,
                                   {"Authorization": f"Bearer {self.token}", "Accept": "text/event-stream",
                                    "Last-Event-ID": last_id})
            if r.status == 200:
                _, final = self.read_events(r)
                self.stats.add("resumes")
            else:
                r.read()
                self.stats.error(f"GET resume {r.status}")
            conn.close()
        if final == "done":
            self.stats.add("answers")
        else:
            self.stats.error(f"stream ended {final}")

    def analytics(self):
        events = [{"event_type": "chat_message", "event_data": {"n": i, "page": "/docs/x"}} for i in range(5)]
        if self.call("POST", "/api/v1/analytics/event", {"events": events})[0] == 200:
            self.stats.add("analytics", len(events))

    def signup(self):
        # A fixed pool of addresses, each under its 3 sign-ups an hour: unique
        # ones would each keep an hour window of their own for two hours.
        email = f"soak{random.randrange(self.args.addresses)}@example.com"
        if self.call("POST", "/api/v1/auth/signup", {"email": email, "consent_data_storage": True},
                     bearer=False)[0] == 200:
            self.stats.add("signups")

    def run(self, until):
        n = 0
        while time.time() < until:
            started = time.time()
            try:
                self.session()
                self.answer()
                if n % 2 == 0:
                    self.analytics()
                if n % 80 == self.index % 80:
                    self.signup()
            except Exception as e:  # a failed request is counted, the soak goes on
                self.stats.error(type(e).__name__)
            n += 1
            # Each client stays under its address's 10 answers a minute.
            time.sleep(max(0.0, self.args.pace - (time.time() - started)))


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def database_sample(url):
    """(bytes, {table: rows})"""
    if url.startswith("sqlite://"):
        path = url[len("sqlite://"):]
        size = sum(os.path.getsize(path + s) for s in ("", "-wal", "-shm") if os.path.exists(path + s))
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
        rows = {t: db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in TABLES}
        db.close()
        return size, rows
    sql = "SELECT pg_database_size(current_database())" + "".join(f", (SELECT COUNT(*) FROM {t})" for t in TABLES)
    out = subprocess.run(["psql", "-XAtq", "-F", " ", "-c", sql, url], check=True, capture_output=True,
                         text=True).stdout.split()
    return int(out[0]), dict(zip(TABLES, map(int, out[1:])))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--pid", type=int, required=True)
    p.add_argument("--database-url", required=True)
    p.add_argument("--duration", type=float, required=True, help="seconds")
    p.add_argument("--interval", type=float, default=60)
    p.add_argument("--clients", type=int, default=32)
    p.add_argument("--pace", type=float, default=6.5, help="seconds per loop of one client, at least")
    p.add_argument("--addresses", type=int, default=100)
    p.add_argument("--session-seconds", type=float, default=120)
    p.add_argument("--origin", default="https://chat.example.com")
    args = p.parse_args()

    stats = counters()
    until = time.time() + args.duration
    threads = [threading.Thread(target=client(args, i, stats).run, args=(until,), daemon=True)
               for i in range(args.clients)]
    for t in threads:
        t.start()

    start = time.time()
    prev = None
    samples = []
    print(f"{'min':>5} {'answers':>8} {'rss MB':>7} {'db MB':>7} {'rss KB/1k':>10} {'db KB/1k':>9}  rows")
    while True:
        now = time.time()
        rss, (size, rows) = rss_kib(args.pid), database_sample(args.database_url)
        sample = (now - start, stats.answers, rss, size, rows)
        samples.append(sample)
        growth = ""
        if prev and sample[1] > prev[1]:
            per = 1000.0 / (sample[1] - prev[1])
            growth = f"{(rss - prev[2]) * per:>10.0f} {(size - prev[3]) / 1024 * per:>9.0f}"
        else:
            growth = f"{'':>10} {'':>9}"
        print(f"{sample[0] / 60:>5.1f} {sample[1]:>8} {rss / 1024:>7.1f} {size / 1048576:>7.1f} {growth}  "
              + " ".join(f"{t}={n}" for t, n in rows.items()), flush=True)
        prev = sample
        if now >= until:
            break
        time.sleep(max(0.0, min(args.interval, until - time.time())))
    for t in threads:
        t.join(timeout=70)

    print(f"totals: answers={stats.answers} resumes={stats.resumes} analytics_events={stats.analytics} "
          f"signups={stats.signups} sessions={stats.sessions} errors={stats.errors or 'none'}")
    # The second half: retention has applied (its longest setting is a few minutes).
    half = [s for s in samples if s[0] >= samples[-1][0] / 2]
    if len(half) >= 2 and half[-1][1] > half[0][1]:
        per = 1000.0 / (half[-1][1] - half[0][1])
        print(f"second half ({half[0][0] / 60:.1f}-{half[-1][0] / 60:.1f} min, {half[-1][1] - half[0][1]} answers): "
              f"RSS {(half[-1][2] - half[0][2]) * per:+.0f} KB per 1,000 answers, "
              f"database {(half[-1][3] - half[0][3]) / 1024 * per:+.0f} KB per 1,000 answers, rows "
              + " ".join(f"{t} {half[-1][4][t] - half[0][4][t]:+d}" for t in TABLES))


if __name__ == "__main__":
    main()
