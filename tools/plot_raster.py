#!/usr/bin/env python3
"""Raster plot and population rate of a sparsechaos output file (docs/output.md).

    plot_raster.py OUT.h5 -o raster.png [--t0 MS] [--t1 MS] [--max-neurons N] [--bin-ms MS]

Top: spikes of at most N neurons (evenly spaced ids of every population, shared in proportion to
the population sizes), one colour per population. Bottom: rate of each whole population in Hz,
from all of its neurons, in bins of --bin-ms. Needs h5py and matplotlib (Debian: python3-h5py,
python3-matplotlib; run it with /usr/bin/python3 if `python3` is another installation).
"""
import argparse
import sys

import h5py
import matplotlib

matplotlib.use("Agg")  # files only, no display needed
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

BLOCK = 1 << 22  # spikes read at a time: long runs do not have to fit in memory


def fail(message):
    sys.exit(f"plot_raster.py: error: {message}")


def population_sizes(f):
    """Population name -> size, from /meta (or, for other SONATA files, the largest node id)."""
    if "meta" in f and "populations" in f["meta"]:
        names = f["meta/populations"].asstr()[()]
        return dict(zip(names, (int(n) for n in f["meta/population_sizes"][()])))
    sizes = {}
    for name, group in f["spikes"].items():
        ids = group["node_ids"]
        sizes[name] = int(ids[()].max()) + 1 if ids.shape[0] else 0
    return sizes


def spikes_in_window(group, t0, t1):
    """(timestamps, node_ids) with t0 <= t < t1, read block by block."""
    times, nodes = group["timestamps"], group["node_ids"]
    by_time = group.parent.attrs.get("sorting") in ("by_time", b"by_time")
    out_t, out_id = [], []
    for start in range(0, times.shape[0], BLOCK):
        t = times[start:start + BLOCK]
        if by_time and len(t) and t[-1] < t0:
            continue
        keep = (t >= t0) & (t < t1)
        out_t.append(t[keep])
        out_id.append(nodes[start:start + BLOCK][keep])
        if by_time and len(t) and t[-1] >= t1:
            break
    if not out_t:
        return np.empty(0), np.empty(0, dtype=np.uint64)
    return np.concatenate(out_t), np.concatenate(out_id)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("input", help="output file of `sparsechaos run`")
    parser.add_argument("-o", "--output", required=True, help="image to write (png, pdf, svg, ...)")
    parser.add_argument("--t0", type=float, default=0.0, help="start of the window in ms (default 0)")
    parser.add_argument("--t1", type=float, default=None, help="end of the window in ms (default: end of run)")
    parser.add_argument("--max-neurons", type=int, default=200, help="neurons shown in the raster (default 200)")
    parser.add_argument("--bin-ms", type=float, default=None, help="rate histogram bin (default: window / 200)")
    args = parser.parse_args()
    if args.max_neurons < 1:
        fail("--max-neurons must be >= 1")

    try:
        f = h5py.File(args.input, "r")
    except OSError as e:
        fail(f"cannot open '{args.input}': {e}")
    with f:
        if "spikes" not in f:
            fail(f"'{args.input}' has no /spikes group (was the run made with output.spikes = false?)")
        sizes = population_sizes(f)
        t_end = float(f["meta"].attrs["simulated_time_ms"]) if "meta" in f else None
        t0 = args.t0
        t1 = args.t1 if args.t1 is not None else t_end
        if t1 is None:  # not a sparsechaos file: use the last spike
            t1 = max((float(g["timestamps"][-1]) for g in f["spikes"].values() if g["timestamps"].shape[0]),
                     default=t0 + 1.0)
        if not t1 > t0:
            fail(f"empty window: --t0 {t0} >= --t1 {t1}")
        bin_ms = args.bin_ms or (t1 - t0) / 200
        edges = np.arange(t0, t1 + bin_ms / 2, bin_ms)

        total = sum(sizes.values()) or 1
        fig, (raster, rate) = plt.subplots(2, 1, sharex=True, figsize=(9, 6),
                                           gridspec_kw={"height_ratios": [3, 1]})
        row = 0
        for k, (name, size) in enumerate(sizes.items()):
            color = f"C{k}"
            t, ids = spikes_in_window(f["spikes"][name], t0, t1)
            # Evenly spaced neurons, so that structure along the id axis stays visible.
            shown = max(1, round(args.max_neurons * size / total)) if size else 0
            chosen = np.unique(np.linspace(0, size - 1, min(size, shown)).astype(np.uint64)) if size else []
            keep = np.isin(ids, chosen)
            rows = row + np.searchsorted(chosen, ids[keep])
            raster.scatter(t[keep], rows, s=1.5, marker="|", color=color, linewidths=0.6,
                           label=f"{name} ({len(chosen)} of {size})")
            row += len(chosen)
            counts, _ = np.histogram(t, bins=edges)
            rate.step(edges[:-1], counts / (max(size, 1) * bin_ms / 1000.0), where="post", color=color, label=name)

        raster.set_ylabel("neuron (subsample)")
        raster.set_ylim(-0.5, max(row, 1) - 0.5)
        raster.legend(loc="upper right", fontsize="small", markerscale=4)
        title = args.input
        if "meta" in f:
            m = f["meta"].attrs
            title += f"  ({int(m['neurons'])} neurons, {int(m['spikes'])} spikes, {float(f['rates'].attrs['mean']):.3g} Hz)"
        raster.set_title(title, fontsize="small")
        rate.set_xlabel("time (ms)")
        rate.set_ylabel("rate (Hz)")
        rate.set_xlim(t0, t1)
        if len(sizes) > 1:
            rate.legend(loc="upper right", fontsize="small")
        fig.tight_layout()
        try:
            fig.savefig(args.output, dpi=150)
        except OSError as e:
            fail(f"cannot write '{args.output}': {e}")


if __name__ == "__main__":
    main()
