#!/bin/bash
# Lyapunov sweeps of rate networks (docs/rate_networks.md), one `sparsechaos run` per point:
#
#   spectra  full spectra of examples/rate/g_sweep.toml for g = 2, 3, 4
#            (Engelken, Wolf & Abbott, arXiv:2006.02427)        -> SC_OUT/g_<g>.h5
#   input    lambda_max of examples/rate/input_sweep.toml against the input amplitude A for
#            common and independent sinusoids (Engelken et al., arXiv:2201.09916)
#                                                               -> SC_OUT/<kind>_A<A>.h5
# Plot them with
#   /usr/bin/python3 tools/plot_rate_sweep.py spectra SC_OUT -o spectra.png
#   /usr/bin/python3 tools/plot_rate_sweep.py input SC_OUT -o input.png
#
# Run from the repository root, either directly
#   bash examples/rate/run_sweep.sh spectra
# or as a SLURM job (the #SBATCH lines are comments to bash)
#   sbatch examples/rate/run_sweep.sh input
#
#SBATCH --job-name=sc-rate-sweep
#SBATCH --output=sc-rate-sweep-%j.out
#SBATCH --time=00:30:00
#SBATCH --nodes=1
#SBATCH --ntasks=1
#SBATCH --cpus-per-task=1
#
# Environment variables (all optional):
#   SC_BIN         simulator binary                          (default: build/sparsechaos)
#   SC_CONFIG      base configuration     (default: examples/rate/g_sweep.toml or input_sweep.toml)
#   SC_G           values of g for spectra, space-separated  (default: "2 3 4")
#   SC_KINDS       input kinds for input                     (default: "common_sine independent_sine")
#   SC_AMPLITUDES  input amplitudes A               (default: "0 1 2 3 4 6 8 12 16 24 32")
#   SC_SETS        extra "key=value" overrides, each passed as --set (e.g. "rate_network.seed=2")
#   SC_RANKS       MPI ranks per run                         (default: 1)
#   SC_LAUNCHER    none | srun | mpirun   (default: srun inside a SLURM job, else mpirun when
#                  SC_RANKS > 1, else none)
#   SC_MPIRUN_ARGS extra mpirun arguments (e.g. --oversubscribe); SC_SRUN_ARGS the same for srun
#   SC_OUT         results directory      (default: results/rate-<mode>-<jobid|local>)
set -euo pipefail

mode=${1:-}
case $mode in
    spectra) default_config=examples/rate/g_sweep.toml ;;
    input) default_config=examples/rate/input_sweep.toml ;;
    *) echo "usage: $0 spectra|input   (see the comments at the top)" >&2; exit 2 ;;
esac

SC_BIN=${SC_BIN:-build/sparsechaos}
SC_CONFIG=${SC_CONFIG:-$default_config}
SC_G=${SC_G:-2 3 4}
SC_KINDS=${SC_KINDS:-common_sine independent_sine}
SC_AMPLITUDES=${SC_AMPLITUDES:-0 1 2 3 4 6 8 12 16 24 32}
SC_SETS=${SC_SETS:-}
SC_RANKS=${SC_RANKS:-1}
SC_MPIRUN_ARGS=${SC_MPIRUN_ARGS:-}
SC_SRUN_ARGS=${SC_SRUN_ARGS:-}
SC_OUT=${SC_OUT:-results/rate-$mode-${SLURM_JOB_ID:-local}}
if [[ -z ${SC_LAUNCHER:-} ]]; then
    if [[ -n ${SLURM_JOB_ID:-} ]]; then SC_LAUNCHER=srun
    elif ((SC_RANKS > 1)); then SC_LAUNCHER=mpirun
    else SC_LAUNCHER=none
    fi
fi

[[ -x $SC_BIN ]] || { echo "error: simulator binary '$SC_BIN' not found or not executable (set SC_BIN)" >&2; exit 2; }
[[ -f $SC_CONFIG ]] || { echo "error: configuration '$SC_CONFIG' not found (set SC_CONFIG)" >&2; exit 2; }
[[ $SC_RANKS =~ ^[1-9][0-9]*$ ]] || { echo "error: SC_RANKS must be a positive integer, not '$SC_RANKS'" >&2; exit 2; }
case $SC_LAUNCHER in
    none)
        ((SC_RANKS == 1)) || { echo "error: SC_LAUNCHER=none runs one rank; set SC_LAUNCHER for SC_RANKS=$SC_RANKS" >&2; exit 2; }
        launch=() ;;
    srun)   launch=(srun $SC_SRUN_ARGS -n "$SC_RANKS") ;;
    mpirun) launch=(mpirun $SC_MPIRUN_ARGS -np "$SC_RANKS") ;;
    *) echo "error: SC_LAUNCHER must be none, srun or mpirun, not '$SC_LAUNCHER'" >&2; exit 2 ;;
esac
mkdir -p "$SC_OUT"

sets=()
for kv in $SC_SETS; do sets+=(--set "$kv"); done

# run OUT KEY=VALUE...: one simulation with the given overrides.
run() {
    local out=$1; shift
    local point=()
    for kv in "$@"; do point+=(--set "$kv"); done
    # ${a[@]+"${a[@]}"}: an empty array under set -u in bash < 4.4
    local cmd=(${launch[@]+"${launch[@]}"} "$SC_BIN" run "$SC_CONFIG" --output "$out" "${point[@]}"
               ${sets[@]+"${sets[@]}"})
    echo "+ ${cmd[*]}"
    local start
    start=$(date +%s.%N)
    "${cmd[@]}"
    echo "  done in $(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}') s -> $out"
}

echo "rate sweep '$mode': job ${SLURM_JOB_ID:-none} on ${SLURM_JOB_NODELIST:-$(hostname -s)}"
echo "  binary $SC_BIN, config $SC_CONFIG, ranks $SC_RANKS, launcher $SC_LAUNCHER, results $SC_OUT"
if [[ $mode == spectra ]]; then
    for g in $SC_G; do run "$SC_OUT/g_$g.h5" "rate_network.g=$g"; done
else
    for kind in $SC_KINDS; do
        for a in $SC_AMPLITUDES; do
            run "$SC_OUT/${kind}_A$a.h5" "rate_network.input.kind=$kind" "rate_network.input.amplitude=$a"
        done
    done
fi
echo "plot: /usr/bin/python3 tools/plot_rate_sweep.py $mode $SC_OUT -o $SC_OUT/$mode.png"
