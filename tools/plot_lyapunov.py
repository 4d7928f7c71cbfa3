#!/usr/bin/env python3
"""Lyapunov spectrum of a sparsechaos run: spectrum, convergence and local exponents (docs/lyapunov.md).

    plot_lyapunov.py OUT.h5 [-o IMAGE] [--bins B]

Reads the /lyapunov group that `sparsechaos run` writes when the configuration has a [lyapunov]
section, and writes one image with three panels:

  left    the spectrum: lambda_i (1/s) against i/N, the standard errors as a band, the zero line
          and D_KY/N as a dotted vertical line;
  middle  convergence: the running estimates of lambda_1 (top) and of the sum of the m exponents
          (bottom) at every QR step against the measuring time (s), final value +- SE as a band;
  right   histograms of the local exponents of each QR interval: lambda_1 (filled; lambda_2,
          lambda_3 as outlines when recorded) on top, the local sum below.

IMAGE defaults to OUT_lyapunov.png next to OUT.h5; a name without an image suffix (.png, .pdf,
.svg, ...) gets .png appended. It prints a summary, one `key value ...` line each (stable for
`awk '$1 == "kaplan_yorke" {print $2}'`): lambda_1 +- SE, the number of positive exponents, the
sum (and the phase-space contraction it must equal for a full spectrum), the KS entropy in bits/s
and bits/spike, D_KY and D_KY/N, and the time-mean participation ratio of the leading vector.

It also checks that the derived numbers in the file agree with the exponents (sum, D_KY,
H = sum of the positive exponents other than the neutral one (`neutral_index`), D_KY with the
neutral exponent taken as zero, bits = nats / ln 2, floor(D_KY), H/lambda_1, and for a full spectrum the phase-space
contraction) and warns on stderr if one does not. A file without /lyapunov, or without a dataset the summary
needs, is an error that names the file and what is missing.

Needs h5py, matplotlib and numpy (Debian: python3-h5py, python3-matplotlib, python3-numpy; run
it with /usr/bin/python3 if `python3` is another installation).
"""
import argparse
import math
import os
import sys

import h5py
import matplotlib

matplotlib.use("Agg")  # files only, no display needed
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.backend_bases import FigureCanvasBase  # noqa: E402
import numpy as np  # noqa: E402

PROG = "plot_lyapunov.py"
# Datasets of /lyapunov without which there is no summary (docs/lyapunov.md, "Output: /lyapunov").
REQUIRED = ("exponents", "sum_of_exponents", "ks_entropy_nats_per_s", "ks_entropy_bits_per_s",
            "ks_entropy_bits_per_spike", "kaplan_yorke_dimension", "positive_exponents")
RELATIVE_TOLERANCE = 1e-6  # for the consistency checks; the engine's own identities hold to 1e-8


def fail(message):
    sys.exit(f"{PROG}: error: {message}")


def warn(message):
    print(f"{PROG}: warning: {message}", file=sys.stderr)


def text(value):
    return value.decode() if isinstance(value, bytes) else str(value)


def kaplan_yorke(lam):
    """D_KY = k + S_k/|lambda_{k+1}|, k the largest index with S_k >= 0 (lam sorted descending)."""
    s = 0.0
    for k, value in enumerate(lam):
        if s + value < 0.0:
            return k + s / abs(value)
        s += value
    return float(len(lam))


def series(group, name):
    """A 1-D dataset of an optional group as float64, or None."""
    if group is None or name not in group:
        return None
    return np.asarray(group[name][()], dtype=float).ravel()


def time_mean(times, values):
    """Mean of values sampled at the ends of intervals (times from 0), weighted by the intervals."""
    if values is None or len(values) == 0:
        return float("nan")
    if times is None or len(times) != len(values):
        return float(np.mean(values))
    widths = np.diff(np.concatenate(([0.0], times)))
    if not np.all(widths > 0):
        return float(np.mean(values))
    return float(np.sum(widths * values) / np.sum(widths))


def read(path):
    try:
        f = h5py.File(path, "r")
    except OSError as e:
        fail(f"cannot open '{path}': {e}")
    with f:
        if "lyapunov" not in f or not isinstance(f["lyapunov"], h5py.Group):
            fail(f"'{path}' has no /lyapunov group (was the run made without a [lyapunov] section "
                 "in its configuration?)")
        g = f["lyapunov"]
        missing = [name for name in REQUIRED if name not in g]
        if missing:
            fail(f"'{path}': /lyapunov has no " + ", ".join(f"'{m}'" for m in missing))
        r = {name: g[name][()] for name in REQUIRED}
        r["exponents"] = np.asarray(r["exponents"], dtype=float).ravel()
        m = len(r["exponents"])
        if m == 0:
            fail(f"'{path}': /lyapunov/exponents is empty")
        for name in ("standard_errors", "phase_space_contraction", "kaplan_yorke_floor",
                     "entropy_over_lambda_max", "neutral_index"):
            r[name] = g[name][()] if name in g else None
        if r["standard_errors"] is not None:
            r["standard_errors"] = np.asarray(r["standard_errors"], dtype=float).ravel()
            if len(r["standard_errors"]) != m:
                warn(f"/lyapunov/standard_errors has {len(r['standard_errors'])} entries, "
                     f"exponents {m}: ignored")
                r["standard_errors"] = None
        r["attrs"] = {k: v for k, v in g.attrs.items()}
        neurons = r["attrs"].get("neurons")
        if neurons is None and "meta" in f:
            neurons = f["meta"].attrs.get("neurons")
        r["neurons"] = int(neurons) if neurons is not None else m

        local = g.get("local")
        r["local_times"] = series(local, "times")
        r["local"] = []  # (k, values) for lambda_1, lambda_2, ...
        k = 1
        while local is not None and f"lambda_{k}" in local:
            r["local"].append((k, series(local, f"lambda_{k}")))
            k += 1
        r["local_sum"] = series(local, "sum")
        conv = g.get("convergence")
        r["conv_times"] = series(conv, "times")
        r["conv_lambda_1"] = series(conv, "lambda_1")
        r["conv_sum"] = series(conv, "sum")
        part = g.get("participation")
        r["pr_times"] = series(part, "times")
        r["pr"] = series(part, "ratio")
    return r


def check(r):
    """Warn where a derived quantity in the file disagrees with the exponents."""
    lam = r["exponents"]
    scale = max(1.0, float(np.max(np.abs(lam))))

    def close(a, b):
        return math.isclose(float(a), float(b), rel_tol=RELATIVE_TOLERANCE, abs_tol=1e-12 * scale)

    if np.any(np.diff(lam) > 0):
        warn("/lyapunov/exponents are not in descending order")
        return
    p = int(r["positive_exponents"])
    # The neutral exponent (the time-shift direction's, 1-based index; 0: none) counts as exactly
    # zero: never positive, and zero in D_KY (docs/lyapunov.md, "The neutral exponent").
    c = int(r["neutral_index"]) - 1 if r["neutral_index"] is not None else -1
    if c >= len(lam):
        warn(f"/lyapunov/neutral_index is {c + 1}, beyond the {len(lam)} exponents")
        c = -1
    corrected = lam.copy()
    if c >= 0:
        corrected[c] = 0.0
    positive = [x for i, x in enumerate(lam) if x > 0 and i != c]
    expected = {
        "sum_of_exponents": math.fsum(lam),
        "kaplan_yorke_dimension": kaplan_yorke(corrected),
        "ks_entropy_nats_per_s": math.fsum(positive),
        "ks_entropy_bits_per_s": float(r["ks_entropy_nats_per_s"]) / math.log(2),
    }
    spikes_per_s = r["attrs"].get("network_spikes_per_s")
    if spikes_per_s is not None and float(spikes_per_s) > 0:
        expected["ks_entropy_bits_per_spike"] = float(r["ks_entropy_bits_per_s"]) / float(spikes_per_s)
    if r["kaplan_yorke_floor"] is not None:
        expected["kaplan_yorke_floor"] = math.floor(float(r["kaplan_yorke_dimension"]))
    for name, value in expected.items():
        stored = r[name]
        if not close(stored, value):
            warn(f"/lyapunov/{name} is {float(stored):.10g}, the exponents give {value:.10g}")
    if r["entropy_over_lambda_max"] is not None:
        # Undefined (NaN) when nothing expands.
        stored = float(r["entropy_over_lambda_max"])
        if positive and not close(stored, float(r["ks_entropy_nats_per_s"]) / positive[0]):
            warn(f"/lyapunov/entropy_over_lambda_max is {stored:.10g}, the exponents give "
                 f"{float(r['ks_entropy_nats_per_s']) / positive[0]:.10g}")
        elif not positive and not math.isnan(stored):
            warn(f"/lyapunov/entropy_over_lambda_max is {stored:.10g}: no exponent is positive, expected NaN")
    if p != len(positive):
        neutral = f" (the neutral one, lambda_{c + 1}, not counted)" if c >= 0 else ""
        warn(f"positive_exponents is {p}, but {len(positive)} exponents are positive{neutral}")
    psc = r["phase_space_contraction"]
    # Rate networks do not compute the contraction (an N x N determinant per step): NaN there.
    if psc is not None and math.isfinite(float(psc)) and len(lam) == r["neurons"] and not close(psc, math.fsum(lam)):
        warn(f"the sum of all {len(lam)} exponents, {math.fsum(lam):.10g}, differs from the "
             f"phase-space contraction {float(psc):.10g}")


def summary(path, image, r):
    lam, n = r["exponents"], r["neurons"]
    m = len(lam)
    a = r["attrs"]
    g = "{:.6g}".format
    lines = [f"lyapunov: {path}", f"  neurons               {n}"]
    lines.append(f"  exponents             {m}" + (" (full spectrum)" if m == n else f" of {n}"))
    if "measuring_time_s" in a:
        extra = []
        if "qr_steps" in a:
            extra.append(f"{int(a['qr_steps'])} QR steps")
        if "network_spikes_per_s" in a:
            extra.append(f"{g(float(a['network_spikes_per_s']))} spikes/s")
        if "method" in a:
            extra.append(f"method {text(a['method'])}")
        lines.append(f"  measuring_time        {g(float(a['measuring_time_s']))} s"
                     + (" (" + ", ".join(extra) + ")" if extra else ""))
    if "tuned_drive_factor" in a:
        lines.append(f"  tuned_drive           x {g(float(a['tuned_drive_factor']))}"
                     f" for {g(float(a.get('target_rate_hz', float('nan'))))} Hz")
    se = r["standard_errors"]
    se1 = float(se[0]) if se is not None else float("nan")
    lines.append(f"  lambda_1              {g(lam[0])} +- {g(se1)} 1/s")
    # With m < N, exponents beyond m are smaller than lambda_m: only a positive lambda_m leaves
    # positive ones out.
    partial = " (lower bound: lambda_m > 0, compute more exponents)" if m < n and lam[-1] > 0 else ""
    lines.append(f"  positive_exponents    {int(r['positive_exponents'])}{partial}")
    if r["neutral_index"] is not None and int(r["neutral_index"]) > 0:
        c = int(r["neutral_index"])
        lines.append(f"  neutral_exponent      lambda_{c} = {g(lam[c - 1])} 1/s (the time shift: counted as 0)")
    s = float(r["sum_of_exponents"])
    line = f"  sum_of_exponents      {g(s)} 1/s"
    psc = r["phase_space_contraction"]
    if psc is not None and math.isfinite(float(psc)):
        psc = float(psc)
        diff = abs(s - psc) / max(abs(psc), 1e-300)
        line += f" (phase-space contraction {g(psc)}" + (f", relative difference {diff:.2g})" if m == n else ")")
    lines.append(line)
    lines.append(f"  ks_entropy            {g(float(r['ks_entropy_bits_per_s']))} bits/s,"
                 f" {g(float(r['ks_entropy_bits_per_spike']))} bits/spike"
                 f" ({g(float(r['ks_entropy_nats_per_s']))} nats/s){partial}")
    d = float(r["kaplan_yorke_dimension"])
    note = " (lower bound: the partial sums are still >= 0 at m)" if d >= m and m < n else ""
    lines.append(f"  kaplan_yorke          {g(d)} (D_KY/N {g(d / n)}){note}")
    if r["pr"] is not None and len(r["pr"]):
        pr = time_mean(r["pr_times"], r["pr"])
        lines.append(f"  participation_ratio   {g(pr)} (PR/N {g(pr / n)}, time mean of {len(r['pr'])})")
    lines.append(f"  image                 {image}")
    print("\n".join(lines))


def no_data(ax, message):
    ax.text(0.5, 0.5, message, ha="center", va="center", transform=ax.transAxes, fontsize="small")


def plot(path, image, r, bins):
    lam, n = r["exponents"], r["neurons"]
    m = len(lam)
    se = r["standard_errors"]
    fig = plt.figure(figsize=(15, 6))
    grid = fig.add_gridspec(2, 3, width_ratios=[1.2, 1, 1])

    # Spectrum.
    ax = fig.add_subplot(grid[:, 0])
    x = np.arange(1, m + 1) / n
    if se is not None and np.any(np.isfinite(se)):
        ok = np.isfinite(se)
        ax.fill_between(x, np.where(ok, lam - se, np.nan), np.where(ok, lam + se, np.nan),
                        color="C0", alpha=0.3, linewidth=0, label="± standard error")
    ax.plot(x, lam, color="C0", marker="." if m <= 400 else None, markersize=3, linewidth=1,
            label=rf"$\lambda_i$ ({m} of {n})")
    ax.axhline(0.0, color="k", linewidth=0.7)
    d = float(r["kaplan_yorke_dimension"])
    if 0 < d <= m:
        relation = r"\geq" if d >= m and m < n else "="  # D_KY = m < N: only a lower bound
        ax.axvline(d / n, color="C3", linestyle=":", label=rf"$D_{{KY}}/N {relation}$ {d / n:.3g}")
    ax.set_xlabel("i / N")
    ax.set_ylabel(r"$\lambda_i$ (1/s)")
    ax.set_xlim(0, x[-1] * 1.02)
    ax.set_title("Lyapunov spectrum", fontsize="medium")
    ax.legend(loc="upper right", fontsize="small")

    # Convergence of lambda_1 and of the sum.
    top, bottom = fig.add_subplot(grid[0, 1]), fig.add_subplot(grid[1, 1])
    bottom.sharex(top)
    t = r["conv_times"]
    for ax, values, final, err, label in (
            (top, r["conv_lambda_1"], lam[0], se[0] if se is not None else np.nan, r"$\lambda_1$"),
            (bottom, r["conv_sum"], float(r["sum_of_exponents"]), np.nan, rf"$\sum_{{i \leq {m}}} \lambda_i$")):
        if t is None or values is None or len(values) == 0 or len(values) != len(t):
            no_data(ax, "no convergence data")
        else:
            ax.plot(t, values, color="C0", linewidth=1)
            if np.isfinite(err):
                ax.axhspan(final - err, final + err, color="C1", alpha=0.25, linewidth=0)
            ax.axhline(final, color="C1", linestyle="--", linewidth=1, label=f"final {final:.4g}")
            ax.legend(loc="best", fontsize="small")
        ax.set_ylabel(label + " (1/s)")
    top.set_title("running estimate at each QR step", fontsize="medium")
    top.tick_params(labelbottom=False)
    bottom.set_xlabel("measuring time (s)")

    # Histograms of the local exponents.
    top, bottom = fig.add_subplot(grid[0, 2]), fig.add_subplot(grid[1, 2])
    shown = [(k, v[np.isfinite(v)]) for k, v in r["local"][:3] if v is not None]
    shown = [(k, v) for k, v in shown if len(v)]
    if not shown:
        no_data(top, "no local exponents")
    else:
        edges = np.histogram_bin_edges(np.concatenate([v for _, v in shown]), bins=bins)
        for k, v in shown:
            style = dict(alpha=0.6) if k == 1 else dict(histtype="step", linewidth=1)
            top.hist(v, bins=edges, density=True, color=f"C{k - 1}", label=rf"$\lambda_{k}$", **style)
        top.axvline(lam[0], color="k", linestyle="--", linewidth=1)
        top.legend(loc="upper right", fontsize="small")
    top.set_xlabel("local exponent (1/s)")
    top.set_ylabel("density")
    top.set_title(f"local exponents of {len(r['local_times']) if r['local_times'] is not None else 0}"
                  " QR intervals", fontsize="medium")
    v = r["local_sum"]
    v = v[np.isfinite(v)] if v is not None else None
    if v is None or len(v) == 0:
        no_data(bottom, "no local sum")
    else:
        bottom.hist(v, bins=bins, density=True, color="C4", alpha=0.6, label="local sum")
        bottom.axvline(float(r["sum_of_exponents"]), color="k", linestyle="--", linewidth=1)
        bottom.legend(loc="upper right", fontsize="small")
    bottom.set_xlabel("local sum of the exponents (1/s)")
    bottom.set_ylabel("density")

    a = r["attrs"]
    title = f"{path}  (N = {n}, m = {m}"
    if "measuring_time_s" in a:
        title += f", T = {float(a['measuring_time_s']):.4g} s"
    title += (f"; λ1 = {lam[0]:.4g} 1/s, H = {float(r['ks_entropy_bits_per_s']):.4g} bits/s"
              f" = {float(r['ks_entropy_bits_per_spike']):.3g} bits/spike, D_KY/N = {d / n:.3g})")
    fig.suptitle(title, fontsize="small")
    fig.tight_layout()
    try:
        fig.savefig(image, dpi=150)
    except (OSError, ValueError) as e:
        fail(f"cannot write '{image}': {e}")
    plt.close(fig)


def image_name(input_path, output):
    if output is None:
        stem = input_path[:-3] if input_path.endswith(".h5") else input_path
        return stem + "_lyapunov.png"
    suffix = os.path.splitext(output)[1].lstrip(".").lower()
    return output if suffix in FigureCanvasBase.get_supported_filetypes() else output + ".png"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("input", help="output file of `sparsechaos run` with a [lyapunov] section")
    parser.add_argument("-o", "--output", default=None,
                        help="image to write (default: INPUT without .h5 + _lyapunov.png; "
                             "no image suffix: .png is appended)")
    parser.add_argument("--bins", type=int, default=40, help="histogram bins (default 40)")
    args = parser.parse_args()
    if args.bins < 1:
        fail("--bins must be >= 1")
    r = read(args.input)
    check(r)
    image = image_name(args.input, args.output)
    plot(args.input, image, r, args.bins)
    summary(args.input, image, r)


if __name__ == "__main__":
    main()
