#!/bin/bash
# Sparse chaos: Lyapunov spectra of the rapid-theta network for spike onset rapidness
# r = 1, 3, 10, 30, 100 (Engelken, Monteforte & Wolf, arXiv:2412.21188). Every run is the network
# of examples/lyapunov_theta.toml (N = 200, K = 50, rate tuned to 5 Hz, full spectrum) with
#   --set population.I.model=rapid_theta --set population.I.rapidness=R
# and writes SC_OUT/rapidness_R.h5. Plot them with
#   /usr/bin/python3 examples/rapid_theta_sweep/plot_sweep.py SC_OUT -o sweep.png
#
# Run from the repository root, either directly
#   bash examples/rapid_theta_sweep/run_sweep.sh
# or as a SLURM job (the #SBATCH lines are comments to bash; sbatch options on the command line win)
#   sbatch examples/rapid_theta_sweep/run_sweep.sh
#
#SBATCH --job-name=sc-sparse-chaos
#SBATCH --output=sc-sparse-chaos-%j.out
#SBATCH --time=00:30:00
#SBATCH --nodes=1
#SBATCH --ntasks=1
#SBATCH --cpus-per-task=1
#
# Environment variables (all optional; sbatch passes the submitting shell's environment):
#   SC_BIN         simulator binary                           (default: build/sparsechaos)
#   SC_CONFIG      base configuration                         (default: examples/lyapunov_theta.toml)
#   SC_POPULATION  population whose model and rapidness are set (default: I)
#   SC_RAPIDNESS   values of r, space-separated               (default: "1 3 10 30 100")
#   SC_SETS        extra "key=value" overrides, space-separated, each passed as --set
#                  (e.g. "simulation.seed=2 lyapunov.exponents=50")
#   SC_RANKS       MPI ranks per run                          (default: 1)
#   SC_LAUNCHER    none | srun | mpirun   (default: srun inside a SLURM job, else mpirun when
#                  SC_RANKS > 1, else none: the binary is started directly)
#   SC_MPIRUN_ARGS extra mpirun arguments                     (default: none; e.g. --oversubscribe)
#   SC_SRUN_ARGS   extra srun arguments                       (default: none; e.g. --mpi=pmix)
#   SC_OUT         results directory                          (default: results/sparse-chaos-<jobid|local>)
set -euo pipefail

SC_BIN=${SC_BIN:-build/sparsechaos}
SC_CONFIG=${SC_CONFIG:-examples/lyapunov_theta.toml}
SC_POPULATION=${SC_POPULATION:-I}
SC_RAPIDNESS=${SC_RAPIDNESS:-1 3 10 30 100}
SC_SETS=${SC_SETS:-}
SC_RANKS=${SC_RANKS:-1}
SC_MPIRUN_ARGS=${SC_MPIRUN_ARGS:-}
SC_SRUN_ARGS=${SC_SRUN_ARGS:-}
SC_OUT=${SC_OUT:-results/sparse-chaos-${SLURM_JOB_ID:-local}}
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

echo "sparse chaos sweep: job ${SLURM_JOB_ID:-none} on ${SLURM_JOB_NODELIST:-$(hostname -s)}"
echo "  binary $SC_BIN, config $SC_CONFIG, r in [$SC_RAPIDNESS], ranks $SC_RANKS, launcher $SC_LAUNCHER, results $SC_OUT"
for r in $SC_RAPIDNESS; do
    out=$SC_OUT/rapidness_$r.h5
    # ${a[@]+"${a[@]}"}: an empty array under set -u in bash < 4.4
    cmd=(${launch[@]+"${launch[@]}"} "$SC_BIN" run "$SC_CONFIG" --output "$out"
         --set "population.$SC_POPULATION.model=rapid_theta" --set "population.$SC_POPULATION.rapidness=$r"
         ${sets[@]+"${sets[@]}"})
    echo "+ ${cmd[*]}"
    start=$(date +%s.%N)
    "${cmd[@]}"
    echo "  r = $r done in $(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}') s -> $out"
done
echo "sweep done: $(ls "$SC_OUT"/rapidness_*.h5 | wc -l) file(s) in $SC_OUT. Plot with"
echo "  /usr/bin/python3 examples/rapid_theta_sweep/plot_sweep.py $SC_OUT -o $SC_OUT/sweep.png --table $SC_OUT/sweep.md"
