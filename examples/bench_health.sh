#!/usr/bin/env bash
# /health throughput of chatkit-server (whole middleware chain on) against
# nginx serving `return 200` with one worker, in the same run, with wrk.
#
#   examples/bench_health.sh [duration_seconds] [connections] [server_threads] [rounds]
#
# The two servers are measured alternately for several rounds; each round's
# ratio compares two back-to-back runs, and the median of those ratios is the
# figure (on a shared 2-core VM single runs vary by +-30% and drift).
# Needs: wrk, nginx (apt-get install wrk nginx-light), a built server in
# build/. Both servers log every request (to /dev/null) so neither skips work
# the other does.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DURATION=${1:-10}
CONNECTIONS=${2:-64}
THREADS=${3:-1}
ROUNDS=${4:-3}
SERVER="$ROOT/build/src/chatkit-server"
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"' EXIT

source "$ROOT/scripts/services.sh" # free_port
source "$ROOT/examples/nginx.sh"   # start_nginx

CK_PORT=$(free_port)
NGX_PORT=$(free_port)

PORT=$CK_PORT THREADS=$THREADS "$SERVER" serve >/dev/null 2>&1 &
start_nginx "$WORK" "$NGX_PORT" /dev/null "location = /health { default_type application/json; return 200 '{\"status\":\"ok\"}'; }"
sleep 1

run() {
  wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" "http://127.0.0.1:$1/health" | awk '/Requests\/sec/ {print $2}'
}

# Warm both up, then measure each once.
wrk -t1 -c"$CONNECTIONS" -d2s "http://127.0.0.1:$CK_PORT/health" >/dev/null
wrk -t1 -c"$CONNECTIONS" -d2s "http://127.0.0.1:$NGX_PORT/health" >/dev/null
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
CK_ALL=() NGX_ALL=()
for _ in $(seq "$ROUNDS"); do
  CK_ALL+=("$(run "$CK_PORT")")
  NGX_ALL+=("$(run "$NGX_PORT")")
done
CK=$(printf '%s\n' "${CK_ALL[@]}" | median)
NGX=$(printf '%s\n' "${NGX_ALL[@]}" | median)
echo "chatkit-server (threads=$THREADS): ${CK_ALL[*]} -> median $CK req/s"
echo "nginx (1 worker):               ${NGX_ALL[*]} -> median $NGX req/s"
awk -v a="$CK" -v b="$NGX" 'BEGIN { printf "ratio of the medians: %.2f\n", a / b }'
# Each round measures the two back to back, so its ratio is what a drift of
# the machine between rounds cannot skew; the median of those is the figure.
RATIOS=()
for i in "${!CK_ALL[@]}"; do
  RATIOS+=("$(awk -v a="${CK_ALL[$i]}" -v b="${NGX_ALL[$i]}" 'BEGIN { printf "%.3f", a / b }')")
done
echo "ratio per round: ${RATIOS[*]}"
printf '%s\n' "${RATIOS[@]}" | median | awk '{ printf "ratio chatkit/nginx (median of the rounds): %.2f\n", $1 }'
