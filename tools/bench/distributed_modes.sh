#!/usr/bin/env bash
# Strong scaling of the distributed modes on this machine: zero delay, delays, Poisson input.
# Runs each case on 1 and 2 ranks (mpirun --bind-to core) and prints one Markdown row per run:
# spikes, run wall time, µs per spike, speed-up and efficiency against P = 1, rank 0's
# communicate time and the number of agreements/exchanges.
# Usage: tools/bench/distributed_modes.sh BUILD_DIR [RANKS...]      (default ranks: 1 2)
set -euo pipefail
build=$(realpath "$1")
shift
ranks=("${@:-1 2}")
read -r -a ranks <<<"${ranks[*]}"
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=$build/sparsechaos
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
lif=$root/examples/balanced_lif.toml
theta=$root/examples/balanced_theta.toml
big="--set population.I.size=1000000 --set simulation.duration_ms=1000"
cases=(
  "LIF 1e5, zero delay|$lif --set simulation.duration_ms=3000"
  "LIF 1e5, delay 1 ms|$lif --set simulation.duration_ms=3000 --set projection[0].delay_ms=1"
  "LIF 1e5, delays 1-3 ms|$lif --set simulation.duration_ms=3000 --set projection[0].delay_ms=1 --set projection[0].delay_max_ms=3"
  "theta 1e5, zero delay|$theta --set simulation.duration_ms=3000"
  "theta 1e5, delay 1 ms|$theta --set simulation.duration_ms=3000 --set projection[0].delay_ms=1"
  "LIF 1e6, zero delay|$lif $big"
  "LIF 1e6, delay 1 ms|$lif $big --set projection[0].delay_ms=1"
  "theta 1e6, delay 1 ms|$theta $big --set projection[0].delay_ms=1"
  "LIF 1e5, zero delay, inhibitory Poisson 1 kHz|$lif --set simulation.duration_ms=1000 --set population.I.poisson.rate_hz=1000 --set population.I.poisson.weight=-0.01"
  "LIF 1e5, zero delay, excitatory Poisson 100 Hz|$lif --set simulation.duration_ms=1000 --set population.I.poisson.rate_hz=100 --set population.I.poisson.weight=0.01"
  "LIF 1e5, delay 1 ms, excitatory Poisson 100 Hz|$lif --set simulation.duration_ms=1000 --set projection[0].delay_ms=1 --set population.I.poisson.rate_hz=100 --set population.I.poisson.weight=0.01"
)
echo "| case | P | spikes | run (s) | µs/spike | speed-up | efficiency | communicate (s, rank 0) | rounds |"
echo "|---|---|---|---|---|---|---|---|---|"
for case in "${cases[@]}"; do
  name=${case%%|*}
  args=${case#*|}
  base=""
  for p in "${ranks[@]}"; do
    # shellcheck disable=SC2086
    mpirun -np "$p" --bind-to core "$bin" run $args --output "$work/out.h5" --timers >"$work/log"
    spikes=$(awk '$1 == "spikes" {print $2}' "$work/log")
    run=$(awk '$1 == "run" && $3 == "s" {print $2}' "$work/log")
    comm=$(awk '$1 == "communicate" {print $2}' "$work/log")
    rounds=$(awk '$1 == "ranks" {print $3}' "$work/log" | tr -d '(')
    [[ -z $base ]] && base=$run
    awk -v n="$name" -v p="$p" -v s="$spikes" -v r="$run" -v b="$base" -v c="$comm" -v q="${rounds:-—}" \
      'BEGIN { printf "| %s | %d | %d | %.3f | %.3f | %.2f | %.0f %% | %s | %s |\n", n, p, s, r, 1e6 * r / s, b / r, 100 * b / r / p, c, q }'
  done
done
