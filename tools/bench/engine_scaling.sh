#!/usr/bin/env bash
# Engine cost per spike and memory per neuron vs N on one core (docs/benchmarks.md).
# Usage: tools/bench/engine_scaling.sh BUILD_DIR OUT.jsonl [MAX_EXPONENT]
set -euo pipefail
build=${1:-build}; out=${2:-engine_scaling.jsonl}; max=${3:-7}
bench="$build/sparsechaos_bench"
for model in lif theta; do
  for e in $(seq 3 "$max"); do
    n=$((10 ** e))
    # About 2e6 measured spikes at every size; the warm-up shrinks with N for the same reason.
    spn=$(python3 -c "print(max(0.2, min(20.0, 2e6 / 3.0 / $n)))")
    warm=$(python3 -c "print(max(50.0, min(2000.0, 2e8 / $n)))")
    "$bench" --model "$model" -n "$n" --spikes-per-neuron "$spn" --warmup-ms "$warm" --json "$out"
  done
done
# The largest networks: connectivity regenerated at every spike (no synapse memory).
for e in 6 7 8; do
  n=$((10 ** e))
  "$bench" --model lif -n "$n" --connectivity procedural --spikes-per-neuron "$(python3 -c "print(max(0.01, 1e6 / 3.0 / $n))")" \
    --warmup-ms "$(python3 -c "print(max(5.0, min(300.0, 3e7 / $n)))")" --json "$out"
done
