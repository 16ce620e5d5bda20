# Sourced by the benchmarks: a throw-away nginx with one worker on loopback,
# started in the background of the calling shell (its EXIT trap stops it).
#
#   start_nginx <dir> <port> <access_log: off | /dev/null> <location block>
start_nginx() {
  local dir=$1 port=$2 access_log=$3 location=$4
  cat > "$dir/nginx.conf" <<CONF
worker_processes 1;
daemon off;
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
  nginx -c "$dir/nginx.conf" -p "$dir" &
}
