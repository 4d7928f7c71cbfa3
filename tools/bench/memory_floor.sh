#!/usr/bin/env bash
# The engine's LIF cost per spike next to the memory floor of the same accesses (docs/benchmarks.md,
# "The memory floor"): for each N, the floor (a random stored row of K targets per spike, each
# target's cell read and written), then the engine in steady state. Interleaved, so that both see
# the same machine.
# Usage: tools/bench/memory_floor.sh BUILD_DIR [MAX_EXPONENT]
set -euo pipefail
build=${1:-build}; max=${2:-7}
for e in $(seq 3 "$max"); do
  n=$((10 ** e))
  "$build/sparsechaos_bench_memory" --stored-rows --sizes "$n"
  spn=$(python3 -c "print(max(0.2, min(20.0, 2e6 / 3.0 / $n)))")
  warm=$(python3 -c "print(max(300.0, min(2000.0, 2e8 / $n)))")
  "$build/sparsechaos_bench" --model lif -n "$n" --spikes-per-neuron "$spn" --warmup-ms "$warm"
done
