#!/usr/bin/env bash
# Rate networks through the command line: `check` describes, `run` writes /lyapunov like a spiking
# run, on 1 and 2 ranks with the same spectrum (to 1e-8), and bad keys are named.
# Usage: bash rate_run.sh <sparsechaos binary> <source dir>
source "$(dirname "$0")/lib/common.sh" "$1"
example=$(realpath "$2")/examples/rate/gaussian_g4.toml
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1 OPENBLAS_NUM_THREADS=1
"$bin" check "$example" | grep -q "rate network: N = 200" || { echo "FAIL: check does not describe the rate network"; exit 1; }
short="--set rate_network.size=80 --set rate_network.duration=240 --set lyapunov.warmup=20 --set lyapunov.ons_warmup=20"
for p in 1 2; do
  # shellcheck disable=SC2086
  timeout 120 mpirun -np $p "$bin" run "$example" $short --output rate_$p.h5 >run_$p.out \
    || { echo "FAIL: rate run on $p ranks"; cat run_$p.out; exit 1; }
done
grep -q "lambda_1 " run_1.out || { echo "FAIL: no lambda_1 in the summary"; cat run_1.out; exit 1; }
/usr/bin/python3 - <<'PY'
import sys
import h5py
import numpy as np

a, b = (h5py.File(f"rate_{p}.h5", "r")["lyapunov"] for p in (1, 2))
la, lb = a["exponents"][:], b["exponents"][:]
if len(la) != 80 or np.any(np.diff(la) > 0):
    sys.exit("FAIL: expected 80 exponents in descending order")
if not la[0] > 0:
    sys.exit(f"FAIL: g = 4 should be chaotic, lambda_1 = {la[0]}")
if not np.allclose(la, lb, rtol=1e-8, atol=1e-10):
    sys.exit(f"FAIL: spectra differ between 1 and 2 ranks by {np.max(np.abs(la - lb))}")
print(f"ok: 80 exponents identical to 1e-8 on 1 and 2 ranks, lambda_1 = {la[0]:.3f} 1/s")
PY
status=0
"$bin" check "$example" --set rate_network.g=-1 >out 2>err || status=$?
[[ $status -eq 1 ]] && grep -q "rate_network.g" err || { echo "FAIL: bad g not named (exit $status)"; cat err; exit 1; }
echo PASS
