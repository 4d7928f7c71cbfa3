#!/usr/bin/env python3
"""Plots of rate-network Lyapunov sweeps (docs/rate_networks.md, examples/rate/run_sweep.sh).

    plot_rate_sweep.py spectra PATH... [-o IMAGE]
    plot_rate_sweep.py input PATH... [-o IMAGE]

PATH is an output file of `sparsechaos run` on a rate-network configuration, or a directory
whose *.h5 files are read. Exponents are taken in units of 1/tau (/rate/exponents_per_tau; the
standard errors are scaled the same way) so that runs with different tau_ms compare.

  spectra  lambda_i tau against (i - 1/2)/N, one curve per file with its standard errors as a
           band, labelled by g and N: an extensive spectrum gives the same curve for every N
           (Engelken, Wolf & Abbott, arXiv:2006.02427). Prints g, N, lambda_1 tau +- SE, the
           number of positive exponents, D_KY/N and the KS entropy rate H tau.
  input    lambda_1 tau +- SE against the input amplitude, one curve per input kind (common_sine,
           independent_sine, ou), and the amplitude where lambda_1 first crosses zero (linear
           interpolation between the two points around the crossing): independent input
           suppresses chaos at a smaller amplitude than common input in balanced networks
           (Engelken et al., arXiv:2201.09916). Prints one line per run and the crossings.

IMAGE defaults to rate_<mode>.png in the current directory; a name without an image suffix
gets .png appended. Needs h5py, matplotlib and numpy (run with /usr/bin/python3 if `python3`
is another installation).
"""
import argparse
import glob
import math
import os
import sys

import h5py
import matplotlib

matplotlib.use("Agg")  # files only, no display needed
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.backend_bases import FigureCanvasBase  # noqa: E402
import numpy as np  # noqa: E402

PROG = "plot_rate_sweep.py"


def fail(message):
    sys.exit(f"{PROG}: error: {message}")


def text(value):
    return value.decode() if isinstance(value, bytes) else str(value)


def files_of(paths):
    out = []
    for p in paths:
        if os.path.isdir(p):
            found = sorted(glob.glob(os.path.join(p, "*.h5")))
            if not found:
                fail(f"no .h5 files in directory '{p}'")
            out += found
        elif os.path.isfile(p):
            out.append(p)
        else:
            fail(f"no such file or directory: '{p}'")
    return out


def read(path):
    """The numbers of one run, in units of tau."""
    try:
        with h5py.File(path, "r") as f:
            for group in ("rate", "lyapunov"):
                if group not in f:
                    fail(f"{path}: no /{group} group (not a rate-network run with a [lyapunov] section)")
            rate, ly = f["rate"], f["lyapunov"]
            tau_s = float(rate.attrs["tau_ms"]) * 1e-3
            r = {
                "path": path,
                "attrs": {k: (text(v) if isinstance(v, (bytes, str)) else v) for k, v in rate.attrs.items()},
                "lambda": rate["exponents_per_tau"][()],
                "se": ly["standard_errors"][()] * tau_s,
                "neurons": int(ly.attrs["neurons"]),
                "positive": int(ly["positive_exponents"][()]),
                "dky": float(ly["kaplan_yorke_dimension"][()]),
                "entropy_per_tau": float(ly["ks_entropy_nats_per_s"][()]) * tau_s,
            }
    except OSError as e:
        fail(f"{path}: cannot read it as HDF5 ({e})")
    except KeyError as e:
        fail(f"{path}: missing {e} (written by an older or a spiking run?)")
    return r


def image_name(name, mode):
    if not name:
        return f"rate_{mode}.png"
    root, ext = os.path.splitext(name)
    if ext.lstrip(".").lower() not in FigureCanvasBase.get_supported_filetypes():
        return name + ".png"
    return name


def spectra(runs, image):
    runs.sort(key=lambda r: (float(r["attrs"].get("g", 0.0)), r["neurons"]))
    fig, ax = plt.subplots(figsize=(6.4, 4.4))
    print(f"{'g':>6} {'N':>6} {'m':>6}  {'lambda_1 tau':>18} {'positive':>8} {'D_KY/N':>8} {'H tau':>8}")
    for r in runs:
        lam, se, n = r["lambda"], r["se"], r["neurons"]
        x = (np.arange(1, len(lam) + 1) - 0.5) / n
        g = r["attrs"].get("g")
        label = (f"g = {float(g):g}" if g is not None else r["attrs"].get("coupling", "?")) + f", N = {n}"
        (line,) = ax.plot(x, lam, lw=1.2, label=label)
        if np.all(np.isfinite(se)):
            ax.fill_between(x, lam - se, lam + se, color=line.get_color(), alpha=0.25, lw=0)
        print(f"{float(g) if g is not None else math.nan:6g} {n:6d} {len(lam):6d}  "
              f"{lam[0]:9.4f} +- {se[0]:6.4f} {r['positive']:8d} {r['dky'] / n:8.4f} {r['entropy_per_tau']:8.4f}")
    ax.axhline(0.0, color="k", lw=0.6)
    ax.set_xlabel("i / N")
    ax.set_ylabel(r"$\lambda_i \tau$")
    ax.set_title("Lyapunov spectra of rate networks")
    ax.legend(frameon=False)
    fig.tight_layout()
    fig.savefig(image, dpi=150)
    print(f"image {image}")


def zero_crossing(a, lam):
    """First amplitude where lambda_1 goes from > 0 to <= 0, linearly interpolated; None if none."""
    for k in range(1, len(a)):
        if lam[k - 1] > 0 >= lam[k]:
            return a[k - 1] + (a[k] - a[k - 1]) * lam[k - 1] / (lam[k - 1] - lam[k])
    return None


def inputs(runs, image):
    kinds = {}
    for r in runs:
        kinds.setdefault(r["attrs"].get("input", "?"), []).append(r)
    fig, ax = plt.subplots(figsize=(6.4, 4.4))
    print(f"{'input':>18} {'amplitude':>10}  {'lambda_1 tau':>18}")
    crossings = []
    for kind in sorted(kinds):
        rs = sorted(kinds[kind], key=lambda r: float(r["attrs"]["input_amplitude"]))
        a = np.array([float(r["attrs"]["input_amplitude"]) for r in rs])
        lam = np.array([r["lambda"][0] for r in rs])
        se = np.array([r["se"][0] for r in rs])
        for r, ai, li, si in zip(rs, a, lam, se):
            print(f"{kind:>18} {ai:10g}  {li:9.4f} +- {si:6.4f}")
        ax.errorbar(a, lam, yerr=np.where(np.isfinite(se), se, 0.0), marker="o", ms=4, capsize=2, label=kind)
        crossings.append((kind, zero_crossing(a, lam)))
    for kind, c in crossings:
        print(f"crossing {kind} " + (f"{c:.4g}" if c is not None else "none (lambda_1 stays on one side of 0)"))
    ax.axhline(0.0, color="k", lw=0.6)
    ax.set_xlabel("input amplitude")
    ax.set_ylabel(r"$\lambda_{\max} \tau$")
    ax.set_title("Chaos suppression by common and independent input")
    ax.legend(frameon=False)
    fig.tight_layout()
    fig.savefig(image, dpi=150)
    print(f"image {image}")


def main():
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n")[0])
    parser.add_argument("mode", choices=("spectra", "input"), help="what to plot")
    parser.add_argument("paths", nargs="+", help="output files or directories of them")
    parser.add_argument("-o", "--output", help="image to write (default rate_<mode>.png)")
    args = parser.parse_args()
    runs = [read(p) for p in files_of(args.paths)]
    image = image_name(args.output, args.mode)
    (spectra if args.mode == "spectra" else inputs)(runs, image)


if __name__ == "__main__":
    main()
