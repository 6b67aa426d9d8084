#!/usr/bin/env bash
# The soak: mixed load on every interface for a given time, the node killed
# with SIGKILL and restarted every cycle, and after every restart a check
# that every acknowledged write is still there.
#
#   deploy/soak/run.sh [results-dir]    (default deploy/soak/results/<time>)
#
# Environment: SOAK_SECONDS (3600), SOAK_CYCLE (36: seconds from a start to
# its kill, so an hour is 100 cycles), SOAK_SAMPLE (10: seconds between
# samples), BUILD (<repo>/build: signalbox and tools/load/signalbox-load),
# SOAK_PLOT (1: draw soak.png with gnuplot, installed when missing; 0: no
# plot), SOAK_NODE_ARGS (more options for the node, split at spaces: e.g.
# --rtoc.record-length=50000, so that RTOC's rings fill within the hour).
#
# Each cycle: start the node on its data directory (ephemeral ports); check
# the acknowledged writes of every earlier cycle (verify.mjs); start the
# durability probe (acked_writer.mjs: persistent values over REST, every
# acknowledged one logged); run signalbox-load's mixed scenario (soak.json:
# ttmnotify subscribers, REST writers on values, GPIO and JMRI messages,
# the altoponix relay, JMRI over WebSocket and TCP, RTOC writers and
# subscribers), which must lose nothing; the node's jobs crash and restart
# the whole time (soak.conf); then SIGKILL the node while the probe is
# still writing. Every SOAK_SAMPLE seconds the node's RSS, CPU time, open
# descriptors, queued bytes and connections go to samples.csv.
#
# Exit status 0 only when no acknowledged write was lost, every load run
# passed its assertions, and the node always came back.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${BUILD:-$root/build}
signalbox=$build/signalbox
load=$build/tools/load/signalbox-load
seconds=${SOAK_SECONDS:-3600}
cycle=${SOAK_CYCLE:-36}
sample_every=${SOAK_SAMPLE:-10}
plot=${SOAK_PLOT:-1}
read -r -a node_args <<<"${SOAK_NODE_ARGS:-}"
out=${1:-$here/results/$(date +%Y%m%d-%H%M%S)}
data=$out/data

log() { printf -- '--- %s\n' "$*" >&2; }

for f in "$signalbox" "$load"; do
  [[ -x $f ]] || { echo "soak: $f not built" >&2; exit 2; }
done
for tool in node curl jq; do
  command -v "$tool" >/dev/null || { echo "soak: needs $tool" >&2; exit 2; }
done
((cycle >= 15)) || { echo "soak: SOAK_CYCLE must be at least 15 s" >&2; exit 2; }
[[ -e $out/acked.log ]] && { echo "soak: $out holds an earlier soak" >&2; exit 2; }
mkdir -p "$out"

node_pid=
writer_pid=
sampler_pid=
cleanup() {
  [[ -n $writer_pid ]] && kill "$writer_pid" 2>/dev/null || true
  [[ -n $sampler_pid ]] && kill "$sampler_pid" 2>/dev/null || true
  [[ -n $node_pid ]] && kill -KILL "$node_pid" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap cleanup EXIT

# start_node: starts signalbox on $data; sets node_pid and the ports.
start_node() {
  : >"$out/node.out"
  "$signalbox" --config-file="$here/soak.conf" --store.directory="$data" \
    --ttm.port=0 --jmri.port=0 --jmri.tcp-port=0 --socketio.port=0 \
    --rtoc.port=0 --realdds.enabled=false "${node_args[@]}" \
    >"$out/node.out" 2>>"$out/node.err" &
  node_pid=$!
  echo "$node_pid" >"$out/node.pid"
  for _ in $(seq 200); do
    if grep -q '^listening rtoc ' "$out/node.out"; then
      port() { sed -n "s/^listening $1 [0-9.]*:\([0-9]*\)$/\1/p" "$out/node.out"; }
      ttm=$(port ttm) jmri=$(port jmri) jmri_tcp=$(port jmri-tcp)
      socketio=$(port socketio) rtoc=$(port rtoc)
      echo "$ttm" >"$out/ttm.port"
      return 0
    fi
    kill -0 "$node_pid" 2>/dev/null || break
    sleep 0.05
  done
  echo "soak: the node did not start (cycle $n)" >&2
  cat "$out/node.out" "$out/node.err" >&2
  return 1
}

# check_acked: verify.mjs against the running node; adds to lost_total (a
# check that cannot run is a failed cycle) and leaves its JSON in verdict.
check_acked() {
  verdict=$(node "$here/verify.mjs" --port="$ttm" --log="$out/acked.log") || true
  local lost
  if ! lost=$(jq -e '.lost' <<<"$verdict" 2>/dev/null); then
    failures=$((failures + 1))
    verdict='{"error":"the check did not run"}'
    return
  fi
  lost_total=$((lost_total + lost))
}

# The sampler: one CSV line every SOAK_SAMPLE seconds for the node running.
# rss_anon_kib: the node's own memory; the rest of RSS is file pages (the
# LMDB map it has read), which grows with the data, not with time.
# rtoc_samples: the samples RTOC holds in RAM over all signals (16 bytes
# each, up to rtoc.record-length per signal), the one part of the node's
# memory that is meant to grow until its rings are full.
echo "seconds,cycle,rss_kib,cpu_seconds,fds,queued_bytes,connections,rss_anon_kib,rtoc_samples" >"$out/samples.csv"
sampler() {
  local started=$SECONDS ticks pid ttm_port
  ticks=$(getconf CLK_TCK)
  while :; do
    sleep "$sample_every"
    pid=$(cat "$out/node.pid" 2>/dev/null) || continue
    ttm_port=$(cat "$out/ttm.port" 2>/dev/null) || continue
    [[ -r /proc/$pid/status ]] || continue
    local rss anon cpu fds metrics queued conns held
    rss=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status" 2>/dev/null) || continue
    anon=$(awk '/^RssAnon/ {print $2}' "/proc/$pid/status" 2>/dev/null) || continue
    cpu=$(awk -v t="$ticks" '{print ($14 + $15) / t}' "/proc/$pid/stat" 2>/dev/null) || continue
    fds=$(find "/proc/$pid/fd" -maxdepth 1 2>/dev/null | wc -l)
    metrics=$(curl -s --max-time 2 "http://127.0.0.1:$ttm_port/metrics") || continue
    queued=$(awk '/^signalbox_bytes_queued\{/ {s += $2} END {print s + 0}' <<<"$metrics")
    conns=$(awk '/^signalbox_connections\{/ {s += $2} END {print s + 0}' <<<"$metrics")
    held=$(curl -s --max-time 2 "http://127.0.0.1:$ttm_port/api/signals" |
      jq '[.[].samples] | add // 0' 2>/dev/null) || held=
    echo "$((SECONDS - started)),$(cat "$out/cycle"),$rss,$cpu,$((fds - 1)),$queued,$conns,$anon,$held" \
      >>"$out/samples.csv"
  done
}

# The load of one cycle: the mixed scenario for what the cycle leaves after
# connecting and draining.
load_ms=$(((cycle - 12) * 1000))
jq --argjson d "$load_ms" '.duration_ms = $d' "$here/soak.json" >"$out/soak.scenario.json"

echo 0 >"$out/cycle"
sampler &
sampler_pid=$!

failures=0
lost_total=0
n=0
deadline=$((SECONDS + seconds))
: >"$out/cycles.jsonl"
while ((SECONDS < deadline)); do
  n=$((n + 1))
  echo "$n" >"$out/cycle"
  cycle_start=$SECONDS
  start_node || { failures=$((failures + 1)); break; }
  # 1. Everything acknowledged before the last kill is there.
  check_acked
  # 2. The probe writes until the kill; the load runs beside it.
  node "$here/acked_writer.mjs" --port="$ttm" --log="$out/acked.log" &
  writer_pid=$!
  load_status=0
  "$load" "$out/soak.scenario.json" --ttm-port="$ttm" --jmri-port="$jmri" \
    --jmri-tcp-port="$jmri_tcp" --socketio-port="$socketio" --rtoc-port="$rtoc" \
    --server-pid="$node_pid" --report="$out/load-$n.json" --quiet \
    >"$out/load-$n.txt" 2>&1 || load_status=$?
  ((load_status == 0)) || failures=$((failures + 1))
  # 3. SIGKILL at the cycle's end, the probe still writing.
  while ((SECONDS - cycle_start < cycle)); do sleep 0.2; done
  kill -KILL "$node_pid"
  wait "$node_pid" 2>/dev/null || true
  kill "$writer_pid" 2>/dev/null || true
  wait "$writer_pid" 2>/dev/null || true
  writer_pid=
  jq -c --argjson n "$n" --argjson load "$load_status" --argjson v "$verdict" -n \
    '{cycle: $n, verified_before: $v, load_exit: $load}' >>"$out/cycles.jsonl"
  jq -c --argjson n "$n" '{cycle: $n, delivered: .ttm.delivered, lost: (.ttm.lost + .sio.lost + .rtoc.lost), dropped: .connections.dropped, failed: .connections.failed}' \
    "$out/load-$n.json" >>"$out/load.jsonl" 2>/dev/null || true
  log "cycle $n: $(jq -c '{acked, lost, error}' <<<"$verdict"), load exit $load_status"
done

# The last kill's writes too.
n=$((n + 1))
echo "$n" >"$out/cycle"
start_node || failures=$((failures + 1))
check_acked
acked=$(jq '.acked // 0' <<<"$verdict")
kill "$sampler_pid" 2>/dev/null || true
sampler_pid=
kill -TERM "$node_pid"
wait "$node_pid" 2>/dev/null || true
node_pid=

kills=$((n - 1))
summary=$(jq -n --argjson kills "$kills" --argjson acked "$acked" \
  --argjson lost "$lost_total" --argjson failures "$failures" \
  --argjson seconds "$seconds" --argjson cycle "$cycle" \
  '{seconds: $seconds, cycle_seconds: $cycle, kills: $kills, acknowledged_writes: $acked, lost: $lost, failed_cycles: $failures}')
echo "$summary" | tee "$out/summary.json"

if [[ $plot == 1 ]]; then
  if ! command -v gnuplot >/dev/null; then
    sudo_cmd=()
    [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
    "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
      --no-install-recommends gnuplot-nox >/dev/null
  fi
  heading="signalbox soak: node killed with SIGKILL and restarted every ${cycle} s"
  ((cycle < seconds)) || heading="signalbox soak: one process for ${seconds} s, no kills"
  gnuplot -e "csv='$out/samples.csv'; png='$out/soak.png'; heading='$heading'" "$here/soak.gp"
  log "plot: $out/soak.png"
fi
log "results: $out"
((lost_total == 0 && failures == 0))
