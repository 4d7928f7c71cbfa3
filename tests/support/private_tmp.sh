#!/usr/bin/env bash
# Runs a test command with a TMPDIR of its own. Open MPI keeps a per-user session directory under
# TMPDIR (also for a singleton MPI_Init), and a process that ends removes the shared top directory:
# a test starting at that moment fails with "A call to mkdir was unable to create the desired
# directory". ctest -j runs tests side by side, so each gets its own.
# Usage: private_tmp.sh COMMAND [ARGS...]
dir=$(mktemp -d "${TMPDIR:-/tmp}/sparsechaos-test.XXXXXX") || exit 1
TMPDIR=$dir "$@"
status=$?
rm -rf "$dir"
exit $status
