#!/usr/bin/env bash
# What retrieval by meaning costs, whatever the model: the fake endpoint of
# tests/support/fake_embeddings.py answers at once or after a set delay, so
# these are ChatKit's own costs (a real model adds its own time per batch
# and per question, and says nothing here about quality).
#   - start-up until every section has its vector, with a cold cache (empty
#     database) and a warm one (a restart on the same database);
#   - the time POST /chat takes per question without embeddings, and with
#     the endpoint answering after 0 and 50 ms: the added latency;
#   - exact search at 50,000 sections x 768 dimensions, and memory per
#     10,000 sections (build/examples/chatkit-bench-vectors, one core).
#
#   examples/bench_embeddings.sh [corpus=docs/] [questions=200]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CORPUS=${1:-$ROOT/docs}
QUESTIONS=${2:-200}
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"' EXIT
source "$ROOT/scripts/services.sh" # free_port

# Sets FAKE_PORT. Not called through $(...): a fake started in that subshell
# would not be a job of this one, and the trap would leave it running.
start_fake() { # delay_ms
  FAKE_PORT=$(free_port)
  /usr/bin/python3 "$ROOT/tests/support/fake_embeddings.py" --port "$FAKE_PORT" --dims 768 --delay-ms "$1" \
    >"$WORK/fake-$FAKE_PORT.log" 2>&1 &
  for _ in $(seq 100); do grep -q listening "$WORK/fake-$FAKE_PORT.log" 2>/dev/null && break; sleep 0.05; done
}

start_server() { # port database embeddings_port(or empty)
  local embeddings=()
  [ -n "$3" ] && embeddings=(EMBEDDINGS_BASE_URL="http://127.0.0.1:$3/v1" EMBEDDINGS_MODEL=fake-768)
  env -i PATH="$PATH" PORT="$1" BIND=127.0.0.1 THREADS=2 DATABASE_URL="sqlite://$2" CORPUS_DIR="$CORPUS" \
    RATE_ANONYMOUS=100000/minute RATE_ANONYMOUS_IP=100000/minute LOG_LEVEL=warn BUILTIN_TOKEN_DELAY=0ms \
    "${embeddings[@]}" "$ROOT/build/src/chatkit-server" >"$WORK/server-$1.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 200); do curl -sf "http://127.0.0.1:$1/livez" >/dev/null 2>&1 && break; sleep 0.05; done
}

# Milliseconds from the server's start until chatkit_embeddings_ready is 1.
time_to_ready() { # database embeddings_port
  local port start
  port=$(free_port)
  start=$(date +%s%N)
  start_server "$port" "$1" "$2"
  until curl -sf "http://127.0.0.1:$port/metrics" | grep -q '^chatkit_embeddings_ready 1'; do sleep 0.02; done
  echo $((($(date +%s%N) - start) / 1000000))
  kill "$SERVER_PID"
  wait "$SERVER_PID" 2>/dev/null || true
}

# Mean and p50 milliseconds of POST /api/v1/chat over the questions.
chat_latency() { # port
  /usr/bin/python3 - "$1" "$QUESTIONS" <<'PY'
import http.client, json, statistics, sys, time
port, n = int(sys.argv[1]), int(sys.argv[2])
questions = ["How do I configure rate limits?", "What does /readyz report?", "How do I back up the database?",
             "Which settings does production require?", "How do I embed the widget?"]
times = []
conn = http.client.HTTPConnection("127.0.0.1", port)
for i in range(n):
    body = json.dumps({"message": questions[i % len(questions)]})
    t = time.perf_counter()
    conn.request("POST", "/api/v1/chat", body, {"Content-Type": "application/json"})
    r = conn.getresponse(); r.read()
    times.append((time.perf_counter() - t) * 1000)
    assert r.status == 200, r.status
print(f"{statistics.mean(times):.2f} {statistics.median(times):.2f}")
PY
}

echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores"
echo "corpus: $CORPUS"
start_fake 0
FAKE=$FAKE_PORT
echo "== start-up until every vector exists"
cold=$(time_to_ready "$WORK/cache.db" "$FAKE")
warm=$(time_to_ready "$WORK/cache.db" "$FAKE")
echo "startup_ms cold $cold warm $warm"

echo "== POST /chat per question (mean, p50 ms)"
P=$(free_port); start_server "$P" "$WORK/plain.db" ""
echo "lexical_only $(chat_latency "$P")"
for delay in 0 50; do
  start_fake "$delay"
  P=$(free_port); start_server "$P" "$WORK/cache.db" "$FAKE_PORT"
  until curl -sf "http://127.0.0.1:$P/metrics" | grep -q '^chatkit_embeddings_ready 1'; do sleep 0.02; done
  echo "hybrid_endpoint_${delay}ms $(chat_latency "$P")"
done

echo "== exact search, one core"
taskset -c 0 "$ROOT/build/examples/chatkit-bench-vectors" 50000 768 2000
