#!/usr/bin/env bash
# Concurrent streams with examples/loadgen (chatkit-loadgen), on SQLite:
#   1. 1,000 concurrent streams, built-in generator
#   2. 10,000 concurrent streams, built-in generator, server peak RSS
#   3. time to first token through the server vs. straight to the fake
#      upstream, 1,000 streams each
#
#   examples/bench_streams.sh
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SERVER="$ROOT/build/src/chatkit-server"
LOADGEN="$ROOT/build/examples/chatkit-loadgen"
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"' EXIT
source "$ROOT/scripts/services.sh" # free_port

serve() { # port, extra env...
  local port=$1; shift
  env PORT="$port" THREADS=2 DATABASE_URL="sqlite://$WORK/$port.db" CORPUS_DIR="$ROOT/tests/fixtures/corpus" \
    RATE_ANONYMOUS=unlimited RATE_ANONYMOUS_IP=unlimited RATE_ANONYMOUS_SESSIONS_IP=unlimited LOG_LEVEL=warn \
    "$@" "$SERVER" serve >"$WORK/$port.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && return; sleep 0.1; done
}

echo "== 1,000 concurrent streams (built-in generator, 100 ms between tokens)"
P=$(free_port); serve "$P" BUILTIN_TOKEN_DELAY=100ms
"$LOADGEN" --port "$P" --users 1000 --ramp 1 --server-pid "$SERVER_PID"
kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true

echo "== 10,000 concurrent streams (built-in generator, 400 ms between tokens)"
P=$(free_port); serve "$P" BUILTIN_TOKEN_DELAY=400ms
"$LOADGEN" --port "$P" --users 10000 --ramp 10 --server-pid "$SERVER_PID"
kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true

echo "== time to first token: fake upstream directly, then through chatkit-server (1,000 streams)"
U=$(free_port)
/usr/bin/python3 "$ROOT/examples/fake_upstream.py" --port "$U" --token-delay 0.05 >/dev/null 2>&1 &
sleep 1
"$LOADGEN" --port "$U" --users 1000 --ramp 2 --direct /v1/chat/completions
P=$(free_port); serve "$P" LLM_BASE_URL="http://127.0.0.1:$U/v1" LLM_MODEL=fake
"$LOADGEN" --port "$P" --users 1000 --ramp 2 --server-pid "$SERVER_PID"
