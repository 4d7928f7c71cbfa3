#!/usr/bin/env bash
# Checkpoints and restart (docs/checkpoints.md): a run killed with SIGKILL after a checkpoint and
# resumed, on another number of ranks, writes the datasets of the uninterrupted run bit for bit
# (zero delay with held kicks, delays per synapse, Poisson input, per-synapse weights); killed
# again and again it still does; refused checkpoints (another configuration, truncated, foreign)
# leave the output alone.
# Usage: bash checkpoint.sh <sparsechaos binary> <source dir>
source "$(dirname "$0")/lib/common.sh" "$1"
src=$(realpath "$2")
examples=$src/examples
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# compare A B: every dataset but /meta is the same bits.
compare() {
  /usr/bin/python3 - "$1" "$2" <<'PY'
import sys
import h5py
a, b = (h5py.File(p, "r") for p in sys.argv[1:3])
differ, seen = [], []
def visit(name, obj):
    if isinstance(obj, h5py.Dataset) and not name.startswith("meta"):
        seen.append(name)
        if name not in b or obj[()].tobytes() != b[name][()].tobytes():
            differ.append(name)
a.visititems(visit)
spikes = sum(len(a[n]) for n in seen if n.endswith("node_ids"))
if differ or spikes < 1000:
    sys.exit(f"{sys.argv[2]}: differs in {differ[:5]} ({spikes} spikes)")
print(f"ok {sys.argv[2]}: {len(seen)} datasets identical, {spikes} spikes")
PY
}

# killed_run P OUT ARGS...: start a checkpointed run on P ranks, SIGKILL it once a new checkpoint is
# there (its sequence number went up), and wait for it. Returns 1 if the run ended by itself first.
killed_run() {
  local p=$1 out=$2
  shift 2
  local before=0
  [[ -e $out.ckpt ]] && before=$(stat -c %i "$out.ckpt")
  # The pattern finds mpirun and its ranks alike (they carry the same arguments).
  local pattern="--output $PWD/$out --quiet --checkpoint-every"
  timeout 300 mpirun -np "$p" "$bin" run "$@" --output "$PWD/$out" --quiet --checkpoint-every 200ms --resume \
    >/dev/null 2>run.err &
  local pid=$! status=1
  for _ in $(seq 600); do
    if [[ -e $out.ckpt ]] && [[ $(stat -c %i "$out.ckpt") != "$before" ]]; then
      sleep 0.2
      status=0
      break
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  pkill -9 -f -- "$pattern"
  wait "$pid" 2>/dev/null
  while pgrep -f -- "$pattern" >/dev/null; do sleep 0.05; done
  return $status
}

# case NAME P_WRITE P_RESUME ARGS...
check_case() {
  local name=$1 pw=$2 pr=$3
  shift 3
  timeout 300 mpirun -np 1 "$bin" run "$@" --output "${name}_full.h5" --quiet || { fail "$name: uninterrupted run"; return; }
  if ! killed_run "$pw" "${name}.h5" "$@"; then fail "$name: the run ended before it could be killed"; return; fi
  [[ -e ${name}.h5.ckpt && ! -e ${name}.h5 ]] || { fail "$name: no checkpoint after the kill, or an output"; return; }
  timeout 300 mpirun -np "$pr" "$bin" run "$@" --output "${name}.h5" --quiet --resume || { fail "$name: resume on $pr ranks"; cat run.err; return; }
  compare "${name}_full.h5" "${name}.h5" || failures=$((failures + 1))
  [[ -z $(ls "${name}.h5.ckpt"* 2>/dev/null) ]] || fail "$name: checkpoint files left after the run"
}

long="--set simulation.duration_ms=20000"
delays=""
for k in 0 1 2 3; do delays+=" --set projection[$k].delay_ms=0.5 --set projection[$k].delay_max_ms=2.5"; done
ei="--set population.E.size=800 --set population.I.size=200 --set simulation.duration_ms=6000"
# shellcheck disable=SC2086
check_case held 1 3 "$examples/small_lif.toml" $long --set simulation.hold_kicks=on
# shellcheck disable=SC2086
check_case delays 3 2 "$examples/ei_theta.toml" $ei $delays --set population.E.model=lif --set population.I.model=lif \
  --set projection[0].j0=0.5 --set projection[1].j0=0.5 --set projection[2].j0=-3 --set projection[3].j0=-3
# shellcheck disable=SC2086
check_case poisson 1 2 "$examples/small_lif.toml" $long --set population.I.model=theta \
  --set population.I.poisson.rate_hz=300 --set population.I.poisson.weight=0.01
check_case structured 2 1 "$src/tests/cli/data/structured_ei.toml" --set simulation.duration_ms=8000

# Killed again and again: three kills, each resume on another number of ranks, then to the end.
ref="$examples/small_lif.toml"
# shellcheck disable=SC2086
timeout 300 "$bin" run "$ref" $long --output again_full.h5 --quiet
kills=0
for p in 2 1 3; do
  # shellcheck disable=SC2086
  killed_run "$p" again.h5 "$ref" $long && kills=$((kills + 1))
done
# shellcheck disable=SC2086
timeout 300 mpirun -np 2 "$bin" run "$ref" $long --output again.h5 --quiet --resume || fail "last resume"
[[ $kills -ge 2 ]] || fail "only $kills of 3 runs could be killed"
compare again_full.h5 again.h5 || failures=$((failures + 1))

# Refused checkpoints: another configuration, a truncated file, a foreign file. The output and the
# checkpoint stay as they are.
# shellcheck disable=SC2086
killed_run 1 refuse.h5 "$ref" $long || fail "refuse: the run ended before it could be killed"
echo previous >refuse.h5
cp refuse.h5.ckpt saved.ckpt
expect_refusal() {
  local text=$1
  shift
  local status=0
  "$bin" run "$@" --output refuse.h5 --quiet >out 2>err || status=$?
  if [[ $status -eq 0 ]] || ! grep -qF -- "$text" err || [[ $(cat refuse.h5) != previous ]]; then
    fail "refusal '$text' (exit $status): $(cat err)"
  else
    echo "ok refused: $(head -1 err)"
  fi
}
# shellcheck disable=SC2086
expect_refusal "written for another configuration (after --set): line" "$ref" $long --set simulation.seed=9 --resume
head -c 2000 saved.ckpt >truncated.ckpt
# shellcheck disable=SC2086
expect_refusal "cannot be read" "$ref" $long --resume truncated.ckpt
# shellcheck disable=SC2086
expect_refusal "incomplete, or not a sparsechaos checkpoint" "$ref" $long --resume again_full.h5
# shellcheck disable=SC2086
expect_refusal "no checkpoint 'missing.ckpt'" "$ref" $long --resume missing.ckpt
cmp -s saved.ckpt refuse.h5.ckpt || fail "a refused resume changed the checkpoint"
expect_refusal "--checkpoint-every 5 parsecs" "$ref" --checkpoint-every "5 parsecs"

[[ $failures -eq 0 ]] || exit 1
echo PASS
