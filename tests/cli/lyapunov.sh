#!/usr/bin/env bash
# Lyapunov spectra through the command line: the public reference case (theta, N = 200, K = 50,
# tuned to 5 Hz: lambda_max about 30 1/s), the same spectrum and spike train on 1, 2 and 3 ranks,
# the /lyapunov layout and its identities, and the configuration errors of [lyapunov].
# Usage: bash lyapunov.sh <sparsechaos binary> <source dir>
source "$(dirname "$0")/lib/common.sh" "$1"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
cat >reference.toml <<'TOML'
[simulation]
duration_ms = 12000.0
[[population]]
name = "I"
size = 200
model = "theta"
drive = { balanced_rate_hz = 5.0 }
[[projection]]
pre = "I"
post = "I"
rule = "fixed_indegree"
indegree = 50
j0 = -1.0
[lyapunov]
exponents = "all"
warmup_ms = 1000.0
ons_warmup_ms = 1000.0
target_rate_hz = 5.0
TOML
# Public reference (LEquipe tutorial, docs/design.md, "Tangent dynamics"): lambda_max about 32 1/s after a short average;
# 10 s of measurement give about +-1 1/s, the window below allows for that and the tuning.
timeout 120 "$bin" run reference.toml --output reference.h5 >reference.out
cat reference.out
/usr/bin/python3 - <<'PY'
import sys
import h5py
import numpy as np

g = h5py.File("reference.h5", "r")["lyapunov"]
lam = g["exponents"][:]
fail = []
if not 26.0 <= lam[0] <= 38.0:
    fail.append(f"lambda_max {lam[0]:.3f} outside [26, 38] 1/s")
if len(lam) != 200 or np.any(np.diff(lam) > 0):
    fail.append("exponents are not 200 values in descending order")
if abs(lam.sum() - g["phase_space_contraction"][()]) > 1e-8 * abs(lam.sum()):
    fail.append(f"sum {lam.sum()} != contraction {g['phase_space_contraction'][()]}")
if np.sum(np.abs(lam) < 0.3) != 1:
    fail.append(f"{np.sum(np.abs(lam) < 0.3)} exponents within 0.3 of zero, expected exactly one")
pos = int(g["positive_exponents"][()])
c = int(g["neutral_index"][()]) - 1
if c < 0 or abs(lam[c]) >= 0.3 or g["neutral_exponent"][()] != lam[c]:
    fail.append(f"neutral exponent not found: index {c + 1}")
positive = np.delete(lam, c) if c >= 0 else lam
positive = positive[positive > 0]
if pos != len(positive):
    fail.append(f"positive_exponents {pos}: {len(positive)} exponents other than the neutral one are > 0")
h = g["ks_entropy_nats_per_s"][()]
if abs(h - positive.sum()) > 1e-9 * h:
    fail.append("KS entropy is not the sum of the positive exponents")
if abs(g["entropy_over_lambda_max"][()] - h / lam[0]) > 1e-12 * h / lam[0]:
    fail.append("H / lambda_max")
if not 0 < g["kaplan_yorke_dimension"][()] < 200:
    fail.append("Kaplan-Yorke dimension out of range")
for name in ("local/lambda_1", "local/sum", "convergence/lambda_1", "participation/ratio"):
    if len(g[name]) != g.attrs["qr_steps"]:
        fail.append(f"{name} has {len(g[name])} entries for {g.attrs['qr_steps']} QR steps")
if abs(g.attrs["target_rate_hz"] - 5.0) > 0 or not 0.5 < g.attrs["tuned_drive_factor"] < 2:
    fail.append("tuning attributes missing or absurd")
if fail:
    sys.exit("FAIL: " + "; ".join(fail))
print(f"ok reference: lambda_max {lam[0]:.2f} 1/s, {pos} positive, D_KY {g['kaplan_yorke_dimension'][()]:.1f}")
PY
grep -q "lambda_1 " reference.out || { echo "FAIL: no lambda_1 in the summary"; exit 1; }

# 1, 2, 3 ranks: identical spike trains and spectra to 1e-8 (a 60-neuron network, 20 exponents,
# Cholesky QR within its allowed condition bound, adaptive interval).
small="--set population.I.size=60 --set projection[0].indegree=15 --set simulation.duration_ms=6000
  --set lyapunov.exponents=20 --set lyapunov.target_rate_hz=8 --set lyapunov.tune_ms=3000
  --set lyapunov.method=cholesky --set lyapunov.max_condition=100 --set lyapunov.orthonormalize_every=40"
for p in 1 2 3; do
  # shellcheck disable=SC2086
  timeout 120 mpirun -np $p "$bin" run reference.toml $small --output ranks_$p.h5 --quiet \
    || { echo "FAIL: Lyapunov run on $p ranks"; exit 1; }
done
/usr/bin/python3 - <<'PY'
import sys
import h5py
import numpy as np

f = [h5py.File(f"ranks_{p}.h5", "r") for p in (1, 2, 3)]
ref = f[0]["lyapunov/exponents"][:]
for p, g in zip((2, 3), f[1:]):
    for k in ("timestamps", "node_ids"):
        if f[0]["spikes/I/" + k][:].tobytes() != g["spikes/I/" + k][:].tobytes():
            sys.exit(f"FAIL: spike {k} differ between 1 and {p} ranks")
    lam = g["lyapunov/exponents"][:]
    if not np.allclose(lam, ref, rtol=1e-8, atol=1e-10):
        sys.exit(f"FAIL: exponents differ between 1 and {p} ranks: max {np.max(np.abs(lam - ref))}")
print(f"ok ranks: 20 exponents agree to 1e-8 on 1, 2, 3 ranks (lambda_1 {ref[0]:.3f})")
PY

# Warm-ups counted in network spikes per neuron end at the time of their last spike.
sed '/^warmup_ms\|^ons_warmup_ms/d' reference.toml >spikes_warmup.toml
"$bin" run spikes_warmup.toml $small --set lyapunov.warmup_spikes_per_neuron=4 \
  --set lyapunov.ons_warmup_spikes_per_neuron=2 --output spikes_warmup.h5 --quiet \
  || { echo "FAIL: run with warm-ups in spikes per neuron"; exit 1; }
/usr/bin/python3 - <<'PY'
import sys
import h5py

f = h5py.File("spikes_warmup.h5", "r")
a = f["lyapunov"].attrs
t = f["spikes/I/timestamps"][:]
n = 60
warm, ons = a["warmup_ms"], a["ons_warmup_ms"]
# The warm-up is the first 4 N spikes; the orthonormal-system warm-up the next 2 N.
if not (t[4 * n - 1] == warm and t[6 * n - 1] == warm + ons):
    sys.exit(f"FAIL: warm-ups end at {warm}, {warm + ons} ms, spikes {4 * n} and {6 * n} at {t[4 * n - 1]}, {t[6 * n - 1]}")
if abs(a["measuring_time_s"] - (6000.0 - warm - ons) / 1000.0) > 1e-12:
    sys.exit("FAIL: measuring time is not the rest of the run")
if a["warmup_spikes_per_neuron"] != 4 or a["ons_warmup_spikes_per_neuron"] != 2:
    sys.exit("FAIL: warm-up settings not recorded")
print(f"ok spikes warm-up: {warm:.1f} ms + {ons:.1f} ms, measuring {a['measuring_time_s']:.3f} s")
PY

# Derived quantities of stable and marginal spectra (docs/lyapunov.md, "The neutral exponent"):
# the neutral exponent never counts as positive or negative, whatever the sign of its estimate.
# - an inhibitory LIF network on an Erdos-Renyi graph (the rule switched from the command line):
#   lambda_1 is the neutral one (exactly 0 or +-1e-18);
# - a rapid theta network at r = 100, whose neutral estimate comes out at about -8e-4 1/s;
# - a 10-unit rate network at g = 1.3 that settles on a limit cycle (estimate about -0.05 1/s).
er="--set projection[0].rule=pairwise_bernoulli --unset projection[0].indegree --set projection[0].probability=0.25"
# shellcheck disable=SC2086
"$bin" run reference.toml $er --set population.I.model=lif --set simulation.duration_ms=8000 \
  --output stable_lif.h5 --quiet || { echo "FAIL: stable LIF run"; exit 1; }
"$bin" run reference.toml --set population.I.model=rapid_theta --set population.I.rapidness=100 \
  --set simulation.duration_ms=8000 --output rapid100.h5 --quiet || { echo "FAIL: rapid theta run"; exit 1; }
"$bin" run "$2/examples/rate/gaussian_g4.toml" --set rate_network.size=10 --set rate_network.g=1.3 \
  --set rate_network.seed=1 --set rate_network.duration=540 --set lyapunov.exponents=3 \
  --output limit_cycle.h5 --quiet || { echo "FAIL: rate limit-cycle run"; exit 1; }
/usr/bin/python3 - <<'PY'
import math
import sys
import h5py

fail = []
for name in ("stable_lif", "rapid100", "limit_cycle"):
    f = h5py.File(f"{name}.h5", "r")
    g = f["lyapunov"]
    lam = g["exponents"][:]
    if name == "stable_lif" and "pairwise_bernoulli" not in f["meta/config"][()].decode():
        fail.append(f"{name}: the rule switch is not recorded in /meta/config")
    got = {k: g[k][()] for k in ("neutral_index", "positive_exponents", "ks_entropy_nats_per_s",
                                 "kaplan_yorke_dimension", "kaplan_yorke_floor", "entropy_over_lambda_max")}
    if lam[1] >= -0.3:
        fail.append(f"{name}: lambda_2 = {lam[1]}: not a stable spectrum")
    want = {"neutral_index": 1, "positive_exponents": 0, "ks_entropy_nats_per_s": 0.0,
            "kaplan_yorke_dimension": 1.0, "kaplan_yorke_floor": 1}
    for k, v in want.items():
        if got[k] != v:
            fail.append(f"{name}: {k} = {got[k]}, expected {v} (lambda_1 = {lam[0]:.3g})")
    if not math.isnan(got["entropy_over_lambda_max"]):
        fail.append(f"{name}: H / lambda_max = {got['entropy_over_lambda_max']}, expected NaN (undefined)")
    print(f"ok {name}: lambda_1 = {lam[0]:.3g} is the neutral exponent; 0 positive, H = 0, D_KY = 1")
if fail:
    sys.exit("FAIL: " + "; ".join(fail))
PY

# Configuration errors name the key.
failures=0
expect_error() {
  local text=$1 status=0
  shift
  "$@" >stdout 2>stderr || status=$?
  if [[ $status -ne 1 ]] || ! grep -qF -- "$text" stderr; then
    echo "FAIL: $* -> exit $status, stderr:"; cat stderr; failures=$((failures + 1))
  else
    echo "ok: $(head -1 stderr)"
  fi
}
expect_error "projection[0].delay_ms" "$bin" check reference.toml --set projection[0].delay_ms=1
expect_error "lyapunov.exponents" "$bin" check reference.toml --set lyapunov.exponents=201
expect_error "lyapunov.exponents" "$bin" check reference.toml --set lyapunov.exponents=some
expect_error "lyapunov.method" "$bin" check reference.toml --set lyapunov.method=cholesky
expect_error "lyapunov.method" "$bin" check reference.toml --set lyapunov.method=givens
expect_error "leaves no measuring time" "$bin" check reference.toml --set lyapunov.warmup_ms=12000
expect_error "lyapunov.orthonormalize_every" "$bin" check reference.toml --set lyapunov.orthonormalize_every=0
expect_error "not both" "$bin" check reference.toml --set lyapunov.warmup_spikes_per_neuron=3
expect_error "the warm-ups took the whole" "$bin" run spikes_warmup.toml --set lyapunov.warmup_spikes_per_neuron=1000 \
  --set lyapunov.exponents=5 --output too_long.h5
[[ ! -e too_long.h5 ]] || { echo "FAIL: a failed run left its output"; failures=$((failures + 1)); }
# Q beyond PETSc's 32-bit index range on one rank: refused at once, with the number of ranks needed.
expect_error "use at least 5 ranks" "$bin" run reference.toml --set population.I.size=100000 \
  --set projection[0].indegree=10 --set lyapunov.exponents=100000 --output huge.h5
# TSQR cannot run with a rank that owns no neuron: said before the tuning starts, on every rank.
status=0
timeout 60 mpirun -np 3 "$bin" run reference.toml --set population.I.size=2 --set projection[0].indegree=1 --set lyapunov.method=tsqr \
  --output empty_rank.h5 >stdout 2>stderr || status=$?
if [[ $status -eq 0 ]] || ! grep -q 'lyapunov.method = "tsqr" needs at least one neuron per rank' stderr ||
   grep -q "tuning drive" stderr || [[ -e empty_rank.h5 ]]; then
  echo "FAIL: TSQR with an empty rank (exit $status):"; cat stderr; failures=$((failures + 1))
else
  echo "ok: TSQR with an empty rank is refused before the run"
fi
[[ $failures -eq 0 ]] || exit 1
echo PASS
