#!/usr/bin/env bash
# Back-to-back comparison with Brian2 (cpp_standalone, dt = 0.1 ms) on the same balanced networks:
# for each case Brian2 runs first, sparsechaos right after, over the same simulated time from the
# same kind of initial state (uniform phases, no warm-up). Results: JSON lines in OUT.jsonl.
# Usage: tools/bench/compare_brian2.sh BUILD_DIR OUT.jsonl
set -euo pipefail
build=${1:-build}; out=${2:-compare_brian2.jsonl}
here=$(cd "$(dirname "$0")" && pwd)
# model N simulated-seconds (Brian2's defaults: >= 6e5 spikes per run)
for case in "lif 100000 5" "lif 1000000 2" "theta 100000 5" "theta 1000000 1"; do
  set -- $case
  /usr/bin/python3 "$here/brian2_balanced.py" --model "$1" --n "$2" --duration-ms "$(( $3 * 1000 ))" --json "$out.brian2.tmp"
  cat "$out.brian2.tmp" >> "$out"; rm -f "$out.brian2.tmp"
  "$build/sparsechaos_bench" --model "$1" -n "$2" --warmup-ms 0 --spikes-per-neuron "$3" --json "$out"
done
