#!/usr/bin/env bash
# `sparsechaos check` describes a valid configuration (with and without --set) and exits 0.
# Usage: bash check.sh <sparsechaos binary> <source dir>
set -euo pipefail
bin=$(realpath "$1") src=$(realpath "$2")
config=$src/examples/small_lif.toml
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [[ ! -f $config ]]; then
    config=$work/small.toml
    printf '[[population]]\nname = "I"\nsize = 1000\nmodel = "lif"\n[population.drive]\nvalue = 0.5\n' >"$config"
fi

"$bin" check "$config" >"$work/out"
grep -q "1000" "$work/out" || { echo "FAIL: the description does not show N = 1000"; cat "$work/out"; exit 1; }
grep -qi "population" "$work/out" || { echo "FAIL: no populations in the description"; exit 1; }

"$bin" check "$config" --set population[0].size=250 >"$work/set"
grep -q "250" "$work/set" || { echo "FAIL: --set did not reach the description"; cat "$work/set"; exit 1; }
# --set and --unset apply in the order typed: removing a key and setting it again keeps it, the
# other way round removes it (and the rule then misses its key).
if [[ $config == "$src/examples/small_lif.toml" ]]; then
    "$bin" check "$config" --unset projection[0].indegree --set projection[0].indegree=10 >"$work/order" ||
        { echo "FAIL: --unset then --set"; exit 1; }
    grep -q "K = 10," "$work/order" || { echo "FAIL: --unset then --set lost the key"; cat "$work/order"; exit 1; }
    if "$bin" check "$config" --set projection[0].indegree=10 --unset projection[0].indegree 2>"$work/err"; then
        echo "FAIL: --set then --unset kept the key"; exit 1
    fi
    grep -q "^sparsechaos: error: --unset projection\[0\].indegree: .*missing required key 'indegree'" "$work/err" ||
        { echo "FAIL: the error does not name the --unset"; cat "$work/err"; exit 1; }
fi
# check never writes anything next to the config.
[[ -z $(find "$work" -name '*.h5*') ]] || { echo "FAIL: check wrote a file"; exit 1; }
echo PASS
