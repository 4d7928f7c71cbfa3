#!/usr/bin/env bash
# Instructions per network spike vs N, counted by callgrind (docs/benchmarks.md, "Instructions per
# spike"). Wall time per spike mixes the algorithm with the memory system; the instruction count
# is the algorithm alone, and it is repeatable whatever else the machine is doing.
#
# Each point is two runs that differ only in the length of the measured window (same warm-up, so
# the same state at its start): the difference in instructions executed inside
# simulation::run_until, over the difference in spikes, is the cost of those extra spikes alone.
# Building the network is outside run_until and not counted.
#
# valgrind cannot decode AVX-512, so BUILD must be configured with -DSPARSECHAOS_NATIVE=OFF.
# Usage: tools/bench/instruction_counts.sh BUILD_DIR "MODELS" "EXPONENTS" [CONNECTIVITY]
#   e.g. tools/bench/instruction_counts.sh build-avx2 "lif theta" "3 4 5 6 7" stored
set -euo pipefail
build=${1:?BUILD_DIR}; models=${2:-"lif theta"}; exponents=${3:-"3 4 5 6"}; conn=${4:-stored}
bench="$build/sparsechaos_bench"
if grep -q '%zmm' <(objdump -d "$bench"); then
  echo "error: $bench uses AVX-512, which valgrind cannot run; configure with -DSPARSECHAOS_NATIVE=OFF" >&2
  exit 1
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Instructions inside run_until and measured spikes of one run.
count() {  # model n spikes_per_neuron -> "instructions spikes"
  local out="$work/cg.out"
  local line
  line=$(valgrind --tool=callgrind --collect-atstart=no \
    --toggle-collect='sparsechaos::engine::simulation::run_until*' \
    --callgrind-out-file="$out" \
    "$bench" --model "$1" -n "$2" --spikes-per-neuron "$3" --warmup-ms 300 \
    --connectivity "$conn" 2>/dev/null)
  local spikes ir
  spikes=$(sed -E 's/.* spikes +([0-9]+) .*/\1/' <<<"$line")
  ir=$(awk '/^totals:/ {print $2}' "$out")
  echo "$ir $spikes"
}

printf '%-6s %-10s %-6s %12s %14s\n' model conn N spikes instr/spike
for model in $models; do
  for e in $exponents; do
    n=$((10 ** e))
    # at least 10^5 extra spikes per point (rates are 1-4 Hz)
    spn=$(python3 -c "print(max(0.05, 1e5 / $n))")
    read -r ir1 s1 < <(count "$model" "$n" "$spn")
    read -r ir2 s2 < <(count "$model" "$n" "$(python3 -c "print(2 * $spn)")")
    python3 -c "print('%-6s %-10s %-6s %12d %14.1f' % ('$model', '$conn', '1e$e', $s2 - $s1, ($ir2 - $ir1) / ($s2 - $s1)))"
  done
done
