#!/usr/bin/env bash
# `meson install` into a throw-away --destdir, then the installed server run
# from / with nothing but a database URL: its compiled-in defaults must find
# the installed widget and corpus. The destdir is bound over the prefix in a
# private mount namespace, so the binary sees its files where an operator's
# install puts them, and nothing outside the temporary folder is touched.
set -euo pipefail
: "${CHATKIT_BUILD_DIR:?run through meson test}" "${CHATKIT_PREFIX:?}" "${CHATKIT_BINDIR:?}" "${CHATKIT_DATADIR:?}" \
  "${CHATKIT_STATEDIR:?}"

fail() { echo "FAIL: $*" >&2; exit 1; }

ns=(unshare --mount)
[ "$(id -u)" -eq 0 ] || ns=(unshare --map-root-user --mount)
if ! "${ns[@]}" true 2>/dev/null || [ ! -d "$CHATKIT_PREFIX" ]; then
  why="needs a private mount namespace (unshare) and an existing $CHATKIT_PREFIX"
  [ -n "${CHATKIT_REQUIRE_SERVICES:-}" ] && fail "$why"
  echo "skipped: $why"
  exit 77
fi

tmp=$(mktemp -d /tmp/chatkit-install-XXXXXX)
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT

meson install -C "$CHATKIT_BUILD_DIR" --no-rebuild --quiet --destdir "$tmp/root" >"$tmp/install.log" 2>&1 ||
  { cat "$tmp/install.log" >&2; fail "meson install"; }
root=$tmp/root

# What lands where, and nothing outside the prefix.
for f in "$CHATKIT_BINDIR/chatkit-server" "$CHATKIT_DATADIR/widget/chatkit-widget.js" \
  "$CHATKIT_DATADIR/widget/demo.html" "$CHATKIT_DATADIR/docs/configuration.md" \
  "$CHATKIT_DATADIR/docs/deployment.md" "$CHATKIT_DATADIR/examples/deploy/chatkit.service" \
  "$CHATKIT_DATADIR/examples/deploy/chatkit.nginx.conf" "$CHATKIT_DATADIR/examples/deploy/two-instances.sh"; do
  [ -f "$root$f" ] || fail "not installed: $f"
done
outside=$(cd "$root" && find . -type f | sed 's|^\.||' | grep -v "^$CHATKIT_PREFIX/" || true)
[ -z "$outside" ] || fail "installed outside the prefix: $outside"

# Runs a command with the installed tree at the prefix, from /; exec all the
# way down, so a background job's pid is the server's.
installed=("${ns[@]}" sh -c 'mount --bind "$1" "$2" && shift 2 && cd / && exec "$@"' sh "$root$CHATKIT_PREFIX"
  "$CHATKIT_PREFIX")

help=$("${installed[@]}" "$CHATKIT_BINDIR/chatkit-server" --help)
grep -q -- "default sqlite://$CHATKIT_STATEDIR/chatkit.db" <<<"$help" || fail "--help does not name the state dir: $help"
grep -q -- "default $CHATKIT_DATADIR/docs" <<<"$help" || fail "--help does not name the installed corpus"
grep -q -- "default $CHATKIT_DATADIR/widget" <<<"$help" || fail "--help does not name the installed widget"

mkdir "$tmp/state"
"${installed[@]}" env -i PATH=/usr/bin:/bin PORT=0 THREADS=2 BUILTIN_TOKEN_DELAY=1ms \
  DATABASE_URL="sqlite://$tmp/state/chatkit.db" "$CHATKIT_BINDIR/chatkit-server" serve >"$tmp/server.log" 2>&1 &
server_pid=$!
port=""
for _ in $(seq 150); do
  port=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\).*|\1|p' "$tmp/server.log" | head -1)
  [ -n "$port" ] && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$tmp/server.log" >&2; fail "the installed server exited"; }
  sleep 0.1
done
[ -n "$port" ] || { cat "$tmp/server.log" >&2; fail "the installed server did not listen"; }
base=http://127.0.0.1:$port

grep -q "from $CHATKIT_DATADIR/docs" "$tmp/server.log" || { cat "$tmp/server.log" >&2; fail "corpus not read from the installed docs"; }
curl -fsS "$base/" | grep -q "<chatkit-widget" || fail "GET / is not the demo page"
curl -fsS -o /dev/null -w '%{content_type}' "$base/widget/chatkit-widget.js" | grep -q javascript ||
  fail "GET /widget/chatkit-widget.js is not the widget script"
curl -fsS -H 'Content-Type: application/json' -d '{"message": "How do I set the database URL?"}' \
  "$base/api/v1/chat" >"$tmp/answer.json" || fail "POST /api/v1/chat"
/usr/bin/python3 - "$tmp/answer.json" <<'PY' || fail "the answer does not come from the installed corpus: $(cat "$tmp/answer.json")"
import json, sys
answer = json.load(open(sys.argv[1]))
assert answer["answer"].strip(), "empty answer"
assert any(s["url"].startswith("/docs/") for s in answer["sources"]), "no source from docs/"
PY

kill -TERM "$server_pid"
wait "$server_pid" || fail "the installed server did not exit 0 on SIGTERM"
server_pid=""
[ -f "$tmp/state/chatkit.db" ] || fail "DATABASE_URL was not used"
echo "installed into a destdir; served the demo, the widget and an answer from $CHATKIT_DATADIR/docs, run from /"
