#!/usr/bin/env bash
# Every benchmark of examples/ in one run, then one table of what they
# measured against their baselines and targets (examples/bench_summary.py):
#   bench_health.sh      /health req/s against nginx `return 200` and the
#                        header-matched nginx, THREADS=1 then 2
#   callgrind_health.sh  instructions per /health against the matched nginx
#   bench_auth.sh        session-check and analytics events, SQLite and PostgreSQL
#   bench_ttft.sh        time to first token added over an nginx upstream
#   bench_streams.sh     1,000 and 10,000 concurrent streams, server peak RSS
#   bench_answers.sh     retrieval quality against SQLite FTS5, retrieval latency
#
#   examples/bench_all.sh                      # about 6 minutes on 2 cores
#   examples/bench_all.sh --write-docs         # and regenerate the summary of docs/benchmarks.md
#   QUICK=1 examples/bench_all.sh              # a 2-minute smoke run: figures not to quote
#
# Options: --quick (as QUICK=1), --no-callgrind (skip the valgrind run),
# --note TEXT (a sentence after the machine description, e.g. what else it
# was doing), --logs DIR (where each script's output goes; a new folder under
# /tmp by default). Installs what is missing and builds first. Each script's
# whole output stays in its log; a figure that cannot be read from it shows
# as n/a. Exits non-zero if any benchmark script failed, after the table.
# The machine is part of every figure: it is printed first and written to
# the docs with them. Nothing is tuned here: the arguments are each script's
# own defaults (shorter with --quick).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# The scripts run below take the server from build/ at the top of the tree.
BUILD_DIR="$(cd "$here/.." && pwd)/build"
source "$here/../scripts/lib.sh"

QUICK=${QUICK:-}
CALLGRIND=1
WRITE_DOCS=""
NOTE=""
LOGS=""
while [ $# -gt 0 ]; do
  case $1 in
    --quick) QUICK=1 ;;
    --no-callgrind) CALLGRIND="" ;;
    --write-docs) WRITE_DOCS=1 ;;
    --note) NOTE=${2:?--note needs a text}; shift ;;
    --logs) LOGS=${2:?--logs needs a folder}; shift ;;
    *) echo "usage: $0 [--quick] [--no-callgrind] [--write-docs] [--note TEXT] [--logs DIR]" >&2; exit 64 ;;
  esac
  shift
done
if [ -n "$QUICK" ] && [ -n "$WRITE_DOCS" ]; then
  echo "--write-docs takes the figures of a full run, not of --quick" >&2
  exit 64
fi

LOGS=${LOGS:-$(mktemp -d /tmp/chatkit-bench-all-XXXXXX)}
mkdir -p "$LOGS"
: >"$LOGS/runs.txt"

install_packages "${BUILD_PACKAGES[@]}" wrk nginx-light postgresql curl python3 ${CALLGRIND:+valgrind}
build >"$LOGS/build.log" 2>&1 || { cat "$LOGS/build.log" >&2; exit 1; }
# bench_streams.sh opens 10,000 client and 10,000 server sockets (two processes).
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
started=$(date +%s)

# What the figures depend on, as "key: value" lines (machine.txt).
{
  echo "cpu: $(lscpu | sed -n 's/^Model name: *//p' | head -1)"
  echo "hypervisor: $(lscpu | sed -n 's/^Hypervisor vendor: *//p' | head -1)"
  echo "cores: $(nproc)"
  echo "memory: $(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
  echo "os: $(. /etc/os-release && echo "$PRETTY_NAME")"
  echo "kernel: $(uname -r)"
  echo "compiler: $(g++ --version | head -1)"
  echo "commit: $(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet HEAD 2>/dev/null || echo ' (with uncommitted changes)')"
  echo "nginx: $(nginx -v 2>&1 | sed 's|^nginx version: nginx/||')"
  echo "wrk: $(wrk -v 2>&1 | awk 'NR == 1 { sub(/^debian\//, "", $2); print $2 }')"
  echo "postgresql: $("$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)/postgres" --version | awk '{ print $3 }')"
  if [ -n "$CALLGRIND" ]; then echo "valgrind: $(valgrind --version)"; fi
  echo "open files: $(ulimit -n)"
  echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "started: $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "command: examples/bench_all.sh${QUICK:+ --quick}$([ -n "$CALLGRIND" ] || echo ' --no-callgrind')${WRITE_DOCS:+ --write-docs}"
} >"$LOGS/machine.txt"
cat "$LOGS/machine.txt"
echo "logs: $LOGS"
echo

# CPU time of the whole machine, and of this script's finished children
# (clock ticks): their difference over a benchmark is what other processes
# (and the PostgreSQL cluster, which is not a child) took from it.
machine_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat; }
our_ticks() { awk '{ print $16 + $17 }' "/proc/$$/stat"; }

# run <name> <script> [args...]: the script's output to <name>.log, and one
# line "<name> <exit status> <seconds> <cores used by others> <script and
# args>" to runs.txt.
failed=0
run() {
  local name=$1 t0 m0 o0 seconds others status=0
  shift
  printf '==> %-10s %s ... ' "$name" "${*#"$ROOT/"}"
  t0=$EPOCHREALTIME m0=$(machine_ticks) o0=$(our_ticks)
  "$@" >"$LOGS/$name.log" 2>&1 </dev/null || status=$?
  read -r seconds others < <(awk -v t0="$t0" -v t1="$EPOCHREALTIME" -v m="$(($(machine_ticks) - m0))" \
    -v o="$(($(our_ticks) - o0))" -v hz="$(getconf CLK_TCK)" \
    'BEGIN { t = t1 - t0; v = (m - o) / hz / t; printf "%d %.2f\n", t + 0.5, v < 0 ? 0 : v }')
  echo "$name $status $seconds $others ${*#"$ROOT/"}" >>"$LOGS/runs.txt"
  if [ "$status" -eq 0 ]; then
    echo "$seconds s (other processes: $others cores)"
  else
    echo "FAILED (exit $status, $seconds s): see $LOGS/$name.log"
    failed=1
  fi
}

if [ -n "$QUICK" ]; then
  run health-1 "$here/bench_health.sh" 2 64 1 1 "$BUILD_DIR"
  run health-2 "$here/bench_health.sh" 2 64 2 1 "$BUILD_DIR"
  if [ -n "$CALLGRIND" ]; then run callgrind "$here/callgrind_health.sh" 2 8 1 "$BUILD_DIR"; fi
  run auth "$here/bench_auth.sh" 2 64 2
  run ttft "$here/bench_ttft.sh" 200 1
else
  run health-1 "$here/bench_health.sh" 10 64 1 3 "$BUILD_DIR"
  run health-2 "$here/bench_health.sh" 10 64 2 3 "$BUILD_DIR"
  if [ -n "$CALLGRIND" ]; then run callgrind "$here/callgrind_health.sh" 10 8 1 "$BUILD_DIR"; fi
  run auth "$here/bench_auth.sh" 10 64 2
  run ttft "$here/bench_ttft.sh" 1000 2
fi
# These two take no durations: about a minute together.
run streams "$here/bench_streams.sh"
run answers "$here/bench_answers.sh"

{
  echo "seconds: $(($(date +%s) - started))"
  if [ -n "$NOTE" ]; then echo "note: $NOTE"; fi
} >>"$LOGS/machine.txt"
echo
/usr/bin/python3 "$here/bench_summary.py" "$LOGS" ${WRITE_DOCS:+--write-docs "$ROOT/docs/benchmarks.md"}
exit "$failed"
