#!/usr/bin/env python3
"""Byte-for-byte comparison of sparsechaos outputs between two builds.

    compare_runs.py run BINARY OUTDIR [--ranks 1 3] [--only NAME ...]
    compare_runs.py diff DIR_A DIR_B

`run` runs every case below (the examples and the command-line test cases: every model, zero delay,
delays, Poisson input, held kicks, procedural connectivity, Lyapunov and rate networks) with
BINARY on each rank count and writes OUTDIR/<case>_np<P>.h5. `diff` compares every file of DIR_A
with its namesake in DIR_B: every dataset's bytes, shape and type and every attribute, except
what differs from run to run by nature (wall times, timers, creation date, command line, the
git revision and version of the build). It prints one line per file and exits 1 if any differs.

Refactorings that must not change a single output bit are checked with it (docs/design.md):

    compare_runs.py run old/sparsechaos before && compare_runs.py run build/sparsechaos after
    compare_runs.py diff before after

Needs h5py and numpy (Debian: python3-h5py, python3-numpy; run it with /usr/bin/python3).
"""
import argparse
import os
import subprocess
import sys

import h5py
import numpy as np

SOURCE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXAMPLES = os.path.join(SOURCE, "examples")

# Attributes and datasets whose values are wall times, dates or build identifiers.
VOLATILE = {"created", "build_wall_s", "run_wall_s", "command_line", "git_revision", "version", "blas", "blas_threads"}
VOLATILE_PATHS = ("/meta/timers",)


def cases():
    ex = lambda name: os.path.join(EXAMPLES, name)  # noqa: E731
    ei = ["--set", "population.E.size=800", "--set", "population.I.size=200", "--set", "simulation.duration_ms=300"]
    delays = []
    for k in range(4):
        delays += ["--set", f"projection[{k}].delay_ms=0.5", "--set", f"projection[{k}].delay_max_ms=2.5"]
    lif_ei = ["--set", "population.E.model=lif", "--set", "population.I.model=lif"]
    strong = ["--set", "projection[0].j0=0.5", "--set", "projection[1].j0=0.5", "--set", "projection[2].j0=-3",
              "--set", "projection[3].j0=-3"]
    outdegree = ["--set", "projection[0].rule=fixed_outdegree", "--unset", "projection[0].indegree",
                 "--set", "projection[0].outdegree=100", "--set", "simulation.connectivity=procedural"]
    small = ex("small_lif.toml")
    yield "balanced_lif", [ex("balanced_lif.toml")]
    yield "balanced_theta", [ex("balanced_theta.toml")]
    yield "ei_theta", [ex("ei_theta.toml")]
    yield "small_lif", [small]
    yield "lyapunov_lif", [ex("lyapunov_lif.toml")]
    yield "lyapunov_theta", [ex("lyapunov_theta.toml")]
    yield "lyapunov_theta_er", [ex("lyapunov_theta_er.toml")]
    yield "rate_gaussian_g4", [ex("rate/gaussian_g4.toml"), "--set", "rate_network.duration=240"]
    yield "rate_g_sweep", [ex("rate/g_sweep.toml")]
    yield "rate_input_sweep", [ex("rate/input_sweep.toml")]
    yield "lif_held_kicks", [small, "--set", "simulation.hold_kicks=on"]
    yield "lif_held_jitter", [small, "--set", "simulation.hold_kicks=on", "--set", "population.I.drive.jitter=0.3",
                              "--set", "simulation.duration_ms=5000"]
    yield "lif_procedural", [small] + outdegree + ["--set", "population.I.drive.jitter=0.3"]
    yield "theta_jitter", [small, "--set", "population.I.model=theta", "--set", "population.I.drive.jitter=0.3"]
    yield "rapid_theta", [small, "--set", "population.I.model=rapid_theta", "--set", "population.I.rapidness=10"]
    yield "eif", [small, "--set", "population.I.model=eif"]
    yield "ei_theta_jitter", [ex("ei_theta.toml")] + ei + ["--set", "population.E.drive.jitter=0.2"]
    yield "ei_lif_cascades", [ex("ei_theta.toml")] + ei + lif_ei + [
        "--set", "projection[0].j0=0.08", "--set", "projection[1].j0=0.08", "--set", "projection[2].j0=-3",
        "--set", "projection[3].j0=-3"]
    yield "lif_delay", [small, "--set", "projection[0].delay_ms=1.5"]
    yield "lif_delay_procedural", [small] + outdegree + ["--set", "projection[0].delay_ms=0.8"]
    yield "ei_theta_uniform_delays", [ex("ei_theta.toml")] + ei + delays
    yield "ei_lif_uniform_delays", [ex("ei_theta.toml")] + ei + delays + lif_ei + strong
    yield "lif_poisson_inhibitory", [small, "--set", "population.I.poisson.rate_hz=300",
                                     "--set", "population.I.poisson.weight=-0.02"]
    yield "theta_poisson_excitatory", [small, "--set", "population.I.model=theta",
                                       "--set", "population.I.poisson.rate_hz=300",
                                       "--set", "population.I.poisson.weight=0.01"]
    yield "ei_lif_poisson_delays", [ex("ei_theta.toml")] + ei + delays + lif_ei + strong + [
        "--set", "population.E.poisson.rate_hz=200", "--set", "population.E.poisson.weight=0.02"]
    reference = [ex("lyapunov_theta.toml"), "--set", "population.I.size=60", "--set", "projection[0].indegree=15",
                 "--set", "simulation.duration_ms=6000", "--set", "lyapunov.exponents=20",
                 "--set", "lyapunov.target_rate_hz=8", "--set", "lyapunov.tune_ms=3000"]
    yield "lyapunov_cholesky", reference + ["--set", "lyapunov.method=cholesky", "--set", "lyapunov.max_condition=100",
                                            "--set", "lyapunov.orthonormalize_every=40"]
    yield "lyapunov_cgs_columns", reference + ["--set", "lyapunov.method=cgs", "--set", "lyapunov.layout=column_major"]
    yield "lyapunov_poisson", reference + ["--set", "population.I.poisson.rate_hz=100",
                                           "--set", "population.I.poisson.weight=-0.05"]


def run(binary, outdir, ranks, only):
    os.makedirs(outdir, exist_ok=True)
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
               OMPI_MCA_rmaps_base_oversubscribe="1", OPENBLAS_NUM_THREADS="1")
    failed = 0
    for name, args in cases():
        if only and name not in only:
            continue
        for p in ranks:
            out = os.path.join(outdir, f"{name}_np{p}.h5")
            cmd = ["mpirun", "-np", str(p), binary, "run"] + args + ["--output", out, "--quiet"]
            r = subprocess.run(cmd, env=env, capture_output=True, text=True)
            status = "ok" if r.returncode == 0 else f"FAILED ({r.returncode}): {r.stderr.strip()[-300:]}"
            failed += r.returncode != 0
            print(f"{name} np{p}: {status}", flush=True)
    return 1 if failed else 0


def items(f):
    """Every dataset and attribute of an open file: {path: value}."""
    out = {}

    def visit(name, obj):
        path = "/" + name
        if any(path.startswith(v) for v in VOLATILE_PATHS):
            return
        if isinstance(obj, h5py.Dataset):
            data = obj[()]
            out[path] = (str(obj.dtype), np.shape(data), np.asarray(data).tobytes() if obj.dtype.kind != "O"
                         else repr(data))
        for k, v in obj.attrs.items():
            if k not in VOLATILE:
                out[f"{path}@{k}"] = repr(v)

    for k, v in f.attrs.items():
        out[f"/@{k}"] = repr(v)
    f.visititems(visit)
    return out


def diff(dir_a, dir_b):
    names = sorted(n for n in os.listdir(dir_a) if n.endswith(".h5"))
    bad = 0
    for n in names:
        pb = os.path.join(dir_b, n)
        if not os.path.exists(pb):
            print(f"{n}: missing in {dir_b}")
            bad += 1
            continue
        with h5py.File(os.path.join(dir_a, n), "r") as fa, h5py.File(pb, "r") as fb:
            a, b = items(fa), items(fb)
        differ = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
        if differ:
            bad += 1
            print(f"{n}: DIFFERS in {len(differ)} item(s): " + ", ".join(differ[:8]))
        else:
            print(f"{n}: identical ({len(a)} datasets and attributes)")
    print(f"{len(names) - bad} of {len(names)} files identical")
    return 1 if bad else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run")
    r.add_argument("binary")
    r.add_argument("outdir")
    r.add_argument("--ranks", type=int, nargs="+", default=[1, 3])
    r.add_argument("--only", nargs="*", default=[])
    d = sub.add_parser("diff")
    d.add_argument("dir_a")
    d.add_argument("dir_b")
    a = ap.parse_args()
    if a.command == "run":
        sys.exit(run(os.path.abspath(a.binary), a.outdir, a.ranks, a.only))
    sys.exit(diff(a.dir_a, a.dir_b))


if __name__ == "__main__":
    main()
