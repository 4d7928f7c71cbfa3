#!/usr/bin/env bash
# A realized graph written with --write-graph and read back with rule = "file" gives the same
# spike trains, bit for bit, on 1 and 3 ranks (per-synapse weights and delays, positions); the
# graph file is the same on 1 and 3 ranks; positions reach the output (/nodes); the examples with
# imported and SONET graphs run end to end.
# Usage: bash graph_round_trip.sh <sparsechaos binary> <source dir>
source "$(dirname "$0")/lib/common.sh" "$1"
src=$(realpath "$2")
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
net=$src/tests/cli/data/structured_ei.toml
cp "$net" net.toml
# The same network read from the exported file: every projection from its edge population.
/usr/bin/python3 - <<'PY'
text = open("net.toml").read()
head = text[:text.index("[[projection]]")]
for pre, post in (("E", "E"), ("E", "I"), ("I", "E"), ("I", "I")):
    head += f'[[projection]]\npre = "{pre}"\npost = "{post}"\nrule = "file"\nfile = "graph.h5"\nedges = "{pre}_to_{post}"\n'
open("back.toml", "w").write(head)
PY
for p in 1 3; do
  timeout 120 mpirun -np $p "$bin" run net.toml --output drawn_$p.h5 --write-graph graph_$p.h5 --quiet \
    || { echo "FAIL: run with --write-graph on $p ranks"; exit 1; }
done
cp graph_1.h5 graph.h5
for p in 1 3; do
  timeout 120 mpirun -np $p "$bin" run back.toml --output back_$p.h5 --quiet || { echo "FAIL: imported run on $p ranks"; exit 1; }
done
/usr/bin/python3 - <<'PY'
import sys
import h5py

def same_datasets(a, b):
    differ = []
    def visit(name, obj):
        if isinstance(obj, h5py.Dataset) and obj[()].tobytes() != b[name][()].tobytes():
            differ.append(name)
    a.visititems(visit)
    return differ

ref = h5py.File("drawn_1.h5", "r")
total = 0
for name in ("drawn_3.h5", "back_1.h5", "back_3.h5"):
    f = h5py.File(name, "r")
    for pop in ("E", "I"):
        for key in ("timestamps", "node_ids"):
            a, b = ref["spikes"][pop][key][:], f["spikes"][pop][key][:]
            if a.tobytes() != b.tobytes():
                sys.exit(f"FAIL: /spikes/{pop}/{key} of {name} differs from the run that drew the graph")
            total += len(a) if key == "node_ids" and name == "back_1.h5" else 0
if total < 5000:
    sys.exit(f"FAIL: only {total} spikes")
g1, g3 = h5py.File("graph_1.h5", "r"), h5py.File("graph_3.h5", "r")
if same_datasets(g1, g3):
    sys.exit(f"FAIL: the graph files of 1 and 3 ranks differ: {same_datasets(g1, g3)[:5]}")
edges = g1["edges/E_to_E"]
w = edges["0/syn_weight"][:]
if w.dtype.itemsize != 4 or len(set(w.tolist())) < 100:
    sys.exit("FAIL: E_to_E should carry per-synapse float weights")
xy = ref["nodes/E/0/x"][:], ref["nodes/E/0/y"][:]
# The sheet is centred on the origin: coordinates within +-200 um, spread over it.
if len(xy[0]) != 800 or max(abs(xy[0]).max(), abs(xy[1]).max()) > 200 or xy[0].std() < 80:
    sys.exit("FAIL: positions of E missing from the output or off the 400 um sheet")
print(f"ok: {total} spikes the same drawn and imported on 1 and 3 ranks; graph files identical; positions written")
PY
# The examples: a graph shipped as a SONATA file, and a SONET network (shortened).
timeout 120 "$bin" run "$src/examples/import/import.toml" --output import.h5 --quiet || { echo "FAIL: examples/import"; exit 1; }
timeout 120 "$bin" run "$src/examples/motifs/sonet_rapid_theta.toml" --set simulation.duration_ms=300 \
  --set lyapunov.warmup_ms=100 --set lyapunov.ons_warmup_ms=100 --set lyapunov.exponents=20 --output motifs.h5 --quiet || { echo "FAIL: examples/motifs"; exit 1; }
echo PASS
