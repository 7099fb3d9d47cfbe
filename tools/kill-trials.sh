#!/usr/bin/env bash
# kill -9 trials (issue 26): for each model family, one uninterrupted tiny training run, then TRIALS runs that are killed
# with SIGKILL at a random moment and resumed with --resume (again and again if a resume is killed too) until they end.
# A trial counts as "same" when its final RESULT line equals the uninterrupted run's, timing fields and paths left out.
#
# usage: tools/kill-trials.sh [--trials N] [--seed S] [--kills K] [--work DIR] [FAMILY ...]    (default: every family)
# needs: the CLI built (dotnet build src/AttentionSharp.Cli -c Release) and the families' data in the cache.
set -uo pipefail
cd "$(dirname "$0")/.."
attn=(dotnet src/AttentionSharp.Cli/bin/Release/net10.0/attn.dll)
trials=20; seed=26; kills=1; work="$(mktemp -d)"; families=()
while [ $# -gt 0 ]; do
  case "$1" in
    --trials) trials="$2"; shift 2 ;;
    --seed) seed="$2"; shift 2 ;;
    --kills) kills="$2"; shift 2 ;;
    --work) work="$2"; shift 2 ;;
    -h|--help) sed -n 2,7p "$0"; exit 0 ;;
    --*) echo "kill-trials: unknown option $1 (expected --trials, --seed, --kills, --work)" >&2; exit 2 ;;
    *) families+=("$1"); shift ;;
  esac
done

source tools/tiny-runs.sh   # cmd[family] and order: one tiny training run per model family
[ ${#families[@]} -eq 0 ] && families=("${order[@]}")
for f in "${families[@]}"; do
  [ -n "${cmd[$f]:-}" ] || { echo "kill-trials: unknown family $f (expected one of: ${order[*]})" >&2; exit 2; }
done

# The RESULT line without what legitimately differs between runs: wall times, speeds and paths (values starting with /).
result() { grep -h '^RESULT' "$1" | tail -n 1 | tr ' ' '\n' | grep -vE '^(seconds|[a-z_]*seconds[a-z_]*|[a-z_]*per_s[a-z_]*|[a-z_]*_s)=|=/' | tr '\n' ' '; }

RANDOM=$seed
echo "kill-trials: $trials trials per family, $kills kill(s) per trial, seed $seed, work $work"
printf '%-13s %6s %6s %9s %6s %6s %7s %8s  %s\n' family trials same different failed kills resumed ref_s "reference RESULT"
total_diff=0; total_fail=0
for f in "${families[@]}"; do
  dir="$work/$f"; mkdir -p "$dir"
  start=$(date +%s.%N)
  "${attn[@]}" ${cmd[$f]} --threads 1 --no-progress --out "$dir/ref" > "$dir/ref.log" 2>&1
  rc=$?
  ref_s=$(echo "$(date +%s.%N) - $start" | bc)
  ref="$(result "$dir/ref.log")"
  if [ $rc -ne 0 ] || [ -z "$ref" ]; then echo "$f: the uninterrupted run failed (rc $rc): $dir/ref.log"; total_fail=$((total_fail + trials)); continue; fi
  same=0; diff=0; failed=0; killed=0
  for t in $(seq 1 "$trials"); do
    out="$dir/t$t"; log="$dir/t$t.log"; : > "$log"
    resume=""
    for k in $(seq 1 "$kills"); do
      # A moment between 5% and 95% of the uninterrupted run's wall time (including start-up and the final test).
      pct=$(( 5 + RANDOM % 91 ))
      delay=$(echo "scale=2; $ref_s * $pct / 100" | bc)
      "${attn[@]}" ${cmd[$f]} --threads 1 --no-progress --out "$out" $resume >> "$log" 2>&1 &
      pid=$!
      sleep "$delay"
      if kill -9 "$pid" 2>/dev/null; then killed=$((killed + 1)); echo "--- killed after $delay s" >> "$log"; fi
      wait "$pid" 2>/dev/null
      [ -n "$(find "$out" -name "last*.ckpt" 2>/dev/null | head -n 1)" ] && resume="--resume"
      grep -q '^RESULT' "$log" && break
    done
    # Resume to the end (no more kills); a run killed before its first checkpoint starts again.
    if ! grep -q '^RESULT' "$log"; then
      [ -n "$(find "$out" -name "last*.ckpt" 2>/dev/null | head -n 1)" ] && resume="--resume"
      "${attn[@]}" ${cmd[$f]} --threads 1 --no-progress --out "$out" $resume >> "$log" 2>&1
    fi
    got="$(result "$log")"
    if [ -z "$got" ]; then failed=$((failed + 1)); echo "$f trial $t: no RESULT line ($log)"
    elif [ "$got" = "$ref" ]; then same=$((same + 1))
    else diff=$((diff + 1)); echo "$f trial $t: different result: $got"; fi
  done
  total_diff=$((total_diff + diff)); total_fail=$((total_fail + failed))
  resumed=$(grep -l "resumed from" "$dir"/t*.log 2>/dev/null | wc -l)
  printf '%-13s %6d %6d %9d %6d %6d %7d %8.1f  %s\n' "$f" "$trials" "$same" "$diff" "$failed" "$killed" "$resumed" "$ref_s" "$ref"
done
echo "kill-trials: $total_diff different, $total_fail failed"
[ $total_diff -eq 0 ] && [ $total_fail -eq 0 ]
