# Shared set-up of the command-line tests (sourced, not a test itself).
# Usage: source lib/common.sh "$1"   — sets $bin, makes and enters a scratch directory $work.
set -euo pipefail
bin=$(realpath "$1")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

# write_network FILE DURATION_MS SIZE INDEGREE: a small inhibitory LIF network with a given drive.
write_network() {
    cat >"$1" <<TOML
[simulation]
duration_ms = $2
[[population]]
name = "I"
size = $3
model = "lif"
[population.drive]
value = 0.5
[[projection]]
pre = "I"
post = "I"
rule = "fixed_indegree"
indegree = $4
weight = -0.05
TOML
}
