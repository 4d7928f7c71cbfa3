#!/usr/bin/env python3
"""Markdown tables from benchmark JSON (engine_scaling.sh and compare_brian2.sh outputs).

Usage: summarize.py FILE.jsonl   — the file may mix one-line records (sparsechaos_bench) and
pretty-printed objects (brian2_balanced.py); they are read as a stream of JSON values.
"""
import json
import sys


def records(text):
    dec, i = json.JSONDecoder(), 0
    while True:
        while i < len(text) and text[i].isspace():
            i += 1
        if i >= len(text):
            return
        obj, i = dec.raw_decode(text, i)
        yield obj


def brian2_runs(rec):
    # one record per configuration, repetitions under "runs"
    for run in rec.get("runs", [rec]):
        yield {**rec, **run}


def main(path):
    recs = list(records(open(path).read()))
    brian = {}
    for r in recs:
        if str(r.get("simulator", "")).startswith("brian2"):
            for run in brian2_runs(r):
                brian.setdefault((r["model"], r["n"]), []).append(run)
    ours = [r for r in recs if "cpu_us_per_spike" in r]
    if brian:
        print("| model | N | Brian2 µs/spike (wall) | sparsechaos µs/spike (wall) | speed-up | Brian2 rate (Hz) | sparsechaos rate (Hz) |")
        print("|---|---|---|---|---|---|---|")
        for r in ours:
            b = brian.get((r["model"], r["n"]))
            if not b:
                continue
            bw = min(x["us_per_spike_wall"] for x in b)
            print(f"| {r['model']} | {r['n']:.0e} | {bw:.2f} | {r['us_per_spike']:.2f} | {bw / r['us_per_spike']:.2f}× "
                  f"| {b[0]['rate_hz']:.3f} | {r['rate_hz']:.3f} |")
    else:
        print("| model | connectivity | N | build (s) | spikes | rate (Hz) | µs/spike (CPU) | µs/spike (wall) "
              "| re-keys/spike | B/neuron | synapse B/neuron | peak RSS (MiB) |")
        print("|---|---|---|---|---|---|---|---|---|---|---|---|")
        for r in ours:
            print(f"| {r['model']} | {r['connectivity']} | {r['n']:.0e} | {r['build_s']:.2f} | {r['spikes']} "
                  f"| {r['rate_hz']:.2f} | {r['cpu_us_per_spike']:.2f} | {r['us_per_spike']:.2f} "
                  f"| {r['stale_per_spike']:.1f} | {r['neuron_bytes']:.0f} | {r['synapse_bytes_per_neuron']:.0f} "
                  f"| {r['peak_rss_kb'] / 1024:.0f} |")


if __name__ == "__main__":
    main(sys.argv[1])
