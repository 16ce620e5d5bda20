#!/usr/bin/env bash
# Whole-process instructions per /health request, chatkit-server against the
# header-matched nginx, under callgrind. Instruction counts repeat where
# wall-clock rates do not (a shared VM), and counting the whole process
# includes the work other threads do for each request.
#
#   examples/callgrind_health.sh [duration_seconds] [connections] [server_threads] [build_dir]
#   IDLE=60 [WARMUP=70] examples/callgrind_health.sh   # instructions of 60 s of idleness instead
#
# Each server is run twice under callgrind: once with a wrk run of the given
# length, once with no request for the same time. The difference, divided by
# the requests wrk reports, is the cost of a request; start-up and whatever
# runs on timers while idle cancel out. With IDLE set, each server is
# started with instrumentation off and counted for IDLE seconds from WARMUP
# seconds after start (callgrind_control), which leaves start-up out.
# Needs valgrind, wrk, nginx. Counts move by about 1% between runs: how
# many ready sockets one epoll_wait returns depends on the machine's load.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DURATION=${1:-10}
CONNECTIONS=${2:-8}
THREADS=${3:-1}
BUILD=$(cd "${4:-$ROOT/build}" && pwd)
SERVER="$BUILD/src/chatkit-server"
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null; rm -rf "$WORK"' EXIT

source "$ROOT/scripts/services.sh" # free_port
source "$ROOT/examples/nginx.sh"   # nginx_health_matched

wait_port() {
  for _ in $(seq 300); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "nothing listens on port $1" >&2; cat "$WORK"/*.log >&2
  return 1
}

# Instructions of one callgrind output (all threads: callgrind writes one
# file unless told to separate them).
instructions() { awk '/^(summary|totals):/ { print $2; exit }' "$1"; }

# run <name> <requests: yes|no> [seconds] -> prints "<instructions> <requests>"
run() {
  local name=$1 load=$2 seconds=${3:-$DURATION} port out pid requests=0
  port=$(free_port)
  out="$WORK/$name-$load.cg"
  mkdir -p "$WORK/$name-$load"
  if [ "$name" = chatkit ]; then
    (cd "$WORK/$name-$load" && PORT=$port THREADS=$THREADS exec valgrind --tool=callgrind \
      --callgrind-out-file="$out" "$SERVER" serve >"$WORK/$name-$load.log" 2>&1) &
  else
    nginx_health_matched "$WORK/$name-$load" "$port" "master_process off;"
    (exec valgrind --tool=callgrind --callgrind-out-file="$out" nginx -c "$WORK/$name-$load/nginx.conf" \
      -p "$WORK/$name-$load" >"$WORK/$name-$load.log" 2>&1) &
  fi
  pid=$!
  wait_port "$port"
  if [ "$load" = yes ]; then
    requests=$(wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" "http://127.0.0.1:$port/health" |
      awk '/requests in/ { print $1 }')
  else
    sleep "$seconds"
  fi
  # chatkit-server drains on INT (a second INT would cut the drain short);
  # nginx on TERM (a graceful QUIT under valgrind sometimes never ended, and
  # under valgrind a TERM is sometimes lost: it is sent again every 5 s).
  # Both write their callgrind output on the way out.
  if [ "$name" = chatkit ]; then
    kill -INT "$pid"
  else
    kill -TERM "$pid"
    for _ in $(seq 60); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 5
      kill -TERM "$pid" 2>/dev/null || true
    done
  fi
  wait "$pid" || true
  echo "$(instructions "$out") $requests"
}

# idle <name>: instructions of IDLE seconds without requests, counted from
# WARMUP seconds after start (the first timer passes open the database
# connections each thread keeps; that is start-up, not idleness).
idle() {
  local name=$1 port out pid
  port=$(free_port)
  out="$WORK/$name-idle.cg"
  mkdir -p "$WORK/$name-idle"
  if [ "$name" = chatkit ]; then
    (cd "$WORK/$name-idle" && PORT=$port THREADS=$THREADS exec valgrind --tool=callgrind --instr-atstart=no \
      --callgrind-out-file="$out" "$SERVER" serve >"$WORK/$name-idle.log" 2>&1) &
  else
    nginx_health_matched "$WORK/$name-idle" "$port" "master_process off;"
    (exec valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$out" \
      nginx -c "$WORK/$name-idle/nginx.conf" -p "$WORK/$name-idle" >"$WORK/$name-idle.log" 2>&1) &
  fi
  pid=$!
  wait_port "$port"
  sleep "${WARMUP:-70}"
  callgrind_control -i on "$pid" >/dev/null 2>&1
  sleep "$IDLE"
  callgrind_control -d "$pid" >/dev/null 2>&1
  if [ "$name" = chatkit ]; then kill -INT "$pid"; else kill -TERM "$pid"; fi
  wait "$pid" || true
  printf "%-8s idle %d s (after %d s): %d instructions\n" "$name" "$IDLE" "${WARMUP:-70}" "$(instructions "$out.1")"
}

if [ -n "${IDLE:-}" ]; then
  idle chatkit &
  idle nginx &
  wait
  exit 0
fi

for name in chatkit nginx; do
  read -r busy requests < <(run "$name" yes)
  read -r idle _ < <(run "$name" no)
  awk -v n="$name" -v b="$busy" -v i="$idle" -v r="$requests" 'BEGIN {
    printf "%-8s %d requests: %d instructions loaded, %d idle -> %.0f instructions per request\n",
      n, r, b, i, (b - i) / r }'
done
