#!/usr/bin/env python3
"""Writes edges.h5, the SONATA edges file that examples/import/import.toml reads.

    /usr/bin/python3 examples/import/make_edges.py [-o edges.h5] [--seed 1]

A network as another tool would build it: one node population "cortex" of 500 neurons, the first
400 excitatory and the last 100 inhibitory, and one edge population "cortex_to_cortex" in which
every neuron receives 40 synapses from distinct excitatory and 10 from distinct inhibitory sources,
with per-synapse weights (excitatory 0.1, inhibitory -0.6, each times 1 + 0.1 g, g standard normal,
sign kept) and delays uniform in [1, 2] ms. The file follows the SONATA layout (Dai et al., PLoS
Comput Biol 16:e1007696, 2020): source_node_id and target_node_id with their node_population
attributes, edge_type_id, edge_group_id, edge_group_index, and the group 0 with syn_weight and
delay. It has no target_to_source index, so sparsechaos reads it by scanning the target column.

Needs h5py and numpy (Debian: python3-h5py, python3-numpy).
"""
import argparse

import h5py
import numpy as np

N_E, N_I, K_E, K_I = 400, 100, 40, 10


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-o", "--output", default="edges.h5")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    n = N_E + N_I
    sources, targets, weights = [], [], []
    for target in range(n):
        for first, count, size, weight in ((0, K_E, N_E, 0.1), (N_E, K_I, N_I, -0.6)):
            chosen = first + rng.choice(size, count, replace=False)
            factor = np.abs(1.0 + 0.1 * rng.standard_normal(count))
            sources.append(np.sort(chosen))
            targets.append(np.full(count, target))
            weights.append(weight * factor)
    source = np.concatenate(sources).astype(np.uint64)
    target = np.concatenate(targets).astype(np.uint64)
    weight = np.concatenate(weights).astype(np.float32)
    delay = rng.uniform(1.0, 2.0, len(source)).astype(np.float32)
    with h5py.File(args.output, "w") as f:
        f.attrs["magic"] = np.uint32(0x0A7A)
        f.attrs["version"] = np.array([0, 1], dtype=np.uint32)
        g = f.create_group("edges/cortex_to_cortex")
        g.create_dataset("source_node_id", data=source).attrs["node_population"] = "cortex"
        g.create_dataset("target_node_id", data=target).attrs["node_population"] = "cortex"
        g.create_dataset("edge_type_id", data=np.zeros(len(source), dtype=np.uint32))
        g.create_dataset("edge_group_id", data=np.zeros(len(source), dtype=np.uint32))
        g.create_dataset("edge_group_index", data=np.arange(len(source), dtype=np.uint64))
        g.create_dataset("0/syn_weight", data=weight)
        g.create_dataset("0/delay", data=delay)
    print(f"wrote {args.output}: {len(source)} edges among {n} neurons")


if __name__ == "__main__":
    main()
