#!/usr/bin/env bash
# A fuzzing campaign: every libFuzzer target (tests/fuzz/*_fuzz.cpp, the pure
# codecs) built with clang, ASan and UBSan, run for a given time each, one
# after the other, from its working corpus (seeded from tests/fuzz/corpus).
# After each run the working corpus is minimised (libFuzzer's -merge=1) and
# kept for the next campaign; crashes, leaks and timeouts are kept as
# artifacts with the command that reproduces them.
#
#   deploy/fuzz/run.sh [seconds-per-target] [target...]   (default: 60, all)
#
# Environment: FUZZ_BUILD (default <repo>/build-fuzz), FUZZ_WORK (default
# <repo>/build-fuzz/campaign: corpora and results), JOBS (build jobs),
# SEEDS=update: also merge what each run found into tests/fuzz/corpus (the
# seed corpus CTest replays), to commit after a campaign.
#
# Needs clang with its sanitizer runtimes (Debian: clang,
# libclang-rt-14-dev); installs them when missing. Prints a markdown table
# (target, seconds, executions, coverage, corpus before and after, findings)
# and writes it to $FUZZ_WORK/<time>/table.md.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
seconds=${1:-60}
[ $# -gt 0 ] && shift
build=${FUZZ_BUILD:-$root/build-fuzz}
work=${FUZZ_WORK:-$build/campaign}
jobs=${JOBS:-$(nproc)}
stamp=$(date +%Y%m%d-%H%M%S)
results=$work/$stamp

log() { printf -- '--- %s\n' "$*" >&2; }

missing=()
for pkg in clang libclang-rt-14-dev; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' ||
    missing+=("$pkg")
done
if ((${#missing[@]})); then
  log "installing ${missing[*]}"
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
    --no-install-recommends "${missing[@]}" >/dev/null
fi

targets=("$@")
if ((${#targets[@]} == 0)); then
  for src in "$root"/tests/fuzz/*_fuzz.cpp; do
    name=$(basename "$src" _fuzz.cpp)
    targets+=("$name")
  done
fi

log "building ${targets[*]} with clang, ASan and UBSan in $build"
CC=clang CXX=clang++ cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DSIGNALBOX_FUZZ=ON >/dev/null
build_targets=()
for t in "${targets[@]}"; do build_targets+=(--target "fuzz-$t"); done
cmake --build "$build" -j "$jobs" "${build_targets[@]}" >/dev/null

mkdir -p "$results"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
# ubsan.supp: RapidJSON 1.1.0's own null-pointer arithmetic (see there).
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:suppressions=$here/ubsan.supp}

count_files() { find "$1" -maxdepth 1 -type f | wc -l; }

table=$results/table.md
{
  echo "| target | seconds | executions | exec/s | coverage (cov) | features (ft) | corpus before | corpus after (minimised) | findings |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---|"
} >"$table"

for t in "${targets[@]}"; do
  corpus=$work/corpus/$t
  mkdir -p "$corpus" "$results/$t"
  # The seeds join the working corpus (new seeds since the last campaign).
  cp -n "$root/tests/fuzz/corpus/$t"/* "$corpus"/ 2>/dev/null || true
  before=$(count_files "$corpus")
  log "$t: ${seconds}s from $before inputs"
  set +e
  "$build/tests/fuzz-$t" -max_total_time="$seconds" -print_final_stats=1 \
    -timeout=10 -rss_limit_mb=2048 -artifact_prefix="$results/$t/" \
    "$corpus" >"$results/$t/run.log" 2>&1
  status=$?
  set -e
  # Minimise: the smallest set with the same coverage, for the next run.
  fresh=$work/corpus/$t.min
  rm -rf "$fresh" && mkdir -p "$fresh"
  if "$build/tests/fuzz-$t" -merge=1 -artifact_prefix="$results/$t/" "$fresh" "$corpus" \
    >"$results/$t/merge.log" 2>&1; then
    rm -rf "$corpus" && mv "$fresh" "$corpus"
  else
    # An input of the corpus crashes (a finding above): keep it whole.
    log "$t: the merge failed, corpus kept unminimised (see merge.log)"
    rm -rf "$fresh"
  fi
  after=$(count_files "$corpus")
  if [[ ${SEEDS:-} == update ]]; then
    "$build/tests/fuzz-$t" -merge=1 -artifact_prefix="$results/$t/" \
      "$root/tests/fuzz/corpus/$t" "$corpus" \
      >>"$results/$t/merge.log" 2>&1 || log "$t: seeds not updated (see merge.log)"
  fi
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$results/$t/run.log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$results/$t/run.log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$results/$t/run.log" | tail -1 | cut -d' ' -f2)
  ft=$(grep -o 'ft: [0-9]*' "$results/$t/run.log" | tail -1 | cut -d' ' -f2)
  findings=$(find "$results/$t" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'leak-*' \
    -o -name 'timeout-*' -o -name 'oom-*' \) | wc -l)
  if ((findings > 0 || status != 0)); then
    found="**$findings** (exit $status; reproduce: \`$build/tests/fuzz-$t <artifact>\`, artifacts in $results/$t)"
  else
    found=none
  fi
  echo "| $t | $seconds | ${execs:-?} | ${rate:-?} | ${cov:-?} | ${ft:-?} | $before | $after | $found |" >>"$table"
done

cat "$table"
log "results: $results"
