#!/usr/bin/env bash
# The browser suite under meson test: skipped (exit 77) when playwright-core
# or Chromium is not installed (scripts/test installs both).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
if [ ! -d "$here/node_modules/playwright-core" ] || [ ! -x "${CHROMIUM:-/usr/bin/chromium}" ] || ! command -v node >/dev/null; then
  if [ -n "${CHATKIT_REQUIRE_SERVICES:-}" ]; then
    echo "browser tests cannot run: playwright-core, Chromium or Node.js is missing" >&2
    exit 1
  fi
  echo "browser tests skipped: run scripts/test (it installs Chromium and playwright-core)"
  exit 77
fi
mkdir -p "${CHATKIT_BROWSER_OUTPUT:-/tmp/chatkit-browser-output}"
exec node --test "$here/https-guard.test.mjs" "$here/markdown.test.mjs" "$here/widget.test.mjs" "$here/reader.test.mjs" "$here/host.test.mjs" "$here/openapi.test.mjs" "$here/insights.test.mjs" "$here/sse-clients.test.mjs" \
  "$here/outage.test.mjs" "$here/tabs.test.mjs" "$here/panel.test.mjs" "$here/support.test.mjs"
