#!/usr/bin/env bash
# An existing output file is never left half-written: a run that fails (bad --set, a network the
# engine rejects) leaves it byte-identical and removes its temporary; a successful run replaces it.
# Usage: bash keep_existing.sh <sparsechaos binary> <source dir>
source "$(dirname "$0")/lib/common.sh" "$1"
write_network good.toml 100.0 100 10

"$bin" run good.toml --output out.h5 --quiet
cp out.h5 before.h5

fail_into_existing() {
    local status=0
    "$bin" run good.toml --output out.h5 "$@" 2>stderr >/dev/null || status=$?
    [[ $status -ne 0 ]] || { echo "FAIL: run $* succeeded"; exit 1; }
    cmp -s out.h5 before.h5 || { echo "FAIL: run $* changed the existing output"; exit 1; }
    [[ -z $(find . -name 'out.h5.tmp.*') ]] || { echo "FAIL: run $* left a temporary"; exit 1; }
    echo "ok: $(cat stderr)"
}
fail_into_existing --set simulation.bogus=1
fail_into_existing --set population[0].size=-5
fail_into_existing --set 'simulation.seed'
# Valid for the config layer but rejected when the engine builds the network, i.e. after the
# temporary output was created (one rank holds at most 2^32 - 1 neurons).
fail_into_existing --set population[0].size=5000000000

"$bin" run good.toml --output out.h5 --quiet --set simulation.seed=7
! cmp -s out.h5 before.h5 || { echo "FAIL: a successful run did not replace the output"; exit 1; }
echo PASS
