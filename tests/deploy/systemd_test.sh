#!/usr/bin/env bash
# examples/deploy/chatkit.service passes `systemd-analyze verify` without a
# single line of complaint, and its sandbox rates "OK" (exposure at most 2.0)
# in `systemd-analyze security`. verify needs ExecStart to exist: a copy
# points it at the built binary.
set -euo pipefail
: "${CHATKIT_SERVER:?run through meson test}" "${CHATKIT_SOURCE_ROOT:?}"

fail() { echo "FAIL: $*" >&2; exit 1; }

if ! command -v systemd-analyze >/dev/null; then
  [ -n "${CHATKIT_REQUIRE_SERVICES:-}" ] && fail "systemd-analyze is missing"
  echo "skipped: needs systemd-analyze (scripts/test installs systemd)"
  exit 77
fi

unit=$CHATKIT_SOURCE_ROOT/examples/deploy/chatkit.service
grep -q '^ExecStart=/usr/local/bin/chatkit-server serve$' "$unit" || fail "ExecStart is not /usr/local/bin/chatkit-server serve"
for must in DynamicUser=yes StateDirectory=chatkit RestartPreventExitStatus=78 ProtectSystem=strict NoNewPrivileges=yes; do
  grep -qx "$must" "$unit" || fail "the unit lacks $must"
done

tmp=$(mktemp -d /tmp/chatkit-systemd-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
sed "s|/usr/local/bin/chatkit-server|$CHATKIT_SERVER|g" "$unit" >"$tmp/chatkit.service"

status=0
out=$(systemd-analyze verify "$tmp/chatkit.service" 2>&1) || status=$?
[ "$status" -eq 0 ] && [ -z "$out" ] || fail "systemd-analyze verify (exit $status): $out"

status=0
out=$(systemd-analyze security --offline=yes --threshold=20 "$tmp/chatkit.service" 2>&1) || status=$?
[ "$status" -eq 0 ] || fail "systemd-analyze security rates the sandbox above 2.0: $(tail -1 <<<"$out")"
echo "chatkit.service: verify clean; $(tail -1 <<<"$out")"
