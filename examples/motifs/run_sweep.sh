#!/bin/bash
# Sparse chaos on SONETs: Lyapunov spectra of the network of examples/motifs/sonet_rapid_theta.toml
# for chain-motif excess alpha_chain = -0.15, -0.1, -0.05, 0, 0.05, 0.1, 0.15, 0.2 (the question of
# arXiv:2412.21188 on graphs whose second-order motifs differ from Erdos-Renyi; Zhao et al. 2011
# found that chains raise synchrony). Every run is the base network with
#   --set projection[0].alpha_chain=A
# and writes SC_OUT/alpha_chain_A.h5. Plot them with
#   /usr/bin/python3 examples/motifs/plot_sweep.py SC_OUT -o sweep.png
#
# Run from the repository root, either directly
#   bash examples/motifs/run_sweep.sh
# or as a SLURM job (the #SBATCH lines are comments to bash; sbatch options on the command line win)
#   sbatch examples/motifs/run_sweep.sh
#
#SBATCH --job-name=sc-sonet-chains
#SBATCH --output=sc-sonet-chains-%j.out
#SBATCH --time=01:00:00
#SBATCH --nodes=1
#SBATCH --ntasks=1
#SBATCH --cpus-per-task=1
#
# Environment variables (all optional):
#   SC_BIN         simulator binary                           (default: build/sparsechaos)
#   SC_CONFIG      base configuration                         (default: examples/motifs/sonet_rapid_theta.toml)
#   SC_PROJECTION  index of the SONET projection              (default: 0)
#   SC_ALPHAS      values of alpha_chain, space-separated     (default: "-0.15 -0.1 -0.05 0 0.05 0.1 0.15 0.2")
#   SC_SETS        extra "key=value" overrides, space-separated, each passed as --set
#                  (e.g. "simulation.seed=2 population.I.rapidness=3")
#   SC_RANKS       MPI ranks per run                          (default: 1)
#   SC_LAUNCHER    none | srun | mpirun   (default: srun inside a SLURM job, else mpirun when
#                  SC_RANKS > 1, else none)
#   SC_MPIRUN_ARGS, SC_SRUN_ARGS  extra launcher arguments
#   SC_OUT         results directory                          (default: results/sonet-chains-<jobid|local>)
set -euo pipefail

SC_BIN=${SC_BIN:-build/sparsechaos}
SC_CONFIG=${SC_CONFIG:-examples/motifs/sonet_rapid_theta.toml}
SC_PROJECTION=${SC_PROJECTION:-0}
SC_ALPHAS=${SC_ALPHAS:--0.15 -0.1 -0.05 0 0.05 0.1 0.15 0.2}
SC_SETS=${SC_SETS:-}
SC_RANKS=${SC_RANKS:-1}
SC_MPIRUN_ARGS=${SC_MPIRUN_ARGS:-}
SC_SRUN_ARGS=${SC_SRUN_ARGS:-}
SC_OUT=${SC_OUT:-results/sonet-chains-${SLURM_JOB_ID:-local}}
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

echo "SONET chain sweep: job ${SLURM_JOB_ID:-none} on ${SLURM_JOB_NODELIST:-$(hostname -s)}"
echo "  binary $SC_BIN, config $SC_CONFIG, alpha_chain in [$SC_ALPHAS], ranks $SC_RANKS, results $SC_OUT"
for a in $SC_ALPHAS; do
    out=$SC_OUT/alpha_chain_$a.h5
    cmd=(${launch[@]+"${launch[@]}"} "$SC_BIN" run "$SC_CONFIG" --output "$out"
         --set "projection[$SC_PROJECTION].alpha_chain=$a" ${sets[@]+"${sets[@]}"})
    echo "+ ${cmd[*]}"
    start=$(date +%s.%N)
    "${cmd[@]}"
    echo "  alpha_chain = $a done in $(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}') s -> $out"
done
echo "sweep done. Plot with"
echo "  /usr/bin/python3 examples/motifs/plot_sweep.py $SC_OUT -o $SC_OUT/sweep.png --table $SC_OUT/sweep.md"
