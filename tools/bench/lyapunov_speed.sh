#!/usr/bin/env bash
# The cases of issue 20 (docs/benchmarks.md, "Lyapunov spectra at the speed of the hardware"),
# each run with BUILD and, if given, with BASELINE_BUILD right after it, REPEATS times in
# alternation (A B A B ...), so that both see the same load. Prints each benchmark's own lines
# and the process CPU time (user + system, /usr/bin/time) of every run.
# Usage: tools/bench/lyapunov_speed.sh BUILD [BASELINE_BUILD] [REPEATS]
# The baseline needs nothing this script adds: it runs only the options both builds know.
set -euo pipefail
build=$(realpath "$1")
base=${2:+$(realpath "$2")}
repeats=${3:-3}
repo=$(cd "$(dirname "$0")/../.." && pwd)
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# run LABEL DIR ARGS...: one run of DIR/ARGS[0] with the rest, CPU seconds appended to the output.
run() {
  local label=$1 dir=$2 exe=$3
  shift 3
  /usr/bin/time -f "  process CPU %U user + %S sys s, %e s wall, %M KiB" -o "$tmp/time" "$dir/$exe" "$@" > "$tmp/out" 2>&1 || true
  echo "[$label] $exe $*"
  grep -v -e '^BLAS' "$tmp/out" | sed 's/^/  /'
  cat "$tmp/time"
}

# pair NAME ARGS...: the same command with both builds, alternately.
pair() {
  local exe=$1
  shift
  for ((r = 1; r <= repeats; ++r)); do
    run "A $r" "$build" "$exe" "$@"
    if [ -n "$base" ]; then run "B $r" "$base" "$exe" "$@"; fi
  done
}

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
"$build/sparsechaos_bench_lyapunov" -n 1000 -m 10 --spikes 100 --every 1000 --machine | grep -e BLAS -e machine
# 1. N = 1000, K = 100, m = 100, a QR every 10 spikes (the case LEquipe is usually run on).
pair sparsechaos_bench_lyapunov -n 1000 -k 100 -m 100 --every 10 --spikes 20000
# 2. N = 200, K = 50, the full spectrum, a QR after every spike (1 Hz; --rate 5 below).
pair sparsechaos_bench_lyapunov -n 200 -k 50 -m 200 --every 1 --spikes 5000
# 3. The tangent update at N = 1e5, m = 100 (two QR steps in all).
pair sparsechaos_bench_lyapunov -n 100000 -m 100 --spikes 20000 --every 10000
# 4. Two ranks against one, N = 1e4, m = 100.
for ((r = 1; r <= repeats; ++r)); do
  for dir in "$build" ${base:+"$base"}; do
    run "P1 $r $(basename "$(dirname "$dir")")" "$dir" sparsechaos_bench_lyapunov -n 10000 -m 100 --spikes 20000 --every 10000
    /usr/bin/time -f "  process CPU (mpirun and both ranks) %U user + %S sys s, %e s wall" -o "$tmp/time" \
      mpirun -np 2 --bind-to core "$dir/sparsechaos_bench_lyapunov" -n 10000 -m 100 --spikes 20000 --every 10000 > "$tmp/out" 2>&1 || true
    echo "[P2 $r $(basename "$(dirname "$dir")")]"
    grep -v -e '^BLAS' "$tmp/out" | sed 's/^/  /'
    cat "$tmp/time"
  done
done
# 5. The example, whole run (drive tuning, warm-ups, measurement, output).
for ((r = 1; r <= repeats; ++r)); do
  for dir in "$build" ${base:+"$base"}; do
    /usr/bin/time -f "  process CPU %U user + %S sys s, %e s wall" -o "$tmp/time" \
      "$dir/sparsechaos" run "$repo/examples/lyapunov_theta.toml" --output "$tmp/theta.h5" -q || true
    echo "[example $r $(basename "$(dirname "$dir")")]"
    cat "$tmp/time"
  done
done
# 6. The QR of a 1e4 x 1000 block alone (this build only: the option is new).
"$build/sparsechaos_bench_lyapunov" --qr-only -n 10000 -m 1000 --reps 3
"$build/sparsechaos_bench_lyapunov" --qr-only -n 10000 -m 1000 --reps 2 --method tsqr --qr-layout column_major
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
