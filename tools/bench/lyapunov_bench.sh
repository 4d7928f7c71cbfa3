#!/usr/bin/env bash
# The Lyapunov benchmarks of docs/benchmarks.md: tangent update per spike (both row layouts), QR
# time per method, strong scaling P = 1, 2, for N = 1e4, 1e5 and m = 100, 1000.
# Usage: tools/bench/lyapunov_bench.sh BUILD_DIR OUT.jsonl
set -euo pipefail
bench=$(realpath "$1")/sparsechaos_bench_lyapunov
out=$2
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OPENBLAS_NUM_THREADS=1
"$bench" -n 1000 -m 10 --spikes 1000 --every 1000 --machine | grep machine
for n in 10000 100000; do
  for m in 100 1000; do
    spikes=$((m == 100 ? 20000 : 6000))
    every=$((spikes / 2))
    for layout in neuron_major column_major; do
      "$bench" -n $n -m $m --spikes $spikes --every $every --layout $layout --json "$out"
    done
    for method in cgs_refined cholesky; do
      "$bench" -n $n -m $m --spikes $spikes --every $every --method $method --json "$out"
    done
    mpirun -np 2 --bind-to core "$bench" -n $n -m $m --spikes $spikes --every $every --json "$out"
  done
done
