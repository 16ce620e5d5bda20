#!/usr/bin/env bash
# examples/deploy/chatkit.rules.yml: valid rules (promtool check rules) that
# fire on the failures they are for (promtool test rules).
set -euo pipefail
: "${CHATKIT_SOURCE_ROOT:?run through meson test}"
promtool=${PROMTOOL:-$(command -v promtool || true)}
if [ -z "$promtool" ]; then
  [ -n "${CHATKIT_REQUIRE_SERVICES:-}" ] && { echo "promtool is missing" >&2; exit 1; }
  echo "skipped: needs promtool (scripts/test installs it)"
  exit 77
fi
"$promtool" check rules "$CHATKIT_SOURCE_ROOT/examples/deploy/chatkit.rules.yml"
cd "$CHATKIT_SOURCE_ROOT/tests/deploy"
"$promtool" test rules chatkit.rules.test.yml
