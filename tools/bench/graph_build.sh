#!/usr/bin/env bash
# Graph build time and bytes per synapse of every connection rule, and export and import of a
# 10^8-edge SONATA file, on 1 and 2 ranks (docs/benchmarks.md, "Graph build and import"). Each
# line prints the process CPU time (max over ranks, and the sum) and the wall time; the load of
# the machine is printed before each group, since the wall time depends on it.
# Usage: tools/bench/graph_build.sh BUILD_DIR [SCRATCH_DIR]
#   The export/import step writes a ~4 GB file into SCRATCH_DIR (default: BUILD_DIR) and deletes it.
set -euo pipefail
build=${1:-build}
scratch=${2:-$build}
bench=$build/sparsechaos_bench_graph
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
rules="fixed_indegree fixed_outdegree pairwise_bernoulli fixed_total_number distance_dependent sonet"
load() { echo "# load: $(cut -d' ' -f1-3 /proc/loadavg)"; }

load
for r in $rules; do "$bench" --rule "$r" --neurons 1e5 --synapses 1e7; done
load
for r in $rules; do "$bench" --rule "$r" --neurons 1e6 --synapses 1e8; done
load
"$bench" --rule fixed_indegree --neurons 1e6 --synapses 1e8 --weights normal --delays normal
"$bench" --rule distance_dependent --neurons 1e6 --synapses 1e7 --procedural
load
for r in $rules; do mpirun -np 2 "$bench" --rule "$r" --neurons 1e6 --synapses 1e8; done
load
file=$scratch/bench_graph_$$.h5
trap 'rm -f "$file"' EXIT
"$bench" --rule fixed_indegree --neurons 1e6 --synapses 1e8 --weights normal --delays normal --write "$file" --read
ls -l "$file"
load
mpirun -np 2 "$bench" --rule fixed_indegree --neurons 1e6 --synapses 1e8 --weights normal --delays normal --write "$file" --read
# The same file without its target_to_source index: every rank scans the target column.
/usr/bin/python3 -c "import h5py, sys; f = h5py.File(sys.argv[1], 'a'); del f['edges/A_to_A/indices']" "$file"
load
"$bench" --rule fixed_indegree --neurons 1e6 --synapses 1e6 --input "$file" --read
mpirun -np 2 "$bench" --rule fixed_indegree --neurons 1e6 --synapses 1e6 --input "$file" --read
rm -f "$file"
