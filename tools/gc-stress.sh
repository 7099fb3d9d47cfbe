#!/usr/bin/env bash
# GC stress rounds (issue 26): the test suite and one tiny training run per model family, with the .NET garbage
# collector forced to run often (DOTNET_GCgen0size, default 0x40000 = a 256 KB gen0 budget), ROUNDS times. Prints per
# round the suite's passed/failed counts and the runs that failed or printed a native error, then the totals.
# Run it on two builds (e.g. two worktrees) to compare before and after a fix.
#
# usage: tools/gc-stress.sh [--rounds N] [--gen0 HEX] [--filter F] [--no-suite] [--no-runs] [--work DIR] [FAMILY ...]
# needs: the tests and the CLI built (-c Release) and the families' data in the cache.
set -uo pipefail
cd "$(dirname "$0")/.."
attn=(dotnet src/AttentionSharp.Cli/bin/Release/net10.0/attn.dll)
rounds=1; gen0=0x40000; filter="Category!=Fuzz"; suite=1; runs=1; work="$(mktemp -d)"; families=()
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds="$2"; shift 2 ;;
    --gen0) gen0="$2"; shift 2 ;;
    --filter) filter="$2"; shift 2 ;;
    --no-suite) suite=0; shift ;;
    --no-runs) runs=0; shift ;;
    --work) work="$2"; shift 2 ;;
    -h|--help) sed -n 2,8p "$0"; exit 0 ;;
    --*) echo "gc-stress: unknown option $1 (expected --rounds, --gen0, --filter, --no-suite, --no-runs, --work)" >&2; exit 2 ;;
    *) families+=("$1"); shift ;;
  esac
done
source tools/tiny-runs.sh
[ ${#families[@]} -eq 0 ] && families=("${order[@]}")
for f in "${families[@]}"; do
  [ -n "${cmd[$f]:-}" ] || { echo "gc-stress: unknown family $f (expected one of: ${order[*]})" >&2; exit 2; }
done

# A job started in the background by a non-interactive shell inherits SIGINT ignored, which the Ctrl-C test cannot
# get through; env --default-signal restores it for the commands run here.
stressed=(env --default-signal=INT DOTNET_GCgen0size="$gen0")
native='Expected false to be true|Unknown scalar type|alpha must not be|ExternalException|Segmentation fault|core dumped'
mkdir -p "$work"
echo "gc-stress: $rounds round(s), DOTNET_GCgen0size=$gen0, suite filter '$filter', families ${families[*]}, work $work"
total_failed=0; total_bad=0
for r in $(seq 1 "$rounds"); do
  if [ $suite -eq 1 ]; then
    log="$work/suite-$r.log"; start=$(date +%s)
    "${stressed[@]}" dotnet test tests/AttentionSharp.Tests -c Release --no-build --filter "$filter" --logger "console;verbosity=normal" > "$log" 2>&1
    passed=$(grep -oE '^\s+Passed:\s+[0-9]+' "$log" | grep -oE '[0-9]+' | tail -n 1); failed=$(grep -oE '^\s+Failed:\s+[0-9]+' "$log" | grep -oE '[0-9]+' | tail -n 1)
    echo "round $r suite: ${passed:-0} passed, ${failed:-0} failed, $(( $(date +%s) - start )) s ($log)"
    grep -E '^\s+Failed [A-Z]' "$log" | sed 's/^/    /'
    total_failed=$((total_failed + ${failed:-0}))
  fi
  if [ $runs -eq 1 ]; then
    bad=0
    for f in "${families[@]}"; do
      log="$work/$f-$r.log"
      "${stressed[@]}" "${attn[@]}" ${cmd[$f]} --threads 1 --no-progress --out "$work/$f-$r" > "$log" 2>&1
      rc=$?
      if [ $rc -ne 0 ] || grep -qE "$native" "$log"; then bad=$((bad + 1)); echo "    $f: exit $rc$(grep -qE "$native" "$log" && echo ', native error'): $log"; fi
    done
    echo "round $r runs: $((${#families[@]} - bad)) of ${#families[@]} clean"
    total_bad=$((total_bad + bad))
  fi
done
echo "gc-stress: $total_failed failed tests, $total_bad failed runs"
[ $total_failed -eq 0 ] && [ $total_bad -eq 0 ]
