#!/usr/bin/env python3
"""Sparse chaos: Lyapunov spectra of rapid-theta networks against the spike onset rapidness r.

    plot_sweep.py RESULTS [RESULTS ...] -o sweep.png [--table sweep.md]

RESULTS are output files of `sparsechaos run` with a /lyapunov group, or directories whose *.h5
files are read (run_sweep.sh writes one per r). The rapidness of each run is read from the
configuration stored in /meta/config, `--set ...rapidness=R` overrides included (the first
rapid_theta population counts; a theta population is r = 1); a file without /meta/config falls
back to the number in its name (r10.h5, rapidness_10.h5).

Writes four panels against r on a log axis, the figure of Engelken, Monteforte & Wolf, *Sparse
chaos in cortical circuits* (arXiv:2412.21188): the largest exponent lambda_max (1/s, with its
standard error), the KS entropy rate H (bits/s), the Kaplan-Yorke dimension per neuron D_KY/N,
and the time-mean participation ratio of the leading Lyapunov vector (neutral direction projected
out; docs/lyapunov.md). Runs without a positive exponent are drawn as open circles (their leading
vector is not a chaotic direction). Files sharing an r are drawn as separate points, joined
through their mean. Prints a Markdown table of every file (also written to --table).

Needs h5py, matplotlib and numpy (Debian: python3-h5py, python3-matplotlib, python3-numpy; run
it with /usr/bin/python3 if `python3` is another installation).
"""
import argparse
import glob
import os
import re
import sys
import tomllib
from collections import defaultdict

import h5py
import matplotlib

matplotlib.use("Agg")  # files only, no display needed
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import FormatStrFormatter, NullFormatter  # noqa: E402
import numpy as np  # noqa: E402

PROG = "plot_sweep.py"
OVERRIDE = re.compile(r"^#\s+--set\s+([^=\s]+)=(.*?)\s*$")
POPULATION_KEY = re.compile(r"^population(?:\.([A-Za-z0-9_]+)|\[([^\]]+)\])\.(model|rapidness)$")


def fail(message):
    sys.exit(f"{PROG}: error: {message}")


def toml_value(text):
    """An override value as `sparsechaos` reads it: TOML, or a bare word as a string."""
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


def rapidness_from_config(text):
    """Rapidness of the first rapid_theta (or theta: 1) population, --set overrides applied."""
    try:
        populations = tomllib.loads(text).get("population", [])
    except tomllib.TOMLDecodeError as e:
        raise ValueError(f"cannot parse /meta/config: {e}") from None
    populations = [dict(p) for p in populations if isinstance(p, dict)]
    index = {p.get("name"): k for k, p in enumerate(populations)}
    for line in text.splitlines():
        match = OVERRIDE.match(line)
        if not match:
            continue
        key = POPULATION_KEY.match(match.group(1))
        if not key:
            continue
        name, bracket, field = key.groups()
        selector = name if name is not None else bracket
        k = int(selector) if selector.isdigit() else index.get(selector)
        if k is not None and 0 <= k < len(populations):
            populations[k][field] = toml_value(match.group(2))
    for p in populations:
        if p.get("model") == "rapid_theta":
            return float(p.get("rapidness", 1.0))
    for p in populations:
        if p.get("model") == "theta":
            return 1.0
    raise ValueError("no theta or rapid_theta population in /meta/config")


def rapidness_from_name(path):
    match = re.search(r"(\d+(?:\.\d+)?)(?!.*\d)", os.path.splitext(os.path.basename(path))[0])
    if not match:
        raise ValueError("no /meta/config and no number in the file name")
    return float(match.group(1))


def time_mean(times, values):
    """Mean of values sampled at the ends of intervals (times from 0), weighted by the intervals."""
    if len(values) == 0:
        return float("nan")
    widths = np.diff(np.concatenate(([0.0], times))) if len(times) == len(values) else None
    if widths is None or not np.all(widths > 0):
        return float(np.mean(values))
    return float(np.sum(widths * values) / np.sum(widths))


def read_run(path):
    try:
        f = h5py.File(path, "r")
    except OSError as e:
        fail(f"cannot open '{path}': {e}")
    with f:
        if "lyapunov" not in f:
            fail(f"'{path}' has no /lyapunov group (was the run made without a [lyapunov] section?)")
        g = f["lyapunov"]
        for name in ("exponents", "ks_entropy_bits_per_s", "kaplan_yorke_dimension"):
            if name not in g:
                fail(f"'{path}': /lyapunov has no '{name}'")
        try:
            if "meta" in f and "config" in f["meta"]:
                r = rapidness_from_config(f["meta/config"].asstr()[()])
            else:
                r = rapidness_from_name(path)
        except ValueError as e:
            fail(f"'{path}': cannot tell the rapidness: {e}")
        lam = np.asarray(g["exponents"][()], dtype=float).ravel()
        neurons = g.attrs.get("neurons", f["meta"].attrs.get("neurons") if "meta" in f else None)
        n = int(neurons) if neurons is not None else len(lam)
        se = g["standard_errors"][()] if "standard_errors" in g else [np.nan]
        pr = float("nan")
        if "participation" in g and "ratio" in g["participation"]:
            p = g["participation"]
            values = np.asarray(p["ratio"][()], dtype=float).ravel()
            times = np.asarray(p["times"][()], dtype=float).ravel() if "times" in p else np.empty(0)
            pr = time_mean(times, values)
        return {
            "path": path,
            "r": r,
            "neurons": n,
            "m": len(lam),
            "lambda_max": float(lam[0]),
            "lambda_max_se": float(np.ravel(se)[0]),
            "h_bits_per_s": float(g["ks_entropy_bits_per_s"][()]),
            "h_bits_per_spike": float(g["ks_entropy_bits_per_spike"][()]) if "ks_entropy_bits_per_spike" in g
            else float("nan"),
            "dky_per_n": float(g["kaplan_yorke_dimension"][()]) / n,
            "positive": int(g["positive_exponents"][()]) if "positive_exponents" in g else int(np.sum(lam > 0)),
            "pr": pr,
        }


def files_of(inputs):
    paths = []
    for item in inputs:
        if os.path.isdir(item):
            found = sorted(glob.glob(os.path.join(item, "*.h5")))
            if not found:
                fail(f"no .h5 files in '{item}'")
            paths += found
        else:
            paths.append(item)
    return paths


def table(runs):
    lines = ["| r | N | m | lambda_max (1/s) | SE | H (bits/s) | H (bits/spike) | D_KY/N | PR | PR/N | positive | file |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for run in runs:
        lines.append("| {r:g} | {neurons} | {m} | {lambda_max:.6g} | {lambda_max_se:.3g} | {h_bits_per_s:.6g} | "
                     "{h_bits_per_spike:.4g} | {dky_per_n:.6g} | {pr:.6g} | {pr_n:.4g} | {positive} | {name} |".format(
                         pr_n=run["pr"] / run["neurons"], name=os.path.basename(run["path"]), **run))
    return "\n".join(lines)


def plot(runs, output):
    fig, axes = plt.subplots(2, 2, sharex=True, figsize=(9, 7))
    panels = (
        (axes[0, 0], "lambda_max", r"$\lambda_{\max}$ (1/s)"),
        (axes[0, 1], "h_bits_per_s", r"KS entropy rate $H$ (bits/s)"),
        (axes[1, 0], "dky_per_n", r"$D_{KY}/N$"),
        (axes[1, 1], "pr", "participation ratio of the\nleading Lyapunov vector"),
    )
    by_r = defaultdict(list)
    for run in runs:
        by_r[run["r"]].append(run)
    rs = sorted(by_r)
    for ax, key, label in panels:
        x = np.array([run["r"] for run in runs])
        y = np.array([run[key] for run in runs])
        if key == "lambda_max":
            err = np.array([run["lambda_max_se"] for run in runs])
            ax.errorbar(x, y, yerr=np.where(np.isfinite(err), err, 0.0), fmt="none", ecolor="C0", capsize=3)
        # Open markers: no positive exponent, so the leading vector is not a chaotic direction.
        chaotic = np.array([run["positive"] > 0 for run in runs])
        ax.plot(x[chaotic], y[chaotic], "o", color="C0")
        if not chaotic.all():
            ax.plot(x[~chaotic], y[~chaotic], "o", color="C0", fillstyle="none", label="no positive exponent")
            ax.legend(loc="best", fontsize="small")
        ax.plot(rs, [np.nanmean([run[key] for run in by_r[r]]) for r in rs], "-", color="C0", linewidth=1)
        ax.set_xscale("log")
        ax.set_xticks(rs)
        ax.xaxis.set_major_formatter(FormatStrFormatter("%g"))
        ax.xaxis.set_minor_formatter(NullFormatter())
        finite = y[np.isfinite(y)]
        if len(finite):  # from zero (or below, for a negative lambda_max) to above the largest
            ax.set_ylim(min(0.0, 1.1 * float(finite.min())), max(0.0, 1.1 * float(finite.max())) or 1.0)
        ax.set_ylabel(label)
        ax.grid(True, which="both", alpha=0.3)
    for ax in axes[1]:
        ax.set_xlabel("spike onset rapidness r")
    neurons = sorted({run["neurons"] for run in runs})
    fig.suptitle("sparse chaos: rapid theta networks, N = " + ", ".join(map(str, neurons)), fontsize="medium")
    fig.tight_layout()
    try:
        fig.savefig(output, dpi=150)
    except (OSError, ValueError) as e:
        fail(f"cannot write '{output}': {e}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", nargs="+", help="output files with /lyapunov, or directories of them")
    parser.add_argument("-o", "--output", required=True, help="image to write (png, pdf, svg, ...)")
    parser.add_argument("--table", help="also write the Markdown table to this file")
    args = parser.parse_args()
    runs = sorted((read_run(p) for p in files_of(args.results)), key=lambda run: (run["r"], run["path"]))
    text = table(runs)
    print(text)
    if args.table:
        try:
            with open(args.table, "w") as out:
                out.write(text + "\n")
        except OSError as e:
            fail(f"cannot write '{args.table}': {e}")
    plot(runs, args.output)


if __name__ == "__main__":
    main()
