# Test services on loopback and free ports: a throw-away PostgreSQL cluster
# and an SMTP sink writing to a Maildir. Sourced by scripts/test; everything
# started here is stopped by stop_services (trap on EXIT).

free_port() {
  /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

SERVICES_DIR=""
PG_BIN=""
PG_USER_RUN=()

start_postgres() {
  PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  [ -x "$PG_BIN/initdb" ] || { echo "PostgreSQL server binaries not found" >&2; return 1; }
  local data="$SERVICES_DIR/pg"
  mkdir -p "$data"
  # PostgreSQL refuses to run as root: use the postgres account then.
  if [ "$(id -u)" -eq 0 ]; then
    chown postgres "$SERVICES_DIR" "$data"
    PG_USER_RUN=(runuser -u postgres --)
  fi
  local port
  port=$(free_port)
  "${PG_USER_RUN[@]}" "$PG_BIN/initdb" -D "$data" -A trust -U chatkit --no-sync -E UTF8 >/dev/null
  "${PG_USER_RUN[@]}" "$PG_BIN/pg_ctl" -D "$data" -w -l "$data/server.log" \
    -o "-p $port -k $data -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >/dev/null
  export CHATKIT_TEST_PG_URL="postgresql://chatkit@127.0.0.1:$port/postgres"
  echo "==> PostgreSQL on 127.0.0.1:$port"
}

start_smtp_sink() {
  local port
  port=$(free_port)
  export CHATKIT_TEST_MAILDIR="$SERVICES_DIR/maildir"
  # Python's Maildir creates tmp/ new/ cur/ only for a folder that does not exist yet.
  /usr/bin/python3 -m aiosmtpd -n -l "127.0.0.1:$port" -c aiosmtpd.handlers.Mailbox "$CHATKIT_TEST_MAILDIR" \
    >"$SERVICES_DIR/smtp.log" 2>&1 &
  SMTP_PID=$!
  local up=""
  for _ in $(seq 50); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && up=1 && break
    sleep 0.1
  done
  [ -n "$up" ] || { echo "the SMTP sink did not start:" >&2; cat "$SERVICES_DIR/smtp.log" >&2; return 1; }
  export CHATKIT_TEST_SMTP_URL="smtp+insecure://127.0.0.1:$port"
  echo "==> SMTP sink on 127.0.0.1:$port (Maildir $CHATKIT_TEST_MAILDIR)"
}

start_services() {
  SERVICES_DIR=$(mktemp -d /tmp/chatkit-services-XXXXXX)
  chmod 755 "$SERVICES_DIR"
  trap stop_services EXIT
  start_postgres
  start_smtp_sink
  # From here a suite whose service is missing fails instead of skipping.
  export CHATKIT_REQUIRE_SERVICES=1
}

stop_services() {
  if [ -n "$PG_BIN" ] && [ -d "$SERVICES_DIR/pg" ]; then
    "${PG_USER_RUN[@]}" "$PG_BIN/pg_ctl" -D "$SERVICES_DIR/pg" -m immediate stop >/dev/null 2>&1 || true
  fi
  [ -n "${SMTP_PID:-}" ] && kill "$SMTP_PID" 2>/dev/null || true
  [ -n "$SERVICES_DIR" ] && rm -rf "$SERVICES_DIR"
}
