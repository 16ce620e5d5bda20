#!/usr/bin/env bash
# Time to first token that chatkit-server adds over its upstream model.
# The upstream is nginx answering /v1/chat/completions with a canned
# OpenAI-style stream (fast enough never to be the bottleneck); the same
# load generator measures it directly and through chatkit-server.
#
#   examples/bench_ttft.sh [users=1000] [ramp_seconds=2]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
USERS=${1:-1000}
RAMP=${2:-2}
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"' EXIT
source "$ROOT/scripts/services.sh" # free_port
source "$ROOT/examples/nginx.sh"   # start_nginx

U=$(free_port)
BODY=""
for w in Embodied " AI" " studies" " agents" " that" " act" "."; do
  BODY+="data: {\\\"choices\\\":[{\\\"delta\\\":{\\\"content\\\":\\\"$w\\\"}}]}\\n\\n"
done
BODY+="data: [DONE]\\n\\n"
start_nginx "$WORK" "$U" off "location /v1/chat/completions { default_type text/event-stream; return 200 \"$BODY\"; }"
sleep 0.5

echo "== straight to the upstream"
"$ROOT/build/examples/chatkit-loadgen" --port "$U" --users "$USERS" --ramp "$RAMP" --direct /v1/chat/completions

P=$(free_port)
PORT=$P THREADS=${THREADS:-2} DATABASE_URL="sqlite://$WORK/chatkit.db" CORPUS_DIR="$ROOT/tests/fixtures/corpus" \
  LLM_BASE_URL="http://127.0.0.1:$U/v1" LLM_MODEL=bench LOG_LEVEL=warn \
  RATE_ANONYMOUS=unlimited RATE_ANONYMOUS_IP=unlimited RATE_ANONYMOUS_SESSIONS_IP=unlimited \
  "$ROOT/build/src/chatkit-server" serve >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$P/health" >/dev/null && break; sleep 0.1; done
# Not measured: the first answers of a fresh process open its upstream
# connections, prepare its statements and fault in its pages, which a
# running server has done long ago (this alone was p99 15-20 ms).
"$ROOT/build/examples/chatkit-loadgen" --port "$P" --users 200 --ramp 1 >/dev/null
echo "== through chatkit-server, asking without a session (no database read before the upstream request)"
"$ROOT/build/examples/chatkit-loadgen" --port "$P" --users "$USERS" --ramp "$RAMP" --anonymous-token no
echo "== through chatkit-server, as the widget asks (anonymous session looked up first)"
"$ROOT/build/examples/chatkit-loadgen" --port "$P" --users "$USERS" --ramp "$RAMP" --server-pid "$SERVER_PID"
