#!/usr/bin/env python3
"""Sparse chaos on SONETs: Lyapunov spectra against the chain-motif excess alpha_chain.

    plot_sweep.py RESULTS [RESULTS ...] -o sweep.png [--table sweep.md]

RESULTS are output files of `sparsechaos run` with a /lyapunov group, or directories of them
(run_sweep.sh writes one per alpha_chain). alpha_chain is read from the configuration stored in
/meta/config, `--set projection[K].alpha_chain=A` overrides included (the first sonet projection
counts). The spectrum summaries (lambda_max with its standard error, KS entropy rate, D_KY/N,
participation ratio of the leading vector) are read as in examples/rapid_theta_sweep/plot_sweep.py,
whose reader this script uses. Four panels against alpha_chain, and a Markdown table.

Needs h5py, matplotlib and numpy (Debian: python3-h5py, python3-matplotlib, python3-numpy).
"""
import argparse
import os
import re
import sys
import tomllib

import h5py
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "rapid_theta_sweep"))
import plot_sweep as spectra  # noqa: E402  (the reader of the rapidness sweep)

import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

PROG = "plot_sweep.py"
PROJECTION_KEY = re.compile(r"^projection\[(\d+)\]\.alpha_chain$")


def alpha_chain(text):
    """alpha_chain of the first sonet projection, --set overrides applied."""
    projections = [dict(p) for p in tomllib.loads(text).get("projection", []) if isinstance(p, dict)]
    for line in text.splitlines():
        match = spectra.OVERRIDE.match(line)
        if match and (key := PROJECTION_KEY.match(match.group(1))):
            k = int(key.group(1))
            if 0 <= k < len(projections):
                projections[k]["alpha_chain"] = spectra.toml_value(match.group(2))
    for p in projections:
        if p.get("rule") == "sonet":
            return float(p.get("alpha_chain", 0.0))
    raise ValueError("no sonet projection in /meta/config")


def read(path):
    run = spectra.read_run(path)
    with h5py.File(path, "r") as f:
        if "meta" not in f or "config" not in f["meta"]:
            sys.exit(f"{PROG}: error: '{path}' has no /meta/config")
        try:
            run["alpha_chain"] = alpha_chain(f["meta/config"].asstr()[()])
        except (ValueError, tomllib.TOMLDecodeError) as e:
            sys.exit(f"{PROG}: error: '{path}': {e}")
    return run


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", nargs="+", help="output files with /lyapunov, or directories of them")
    parser.add_argument("-o", "--output", required=True, help="image to write (png, pdf, svg, ...)")
    parser.add_argument("--table", help="also write the Markdown table to this file")
    args = parser.parse_args()
    runs = sorted((read(p) for p in spectra.files_of(args.results)), key=lambda r: (r["alpha_chain"], r["path"]))
    lines = ["| alpha_chain | r | N | lambda_max (1/s) | SE | H (bits/s) | D_KY/N | PR/N | positive | file |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for r in runs:
        lines.append(f"| {r['alpha_chain']:g} | {r['r']:g} | {r['neurons']} | {r['lambda_max']:.6g} | "
                     f"{r['lambda_max_se']:.3g} | {r['h_bits_per_s']:.6g} | {r['dky_per_n']:.6g} | "
                     f"{r['pr'] / r['neurons']:.4g} | {r['positive']} | {os.path.basename(r['path'])} |")
    text = "\n".join(lines)
    print(text)
    if args.table:
        with open(args.table, "w") as out:
            out.write(text + "\n")
    fig, axes = plt.subplots(2, 2, sharex=True, figsize=(9, 7))
    x = np.array([r["alpha_chain"] for r in runs])
    for ax, key, label in ((axes[0, 0], "lambda_max", r"$\lambda_{\max}$ (1/s)"),
                           (axes[0, 1], "h_bits_per_s", r"KS entropy rate $H$ (bits/s)"),
                           (axes[1, 0], "dky_per_n", r"$D_{KY}/N$"),
                           (axes[1, 1], "pr", "participation ratio of the\nleading Lyapunov vector")):
        y = np.array([r[key] for r in runs])
        if key == "lambda_max":
            err = np.array([r["lambda_max_se"] for r in runs])
            ax.errorbar(x, y, yerr=np.where(np.isfinite(err), err, 0.0), fmt="o-", capsize=3)
        else:
            ax.plot(x, y, "o-")
        ax.set_ylabel(label)
        ax.grid(True, alpha=0.3)
    for ax in axes[1]:
        ax.set_xlabel(r"chain motifs $\alpha_{chain}$")
    fig.suptitle("rapid theta SONETs, N = " + ", ".join(sorted({str(r["neurons"]) for r in runs})), fontsize="medium")
    fig.tight_layout()
    fig.savefig(args.output, dpi=150)


if __name__ == "__main__":
    main()
