#!/usr/bin/env bash
# examples/deploy/chatkit.nginx.conf in front of two production instances,
# over TLS with a throw-away certificate: an answer streams through it event
# by event, the HTTPS guard believes its X-Forwarded-Proto, the instances see
# the client's address from X-Forwarded-For, /health passes, plain HTTP is
# redirected. Each instance has its own SQLite here; two-instances.sh is the
# shared-PostgreSQL case.
set -euo pipefail
: "${CHATKIT_SERVER:?run through meson test}" "${CHATKIT_SOURCE_ROOT:?}"
export CHATKIT_SERVER CORPUS_DIR=$CHATKIT_SOURCE_ROOT/docs WIDGET_DIR=$CHATKIT_SOURCE_ROOT/widget

fail() {
  echo "FAIL: $*" >&2
  for log in "$tmp"/*.log; do echo "--- $log" >&2; tail -20 "$log" >&2; done
  exit 1
}

if ! command -v nginx >/dev/null || ! command -v openssl >/dev/null || ! command -v curl >/dev/null; then
  [ -n "${CHATKIT_REQUIRE_SERVICES:-}" ] && { echo "nginx, openssl or curl is missing" >&2; exit 1; }
  echo "skipped: needs nginx-light, openssl and curl (scripts/test installs them)"
  exit 77
fi

tmp=$(mktemp -d /tmp/chatkit-nginx-XXXXXX)
# shellcheck source=../../examples/deploy/loopback.sh
source "$CHATKIT_SOURCE_ROOT/examples/deploy/loopback.sh"
trap 'stop_site "$tmp"' EXIT

start_instance "$tmp" a DATABASE_URL="sqlite://$tmp/a.db" BUILTIN_TOKEN_DELAY=40ms
start_instance "$tmp" b DATABASE_URL="sqlite://$tmp/b.db" BUILTIN_TOKEN_DELAY=40ms
http_port=$(free_port)
https_port=$(free_port)
start_site_nginx "$tmp" "$http_port" "$https_port" "127.0.0.1:${INSTANCE_PORT[a]}" "127.0.0.1:${INSTANCE_PORT[b]}"
site=https://chat.example.com:$https_port
tls=(--resolve "chat.example.com:$https_port:127.0.0.1" --cacert "$tmp/ca.pem")

# An answer, streamed: each line stamped when curl hands it over.
curl -fsSN "${tls[@]}" -H 'Accept: text/event-stream' -H 'Content-Type: application/json' \
  -d '{"message": "How do I run several instances?"}' "$site/api/v1/chat/stream" |
  while IFS= read -r line; do printf '%s %s\n' "$(date +%s%3N)" "$line"; done >"$tmp/stream.txt"
/usr/bin/python3 - "$tmp/stream.txt" <<'PY' || fail "the stream through nginx: $(head -c 2000 "$tmp/stream.txt")"
import sys
events = [(int(t), e) for t, e in (line.rstrip("\n").split(" ", 1) for line in open(sys.argv[1])) if e.startswith("event: ")]
names = [e[len("event: "):] for _, e in events]
assert names[0] == "sources" and names[-1] == "done", names
tokens = [t for t, e in events if e == "event: token"]
assert len(tokens) >= 5, names
# 40 ms between tokens: buffered by nginx, they would all arrive at once.
assert tokens[-1] - tokens[0] >= 20 * (len(tokens) - 1), f"{len(tokens)} tokens within {tokens[-1] - tokens[0]} ms"
PY

health=$(curl -fsS "${tls[@]}" "$site/health") || fail "/health through nginx"
grep -q '"status":"ok"' <<<"$health" || fail "/health: $health"

# The sample's log format names each request by the id the instance gave it.
rid=$(curl -fsS -o /dev/null -D - "${tls[@]}" "$site/health" | tr -d '\r' | sed -n 's/^x-request-id: //Ip')
[ -n "$rid" ] || fail "no X-Request-ID through nginx"
grep -q "rid=$rid" "$tmp/chatkit.access.log" || fail "nginx's log line lacks rid=$rid: $(tail -2 "$tmp/chatkit.access.log")"

# The HTTPS guard: refused over plain HTTP to an instance, accepted through nginx.
direct=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:${INSTANCE_PORT[a]}/")
[ "$direct" = 403 ] || fail "plain HTTP to an instance answered $direct, not 403"
curl -fsS "${tls[@]}" "$site/" | grep -q "<chatkit-widget" || fail "GET / through nginx"

# X-Forwarded-For: the client's address reaches the access log.
curl -fsS "${tls[@]}" -H 'X-Forwarded-For: 203.0.113.7' -o /dev/null "$site/" || fail "GET / with X-Forwarded-For"
# Access lines are flushed every second.
for _ in $(seq 50); do
  grep -q '"client_ip":"203.0.113.7"' "$tmp/a.log" "$tmp/b.log" && break
  sleep 0.1
done
grep -q '"client_ip":"203.0.113.7"' "$tmp/a.log" "$tmp/b.log" || fail "X-Forwarded-For did not reach the instances"

redirect=$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' -H 'Host: chat.example.com' "http://127.0.0.1:$http_port/x")
[ "$redirect" = "301 https://chat.example.com/x" ] || fail "plain HTTP to nginx: $redirect"
# Bodies over the route's limit (64 KiB for a question, under nginx's 1m):
# each is a 413 from the instance, and no instance is marked down for it
# (an instance that closed on the unread body used to reset the connection,
# nginx counted a failure, and /health answered 502 "no live upstreams").
head -c 100000 /dev/zero | tr '\0' 'a' | sed 's/^/{"message": "/; s/$/"}/' >"$tmp/big.json"
clients=()
for _ in $(seq 40); do
  curl -s -o /dev/null -w '%{http_code}\n' "${tls[@]}" -H 'Content-Type: application/json' \
    --data-binary @"$tmp/big.json" "$site/api/v1/chat" >>"$tmp/big.codes" &
  clients+=($!)
  curl -s -o /dev/null -w '%{http_code}\n' "${tls[@]}" "$site/health" >>"$tmp/health.codes" &
  clients+=($!)
done
wait "${clients[@]}"
big=$(sort "$tmp/big.codes" | uniq -c | tr -s ' ' | tr '\n' ';')
health_codes=$(sort "$tmp/health.codes" | uniq -c | tr -s ' ' | tr '\n' ';')
[ "$big" = " 40 413;" ] || fail "40 large bodies through nginx answered: $big"
[ "$health_codes" = " 40 200;" ] || fail "/health beside them answered: $health_codes"
echo "nginx: TLS, SSE event by event, X-Forwarded-Proto/-For, /health, the redirect and 413 through the proxy work"
