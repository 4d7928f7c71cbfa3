#!/usr/bin/env python3
"""Summarise a strong or weak scaling study of sparsechaos (jobs/*_scaling.sbatch, docs/scaling.md).

    scaling_report.py RESULTS_DIR --kind strong|weak -o report.png [--table report.md]

Reads every *.h5 in RESULTS_DIR (the /meta attributes run_wall_s, ranks, neurons, spikes,
simulated_time_ms and /meta/timers/*, docs/output.md), groups the runs by rank count (repeated
runs of one rank count are averaged) and prints a Markdown table:

  ranks, neurons, spikes, run wall s, spikes/s, speed-up, efficiency

against the smallest rank count P0 with wall time T0 (normally P0 = 1):
  strong: speed-up = T0 / TP * P0,  efficiency = T0 * P0 / (P * TP)   (ideal: P and 1)
  weak:   speed-up = T0 / TP * P / P0 (scaled), efficiency = T0 / TP  (ideal: P and 1)
followed by a second table of the per-phase timers (update/communicate/deliver/output), mean
over ranks and runs, in seconds. Writes a PNG with speed-up vs ideal and efficiency vs P.
Needs h5py, matplotlib and numpy (Debian: python3-h5py python3-matplotlib python3-numpy; run it
with /usr/bin/python3 if `python3` is another installation).
"""
import argparse
import glob
import os
import sys
from collections import defaultdict

import h5py
import matplotlib

matplotlib.use("Agg")  # files only, no display needed
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

PHASES = ("update", "communicate", "deliver", "output")


def read_run(path):
    with h5py.File(path, "r") as f:
        if "meta" not in f:
            raise ValueError(f"{path}: no /meta group (not a sparsechaos output file?)")
        a = f["meta"].attrs
        run = {
            "path": path,
            "ranks": int(a["ranks"]),
            "neurons": int(a["neurons"]),
            "spikes": int(a["spikes"]),
            "run_wall_s": float(a["run_wall_s"]),
            "simulated_time_ms": float(a["simulated_time_ms"]),
            "timers": {},
        }
        timers = f["meta"].get("timers")
        for phase in PHASES:
            if timers is not None and phase in timers:
                run["timers"][phase] = float(np.mean(timers[phase][()]))
    return run


def summarise(runs, kind):
    by_ranks = defaultdict(list)
    for r in runs:
        by_ranks[r["ranks"]].append(r)
    rows = []
    for p in sorted(by_ranks):
        group = by_ranks[p]
        t = float(np.mean([r["run_wall_s"] for r in group]))
        spikes = sorted({r["spikes"] for r in group})
        neurons = sorted({r["neurons"] for r in group})
        rows.append({
            "ranks": p,
            "runs": len(group),
            "neurons": neurons,
            "spikes": spikes,
            "spikes_mean": float(np.mean([r["spikes"] for r in group])),
            "t": t,
            "timers": {ph: float(np.mean([r["timers"][ph] for r in group]))
                       for ph in PHASES if all(ph in r["timers"] for r in group)},
        })
    p0, t0 = rows[0]["ranks"], rows[0]["t"]
    for row in rows:
        p, t = row["ranks"], row["t"]
        if t <= 0:
            row["speedup"] = row["efficiency"] = float("nan")
        elif kind == "strong":
            row["speedup"] = t0 / t * p0
            row["efficiency"] = t0 * p0 / (p * t)
        else:
            row["efficiency"] = t0 / t
            row["speedup"] = t0 / t * p / p0
        row["spikes_per_s"] = row["spikes_mean"] / t if t > 0 else float("nan")
    return rows


def fmt_set(values):
    return "/".join(str(v) for v in values)


def markdown(rows, kind, results_dir):
    p0 = rows[0]["ranks"]
    lines = [
        f"{kind.capitalize()} scaling, {results_dir}, baseline {p0} rank(s); "
        + ("efficiency = T1/(P*TP)" if kind == "strong" else "efficiency = T1/TP"),
        "",
        "| ranks | runs | neurons | spikes | run wall s | spikes/s | speed-up | efficiency |",
        "|------:|-----:|--------:|-------:|-----------:|---------:|---------:|-----------:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['ranks']} | {r['runs']} | {fmt_set(r['neurons'])} | {fmt_set(r['spikes'])} "
            f"| {r['t']:.4g} | {r['spikes_per_s']:.4g} | {r['speedup']:.3f} | {r['efficiency']:.3f} |")
    lines += [
        "",
        "Mean per-phase timers (s, mean over ranks and runs):",
        "",
        "| ranks | " + " | ".join(PHASES) + " |",
        "|------:|" + "|".join("-" * (len(ph) + 1) + ":" for ph in PHASES) + "|",
    ]
    for r in rows:
        cells = [f"{r['timers'][ph]:.4g}" if ph in r["timers"] else "-" for ph in PHASES]
        lines.append(f"| {r['ranks']} | " + " | ".join(cells) + " |")
    mixed = [r["ranks"] for r in rows if len(r["spikes"]) > 1]
    if mixed:
        lines += ["", f"Note: repeated runs differ in spike count at ranks {mixed}."]
    return "\n".join(lines) + "\n"


def plot(rows, kind, out_png, title):
    ranks = np.array([r["ranks"] for r in rows], dtype=float)
    speedup = np.array([r["speedup"] for r in rows])
    eff = np.array([r["efficiency"] for r in rows])
    p0 = ranks[0]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
    ax1.plot(ranks, ranks / p0, "k--", label="ideal")
    ax1.plot(ranks, speedup, "o-", label="measured")
    ax1.set_xscale("log", base=2)
    ax1.set_yscale("log", base=2)
    ax1.set_xlabel("ranks P")
    ax1.set_ylabel("speed-up" if kind == "strong" else "scaled speed-up")
    ax1.legend()
    ax1.grid(True, which="both", alpha=0.3)
    ax2.axhline(1.0, color="k", linestyle="--", label="ideal")
    ax2.plot(ranks, eff, "o-", label="measured")
    ax2.set_xscale("log", base=2)
    ax2.set_xlabel("ranks P")
    ax2.set_ylabel("parallel efficiency")
    ax2.set_ylim(0, max(1.1, float(np.nanmax(eff)) * 1.1 if np.isfinite(eff).any() else 1.1))
    ax2.legend()
    ax2.grid(True, which="both", alpha=0.3)
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(out_png, dpi=120)
    plt.close(fig)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("results_dir", help="directory with the *.h5 outputs of one study")
    ap.add_argument("--kind", choices=("strong", "weak"), required=True)
    ap.add_argument("-o", "--output", required=True, help="PNG to write")
    ap.add_argument("--table", help="also write the Markdown table to this file")
    args = ap.parse_args()

    if not os.path.isdir(args.results_dir):
        sys.exit(f"error: results directory '{args.results_dir}' does not exist")
    paths = sorted(glob.glob(os.path.join(args.results_dir, "*.h5")))
    if not paths:
        sys.exit(f"error: no results (*.h5) in '{args.results_dir}'")
    runs = []
    for path in paths:
        try:
            runs.append(read_run(path))
        except (OSError, KeyError, ValueError) as e:
            sys.exit(f"error: cannot read {path}: {e}")

    rows = summarise(runs, args.kind)
    table = markdown(rows, args.kind, args.results_dir)
    print(table, end="")
    if args.table:
        with open(args.table, "w") as f:
            f.write(table)
    sim_ms = sorted({r["simulated_time_ms"] for r in runs})
    plot(rows, args.kind, args.output,
         f"{args.kind} scaling ({fmt_set(rows[0]['neurons'])} neurons at {rows[0]['ranks']} rank(s), "
         f"{fmt_set(sim_ms)} ms)")
    print(f"wrote {args.output}" + (f" and {args.table}" if args.table else ""), file=sys.stderr)


if __name__ == "__main__":
    main()
