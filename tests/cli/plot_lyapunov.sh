#!/usr/bin/env bash
# tools/plot_lyapunov.py and examples/rapid_theta_sweep/plot_sweep.py on synthetic output files
# that follow the /lyapunov layout of docs/lyapunov.md exactly, with a known spectrum:
# - the plotter writes a valid, non-trivial PNG (to -o FILE.png, to -o PREFIX as PREFIX.png, and
#   by default next to the input) and prints lambda_1 +- SE, the number of positive exponents,
#   H in bits/s and bits/spike, D_KY, D_KY/N and the mean participation ratio, all equal to the
#   values computed here independently of the plotter;
# - partial spectra (m < N) whose partial sums stay positive have D_KY = m reported as a lower
#   bound; the number of positive exponents and H are marked as lower bounds only if lambda_m > 0;
# - a file whose stored D_KY, or whose count of positive exponents against its neutral index,
#   disagrees with its exponents gets a warning naming the dataset;
# - a file without /lyapunov, or without /lyapunov/exponents, is one clear error (non-zero exit,
#   names the file and what is missing, no traceback) and writes no image;
# - examples/rapid_theta_sweep/run_sweep.sh starts one run per r = 1, 3, 10, 30, 100 with the
#   right --set overrides and output names (a stand-in for the simulator writes the files), and
#   plot_sweep.py reads the five files (the rapidness from the --set lines of /meta/config, as
#   `sparsechaos run` stores them) and prints a table with each file's values.
# The simulator binary is not used: these files do not depend on the engine.
# Usage: bash plot_lyapunov.sh <sparsechaos binary> <source dir>
set -euo pipefail
src=$(realpath "$2")
source "$(dirname "$0")/lib/common.sh" "$1"
export MPLBACKEND=Agg MPLCONFIGDIR=$work/mpl
py=/usr/bin/python3
plot=$src/tools/plot_lyapunov.py
sweep=$src/examples/rapid_theta_sweep/plot_sweep.py

# ---- synthetic files ------------------------------------------------------------------------
cat >make.py <<'PY'
"""make.py KIND PATH [R]: write a synthetic sparsechaos output file with a /lyapunov group.

KIND: full (N = m = 16), partial (m = 4 of 16), partial8 (m = 8), bad_dky (full with a wrong D_KY),
bad_neutral (a neutral index that contradicts positive_exponents), no_group,
no_exponents, sweep (N = m = 16, spectrum scaled by a function of R, rapidness R set by --set).
The expected summary values go to PATH.json.
"""
import json
import math
import sys

import h5py
import numpy as np

kind, path = sys.argv[1], sys.argv[2]
N = 16
# Hand-made spectrum: one exactly zero exponent (the time shift), five positive ones.
# Partial sums 31.5 51.5 63.5 69.5 71.5 71.5 68.5 61.5 49.5 31.5 6.5 -26.5 ...:
# k = 11, D_KY = 11 + 6.5/33 = 11.19697 (checked against the loop below).
SPECTRUM = np.array([31.5, 20, 12, 6, 2, 0, -3, -7, -12, -18, -25, -33, -42, -52, -63, -75], dtype=float)
SPIKES_PER_S = 80.0  # 16 neurons at 5 Hz
T, STEPS = 10.0, 50  # measuring time (s), QR intervals of 0.1 and 0.3 s
CONFIG = """[simulation]
duration_ms = 12000.0
[[population]]
name = "I"
size = 16
model = "theta"
drive = { balanced_rate_hz = 5.0 }
[[projection]]
pre = "I"
post = "I"
rule = "fixed_indegree"
indegree = 4
j0 = -1.0
[lyapunov]
exponents = "all"
warmup_ms = 1000.0
ons_warmup_ms = 1000.0
"""


def kaplan_yorke(lam):
    """Written apart from the plotter: through the cumulative sums."""
    s = np.cumsum(lam)
    nonneg = np.nonzero(s >= 0)[0]
    if len(nonneg) == 0:
        return 0.0
    k = nonneg[-1] + 1  # number of exponents in the largest partial sum >= 0
    return float(k) if k == len(lam) else k + s[k - 1] / abs(lam[k])


def series(rng, mean, spread, dt):
    """Local values whose interval-weighted mean is exactly `mean`."""
    v = mean + spread * rng.standard_normal(STEPS)
    return v - (np.sum(v * dt) / np.sum(dt) - mean)


def write(path, lam, neurons, config, tamper=None, group=True, exponents=True, pr_level=4.0,
          neutral_index=0, stored_positive=None):
    rng = np.random.default_rng(7)
    m = len(lam)
    se = 0.75 * np.ones(m) * np.linspace(1.0, 0.2, m)
    others = np.delete(lam, neutral_index - 1) if neutral_index else lam
    positive = int(np.sum(others > 0))
    h_nats = float(np.sum(others[others > 0]))
    corrected = lam.copy()
    if neutral_index:
        corrected[neutral_index - 1] = 0.0
    dky = kaplan_yorke(corrected)
    dt = np.where(np.arange(STEPS) % 2, 0.3, 0.1)  # unequal QR intervals, as with max_condition
    assert abs(np.sum(dt) - T) < 1e-12
    times = np.cumsum(dt)
    with h5py.File(path, "w") as f:
        spikes = f.create_group("spikes")
        spikes.attrs["sorting"] = "by_time"
        pop = spikes.create_group("I")
        pop.create_dataset("timestamps", data=np.linspace(0.0, 100.0, 20))
        pop.create_dataset("node_ids", data=np.arange(20, dtype=np.uint64) % neurons)
        rates = f.create_group("rates")
        rates.attrs["mean"] = 5.0
        rates.create_dataset("I", data=5.0)
        meta = f.create_group("meta")
        meta.create_dataset("config", data=np.bytes_(config.encode()))
        meta.create_dataset("populations", data=np.array([b"I"]))
        meta.create_dataset("population_sizes", data=np.array([neurons], dtype=np.uint64))
        for k, v in dict(version="0", git_revision="unknown", command_line="synthetic").items():
            meta.attrs[k] = v
        meta.attrs["neurons"] = np.int64(neurons)
        meta.attrs["ranks"] = np.int64(1)
        meta.attrs["spikes"] = np.int64(20)
        meta.attrs["simulated_time_ms"] = 12000.0
        if not group:
            return
        g = f.create_group("lyapunov")
        if exponents:
            g.create_dataset("exponents", data=lam)
        g.create_dataset("standard_errors", data=se)
        g.create_dataset("sum_of_exponents", data=float(np.sum(lam)))
        if m == neurons:
            g.create_dataset("phase_space_contraction", data=float(np.sum(lam)))
        else:  # the full sum, more negative than that of the first m
            g.create_dataset("phase_space_contraction", data=float(np.sum(lam)) - 500.0)
        g.create_dataset("ks_entropy_nats_per_s", data=h_nats)
        g.create_dataset("ks_entropy_bits_per_s", data=h_nats / math.log(2))
        g.create_dataset("ks_entropy_bits_per_spike", data=h_nats / math.log(2) / SPIKES_PER_S)
        g.create_dataset("kaplan_yorke_dimension", data=dky if tamper is None else dky + tamper)
        g.create_dataset("positive_exponents", data=np.int64(positive if stored_positive is None else stored_positive))
        g.create_dataset("kaplan_yorke_floor", data=np.int64(math.floor(dky)))
        g.create_dataset("entropy_over_lambda_max", data=h_nats / lam[0] if positive else math.nan)
        g.create_dataset("neutral_index", data=np.int64(neutral_index))
        g.create_dataset("neutral_exponent", data=lam[neutral_index - 1] if neutral_index else math.nan)
        local = g.create_group("local")
        local.create_dataset("times", data=times)
        local_values = [series(rng, lam[k], 40.0, dt) for k in range(3)]
        for k, v in enumerate(local_values):
            local.create_dataset(f"lambda_{k + 1}", data=v)
        local_sum = series(rng, float(np.sum(lam)), 60.0, dt)
        local.create_dataset("sum", data=local_sum)
        conv = g.create_group("convergence")
        conv.create_dataset("times", data=times)
        conv.create_dataset("lambda_1", data=np.cumsum(local_values[0] * dt) / times)
        conv.create_dataset("sum", data=np.cumsum(local_sum * dt) / times)
        part = g.create_group("participation")
        part.attrs["neurons"] = np.int64(neurons)
        part.create_dataset("times", data=times)
        # level + 3 on the short intervals, level - 1 on the long ones: the time mean is level,
        # the plain mean and the median are level + 1
        part.create_dataset("ratio", data=pr_level + np.where(np.arange(STEPS) % 2, -1.0, 3.0))
        a = g.attrs
        a["exponents_computed"] = np.int64(m)
        a["neurons"] = np.int64(neurons)
        a["measuring_time_s"] = T
        a["warmup_ms"] = 1000.0
        a["ons_warmup_ms"] = 1000.0
        a["orthonormalize_every"] = np.int64(neurons)
        a["max_condition"] = 0.0
        a["method"] = "tsqr"
        a["seed"] = np.int64(1)
        a["qr_steps"] = np.int64(STEPS)
        a["network_spikes_per_s"] = SPIKES_PER_S
        a["target_rate_hz"] = 5.0
        a["tuned_drive_factor"] = 1.02
    expected = {
        "lambda_1": lam[0], "se_1": se[0], "positive_exponents": positive,
        "bits_per_s": h_nats / math.log(2), "bits_per_spike": h_nats / math.log(2) / SPIKES_PER_S,
        "kaplan_yorke": dky, "dky_per_n": dky / neurons, "participation_ratio": pr_level,
        "sum": float(np.sum(lam)),
    }
    with open(path + ".json", "w") as out:
        json.dump(expected, out)


if kind == "full":
    assert abs(kaplan_yorke(SPECTRUM) - (11 + 6.5 / 33)) < 1e-12
    write(path, SPECTRUM, N, CONFIG, neutral_index=6)
elif kind == "partial":  # lambda_4 = 6 > 0: positive count, H and D_KY = 4 are lower bounds
    assert kaplan_yorke(SPECTRUM[:4]) == 4.0
    write(path, SPECTRUM[:4], N, CONFIG)
elif kind == "partial8":  # lambda_8 = -7: the 5 positive exponents are all there, D_KY = 8 is not
    assert kaplan_yorke(SPECTRUM[:8]) == 8.0
    write(path, SPECTRUM[:8], N, CONFIG)
elif kind == "bad_dky":
    write(path, SPECTRUM, N, CONFIG, tamper=0.5)
elif kind == "bad_neutral":  # lambda_5 = 2 is the neutral one: 4 positive others, the file says 5
    write(path, SPECTRUM, N, CONFIG, neutral_index=5, stored_positive=5)
elif kind == "no_group":
    write(path, SPECTRUM, N, CONFIG, group=False)
elif kind == "no_exponents":
    write(path, SPECTRUM, N, CONFIG, exponents=False)
elif kind == "sweep":
    # Sparse chaos in miniature: faster onset, larger lambda_max, fewer positive exponents,
    # smaller PR. The rapidness reaches the file only through the --set lines of /meta/config.
    r = float(sys.argv[3])
    lam = np.sort(SPECTRUM * (1 + np.log10(r)) - 4 * np.log10(r) * np.arange(N) / N)[::-1]
    lam[5] = 0.0
    lam = np.sort(lam)[::-1]
    config = CONFIG + ("# --set overrides applied on top of the text above, in order:\n"
                       "#   --set population.I.model=rapid_theta\n"
                       f"#   --set population.I.rapidness={sys.argv[3]}\n")
    write(path, lam, N, config, pr_level=12.0 / (1 + np.log10(r)))
else:
    sys.exit(f"unknown kind {kind}")
PY
for kind in full partial partial8 bad_dky bad_neutral no_group no_exponents; do $py make.py $kind $kind.h5; done

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# is_png FILE: exists, PNG signature, more than 20 kB (three panels with axes and data),
# and an IHDR of at least 600 x 300 pixels.
is_png() {
    [[ -f $1 ]] || { fail "$1 was not written"; return; }
    [[ $(head -c 8 "$1" | od -An -tx1 | tr -d ' \n') == 89504e470d0a1a0a ]] || { fail "$1 is not a PNG"; return; }
    (($(stat -c %s "$1") > 20000)) || fail "$1 has only $(stat -c %s "$1") bytes"
    $py - "$1" <<'PY' || fail "$1: image too small"
import struct, sys
with open(sys.argv[1], "rb") as f:
    head = f.read(24)
width, height = struct.unpack(">II", head[16:24])
sys.exit(0 if head[12:16] == b"IHDR" and width >= 600 and height >= 300 else 1)
PY
}

# check_summary SUMMARY EXPECTED.json: every printed number equals the expected one (relative
# 1e-5; the summary prints 6 significant digits).
check_summary() {
    $py - "$1" "$2" <<'PY'
import json, re, sys
text = open(sys.argv[1]).read()
want = json.load(open(sys.argv[2]))
number = r"([-+0-9.eE]+|nan)"
patterns = {
    "lambda_1": rf"^  lambda_1 +{number} \+- {number} 1/s",
    "positive_exponents": rf"^  positive_exponents +{number}",
    "bits_per_s": rf"^  ks_entropy +{number} bits/s, {number} bits/spike",
    "kaplan_yorke": rf"^  kaplan_yorke +{number} \(D_KY/N {number}\)",
    "participation_ratio": rf"^  participation_ratio +{number} ",
    "sum": rf"^  sum_of_exponents +{number} 1/s",
}
got = {}
for key, pattern in patterns.items():
    match = re.search(pattern, text, re.M)
    if not match:
        sys.exit(f"summary has no line for {key}:\n{text}")
    values = [float(v) for v in match.groups()]
    got[key] = values[0]
    if key == "lambda_1":
        got["se_1"] = values[1]
    if key == "bits_per_s":
        got["bits_per_spike"] = values[1]
    if key == "kaplan_yorke":
        got["dky_per_n"] = values[1]
bad = [f"{k}: printed {got[k]!r}, expected {v!r}" for k, v in want.items()
       if abs(got[k] - v) > 1e-5 * max(abs(v), 1e-3)]
if bad:
    sys.exit("summary numbers differ:\n  " + "\n  ".join(bad) + "\n" + text)
print("ok: summary", ", ".join(f"{k} {got[k]:g}" for k in want))
PY
}

# ---- plot_lyapunov.py ------------------------------------------------------------------------
# Full spectrum, explicit .png name: image, summary, no warnings.
if $py "$plot" full.h5 -o full.png >full.txt 2>full.err; then
    is_png full.png
    check_summary full.txt full.h5.json || failures=$((failures + 1))
    [[ ! -s full.err ]] || fail "consistent file gave warnings: $(cat full.err)"
    grep -q "^  exponents  *16 (full spectrum)" full.txt || fail "full spectrum not reported: $(cat full.txt)"
    grep -q "phase-space contraction -258.5, relative difference 0)" full.txt ||
        fail "phase-space contraction line: $(grep sum_of full.txt)"
else
    fail "plot_lyapunov.py full.h5 failed: $(cat full.err)"
fi
# Known values, literally: lambda_1 31.5 +- 0.75, 5 positive, H = 71.5 nats/s = 103.153 bits/s
# = 1.28941 bits/spike at 80 spikes/s, D_KY = 11 + 6.5/33 = 11.197, D_KY/N = 0.699811, PR 4.
for line in "lambda_1 *31.5 +- 0.75 1/s" "positive_exponents *5$" "ks_entropy *103.153 bits/s, 1.28941 bits/spike" \
            "kaplan_yorke *11.197 (D_KY/N 0.699811)" "participation_ratio *4 (PR/N 0.25"; do
    grep -q "^  $line" full.txt || fail "summary lacks '$line'"
done

# -o without an image suffix is a prefix; no -o writes INPUT_lyapunov.png next to the input.
$py "$plot" full.h5 -o "$work/prefix" >/dev/null && is_png prefix.png || fail "-o prefix"
$py "$plot" "$work/full.h5" >default.txt && is_png full_lyapunov.png || fail "default image name"
grep -q "^  image  *$work/full_lyapunov.png" default.txt || fail "default image not named: $(cat default.txt)"

# Partial spectra: D_KY = m is only a lower bound; so are the positive count and H if lambda_m > 0.
for kind in partial partial8; do
    if $py "$plot" $kind.h5 -o $kind.png >$kind.txt 2>$kind.err; then
        is_png $kind.png
        check_summary $kind.txt $kind.h5.json || failures=$((failures + 1))
        [[ ! -s $kind.err ]] || fail "$kind spectrum gave warnings: $(cat $kind.err)"
    else
        fail "plot_lyapunov.py $kind.h5 failed: $(cat $kind.err)"
    fi
done
grep -q "^  exponents  *4 of 16" partial.txt || fail "partial spectrum: $(cat partial.txt)"
grep -q "^  kaplan_yorke  *4 (D_KY/N 0.25) (lower bound" partial.txt || fail "D_KY lower bound not said: $(cat partial.txt)"
grep -q "^  positive_exponents  *4 (lower bound: lambda_m > 0" partial.txt || fail "count lower bound not said: $(cat partial.txt)"
grep -q "^  ks_entropy .*(69.5 nats/s) (lower bound: lambda_m > 0" partial.txt || fail "H lower bound not said: $(cat partial.txt)"
grep -q "^  kaplan_yorke  *8 (D_KY/N 0.5) (lower bound" partial8.txt || fail "D_KY lower bound not said: $(cat partial8.txt)"
grep -q "^  positive_exponents  *5$" partial8.txt || fail "lambda_8 < 0: the count is exact: $(cat partial8.txt)"
! grep -q "lower bound" full.txt || fail "full spectrum with a lower bound: $(cat full.txt)"

# Inconsistent D_KY: still plots, warns and names the dataset and both values.
if $py "$plot" bad_dky.h5 -o bad.png >bad.txt 2>bad.err; then
    grep -q "^plot_lyapunov.py: warning: /lyapunov/kaplan_yorke_dimension is 11.6969697, the exponents give 11.1969697" bad.err ||
        fail "no warning for a wrong D_KY: $(cat bad.err)"
else
    fail "inconsistent file should still plot: $(cat bad.err)"
fi

if $py "$plot" bad_neutral.h5 -o bad.png >bad.txt 2>bad.err; then
    grep -q "^plot_lyapunov.py: warning: positive_exponents is 5, but 4 exponents are positive (the neutral one, lambda_5, not counted)" bad.err ||
        fail "no warning for a count that contradicts the neutral index: $(cat bad.err)"
else
    fail "inconsistent file should still plot: $(cat bad.err)"
fi

# expect_error FILE TEXT: non-zero exit, stderr names the file and TEXT, no traceback, no image.
expect_error() {
    local status=0
    $py "$plot" "$1" -o err.png >/dev/null 2>err.txt || status=$?
    if [[ $status -eq 0 ]] || ! grep -qF "$1" err.txt || ! grep -qF -- "$2" err.txt || grep -q Traceback err.txt ||
        [[ -e err.png ]]; then
        fail "$1: exit $status, stderr: $(cat err.txt)"
    else
        echo "ok: $(cat err.txt)"
    fi
    rm -f err.png
}
expect_error no_group.h5 "has no /lyapunov group"
expect_error no_exponents.h5 "/lyapunov has no 'exponents'"
expect_error nope.h5 "cannot open"

# ---- run_sweep.sh and plot_sweep.py ------------------------------------------------------------
# run_sweep.sh with a stand-in for the simulator that logs its arguments and writes the synthetic
# file of the rapidness it was given.
cat >stand_in.sh <<'SH'
#!/usr/bin/env bash
set -euo pipefail
echo "$*" >>stand_in.log
out='' r=''
while (($#)); do
    case $1 in
        --output) out=$2; shift ;;
        population.I.rapidness=*) r=${1#*=} ;;
    esac
    shift
done
exec /usr/bin/python3 make.py sweep "$out" "$r"
SH
chmod +x stand_in.sh
touch net.toml
if SC_BIN=./stand_in.sh SC_CONFIG=net.toml SC_OUT=sweep SC_SETS="simulation.seed=2" \
    bash "$src/examples/rapid_theta_sweep/run_sweep.sh" >run_sweep.txt 2>&1; then
    for r in 1 3 10 30 100; do
        grep -qxF "run net.toml --output sweep/rapidness_$r.h5 --set population.I.model=rapid_theta --set population.I.rapidness=$r --set simulation.seed=2" stand_in.log ||
            fail "run_sweep.sh did not run r = $r as expected: $(cat stand_in.log)"
    done
    (($(wc -l <stand_in.log) == 5)) || fail "run_sweep.sh made $(wc -l <stand_in.log) runs, not 5"
else
    fail "run_sweep.sh failed: $(cat run_sweep.txt)"
fi
status=0
SC_BIN=./stand_in.sh SC_CONFIG=net.toml SC_OUT=sweep2 SC_RANKS=2 SC_LAUNCHER=none \
    bash "$src/examples/rapid_theta_sweep/run_sweep.sh" >/dev/null 2>err.txt || status=$?
[[ $status -eq 2 ]] && grep -q "SC_LAUNCHER=none runs one rank" err.txt || fail "run_sweep.sh, 2 ranks without launcher: exit $status, $(cat err.txt)"

if $py "$sweep" sweep -o sweep.png --table sweep.md >sweep.txt 2>sweep.err; then
    is_png sweep.png
    cmp -s sweep.txt sweep.md || fail "--table differs from the printed table"
    $py - <<'PY' || failures=$((failures + 1))
import json, sys
rows = [line.split("|")[1:-1] for line in open("sweep.txt") if line.startswith("| ") and not line.startswith("| r ")]
if [float(r[0]) for r in rows] != [1, 3, 10, 30, 100]:
    sys.exit(f"sweep rows not r = 1 3 10 30 100 in order: {[r[0] for r in rows]}")
bad = []
for row in rows:
    r = row[0].strip()
    want = json.load(open(f"sweep/rapidness_{r}.h5.json"))
    got = {"lambda_1": float(row[3]), "bits_per_s": float(row[5]), "dky_per_n": float(row[7]),
           "participation_ratio": float(row[8])}
    bad += [f"r = {r}, {k}: {v} != {want[k]}" for k, v in got.items() if abs(v - want[k]) > 1e-5 * abs(want[k])]
if bad:
    sys.exit("sweep table differs:\n  " + "\n  ".join(bad))
print("ok: sweep table,", len(rows), "rows")
PY
else
    fail "plot_sweep.py failed: $(cat sweep.err)"
fi
status=0
$py "$sweep" sweep no_group.h5 -o x.png >/dev/null 2>err.txt || status=$?
[[ $status -ne 0 ]] && grep -q "no_group.h5' has no /lyapunov group" err.txt && ! grep -q Traceback err.txt ||
    fail "plot_sweep.py on a file without /lyapunov: exit $status, $(cat err.txt)"

((failures == 0)) || { echo "$failures failure(s)"; exit 1; }
echo PASS
