#!/usr/bin/env bash
# /health throughput of chatkit-server (whole middleware chain on) against
# two nginx shapes, in the same run, with wrk:
# - "return": nginx answering `return 200` with a small body and its own few
#   headers (the cheapest thing an HTTP server can do);
# - "matched": nginx sending our reply: the same headers, a random
#   X-Request-ID from $request_id, the same 75 body bytes (examples/nginx.sh).
#
#   examples/bench_health.sh [duration_seconds] [connections] [server_threads] [rounds] [build_dir]
#
# The servers are measured alternately for several rounds; each round's ratio
# compares back-to-back runs, and the median of those ratios is the figure
# (on a shared 2-core VM single runs vary by +-30% and drift). Both nginx run
# one worker per chatkit-server I/O thread. Needs: wrk, nginx (apt-get install
# wrk nginx-light), a built server. Every server logs every request (to
# /dev/null) so none skips work the others do.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DURATION=${1:-10}
CONNECTIONS=${2:-64}
THREADS=${3:-1}
ROUNDS=${4:-3}
BUILD=$(cd "${5:-$ROOT/build}" && pwd)
SERVER="$BUILD/src/chatkit-server"
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"' EXIT

source "$ROOT/scripts/services.sh" # free_port
source "$ROOT/examples/nginx.sh"   # nginx_conf, NGINX_HEALTH_MATCHED

CK_PORT=$(free_port)
RET_PORT=$(free_port)
MATCH_PORT=$(free_port)

(cd "$WORK" && PORT=$CK_PORT THREADS=$THREADS exec "$SERVER" serve >/dev/null 2>&1) &
for shape in return matched; do
  mkdir -p "$WORK/$shape"
  if [ "$shape" = return ]; then
    nginx_conf "$WORK/$shape" "$RET_PORT" /dev/null \
      "location = /health { default_type application/json; return 200 '{\"status\":\"ok\"}'; }"
  else
    nginx_conf "$WORK/$shape" "$MATCH_PORT" /dev/null "$NGINX_HEALTH_MATCHED"
  fi
  sed -i "s/^worker_processes 1;/worker_processes $THREADS;/" "$WORK/$shape/nginx.conf"
  nginx -c "$WORK/$shape/nginx.conf" -p "$WORK/$shape" &
done
sleep 1

run() {
  wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" "http://127.0.0.1:$1/health" | awk '/Requests\/sec/ {print $2}'
}

# Warm all up, then measure each once per round.
for port in "$CK_PORT" "$RET_PORT" "$MATCH_PORT"; do
  wrk -t1 -c"$CONNECTIONS" -d2s "http://127.0.0.1:$port/health" >/dev/null
done
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
CK_ALL=() RET_ALL=() MATCH_ALL=()
for _ in $(seq "$ROUNDS"); do
  CK_ALL+=("$(run "$CK_PORT")")
  RET_ALL+=("$(run "$RET_PORT")")
  MATCH_ALL+=("$(run "$MATCH_PORT")")
done
report() { # <name> <rates...>
  local name=$1
  shift
  echo "$name: $* -> median $(printf '%s\n' "$@" | median) req/s"
}
report "chatkit-server (threads=$THREADS)  " "${CK_ALL[@]}"
report "nginx return 200 ($THREADS worker(s))" "${RET_ALL[@]}"
report "nginx matched ($THREADS worker(s))   " "${MATCH_ALL[@]}"
# Each round measures the servers back to back, so its ratio is what a drift
# of the machine between rounds cannot skew; the median of those is the figure.
ratios() { # <nginx rates...>: chatkit/nginx per round, then their median
  local i=0 r=()
  for n in "$@"; do
    r+=("$(awk -v a="${CK_ALL[$i]}" -v b="$n" 'BEGIN { printf "%.3f", a / b }')")
    i=$((i + 1))
  done
  echo "${r[*]} -> median $(printf '%s\n' "${r[@]}" | median)"
}
echo "ratio chatkit/nginx return 200, per round: $(ratios "${RET_ALL[@]}")"
echo "ratio chatkit/nginx matched, per round:    $(ratios "${MATCH_ALL[@]}")"
