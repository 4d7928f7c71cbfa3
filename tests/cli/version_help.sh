#!/usr/bin/env bash
# --version and every --help work and exit 0; a missing command is a usage error (exit 2).
# Usage: bash version_help.sh <sparsechaos binary> <source dir>
set -euo pipefail
bin=$(realpath "$1")

version=$("$bin" --version)
[[ $version =~ ^sparsechaos\ [0-9]+\.[0-9]+\.[0-9]+\ \(git\ [0-9a-z]+\)$ ]] ||
    { echo "FAIL: --version printed '$version'"; exit 1; }

"$bin" --help | grep -q "run" || { echo "FAIL: --help does not list run"; exit 1; }
"$bin" --help | grep -q "check" || { echo "FAIL: --help does not list check"; exit 1; }
run_help=$("$bin" run --help)
for flag in --output --set --quiet --timers; do
    grep -q -- "$flag" <<<"$run_help" || { echo "FAIL: run --help lacks $flag"; exit 1; }
done
"$bin" check --help | grep -q -- "--set" || { echo "FAIL: check --help lacks --set"; exit 1; }

status=0
"$bin" >/dev/null 2>&1 || status=$?
[[ $status -eq 2 ]] || { echo "FAIL: no command gave exit $status, expected 2"; exit 1; }
echo PASS
