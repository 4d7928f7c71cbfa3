#!/usr/bin/env bash
# LIF cost per spike at 10^7 neurons over its cost at 10^4, against log N (docs/benchmarks.md,
# "Held kicks"). Each 10^7 run (default policy: kicks held) sits between two 10^4 runs (default:
# kicks at once) and is divided by their mean, so that the ratio sees one phase of the machine,
# whose speed drifts by up to ±10 % over minutes. Prints each ratio and their median.
# Usage: tools/bench/log_growth.sh BUILD_DIR [REPEATS]
set -euo pipefail
build=${1:-build}; repeats=${2:-5}
small() { "$build/sparsechaos_bench" --model lif -n 10000 --spikes-per-neuron 66 --warmup-ms 2000; }
large() { "$build/sparsechaos_bench" --model lif -n 10000000 --spikes-per-neuron 0.4 --warmup-ms 300; }
cpu() { grep -o 'cpu *[0-9.]*' | awk '{print $2}'; }
ratios=()
before=$(small | cpu)
for r in $(seq "$repeats"); do
  big=$(large | cpu)
  after=$(small | cpu)
  ratio=$(python3 -c "print(f'{$big / (($before + $after) / 2):.3f}')")
  echo "repeat $r: 10^4 $before / $after, 10^7 $big us per spike: growth x$ratio"
  ratios+=("$ratio")
  before=$after
done
joined=$(IFS=,; echo "${ratios[*]}")
python3 -c "import math, statistics; print(f'median growth x{statistics.median([$joined]):.3f}; log N allows x{math.log(1e7) / math.log(1e4):.3f}')"
