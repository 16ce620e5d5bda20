#!/usr/bin/env bash
# Two production chatkit-server instances on one PostgreSQL behind
# chatkit.nginx.conf (TLS with a throw-away certificate, loopback ports):
#
#  1. a client streams an answer through nginx (instance P produces it) and
#     loses its connection after a few tokens;
#  2. it resumes with Last-Event-ID through nginx on the other instance, S,
#     which follows P's answer live from the database;
#  3. S is killed (SIGKILL) mid-stream; the client resumes again through
#     nginx, which now reaches P, and the answer completes;
#  4. the three pieces together are exactly the answer, once.
#
#   DATABASE_URL=postgresql://user:pass@host/db ./two-instances.sh
#
# Uses chatkit-server from PATH (or $CHATKIT_SERVER), nginx (Debian:
# nginx-light), openssl, curl and python3; everything else lives in a
# temporary folder that is removed on exit. Exits 0 when all of the above held.
set -euo pipefail
: "${DATABASE_URL:?set DATABASE_URL to a PostgreSQL database both instances share}"
here=$(cd "$(dirname "$0")" && pwd)
dir=$(mktemp -d /tmp/chatkit-two-instances-XXXXXX)
# shellcheck source=loopback.sh
source "$here/loopback.sh"

trap 'stop_site "$dir"' EXIT
fail() {
  echo "FAIL: $*" >&2
  for log in "$dir"/*.log; do echo "--- $log" >&2; tail -15 "$log" >&2; done
  exit 1
}
count() { grep -c "^event: $1" "$2" || true; }
last_id() { sed -n 's/^id: //p' "$1" | tail -1; }
# The instance writing the one open event stream, from its admin /metrics.
streaming_instance() {
  local name
  for name in a b; do
    kill -0 "${INSTANCE_PID[$name]}" 2>/dev/null || continue
    curl -fsS "http://127.0.0.1:${INSTANCE_ADMIN_PORT[$name]}/metrics" | grep -q '^chatkit_sse_open_streams 1$' &&
      echo $name
  done
  return 0
}
# stream <file> <curl arguments...>: reads an event stream in the background
# (pid in STREAM_PID) until it ends or is stopped.
stream() {
  local file=$1
  shift
  curl -sN "${tls[@]}" -H 'Accept: text/event-stream' "$@" >"$file" &
  STREAM_PID=$!
}
wait_tokens() {
  local _
  for _ in $(seq 100); do
    [ "$(count token "$1")" -ge "$2" ] && return 0
    sleep 0.1
  done
  fail "fewer than $2 tokens in $1"
}
resume_from() {
  local id
  id=$(last_id "$1")
  stream "$2" -H "Last-Event-ID: $id" "$site/api/v1/chat/stream/${id%%:*}"
}

for name in a b; do
  start_instance "$dir" $name DATABASE_URL="$DATABASE_URL" BUILTIN_TOKEN_DELAY=60ms
  echo "==> instance $name on 127.0.0.1:${INSTANCE_PORT[$name]} (admin ${INSTANCE_ADMIN_PORT[$name]})"
done
https_port=$(free_port)
start_site_nginx "$dir" "$(free_port)" "$https_port" "127.0.0.1:${INSTANCE_PORT[a]}" "127.0.0.1:${INSTANCE_PORT[b]}"
site=https://chat.example.com:$https_port
tls=(--resolve "chat.example.com:$https_port:127.0.0.1" --cacert "$dir/ca.pem")
echo "==> nginx on $site"

question='{"message": "How do I run several instances?"}'
stream "$dir/1.txt" -H 'Content-Type: application/json' -d "$question" "$site/api/v1/chat/stream"
wait_tokens "$dir/1.txt" 5
producer=$(streaming_instance)
[ -n "$producer" ] || fail "no instance has the stream open"
kill "$STREAM_PID"
wait "$STREAM_PID" 2>/dev/null || true
echo "==> instance $producer produces the answer; the client dropped after $(count token "$dir/1.txt") tokens"

# nginx takes turns between the instances: a resume that lands on the
# producer again is dropped and retried, as a client would after a blip.
served_by=""
for attempt in 2 3 4; do
  resume_from "$dir/1.txt" "$dir/$attempt.txt"
  wait_tokens "$dir/$attempt.txt" 3
  served_by=$(streaming_instance)
  [ -n "$served_by" ] && [ "$served_by" != "$producer" ] && break
  kill "$STREAM_PID"
  wait "$STREAM_PID" 2>/dev/null || true
  cat "$dir/$attempt.txt" >>"$dir/1.txt"
  served_by=""
done
[ -n "$served_by" ] || fail "nginx never sent the resume to the other instance"
echo "==> resumed through nginx on instance $served_by, which follows $producer's answer live"

kill -KILL "${INSTANCE_PID[$served_by]}"
wait "${INSTANCE_PID[$served_by]}" 2>/dev/null || true
wait "$STREAM_PID" 2>/dev/null || true
echo "==> killed instance $served_by mid-stream (the client had $(count token "$dir/1.txt") + $(count token "$dir/$attempt.txt") tokens)"
resume_from "$dir/$attempt.txt" "$dir/last.txt"
wait "$STREAM_PID" || fail "the last resume"
[ "$(count "done" "$dir/last.txt")" -eq 1 ] || fail "the answer did not complete: $(tail -5 "$dir/last.txt")"
echo "==> resumed on instance $producer: the answer completed ($(count token "$dir/last.txt") more tokens)"

curl -fsS "${tls[@]}" -H 'Content-Type: application/json' -d "$question" "$site/api/v1/chat" >"$dir/whole.json" ||
  fail "POST /api/v1/chat"
python3 - "$dir/whole.json" "$dir/1.txt" "$dir/$attempt.txt" "$dir/last.txt" <<'PY' ||
import json, sys
ids, text = [], ""
for path in sys.argv[2:]:
    for frame in open(path).read().split("\n\n"):
        fields = dict(line.split(": ", 1) for line in frame.splitlines() if ": " in line and not line.startswith(":"))
        if "id" not in fields:
            continue
        ids.append(fields["id"])
        if fields.get("event") == "token":
            text += json.loads(fields["data"])["content"]
seqs = [int(i.rsplit(":", 1)[1]) for i in ids]
assert len({i.rsplit(":", 1)[0] for i in ids}) == 1, "one answer"
assert seqs == sorted(set(seqs)), f"each event once, in order: {seqs}"
assert text == json.load(open(sys.argv[1]))["answer"], "the pieces are the whole answer"
PY
  fail "the pieces do not make the answer once"
echo "==> the three pieces are the whole answer, each event once"
