#!/usr/bin/env bash
# signalbox set-up: installs what is missing (Debian 12, as root or with sudo),
# builds, and then runs the node or the whole test suite.
#
#   deploy/setup.sh run [signalbox options...]  build and run the node (embedded
#                                               default: a demo node on 127.0.0.1)
#   deploy/setup.sh test [ctest options...]     build and run every test
#   deploy/setup.sh build                       install what is missing and build
#   deploy/setup.sh package                     build the Debian package
#                                               (build/signalbox_<version>_<arch>.deb)
#
# Environment: BUILD_DIR (default ./build), BUILD_TYPE (default Release),
# JOBS (default: number of cores), SIGNALBOX_WERROR (ON: compiler warnings
# are errors, as in CI; default OFF).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${BUILD_DIR:-$repo/build}
build_type=${BUILD_TYPE:-Release}
werror=${SIGNALBOX_WERROR:-OFF}
jobs=${JOBS:-$(nproc)}

# Debian packages the node needs to build and run.
build_packages=(build-essential cmake pkg-config libcaf-dev libboost1.74-dev
                rapidjson-dev libgpiod-dev liblmdb-dev libssl-dev libcbor-dev
                libfastrtps-dev)
# What the tests need on top: systemd-notify (jobs' readiness protocol) and
# systemd-analyze (the unit file), the RTOC client's Python modules, openssl
# (test certificates), dpkg-dev (the package's dependencies), prometheus
# (promtool checks GET /metrics), chromium (the dashboard's browser test,
# driven by npm's puppeteer-core), curl and jq (the short soak), and Node.js
# with npm for the other end-to-end clients.
test_packages=(systemd python3 python3-websockets python3-pycryptodome openssl
               dpkg-dev prometheus chromium curl jq)

log() { printf 'setup: %s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null; then sudo "$@"
  else log "need root to run: $*"; exit 1; fi
}

missing_packages() {
  local pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' \
      || printf '%s\n' "$pkg"
  done
}

install_packages() {
  local missing
  mapfile -t missing < <(missing_packages "$@")
  if [ "${#missing[@]}" -gt 0 ]; then
    log "installing ${missing[*]}"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
      --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

install_node() {
  # Any Node.js >= 18 with npm will do (Debian 12 ships 18); keep one that is
  # already there.
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    install_packages nodejs npm
  fi
}

# build [target...]: configures and builds the given targets (all without).
# npm installs the dashboard's uPlot from web/package-lock.json.
build() {
  install_packages "${build_packages[@]}"
  install_node
  cmake -S "$repo" -B "$build_dir" -DCMAKE_BUILD_TYPE="$build_type" \
    -DSIGNALBOX_WERROR="$werror" >/dev/null
  local targets=()
  for t in "$@"; do targets+=(--target "$t"); done
  cmake --build "$build_dir" -j "$jobs" "${targets[@]}"
}

cmd=${1:-}
[ $# -gt 0 ] && shift
case "$cmd" in
  build)
    build
    ;;
  run)
    # Only what a first session needs: the node and the watcher.
    build signalbox signalbox-watch
    cd "$repo"
    exec "$build_dir/signalbox" "$@"
    ;;
  package)
    # dpkg-shlibdeps (dpkg-dev) computes the package's dependencies.
    install_packages dpkg-dev
    build signalbox
    (cd "$build_dir" && cpack -G DEB >/dev/null)
    ls "$build_dir"/signalbox_*.deb
    ;;
  test)
    install_packages "${test_packages[@]}"
    build
    log "installing the end-to-end test clients (npm ci)"
    (cd "$repo/tests/e2e" && npm ci --no-audit --no-fund --loglevel=error)
    cd "$build_dir"
    exec ctest --output-on-failure -j "$jobs" "$@"
    ;;
  *)
    echo "usage: $0 run|test|build|package [options]" >&2
    exit 2
    ;;
esac
