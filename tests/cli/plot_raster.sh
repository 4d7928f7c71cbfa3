#!/usr/bin/env bash
# tools/plot_raster.py turns a run's output into a non-empty PNG (raster + population rate).
# Usage: bash plot_raster.sh <sparsechaos binary> <source dir>
set -euo pipefail
bin=$(realpath "$1") src=$(realpath "$2")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat >"$work/two.toml" <<'TOML'
[simulation]
duration_ms = 500.0
[[population]]
name = "E"
size = 400
model = "lif"
[population.drive]
value = 0.5
[[population]]
name = "I"
size = 100
model = "lif"
[population.drive]
value = 0.4
[[projection]]
pre = "I"
post = "E"
rule = "fixed_indegree"
indegree = 20
weight = -0.05
TOML
"$bin" run "$work/two.toml" --output "$work/out.h5" --quiet

export MPLBACKEND=Agg MPLCONFIGDIR=$work/mpl
/usr/bin/python3 "$src/tools/plot_raster.py" "$work/out.h5" -o "$work/raster.png" --max-neurons 50
/usr/bin/python3 "$src/tools/plot_raster.py" "$work/out.h5" -o "$work/window.png" --t0 100 --t1 200
for png in raster window; do
    [[ -s $work/$png.png ]] || { echo "FAIL: $png.png is empty"; exit 1; }
    [[ $(head -c 8 "$work/$png.png" | od -An -tx1 | tr -d ' \n') == 89504e470d0a1a0a ]] ||
        { echo "FAIL: $png.png is not a PNG"; exit 1; }
done
# A missing file is one clear error, not a traceback.
status=0
/usr/bin/python3 "$src/tools/plot_raster.py" "$work/nope.h5" -o "$work/x.png" 2>"$work/err" || status=$?
[[ $status -ne 0 ]] && grep -q "nope.h5" "$work/err" && ! grep -q Traceback "$work/err" ||
    { echo "FAIL: missing input:"; cat "$work/err"; exit 1; }
echo PASS
