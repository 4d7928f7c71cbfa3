#!/usr/bin/env bash
# LIF cost per spike with kicks held back and with every kick applied at once, interleaved at
# each N so that both see the same machine (docs/benchmarks.md, "Held kicks").
# Usage: tools/bench/held_kicks.sh BUILD_DIR [MAX_EXPONENT]
set -euo pipefail
build=${1:-build}; max=${2:-7}
for e in $(seq 3 "$max"); do
  n=$((10 ** e))
  spn=$(python3 -c "print(max(0.2, min(20.0, 2e6 / 3.0 / $n)))")
  warm=$(python3 -c "print(max(300.0, min(2000.0, 2e8 / $n)))")
  for hold in off on; do
    "$build/sparsechaos_bench" --model lif -n "$n" --spikes-per-neuron "$spn" --warmup-ms "$warm" --hold "$hold"
  done
done
