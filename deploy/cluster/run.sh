#!/usr/bin/env bash
# Starts the three-node example cluster on this machine (a, b, c on loopback,
# a keeping the shared values) from the build tree, and stops all three on
# Ctrl-C. Build first (./deploy/setup.sh build). Data directories go under
# ./cluster-data/; each node's output is prefixed with its name.
#
#   deploy/cluster/run.sh            a: ttm 1777, b: 1778, c: 1779
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
bin=${SIGNALBOX_BIN:-$repo/build/signalbox}
data=${CLUSTER_DATA:-$PWD/cluster-data}

if [ ! -x "$bin" ]; then
  echo "run.sh: no $bin; build first: ./deploy/setup.sh build" >&2
  exit 1
fi

pids=()
stop_all() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait
}
trap stop_all EXIT INT TERM

start() {
  local name=$1
  mkdir -p "$data/$name"
  # Each node runs in its own data directory (store.directory is relative).
  # The subshell execs the node, so $! is the node's own pid.
  (cd "$data/$name" && exec "$bin" --config-file="$here/$name.conf") \
    > >(sed -u "s/^/[$name] /") 2>&1 &
  pids+=("$!")
}

# b dials a and c dials b: started in this order, they form a full mesh.
start a
start b
start c
echo "cluster: GET http://127.0.0.1:1777/api/cluster (a), :1778 (b), :1779 (c); Ctrl-C stops all"
wait
