# Sourced by the benchmarks: a throw-away nginx with one worker on loopback,
# started in the background of the calling shell (its EXIT trap stops it).
#
#   start_nginx <dir> <port> <access_log: off | /dev/null> <location block>
#   nginx_conf <dir> <port> <access_log> <location block> [main-context directives]
start_nginx() {
  nginx_conf "$@"
  nginx -c "$1/nginx.conf" -p "$1" &
}

nginx_conf() {
  local dir=$1 port=$2 access_log=$3 location=$4 main=${5:-}
  cat > "$dir/nginx.conf" <<CONF
worker_processes 1;
daemon off;
$main
pid $dir/nginx.pid;
error_log $dir/error.log;
events { worker_connections 8192; }
http {
  access_log $access_log;
  server {
    listen 127.0.0.1:$port;
    $location
  }
}
CONF
}

# nginx sending what chatkit-server's /health sends: the same headers (a
# random X-Request-ID from \$request_id, 16 bytes of RAND_bytes as hex), the
# same 75 body bytes, access log to /dev/null. Its own Server, Date and
# Connection lines come on top.
NGINX_HEALTH_MATCHED='location = /health {
      default_type application/json;
      add_header Vary Origin always;
      add_header X-Content-Type-Options nosniff always;
      add_header X-Frame-Options DENY always;
      add_header Referrer-Policy strict-origin-when-cross-origin always;
      add_header Content-Security-Policy "default-src '"'none'; frame-ancestors 'none'; base-uri 'none'"'" always;
      add_header Cache-Control no-store always;
      add_header X-Request-ID $request_id always;
      return 200 '"'"'{"status":"ok","uptime_seconds":1,"version":"0.1.0","database":"connected"}'"'"';
    }'

#   nginx_health_matched <dir> <port> [main-context directives]: writes the config only
nginx_health_matched() {
  nginx_conf "$1" "$2" /dev/null "$NGINX_HEALTH_MATCHED" "${3:-}"
}
