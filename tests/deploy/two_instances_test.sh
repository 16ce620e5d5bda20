#!/usr/bin/env bash
# examples/deploy/two-instances.sh against the test PostgreSQL, in a database
# of its own that is dropped afterwards.
set -euo pipefail
: "${CHATKIT_SERVER:?run through meson test}" "${CHATKIT_SOURCE_ROOT:?}"
if [ -z "${CHATKIT_TEST_PG_URL:-}" ] || ! command -v nginx >/dev/null || ! command -v psql >/dev/null; then
  [ -n "${CHATKIT_REQUIRE_SERVICES:-}" ] && { echo "needs PostgreSQL, psql and nginx" >&2; exit 1; }
  echo "skipped: needs the test PostgreSQL and nginx (run scripts/test)"
  exit 77
fi
db=chatkit_two_instances_$$
psql -q "$CHATKIT_TEST_PG_URL" -c "CREATE DATABASE $db" >/dev/null
trap 'psql -q "$CHATKIT_TEST_PG_URL" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null' EXIT
export CHATKIT_SERVER CORPUS_DIR=$CHATKIT_SOURCE_ROOT/docs WIDGET_DIR=$CHATKIT_SOURCE_ROOT/widget
DATABASE_URL=${CHATKIT_TEST_PG_URL%/*}/$db "$CHATKIT_SOURCE_ROOT/examples/deploy/two-instances.sh"
