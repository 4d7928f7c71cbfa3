#!/usr/bin/env bash
# The collective paths of the HDF5 layer and the spike writer on 2 MPI ranks: every rank appends
# its own part of one dataset in one file (runs test_io under mpirun).
# Usage: bash hdf5_two_ranks.sh <sparsechaos binary> <source dir>
set -euo pipefail
bin=$(realpath "$1")
test_io=$(dirname "$bin")/tests/test_io
[[ -x $test_io ]] || { echo "FAIL: $test_io not built"; exit 1; }
command -v mpirun >/dev/null || { echo "FAIL: mpirun not found"; exit 1; }
# Open MPI refuses root without these; more ranks than cores needs --oversubscribe.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
mpirun -np 2 --oversubscribe "$test_io" --gtest_color=no \
    --gtest_filter='hdf5.*:spike_writer.ranks_write_their_own_spikes:output_file.commit_replaces_the_target'
echo PASS
