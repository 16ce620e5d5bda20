#!/usr/bin/env bash
# session-check and analytics-event throughput with wrk, on SQLite and on a
# throw-away PostgreSQL cluster (started and stopped here).
#
#   examples/bench_auth.sh [duration_seconds] [connections] [server_threads]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DURATION=${1:-10}
CONNECTIONS=${2:-64}
THREADS=${3:-2}
source "$ROOT/scripts/services.sh"
SERVER="$ROOT/build/src/chatkit-server"
WORK=$(mktemp -d)
start_postgres_only() { SERVICES_DIR=$(mktemp -d /tmp/chatkit-bench-XXXXXX); chmod 755 "$SERVICES_DIR"; start_postgres >/dev/null; }
cleanup() { kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; stop_services; rm -rf "$WORK"; }
trap cleanup EXIT

cat > "$WORK/event.lua" <<'LUA'
wrk.method = "POST"
wrk.body = '{"event_type":"widget_loaded","event_data":{"page":"/docs/intro"}}'
wrk.headers["Content-Type"] = "application/json"
LUA

commits() {
  case $1 in
    postgresql://*) psql "$1" -Atc "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()" ;;
  esac
}

bench() {
  local label=$1 url=$2 port
  port=$(free_port)
  PORT=$port THREADS=$THREADS DATABASE_URL=$url SECRET_KEY=q3J8vLx0Zk2N7wRt5YpA9cHs4FmE1uGd6BiKoT_Wn-Xe \
    RATE_ANONYMOUS_SESSIONS_IP=unlimited RATE_ANALYTICS=unlimited "$SERVER" serve >/dev/null 2>&1 &
  local pid=$!
  for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.1; done
  local token
  token=$(curl -s -XPOST "http://127.0.0.1:$port/api/v1/auth/anonymous" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["anon_token"])')
  wrk -t1 -c"$CONNECTIONS" -d2s -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/v1/auth/session-check" >/dev/null
  local check events before after checks per100="-"
  before=$(commits "$url")
  read -r check checks < <(wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" -H "Authorization: Bearer $token" \
    "http://127.0.0.1:$port/api/v1/auth/session-check" |
    awk '/Requests\/sec/ {rate=$2} /requests in/ {n=$1} END {print rate, n}')
  after=$(commits "$url")
  # Transactions the database committed per 100 session checks (idle
  # background work included): what each instance costs PostgreSQL.
  [ -n "$before" ] && per100=$(/usr/bin/python3 -c "print(f'{($after - $before) * 100 / $checks:.2f}')")
  events=$(wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" -s "$WORK/event.lua" \
    "http://127.0.0.1:$port/api/v1/analytics/event" | awk '/Requests\/sec/ {print $2}')
  kill "$pid"; wait "$pid" 2>/dev/null || true
  printf '%-12s session-check %10s req/s (%s transactions per 100)   analytics-event %10s req/s\n' \
    "$label" "$check" "$per100" "$events"
}

bench sqlite "sqlite://$WORK/bench.db"
start_postgres_only
bench postgresql "$CHATKIT_TEST_PG_URL"
