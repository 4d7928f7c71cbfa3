#!/usr/bin/env bash
# Runs on 1, 2 and 3 ranks write bitwise identical spike trains (same ids, same float bits of
# every time) and rates: zero delay for every model, for inhibitory and E/I networks (with LIF
# threshold-crossing cascades), with homogeneous and jittered drives, stored and procedural;
# delays (constant, uniform per synapse, procedural) and frozen Poisson input (inhibitory and
# excitatory, with and without delays); held kicks (and the same trains as without them).
# Usage: bash distributed_identical.sh <sparsechaos binary> <source dir>
source "$(dirname "$0")/lib/common.sh" "$1"
examples=$(realpath "$2")/examples
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
# Procedural connectivity needs a rule keyed by the source: the small network with out-degrees.
sed 's/"fixed_indegree"/"fixed_outdegree"/; s/^indegree/outdegree/' "$examples/small_lif.toml" >outdegree.toml
delays=""
for k in 0 1 2 3; do delays+=" --set projection[$k].delay_ms=0.5 --set projection[$k].delay_max_ms=2.5"; done
ei="--set population.E.size=800 --set population.I.size=200 --set simulation.duration_ms=300"
cases=(
  "lif|$examples/small_lif.toml"
  "lif_held_kicks|$examples/small_lif.toml --set simulation.hold_kicks=on"
  "lif_held_kicks_jitter_long|$examples/small_lif.toml --set simulation.hold_kicks=on --set population.I.drive.jitter=0.3 --set simulation.duration_ms=5000"
  "lif_procedural_jitter|outdegree.toml --set simulation.connectivity=procedural --set population.I.drive.jitter=0.3"
  "theta_jitter|$examples/small_lif.toml --set population.I.model=theta --set population.I.drive.jitter=0.3"
  "rapid_theta|$examples/small_lif.toml --set population.I.model=rapid_theta --set population.I.rapidness=10"
  "eif|$examples/small_lif.toml --set population.I.model=eif"
  "ei_theta_jitter|$examples/ei_theta.toml $ei --set population.E.drive.jitter=0.2"
  "ei_lif_cascades|$examples/ei_theta.toml $ei --set population.E.model=lif --set population.I.model=lif --set projection[0].j0=0.08 --set projection[1].j0=0.08 --set projection[2].j0=-3 --set projection[3].j0=-3"
  "lif_delay|$examples/small_lif.toml --set projection[0].delay_ms=1.5"
  "lif_delay_procedural|outdegree.toml --set simulation.connectivity=procedural --set projection[0].delay_ms=0.8"
  "ei_theta_uniform_delays|$examples/ei_theta.toml $ei $delays"
  "ei_lif_uniform_delays|$examples/ei_theta.toml $ei $delays --set population.E.model=lif --set population.I.model=lif --set projection[0].j0=0.5 --set projection[1].j0=0.5 --set projection[2].j0=-3 --set projection[3].j0=-3"
  "lif_poisson_inhibitory|$examples/small_lif.toml --set population.I.poisson.rate_hz=300 --set population.I.poisson.weight=-0.02"
  "theta_poisson_inhibitory|$examples/small_lif.toml --set population.I.model=theta --set population.I.size=200 --set projection[0].indegree=20 --set population.I.poisson.rate_hz=300 --set population.I.poisson.weight=-0.05"
  "theta_poisson_excitatory|$examples/small_lif.toml --set population.I.model=theta --set population.I.poisson.rate_hz=300 --set population.I.poisson.weight=0.01"
  "ei_lif_poisson_delays|$examples/ei_theta.toml $ei $delays --set population.E.model=lif --set population.I.model=lif --set projection[0].j0=0.5 --set projection[1].j0=0.5 --set projection[2].j0=-3 --set projection[3].j0=-3 --set population.E.poisson.rate_hz=200 --set population.E.poisson.weight=0.02"
)
for case in "${cases[@]}"; do
  name=${case%%|*}
  args=${case#*|}
  for p in 1 2 3; do
    # shellcheck disable=SC2086
    timeout 120 mpirun -np $p "$bin" run $args --output "${name}_np$p.h5" --quiet \
      || { echo "FAIL: $name on $p ranks"; exit 1; }
  done
  /usr/bin/python3 - "$name" <<'PY'
import sys
import h5py
import numpy as np

name = sys.argv[1]
files = [h5py.File(f"{name}_np{p}.h5", "r") for p in (1, 2, 3)]
ref = files[0]
total = 0
for pop in ref["spikes"]:
    for key in ("timestamps", "node_ids"):
        a = ref["spikes"][pop][key][:]
        total += len(a) if key == "node_ids" else 0
        for p, f in zip((2, 3), files[1:]):
            b = f["spikes"][pop][key][:]
            if a.dtype != b.dtype or a.shape != b.shape or a.tobytes() != b.tobytes():
                sys.exit(f"FAIL: {name}: /spikes/{pop}/{key} differs between 1 and {p} ranks")
    for p, f in zip((2, 3), files[1:]):
        if dict(ref["spikes"][pop].attrs) != dict(f["spikes"][pop].attrs):
            sys.exit(f"FAIL: {name}: attributes of /spikes/{pop} differ between 1 and {p} ranks")
        if ref["rates"][pop][()] != f["rates"][pop][()]:
            sys.exit(f"FAIL: {name}: /rates/{pop} differs between 1 and {p} ranks")
if total < 500:
    sys.exit(f"FAIL: {name}: only {total} spikes, too few to be a test")
print(f"ok {name}: {total} spikes identical on 1, 2, 3 ranks")
PY
done

# Held kicks change the speed, never the spike trains: the same bits as kicks applied at once.
for f in timestamps node_ids; do
  /usr/bin/python3 -c "
import sys, h5py
a = h5py.File('lif_np1.h5')['spikes/I/$f'][:]
b = h5py.File('lif_held_kicks_np1.h5')['spikes/I/$f'][:]
sys.exit(0 if a.tobytes() == b.tobytes() and len(a) > 500 else 'FAIL: held kicks changed /spikes/I/$f')
" || exit 1
done
echo "ok held kicks: the same spike trains as kicks applied at once"

# An error during a distributed run brings the whole job down with its message: no hang, no file.
# shellcheck disable=SC2086
if timeout 60 mpirun -np 2 "$bin" run "$examples/ei_theta.toml" $ei --set population.E.model=lif \
     --set population.I.model=lif --output runaway.h5 --quiet 2>runaway.err; then
  echo "FAIL: a runaway network succeeded on 2 ranks"; exit 1
fi
grep -q "runaway excitation" runaway.err || { echo "FAIL: no runaway message:"; cat runaway.err; exit 1; }
[ ! -e runaway.h5 ] || { echo "FAIL: runaway.h5 was written"; exit 1; }
# A configuration error is the same on every rank: one message, exit status 1.
status=0
timeout 60 mpirun -np 2 "$bin" run "$examples/small_lif.toml" --set simulation.bogus=1 --output bad.h5 2>bad.err || status=$?
[ "$status" -ne 0 ] || { echo "FAIL: a bad key succeeded on 2 ranks"; exit 1; }
[ "$(grep -c "simulation.bogus" bad.err)" -eq 1 ] || { echo "FAIL: expected one message naming the key:"; cat bad.err; exit 1; }
echo "ok errors under MPI"
