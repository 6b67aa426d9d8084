#!/usr/bin/env bash
# The side-by-side benchmarks of issue 5, in one run on one machine: each
# benchmark against signalbox, then against its Node peer, the server pinned
# to core 0 and signalbox-load to core 1.
#
#   fan-out  1000 ttmnotify subscribers, 20 REST writers on shared values
#            (a writer keeps one PUT in flight: 20 keep the pipeline full);
#            peer: tools/peers/ttm-ws-node (Node ws 8)
#   relay    altoponix relay, 100 monitors (no think time) and 400 users;
#            peer: tools/peers/altoponix-node (Node socket.io 4.8)
#   idle     10 000 open ttmnotify connections: RSS per connection;
#            peer: tools/peers/ttm-ws-node
#   rtoc     RTOC (issue 11 names goals, no peer): samples ingested and
#            persisted per server CPU-second (32 writers, batches of 100, two
#            requests in flight each, store.sync on), plain and with
#            password + AES; pushes per server CPU-second to 100 subscribers
#            of one signal (saturation as above); RSS after 10 M samples in
#            100 signals (10 writers of 10 signals, 1 M samples each).
#   tls      (issue 15) the fan-out and idle benchmarks again over TLS
#            (net.tls-cert; the peer on Node's https), signalbox-load --tls.
#   overload (issue 15) deploy/load/overload.json's clients alone, then
#            beside its flooders (clients that write as fast as the node
#            reads): their latencies and the node's RSS, side by side;
#            OVERLOAD_BEFORE=<binary> adds a run against another build.
#
# Saturation: the offered rate doubles step by step until the delivered rate
# stops rising (under 5 % above the best so far), anything is lost or
# dropped, or the drain times out (a backlog the node could not clear); the
# best step before that is the saturation. Then one run at half of it gives
# the latency. Raw JSON reports go to the results directory; a markdown
# table goes to stdout and to <results-dir>/table.md.
#
#   deploy/bench/run.sh [results-dir]      (default deploy/bench/results/<time>)
#
# Environment: BUILD (default <repo>/build, a Release build with
# tools/load), SERVER_CPU (0), LOAD_CPU (1), BENCHES (default "fanout realdds
# relay idle rtoc"; "cluster" runs the relay across two linked nodes and
# the link alone beside Zeek Broker, which needs libbroker-dev): the
# benchmarks to run; the table shows those that ran). Needs node, npm, jq, taskset,
# and a hard descriptor limit above 10 100. Takes about four minutes.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${BUILD:-$root/build}
signalbox=$build/signalbox
load=$build/tools/load/signalbox-load
server_cpu=${SERVER_CPU:-0}
load_cpu=${LOAD_CPU:-1}
out=${1:-$here/results/$(date +%Y%m%d-%H%M%S)}
benches=" ${BENCHES:-fanout realdds relay idle rtoc} "
wanted() { [[ $benches == *" $1 "* ]]; }
ttm_peer=$root/tools/peers/ttm-ws-node
sio_peer=$root/tools/peers/altoponix-node

mkdir -p "$out"
for tool in node npm jq taskset curl; do
  command -v "$tool" >/dev/null || { echo "run.sh: needs $tool" >&2; exit 2; }
done
for f in "$signalbox" "$load"; do
  [[ -x $f ]] || { echo "run.sh: $f not built" >&2; exit 2; }
done
# 10 000 subscribers plus writers, in the generator and in the server.
ulimit -n "$(ulimit -Hn)"
if (($(ulimit -n) < 10100)); then
  echo "run.sh: descriptor limit $(ulimit -n) < 10100" >&2
  exit 2
fi
for peer in "$ttm_peer" "$sio_peer"; do
  [[ -d $peer/node_modules ]] || (cd "$peer" && npm ci --no-audit --no-fund >&2)
done

log() { echo "--- $*" >&2; }

# -- servers ----------------------------------------------------------------

server_pid=
server_dir=
server_port=

# start_server KIND LISTENER [OPTION...]: starts signalbox (with the extra
# options), ttm-ws or sio-node on the server core; sets server_pid and
# server_port (from its `listening LISTENER host:port` line).
start_server() {
  local kind=$1 listener=$2
  shift 2
  server_dir=$(mktemp -d)
  case $kind in
    signalbox)
      taskset -c "$server_cpu" "$signalbox" --ttm.port=0 --socketio.port=0 --rtoc.port=0 --realdds.port=0 \
        --jmri.port=0 --jmri.tcp-port=0 --net.max-connections=20000 \
        --store.directory="$server_dir/store" "$@" >"$server_dir/out" 2>&1 &
      ;;
    cluster)
      # Two nodes on the server core: b, then a dialling b. The relay's
      # cross-node scenario puts its monitors on b (their group's port).
      local b_ports
      taskset -c "$server_cpu" "$signalbox" --ttm.port=0 --socketio.port=0 \
        --rtoc.port=0 --realdds.enabled=false --jmri.port=0 \
        --jmri.tcp-port=0 --net.max-connections=20000 --cluster.enabled=true \
        --cluster.name=b --cluster.port=0 --store.directory="$server_dir/b" \
        >"$server_dir/out-b" 2>&1 &
      b_pid=$!
      b_ports=$(wait_ports "$server_dir/out-b" "cluster socketio")
      jq --argjson p "${b_ports#* }" '.clients[0].port = $p' "$here/relay.json" \
        >"$out/cluster-relay-cross.template.json"
      taskset -c "$server_cpu" "$signalbox" --ttm.port=0 --socketio.port=0 \
        --rtoc.port=0 --realdds.enabled=false --jmri.port=0 \
        --jmri.tcp-port=0 --net.max-connections=20000 --cluster.enabled=true \
        --cluster.name=a --cluster.port=0 \
        "--cluster.peers=[\"127.0.0.1:${b_ports% *}\"]" \
        --store.directory="$server_dir/a" >"$server_dir/out" 2>&1 &
      ;;
    signalbox-tls)
      taskset -c "$server_cpu" "$signalbox" --ttm.port=0 --socketio.port=0 --rtoc.port=0 --realdds.port=0 \
        --jmri.port=0 --jmri.tcp-port=0 --net.max-connections=20000 \
        --net.tls-cert="$out/tls/node.pem" --net.tls-key="$out/tls/node.key" \
        --store.directory="$server_dir/store" "$@" >"$server_dir/out" 2>&1 &
      ;;
    ttm-ws) taskset -c "$server_cpu" node "$ttm_peer/server.mjs" --port=0 \
      >"$server_dir/out" 2>&1 & ;;
    ttm-ws-tls) taskset -c "$server_cpu" node "$ttm_peer/server.mjs" --port=0 \
      --tls-cert="$out/tls/node.pem" --tls-key="$out/tls/node.key" \
      >"$server_dir/out" 2>&1 & ;;
    sio-node) taskset -c "$server_cpu" node "$sio_peer/server.mjs" --port=0 \
      >"$server_dir/out" 2>&1 & ;;
  esac
  server_pid=$!
  server_port=
  for _ in $(seq 100); do
    server_port=$(sed -n "s/^listening $listener [0-9.]*:\([0-9]*\)$/\1/p" \
      "$server_dir/out")
    [[ -n $server_port ]] && break
    sleep 0.1
  done
  [[ -n $server_port ]] || { cat "$server_dir/out" >&2; exit 1; }
  if [[ $kind == cluster ]]; then
    local ttm
    ttm=$(port_of ttm)
    for _ in $(seq 100); do
      curl -s "127.0.0.1:$ttm/api/cluster" |
        jq -e '.members[0].state == "up"' >/dev/null 2>&1 && return 0
      sleep 0.1
    done
    echo "run.sh: the two cluster nodes did not link" >&2
    exit 1
  fi
}

# wait_ports FILE "LISTENER..." : the ports of those listening lines of a
# starting node, in that order, separated by spaces.
wait_ports() {
  local file=$1 listeners=$2 ports l p
  for _ in $(seq 100); do
    ports=
    for l in $listeners; do
      p=$(sed -n "s/^listening $l [0-9.]*:\([0-9]*\)$/\1/p" "$file")
      [[ -n $p ]] || break
      ports="$ports${ports:+ }$p"
    done
    [[ -n $p ]] && { echo "$ports"; return 0; }
    sleep 0.1
  done
  cat "$file" >&2
  exit 1
}

b_pid=
stop_server() {
  [[ -n $server_pid ]] || return 0
  kill "$server_pid" $b_pid 2>/dev/null || true
  wait "$server_pid" $b_pid 2>/dev/null || true
  b_pid=
  rm -rf "$server_dir"
  server_pid=
}
trap stop_server EXIT

# port_of LISTENER: the port of another listener of the running signalbox.
port_of() {
  sed -n "s/^listening $1 [0-9.]*:\([0-9]*\)$/\1/p" "$server_dir/out"
}

# run_load NAME SCENARIO PORT-OPTION...: one signalbox-load run on the load
# core; the report goes to $out/NAME.json.
run_load() {
  local name=$1 scenario=$2
  shift 2
  echo "$scenario" >"$out/$name.scenario.json"
  # The scenarios assert nothing: any non-zero status is a failed run.
  taskset -c "$load_cpu" "$load" "$out/$name.scenario.json" "$@" "${load_flags[@]}" \
    --server-pid="$server_pid" --report="$out/$name.json" --quiet \
    >"$out/$name.txt" 2>"$out/$name.err"
}

# Extra signalbox-load options of the benchmark running (--tls).
load_flags=()

# make_tls_files: a P-256 authority and a server certificate in $out/tls.
make_tls_files() {
  local tls=$out/tls
  [[ -e $tls/node.pem ]] && return 0
  mkdir -p "$tls"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$tls/ca.key" -out "$tls/ca.pem" -days 2 -subj /CN=bench 2>/dev/null
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$tls/node.key" -out "$tls/node.csr" -subj /CN=node 2>/dev/null
  openssl x509 -req -in "$tls/node.csr" -CA "$tls/ca.pem" -CAkey "$tls/ca.key" \
    -set_serial 1 -out "$tls/node.pem" -days 2 2>/dev/null
}

# -- saturation + half load -------------------------------------------------

# saturate BENCH KIND LISTENER PORT-FLAG TEMPLATE JQ-RATE METRIC RATE PER-RATE
#   JQ-RATE sets the per-client rate from $r; METRIC is a jq expression of a
#   report giving the delivered rate; the offered per-client rate starts at
#   RATE and doubles; PER-RATE is what one unit of per-client rate asks of
#   the node (clients x fan-out), to find the rate giving half of the
#   saturation.
saturate() {
  local bench=$1 kind=$2 listener=$3 flag=$4 template=$5 set_rate=$6 \
    metric=$7 rate=$8 per_rate=$9
  local best=0 step=0
  start_server "$kind" "$listener"
  # The realdds mirror's subscribers see what REST writers on ttm change.
  local ports=("$flag=$server_port")
  [[ $listener == realdds ]] && ports+=("--ttm-port=$(port_of ttm)")
  while ((step < 8)); do
    local name="$bench-$kind-step$step"
    log "$name: $rate/s per client"
    run_load "$name" "$(jq --argjson r "$rate" "$set_rate" "$template")" \
      "${ports[@]}"
    local got bad
    got=$(jq "$metric" "$out/$name.json")
    # A drain that timed out left messages queued: past saturation too.
    bad=$(jq '.ttm.lost + .sio.lost + .rtoc.lost +
              (if .drained then 0 else 1 end) +
              .connections.failed + .connections.dropped' "$out/$name.json")
    log "$name: $got/s delivered, $bad lost/failed/dropped"
    if ((bad != 0)); then
      # Lossy from the first step on: that step is all there is to report.
      if ((step == 0)); then
        best=$got
        cp "$out/$name.json" "$out/$bench-$kind-saturation.json"
      fi
      break
    fi
    if jq -e --argjson g "$got" --argjson b "$best" -n '$g < $b * 1.05' \
      >/dev/null; then
      break
    fi
    best=$got
    cp "$out/$name.json" "$out/$bench-$kind-saturation.json"
    rate=$(jq -n --argjson r "$rate" '$r * 2')
    step=$((step + 1))
  done
  local half
  half=$(jq -n --argjson b "$best" --argjson p "$per_rate" '$b / $p / 2')
  log "$bench-$kind-half: $half/s per client"
  run_load "$bench-$kind-half" \
    "$(jq --argjson r "$half" "$set_rate | .duration_ms = 5000" "$template")" \
    "${ports[@]}"
  stop_server
}

# jq programs: $r is jq's variable, not the shell's.
# shellcheck disable=SC2016
fanout_rate='.clients[1].rate = $r'
fanout_metric='.ttm.delivered_per_second'
# shellcheck disable=SC2016
relay_rate='.clients[1].rate = $r'
relay_metric='.sio.commands_do / .run_seconds'

wanted fanout && for kind in signalbox ttm-ws; do
  saturate fanout "$kind" ttm --ttm-port "$here/fanout.json" "$fanout_rate" \
    "$fanout_metric" 1 20000
done
# realdds (issue 12): the same fan-out to 1000 subscribers of the
# WebSocket mirror (realdds-json): each change is a `value` and a
# `query-options` notification, combined in one message.
wanted realdds && saturate realdds-mirror signalbox realdds --realdds-port \
  "$here/realdds-fanout.json" "$fanout_rate" "$fanout_metric" 1 20000
# realdds over DDS: 10 realdds-reader processes (tests/dds) on the load
# core read the notification topic while 20 REST writers change values at
# 500 and then 2000 changes/s; realdds-dds.mjs counts the value
# notifications every reader took and their latency from the writer's send.
run_dds() {
  local name=$1 rate=$2 topic=bench/dds-$$-$2
  start_server signalbox realdds --realdds.topic-root="$topic"
  local pids=() i
  for i in $(seq 10); do
    # stdin stays open (a reader ends at EOF) without making `wait` wait
    # for the sleep, as a pipeline would.
    taskset -c "$load_cpu" "$build/test-programs/realdds-reader" \
      --domain 0 --topic-root "$topic" --no-control \
      >"$out/$name-reader-$i.out" 2>&1 < <(exec sleep 3600) &
    pids+=($!)
  done
  # Every reader initialized (device-header and device-options taken).
  for i in $(seq 10); do
    for _ in $(seq 200); do
      (($(grep -c '"event":"message"' "$out/$name-reader-$i.out") >= 2)) && break
      sleep 0.05
    done
  done
  run_load "$name" "$(jq --argjson r "$rate" '.clients[0].rate = $r' \
    "$here/realdds-dds.json")" "--ttm-port=$(port_of ttm)"
  pkill -TERM -f "realdds-reader --domain 0 --topic-root $topic" || true
  wait "${pids[@]}" 2>/dev/null || true
  node "$here/realdds-dds.mjs" "$out/$name.json" "$out/$name"-reader-*.out \
    >"$out/$name.summary.json"
  stop_server
}
if wanted realdds; then
  run_dds realdds-dds-500 25
  run_dds realdds-dds-2000 100
fi

# realdds log: a job writes 100 000 lines/s for 5 s; the node's CPU per
# line with nobody listening (capture alone: realdds encodes nothing), then
# per entry delivered to one mirror client, alternating twice.
if wanted realdds; then
  start_server signalbox realdds --ttm.jobs-editable=true
  for round in 1 2; do
    for listen in 0 1; do
      log "realdds-log round $round, listening: $listen"
      taskset -c "$load_cpu" node "$here/realdds-log.mjs" --pid="$server_pid" \
        --ttm-port="$(port_of ttm)" --realdds-port="$server_port" \
        --program="$build/test-programs/line_burst" --rate=100000 \
        --seconds=5 --listen="$listen" >"$out/realdds-log-$listen-$round.json"
    done
  done
  stop_server
fi
wanted relay && for kind in signalbox sio-node; do
  saturate relay "$kind" socketio --socketio-port "$here/relay.json" \
    "$relay_rate" "$relay_metric" 2 400
done
# cluster (issue 13): the same relay on two linked nodes sharing the server
# core, its users on a and its monitors on a (local) or on b (cross: every
# command and every finish crosses the link).
if wanted cluster; then
  saturate cluster-relay-local cluster socketio --socketio-port \
    "$here/relay.json" "$relay_rate" "$relay_metric" 2 400
  saturate cluster-relay-cross cluster socketio --socketio-port \
    "$out/cluster-relay-cross.template.json" "$relay_rate" "$relay_metric" 2 400
  # The hop's latency: both layouts at one offered rate, 2000 commands/s
  # (5/s for each of the 400 users), well below either saturation.
  start_server cluster socketio
  for where in local cross; do
    template=$here/relay.json
    [[ $where == cross ]] && template=$out/cluster-relay-cross.template.json
    log "cluster-relay-$where-2000"
    run_load "cluster-relay-$where-2000" \
      "$(jq '.clients[1].rate = 5 | .duration_ms = 5000' "$template")" \
      "--socketio-port=$server_port"
  done
  stop_server
fi
# The link alone (tools/cluster_bench.cpp: two routers over loopback, in
# one process on the server core), plain and over TLS, beside Zeek Broker
# 1.4 measured the same way (tools/peers/broker-bench, Debian's
# libbroker-dev on the same CAF 0.17.6). Each with the window in flight it
# does best with: signalbox 1000 (its routers drop beyond
# cluster.max-backlog, 10 000, unacknowledged events, and acknowledgements
# queue behind a burst), Broker 4096 (its streams batch with a delay:
# 1000 in flight gave it 40 % of that).
if wanted cluster || wanted cluster-link; then
  log "cluster-link"
  [[ -e /usr/include/broker/broker.hh ]] || {
    echo "run.sh: BENCHES=cluster needs Debian's libbroker-dev (apt-get install libbroker-dev)" >&2
    exit 2
  }
  g++ -O2 -std=c++17 -I"$root" "$root/tools/peers/broker-bench/broker_bench.cpp" \
    -o "$out/broker-bench" -lbroker -lcaf_io -lcaf_core -lcaf_openssl -lpthread
  make_tls_files
  tls=$out/tls
  link_args=(--events=1000000 --rate=5000 --seconds=5)
  taskset -c "$server_cpu" "$build/signalbox-cluster-bench" "${link_args[@]}" \
    --window=1000 >"$out/cluster-link-plain.jsonl" 2>/dev/null
  taskset -c "$server_cpu" "$build/signalbox-cluster-bench" "${link_args[@]}" \
    --window=1000 --tls-cert="$tls/node.pem" --tls-key="$tls/node.key" \
    --tls-ca="$tls/ca.pem" >"$out/cluster-link-tls.jsonl" 2>/dev/null
  taskset -c "$server_cpu" "$out/broker-bench" "${link_args[@]}" \
    --window=4096 >"$out/cluster-link-broker.jsonl" 2>/dev/null
fi
wanted idle && for kind in signalbox ttm-ws; do
  start_server "$kind" ttm
  log "idle-$kind"
  run_load "idle-$kind" "$(cat "$here/idle.json")" "--ttm-port=$server_port"
  stop_server
done
# tls (issue 15): the fan-out and the idle connections over TLS, signalbox
# and the peer, with the same scenarios; the generator speaks TLS too (on
# its own core), so its CPU is the first limit to watch.
if wanted tls; then
  make_tls_files
  load_flags=(--tls)
  for kind in signalbox-tls ttm-ws-tls; do
    saturate fanout "$kind" ttm --ttm-port "$here/fanout.json" "$fanout_rate" \
      "$fanout_metric" 1 20000
  done
  for kind in signalbox-tls ttm-ws-tls; do
    start_server "$kind" ttm
    log "idle-$kind"
    run_load "idle-$kind" "$(cat "$here/idle.json")" "--ttm-port=$server_port"
    stop_server
  done
  load_flags=()
fi

# run_rtoc NAME SCENARIO [OPTION...]: one RTOC run against a fresh node.
run_rtoc() {
  local name=$1 scenario=$2
  shift 2
  start_server signalbox rtoc "$@"
  log "$name"
  run_load "$name" "$(cat "$scenario")" "--rtoc-port=$server_port"
  stop_server
}

if wanted rtoc; then
  run_rtoc rtoc-ingest "$here/rtoc-ingest.json"
  # An empty whitelist: loopback clients authorize and encrypt as remote
  # ones do.
  run_rtoc rtoc-ingest-aes "$here/rtoc-ingest-aes.json" \
    --rtoc.password=bench-secret '--rtoc.host-whitelist=[]'
  # shellcheck disable=SC2016
  saturate rtoc-push signalbox rtoc --rtoc-port "$here/rtoc-push.json" \
    '.clients[1].rate = $r' '.rtoc.delivered_per_second' 100 1000
  run_rtoc rtoc-rss "$here/rtoc-rss.json"
fi

# -- overload (issue 15) -----------------------------------------------------

# all_ports: signalbox-load's port options for every interface of the node.
all_ports() {
  echo "--ttm-port=$(port_of ttm) --socketio-port=$(port_of socketio)" \
    "--jmri-port=$(port_of jmri) --jmri-tcp-port=$(port_of jmri-tcp)" \
    "--rtoc-port=$(port_of rtoc) --realdds-port=$(port_of realdds)"
}

# deploy/load/overload.json (the usual clients beside 20 flooders) and
# overload-baseline.json (the same clients alone), each on a fresh node; with
# OVERLOAD_BEFORE=<another signalbox binary>, overload.json against that one
# too (overload-before). The scenarios' latency assertions are dropped here:
# the table shows what happened.
if wanted overload; then
  overload_runs=(baseline:overload-baseline.json flooded:overload.json)
  [[ -z ${OVERLOAD_BEFORE:-} ]] || overload_runs+=(before:overload.json)
  for entry in "${overload_runs[@]}"; do
    run=${entry%%:*}
    current=$signalbox
    [[ $run != before ]] || signalbox=$OVERLOAD_BEFORE
    start_server signalbox ttm
    signalbox=$current
    log "overload-$run"
    # shellcheck disable=SC2046
    run_load "overload-$run" "$(jq '.assert = {}' "$root/deploy/load/${entry#*:}")" $(all_ports)
    stop_server
  done
fi

# -- the table --------------------------------------------------------------

peer_of() { case $1 in fanout) echo ttm-ws ;; relay) echo sio-node ;; esac; }
# The servers of benchmark BENCH in the table: plain, then over TLS.
kinds_of() {
  case $1 in
    fanout)
      wanted fanout && echo signalbox ttm-ws
      wanted tls && echo signalbox-tls ttm-ws-tls
      ;;
    *) echo signalbox "$(peer_of "$1")" ;;
  esac
}

{
  if wanted fanout || wanted relay || wanted tls; then
    echo "| benchmark | server | saturation /s | server CPU % | load CPU % | per server CPU-second | half load /s | p50 µs | p99 µs | p99.9 µs | lost |"
    echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  fi
  if wanted realdds && ! wanted fanout && ! wanted relay; then
    echo "| benchmark | server | saturation /s | server CPU % | load CPU % | per server CPU-second | half load /s | p50 µs | p99 µs | p99.9 µs | lost |"
    echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  fi
  for bench in fanout realdds-mirror relay; do
    wanted "${bench%-mirror}" || { [[ $bench == fanout ]] && wanted tls; } || continue
    for kind in $(kinds_of $bench); do
      sat=$out/$bench-$kind-saturation.json
      half=$out/$bench-$kind-half.json
      if [[ $bench != relay ]]; then
        metric=$fanout_metric latency=ttm_delivery
      else
        metric=$relay_metric latency=sio_command_do
      fi
      jq -r -n --slurpfile s "$sat" --slurpfile h "$half" \
        --arg bench "$bench" --arg kind "$kind" --arg lat "$latency" "
        (\$s[0] | $metric) as \$sat | (\$h[0] | $metric) as \$hr |
        (\$s[0].ttm.delivered + \$s[0].sio.commands_do) as \$n |
        \$h[0].latency_us[\$lat] as \$l |
        \"| \(\$bench) | \(\$kind) | \(\$sat | floor) | \(\$s[0].server.cpu_percent | floor) | \(\$s[0].generator.cpu_percent | floor) | \(\$n / \$s[0].server.cpu_seconds | floor) | \(\$hr | floor) | \(\$l.p50 | floor) | \(\$l.p99 | floor) | \(\$l.p99_9 | floor) | \(\$h[0].ttm.lost + \$h[0].sio.lost) |\""
    done
  done
  if wanted cluster || wanted cluster-link; then
    echo
    echo "| cluster link, one core, 64-byte events | window | events/s | events per CPU-second | p50 µs at 5000/s | p99 µs | p99.9 µs | received |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|"
    for run in plain tls broker; do
      jq -r -s --arg run "$run" '
        (.[] | select(.phase == "throughput")) as $t |
        (.[] | select(.phase == "latency")) as $l |
        "| \(if $run == "broker" then "Zeek Broker 1.4 (plain)" else "signalbox (\($run))" end) | \($t.window) | \($t.events_per_s | floor) | \($t.events_per_cpu_s | floor) | \($l.p50_us | floor) | \($l.p99_us | floor) | \($l.p99_9_us | floor) | \($t.received)/\($t.events) |"' \
        "$out/cluster-link-$run.jsonl"
    done
  fi
  if wanted cluster; then
    echo
    echo "| cluster relay (users on a) | monitors on | saturation commands/s | server a CPU % | half load /s | p50 µs | p99 µs | p99.9 µs | lost |"
    echo "|---|---|---:|---:|---:|---:|---:|---:|---:|"
    for where in local cross; do
      jq -r -n --slurpfile s "$out/cluster-relay-$where-cluster-saturation.json" \
        --slurpfile h "$out/cluster-relay-$where-cluster-half.json" \
        --arg where "$where" "
        (\$s[0] | $relay_metric) as \$sat | (\$h[0] | $relay_metric) as \$hr |
        \$h[0].latency_us.sio_command_do as \$l |
        \"| cluster-relay | \(if \$where == \"local\" then \"a (one node)\" else \"b (across the link)\" end) | \(\$sat | floor) | \(\$s[0].server.cpu_percent | floor) | \(\$hr | floor) | \(\$l.p50 | floor) | \(\$l.p99 | floor) | \(\$l.p99_9 | floor) | \(\$h[0].sio.lost) |\""
    done
    echo
    echo "| cluster relay at 2000 commands/s | monitors on | commands/s | p50 µs | p99 µs | p99.9 µs | lost |"
    echo "|---|---|---:|---:|---:|---:|---:|"
    for where in local cross; do
      jq -r --arg where "$where" "
        .latency_us.sio_command_do as \$l |
        \"| cluster-relay-2000 | \(if \$where == \"local\" then \"a (one node)\" else \"b (across the link)\" end) | \($relay_metric | floor) | \(\$l.p50 | floor) | \(\$l.p99 | floor) | \(\$l.p99_9 | floor) | \(.sio.lost) |\"" \
        "$out/cluster-relay-$where-2000.json"
    done
  fi
  if wanted realdds; then
    echo
    echo "| realdds over DDS (10 readers) | changes/s offered | value notifications delivered | lost | messages | per second | server CPU % | per server CPU-second | p50 µs | p99 µs | p99.9 µs |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    for rate in 500 2000; do
      jq -r --arg rate "$rate" '
        "| realdds-dds | \($rate) | \(.delivered) | \(.lost) | \(.messages) | \(.delivered_per_second | floor) | \(.server_cpu_percent | floor) | \(.delivered_per_server_cpu_second | floor) | \(.latency_us.p50 | floor) | \(.latency_us.p99 | floor) | \(.latency_us.p99_9 | floor) |"' \
        "$out/realdds-dds-$rate.summary.json"
    done
    echo
    echo "| realdds-log (100 000 lines/s, 5 s) | round | lines | entries delivered | messages | server CPU s | CPU µs per line |"
    echo "|---|---:|---:|---:|---:|---:|---:|"
    for round in 1 2; do
      for listen in 0 1; do
        jq -r --arg round "$round" '
          "| \(if .listen then "one mirror client" else "nobody listening (capture alone)" end) | \($round) | \(.lines) | \(.entries) | \(.messages) | \(.server_cpu_seconds * 100 | floor / 100) | \(.cpu_us_per_line * 100 | floor / 100) |"' \
          "$out/realdds-log-$listen-$round.json"
      done
    done
  fi
  if wanted idle || wanted tls; then
    echo
    echo "| idle | server | connections | RSS before KiB | RSS connected KiB | KiB per connection |"
    echo "|---|---|---:|---:|---:|---:|"
    idle_kinds=()
    wanted idle && idle_kinds+=(signalbox ttm-ws)
    wanted tls && idle_kinds+=(signalbox-tls ttm-ws-tls)
    for kind in "${idle_kinds[@]}"; do
      jq -r --arg kind "$kind" '
        (.connections.made) as $c |
        "| idle | \($kind) | \($c) | \(.server.rss_kib_start) | \(.server.rss_kib_connected) | \((.server.rss_kib_connected - .server.rss_kib_start) / $c * 100 | floor / 100) |"' \
        "$out/idle-$kind.json"
    done
  fi
  if wanted rtoc; then
    echo
    # RSS counts the pages of the LMDB map the node touched (file pages,
    # reclaimable); anonymous RSS is the node's own memory (rings, buffers).
    echo "| rtoc | counted | count | per second | server CPU % | per server CPU-second | p50 µs | p99 µs | lost | RSS end MiB | anonymous RSS MiB |"
    echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    # Ingest: samples acknowledged (committed); latency of a request.
    for name in rtoc-ingest rtoc-ingest-aes rtoc-rss; do
      jq -r --arg name "$name" '
        .latency_us.rtoc_write as $l |
        "| \($name) | samples stored | \(.rtoc.samples_acked) | \(.rtoc.acked_per_second | floor) | \(.server.cpu_percent | floor) | \(.rtoc.samples_acked / .server.cpu_seconds | floor) | \($l.p50 | floor) | \($l.p99 | floor) | \(.rtoc.samples_sent - .rtoc.samples_acked) | \(.server.rss_kib_end / 1024 | floor) | \(.server.rss_anon_kib_end / 1024 | floor) |"' \
        "$out/$name.json"
    done
    # Pushes: at saturation, and the latency at half of it.
    jq -r -n --slurpfile s "$out/rtoc-push-signalbox-saturation.json" \
      --slurpfile h "$out/rtoc-push-signalbox-half.json" '
      $s[0] as $s | $h[0].latency_us.rtoc_delivery as $l |
      "| rtoc-push (100 subscribers) | samples pushed | \($s.rtoc.delivered) | \($s.rtoc.delivered_per_second | floor) | \($s.server.cpu_percent | floor) | \($s.rtoc.delivered / $s.server.cpu_seconds | floor) | \($l.p50 | floor) | \($l.p99 | floor) | \($s.rtoc.lost + $h[0].rtoc.lost) | \($s.server.rss_kib_end / 1024 | floor) | \($s.server.rss_anon_kib_end / 1024 | floor) |"'
  fi
  if wanted overload; then
    echo
    echo "| overload | ttm_delivery p50 / p99 µs | rest_write p99 µs | jmri_delivery p99 µs | rtoc_write p99 µs | rtoc_delivery p99 µs | sio_command_do p99 µs | delivered ttm / jmri / rtoc | server CPU % | server peak RSS MiB |"
    echo "|---|---|---:|---:|---:|---:|---:|---|---:|---:|"
    for run in baseline flooded before; do
      [[ -e $out/overload-$run.json ]] || continue
      jq -r --arg run "$run" '
        .latency_us as $l |
        def seen($k): ($l[$k].count // 0) > 0;
        def p99($k): if seen($k) then ($l[$k].p99 | floor) else "none" end;
        "| \($run) | \(if seen("ttm_delivery") then ($l.ttm_delivery.p50 | floor) else "none" end) / \(p99("ttm_delivery")) | \(p99("rest_write")) | \(p99("jmri_delivery")) | \(p99("rtoc_write")) | \(p99("rtoc_delivery")) | \(p99("sio_command_do")) | \(.ttm.delivered) / \(.jmri.delivered) / \(.rtoc.delivered) | \(.server.cpu_percent | floor) | \(.server.rss_hwm_kib_end / 1024 * 10 | floor / 10) |"' \
        "$out/overload-$run.json"
    done
    echo
    echo "| overload flooders | run | connections | requests written | replies read | closed by the node |"
    echo "|---|---|---:|---:|---:|---:|"
    for run in flooded before; do
      [[ -e $out/overload-$run.json ]] || continue
      jq -r --arg run "$run" '
        .flooders[] | "| \(.interface)\(if .reads then "" else " (not reading)" end) | \($run) | \(.connected) | \(.requests_written) | \(if .reads then .replies else "-" end) | \(.closed) |"' \
        "$out/overload-$run.json"
    done
  fi
} | tee "$out/table.md"
echo >&2
echo "reports: $out" >&2
