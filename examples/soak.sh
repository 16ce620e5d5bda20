#!/usr/bin/env bash
# A soak: the real server, production settings, a steady mix of anonymous
# sessions, streamed answers (built-in generator), resumes, analytics batches
# and sign-ups to an SMTP sink, for DURATION; every INTERVAL the server's RSS,
# the database's size and its row counts, with their growth per 1,000
# answers (examples/soak_driver.py). Retention and session lifetimes are
# scaled down from days to minutes so that they apply within the run: after
# the first few minutes both RSS and database size must stay flat.
#
#   examples/soak.sh                                  # 30 minutes on SQLite
#   DURATION=10m examples/soak.sh
#   DATABASE_URL=postgresql://user@host/db examples/soak.sh
#
# Also: CLIENTS (32 virtual clients, each on its own address, each at most 9
# answers a minute: production's per-address limit is 10), INTERVAL (60s),
# CHATKIT_SERVER (build/src/chatkit-server).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SERVER=${CHATKIT_SERVER:-"$ROOT/build/src/chatkit-server"}
DURATION=${DURATION:-30m}
INTERVAL=${INTERVAL:-60s}
CLIENTS=${CLIENTS:-32}
WORK=$(mktemp -d /tmp/chatkit-soak-XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"' EXIT
source "$ROOT/scripts/services.sh" # free_port

seconds() { # 30m, 90s, 1h -> seconds
  local v=$1
  case $v in
    *h) echo $((${v%h} * 3600)) ;;
    *m) echo $((${v%m} * 60)) ;;
    *s) echo "${v%s}" ;;
    *) echo "$v" ;;
  esac
}

DATABASE_URL=${DATABASE_URL:-"sqlite://$WORK/chatkit.db"}

SMTP_PORT=$(free_port)
/usr/bin/python3 -m aiosmtpd -n -l "127.0.0.1:$SMTP_PORT" -c aiosmtpd.handlers.Sink >"$WORK/smtp.log" 2>&1 &

PORT=$(free_port)
# Production mode as an operator runs it behind a TLS proxy on loopback. Per
# session only the minute limit: the default's day window would keep one
# counter row per session for two days, longer than any soak, and hide
# whether the rest is flat.
env -i PATH=/usr/bin:/bin CHATKIT_ENV=production BIND=127.0.0.1 PORT="$PORT" ADMIN_BIND=127.0.0.1:0 THREADS=2 \
  SECRET_KEY="$(head -c 48 /dev/urandom | base64 | tr -d '\n')" CORS_ORIGINS=https://chat.example.com \
  PUBLIC_VERIFY_URL=https://chat.example.com/ SMTP_URL="smtp+insecure://127.0.0.1:$SMTP_PORT" \
  TRUSTED_PROXIES=127.0.0.1 DATABASE_URL="$DATABASE_URL" CORPUS_DIR="$ROOT/tests/fixtures/corpus" \
  LOG_LEVEL=warn RATE_ANONYMOUS=10/minute \
  RETENTION_INTERVAL=10s RETENTION_STREAMS=1m RETENTION_ANONYMOUS_CHATS=2m RETENTION_SESSIONS=1m \
  RETENTION_MAIL=1m RETENTION_ANALYTICS=2m SESSION_IDLE_TIMEOUT=60s SESSION_LIFETIME=120s VERIFY_TOKEN_TTL=60s \
  "$SERVER" serve >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 100); do
  curl -sf -H 'X-Forwarded-Proto: https' "http://127.0.0.1:$PORT/livez" >/dev/null && break
  kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/server.log" >&2; exit 1; }
  sleep 0.1
done

echo "== soak: $DURATION, $CLIENTS clients, $DATABASE_URL, CPU: $(lscpu | sed -n 's/^Model name: *//p') x $(nproc)"
/usr/bin/python3 "$ROOT/examples/soak_driver.py" --port "$PORT" --pid "$SERVER_PID" --database-url "$DATABASE_URL" \
  --duration "$(seconds "$DURATION")" --interval "$(seconds "$INTERVAL")" --clients "$CLIENTS" --session-seconds 120
echo "== server warnings and errors: $(grep -c . "$WORK/server.log" || true) lines"
grep -v 'retention: deleted' "$WORK/server.log" | tail -5 || true
