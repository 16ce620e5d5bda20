# shellcheck shell=bash
# Sourced by two-instances.sh and tests/deploy/nginx_test.sh: production
# chatkit-server instances and chatkit.nginx.conf itself on loopback ports,
# with a throw-away self-signed certificate for chat.example.com, so what is
# exercised is the file operators install. Needs nginx (Debian: nginx-light),
# openssl and python3. Everything lives under the <dir> the caller gives.
#
#   start_instance <dir> <name> [VAR=value ...]
#     a production chatkit-server ($CHATKIT_SERVER, else chatkit-server on
#     PATH) on a free port, behind a trusted proxy on 127.0.0.1; its log is
#     <dir>/<name>.log, its pid INSTANCE_PID[name], its port INSTANCE_PORT[name]
#     and its admin listener's (/metrics, /readyz) INSTANCE_ADMIN_PORT[name].
#     CORPUS_DIR and WIDGET_DIR pass through when set (else the installed ones).
#   start_site_nginx <dir> <http_port> <https_port> <instance_a> <instance_b>
#     instance_x: host:port of a chatkit-server. Writes <dir>/ca.pem (give it
#     to curl --cacert), starts nginx in the background (NGINX_PID) and waits
#     until it answers. stop_site_nginx stops it.
#   free_port: a TCP port nobody listens on now.

declare -A INSTANCE_PID=() INSTANCE_PORT=() INSTANCE_ADMIN_PORT=()
LOOPBACK_SECRET_KEY=${LOOPBACK_SECRET_KEY:-$(head -c 48 /dev/urandom | base64 | tr -d '\n')}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start_instance() {
  local dir=$1 name=$2
  shift 2
  local server=${CHATKIT_SERVER:-$(command -v chatkit-server)}
  local pass=()
  [ -n "${CORPUS_DIR:-}" ] && pass+=("CORPUS_DIR=$CORPUS_DIR")
  [ -n "${WIDGET_DIR:-}" ] && pass+=("WIDGET_DIR=$WIDGET_DIR")
  env -i PATH=/usr/bin:/bin CHATKIT_ENV=production BIND=127.0.0.1 PORT=0 ADMIN_BIND=127.0.0.1:0 THREADS=2 \
    SECRET_KEY="$LOOPBACK_SECRET_KEY" CORS_ORIGINS=https://chat.example.com \
    PUBLIC_VERIFY_URL=https://chat.example.com/ SMTP_URL=smtp+insecure://127.0.0.1:25 \
    TRUSTED_PROXIES=127.0.0.1 LOG_FORMAT=json "${pass[@]}" "$@" \
    "$server" serve >"$dir/$name.log" 2>&1 &
  INSTANCE_PID[$name]=$!
  local _ port
  for _ in $(seq 150); do
    port=$(grep -o 'chatkit-server [^ ]* listening on http://127.0.0.1:[0-9]*' "$dir/$name.log" | sed 's|.*:||' || true)
    if [ -n "$port" ]; then
      INSTANCE_PORT[$name]=$port
      INSTANCE_ADMIN_PORT[$name]=$(grep -o 'admin listener on http://127.0.0.1:[0-9]*' "$dir/$name.log" | sed 's|.*:||')
      return 0
    fi
    kill -0 "${INSTANCE_PID[$name]}" 2>/dev/null || break
    sleep 0.1
  done
  echo "instance $name did not start:" >&2
  cat "$dir/$name.log" >&2
  return 1
}

NGINX_PID=""

start_site_nginx() {
  local dir=$1 http_port=$2 https_port=$3 a=$4 b=$5
  local site
  site="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/chatkit.nginx.conf"
  mkdir -p "$dir/temp"
  # nginx's workers drop to an unprivileged user when started as root.
  chmod 755 "$dir"
  openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=chat.example.com \
    -addext subjectAltName=DNS:chat.example.com -keyout "$dir/key.pem" -out "$dir/ca.pem" 2>/dev/null
  # The sample's public addresses, certificate and instances, moved to
  # loopback; a sample that no longer has one of them fails here, loudly.
  local pattern
  for pattern in 'listen 80;' 'listen 443 ssl http2;' '/etc/letsencrypt/live/chat.example.com/fullchain.pem' \
    '/etc/letsencrypt/live/chat.example.com/privkey.pem' 'server 127.0.0.1:8001 ' 'server 127.0.0.1:8002 ' \
    '/var/log/nginx/chatkit.access.log'; do
    grep -qF -- "$pattern" "$site" || { echo "chatkit.nginx.conf no longer has '$pattern'" >&2; return 1; }
  done
  sed -e "/listen \[::\]/d" \
    -e "s|listen 80;|listen 127.0.0.1:$http_port;|" \
    -e "s|listen 443 ssl http2;|listen 127.0.0.1:$https_port ssl http2;|" \
    -e "s|/etc/letsencrypt/live/chat.example.com/fullchain.pem|$dir/ca.pem|" \
    -e "s|/etc/letsencrypt/live/chat.example.com/privkey.pem|$dir/key.pem|" \
    -e "s|server 127.0.0.1:8001 |server $a |" \
    -e "s|server 127.0.0.1:8002 |server $b |" \
    -e "s|/var/log/nginx/chatkit.access.log|$dir/chatkit.access.log|" \
    "$site" >"$dir/chatkit.conf"
  cat >"$dir/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $dir/nginx.pid;
error_log $dir/error.log;
events { worker_connections 256; }
http {
  access_log $dir/access.log;
  client_body_temp_path $dir/temp/body;
  proxy_temp_path $dir/temp/proxy;
  fastcgi_temp_path $dir/temp/fastcgi;
  uwsgi_temp_path $dir/temp/uwsgi;
  scgi_temp_path $dir/temp/scgi;
  include $dir/chatkit.conf;
}
CONF
  nginx -c "$dir/nginx.conf" -p "$dir" 2>>"$dir/error.log" &
  NGINX_PID=$!
  local _
  for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$https_port") 2>/dev/null && return 0
    kill -0 "$NGINX_PID" 2>/dev/null || break
    sleep 0.05
  done
  echo "nginx did not start:" >&2
  cat "$dir/error.log" >&2
  return 1
}

stop_site_nginx() {
  [ -n "$NGINX_PID" ] || return 0
  kill "$NGINX_PID" 2>/dev/null || true
  wait "$NGINX_PID" 2>/dev/null || true
  NGINX_PID=""
}

# Stops nginx and every instance, and removes `dir` (for an EXIT trap).
stop_site() { # dir
  stop_site_nginx
  local pid
  for pid in "${INSTANCE_PID[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$1"
}
