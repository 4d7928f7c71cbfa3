#!/usr/bin/env bash
# Every user error gives one line on stderr, "sparsechaos: error: ...", naming the offending
# key, value or path, and a non-zero exit: 1 for config/output errors, 2 for command-line usage.
# An unwritable output fails before the run starts.
# Usage: bash errors.sh <sparsechaos binary> <source dir>
source "$(dirname "$0")/lib/common.sh" "$1"
write_network good.toml 200.0 200 20
sed 's/^duration_ms = 200.0/duraton_ms = 200.0/' good.toml >unknown_key.toml
sed 's/^duration_ms = 200.0/duration_ms = "long"/' good.toml >wrong_type.toml
sed 's/^size = 200/size = -200/' good.toml >negative_size.toml
mkdir readonly_parent && touch plain_file

failures=0
# expect_error EXIT_CODE TEXT command...: fails unless the command exits with EXIT_CODE and prints
# exactly one stderr line that starts with the prefix and contains TEXT.
expect_error() {
    local want=$1 text=$2 status=0
    shift 2
    "$@" >stdout 2>stderr || status=$?
    local lines
    lines=$(wc -l <stderr)
    if [[ $status -ne $want ]] || [[ $lines -ne 1 ]] || ! grep -q '^sparsechaos: error: ' stderr ||
        ! grep -qF -- "$text" stderr; then
        echo "FAIL: $* -> exit $status (want $want), stderr:"
        cat stderr
        failures=$((failures + 1))
    else
        echo "ok: $(cat stderr)"
    fi
}

expect_error 1 "simulation.duraton_ms" "$bin" check unknown_key.toml
expect_error 1 "simulation.duraton_ms" "$bin" run unknown_key.toml --output out.h5
expect_error 1 "simulation.bogus" "$bin" run good.toml --output out.h5 --set simulation.bogus=1
expect_error 1 '"long"' "$bin" check wrong_type.toml
expect_error 1 "simulation.seed" "$bin" check good.toml --set simulation.seed=abc
expect_error 1 "size" "$bin" check negative_size.toml
expect_error 1 "-5" "$bin" run good.toml --output out.h5 --set population[0].size=-5
expect_error 1 "missing.toml" "$bin" run missing.toml --output out.h5
expect_error 1 "missing.toml" "$bin" check missing.toml
expect_error 1 "simulation.seed" "$bin" run good.toml --output out.h5 --set simulation.seed
expect_error 1 "no_such_dir" "$bin" run good.toml --output no_such_dir/out.h5
expect_error 1 "plain_file" "$bin" run good.toml --output plain_file/out.h5
expect_error 1 "readonly_parent" "$bin" run good.toml --output readonly_parent
# Delays and Poisson input.
expect_error 1 "projection[0].delay_ms" "$bin" check good.toml --set projection[0].delay_ms=-1
expect_error 1 "projection[0].delay_max_ms" "$bin" check good.toml --set projection[0].delay_max_ms=2
expect_error 1 "projection[0].delay_max_ms" "$bin" check good.toml --set projection[0].delay_ms=2 --set projection[0].delay_max_ms=1
cat good.toml >two_projections.toml
printf '[[projection]]\npre = "I"\npost = "I"\nrule = "fixed_indegree"\nindegree = 5\nweight = -0.01\ndelay_ms = 1.0\n' >>two_projections.toml
expect_error 1 "projection[1].delay_ms" "$bin" check two_projections.toml
sed 's/"fixed_indegree"/"fixed_outdegree"/; s/^indegree/outdegree/' good.toml >outdegree.toml
expect_error 1 "projection[0].delay_max_ms" "$bin" check outdegree.toml --set simulation.connectivity=procedural \
    --set projection[0].delay_ms=1 --set projection[0].delay_max_ms=2
expect_error 1 "population[0].poisson: missing required key 'rate_hz'" "$bin" check good.toml --set population[0].poisson.weight=0.1
expect_error 1 "population[0].poisson.rate_hz" "$bin" check good.toml --set population[0].poisson.rate_hz=-3 \
    --set population[0].poisson.weight=0.1
expect_error 1 "population[0].poisson.weight" "$bin" check good.toml --set population[0].poisson.rate_hz=30 \
    --set population[0].poisson.weight=0
expect_error 1 "population[0].poisson.rte_hz" "$bin" check good.toml --set population[0].poisson.rte_hz=30
expect_error 2 "--output" "$bin" run good.toml
expect_error 2 "--bogus" "$bin" run good.toml --output out.h5 --bogus
expect_error 2 "config" "$bin" check

# Root ignores permission bits: test a read-only directory only as another user.
if [[ $(id -u) -ne 0 ]]; then
    chmod a-w readonly_parent
    expect_error 1 "readonly_parent" "$bin" run good.toml --output readonly_parent/out.h5
    chmod u+w readonly_parent
fi

# A bad output path fails before the run: this one would simulate for hours.
start=$(date +%s)
expect_error 1 "no_such_dir" "$bin" run good.toml --output no_such_dir/out.h5 --set simulation.duration_ms=1e12
(($(date +%s) - start < 20)) || { echo "FAIL: the bad output path was noticed late"; failures=$((failures + 1)); }

[[ -z $(find . -name '*.h5*') ]] || { echo "FAIL: files left behind:"; find . -name '*.h5*'; failures=$((failures + 1)); }
((failures == 0)) || { echo "$failures failure(s)"; exit 1; }
echo PASS
