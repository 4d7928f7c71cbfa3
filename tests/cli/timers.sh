#!/usr/bin/env bash
# Per-phase timers: --timers prints them, /meta/timers holds one value per rank for each phase, and
# the phases add up to the run's wall time (output timed exactly, the rest apportioned by samples).
# Usage: bash timers.sh <sparsechaos binary> <source dir>
source "$(dirname "$0")/lib/common.sh" "$1"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
write_network net.toml 2000.0 2000 50
for p in 1 2; do
  timeout 120 mpirun -np $p "$bin" run net.toml --output "t$p.h5" --timers >"t$p.txt"
  for phase in update communicate deliver output; do
    grep -q "^    $phase " "t$p.txt" || { echo "FAIL: --timers on $p ranks does not print $phase"; cat "t$p.txt"; exit 1; }
  done
  /usr/bin/python3 - "$p" <<'PY'
import sys
import h5py

p = int(sys.argv[1])
with h5py.File(f"t{p}.h5", "r") as f:
    timers = f["meta/timers"]
    phases = ("update", "communicate", "deliver", "output")
    for name in phases:
        if timers[name].shape != (p,):
            sys.exit(f"FAIL: /meta/timers/{name} has shape {timers[name].shape}, expected ({p},)")
    run = f["meta"].attrs["run_wall_s"]
    total = sum(timers[name][0] for name in phases)  # rank 0, whose run time is run_wall_s
    if abs(total - run) > 0.02 * run:
        sys.exit(f"FAIL: phases add up to {total} s, run took {run} s")
    if p == 1 and timers["communicate"][0] != 0.0:
        sys.exit("FAIL: one rank spent time communicating")
    if p == 2 and not timers["communicate"][0] > 0.0:
        sys.exit("FAIL: two ranks spent no time agreeing on spikes")
print(f"ok timers on {p} rank(s)")
PY
done
