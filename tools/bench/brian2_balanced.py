#!/usr/bin/python3
"""Brian2 (cpp_standalone, clock-driven, dt = 0.1 ms) baseline for the sparse
balanced inhibitory networks that sparsechaos simulates exactly.

Run with the Debian Python that has python3-brian installed:

    /usr/bin/python3 tools/bench/brian2_balanced.py --model lif --n 100000 \
        [--k 100] [--duration-ms 5000] [--repeat 2] [--json out.json]

Network (SparseProp defaults, identical to sparsechaos' balanced network):
  one inhibitory population of N neurons, fixed in-degree K (K distinct random
  presynaptic partners per neuron, no autapses), J = -J0/sqrt(K), tau = 10 ms,
  I_ext = sqrt(K) * J0 * nu * tau  (nu in Hz, tau in s: = 0.1 for the defaults),
  no synaptic delay (Brian2: effect applied in the same time step).

  lif:    tau dV/dt = -V + I,  I = 1 + I_ext,  spike when V >= 1, reset V = 0,
          presynaptic spike: V += J.
  theta:  tau dtheta/dt = (1 - cos theta) + (1 + cos theta) I_ext,
          spike when theta > pi, reset theta -= 2 pi,
          presynaptic spike: theta -> 2 atan(tan(theta/2) + J)   (tan(theta/2) = V
          of the QIF tau dV/dt = V^2 + I_ext, whose V jumps by J).

Everything Brian2 generates (C++ project, objects, binary, results) goes under
--build-dir (default /tmp/brian2_bench/...), never into the repository.

Timing: the C++ main is instrumented (device.insert_code) with
clock_gettime(CLOCK_MONOTONIC) and std::clock() stamps, so the script reports
  * construction_s  - in the binary: initial values, synapse creation, spike-queue
                      preparation (everything between brian_start() and Network::run)
  * run_wall_s      - wall time of Network::run only (the simulation)
  * run_cpu_s       - process CPU time of Network::run (what Brian2 itself stores in
                      results/last_run_info.txt when built without OpenMP)
  * binary_wall_s   - the whole binary, including loading and writing results
  * python_s / compile_s - Brian2 code generation (Python) and make (not part of
                      the run; compile with default flags, single-threaded binary)
and us_per_spike = run_wall_s / spikes (also the CPU-time variant).
"""

import argparse
import json
import math
import os
import platform
import subprocess
import sys
import time

import numpy as np


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", choices=["lif", "theta"], required=True)
    p.add_argument("--n", type=int, required=True, help="number of neurons")
    p.add_argument("--k", type=int, default=100, help="fixed in-degree K (default 100)")
    p.add_argument("--duration-ms", type=float, default=None,
                   help="simulated time in ms (default 1000*max(lo, min(10, 5e5/N)), lo = 2 "
                        "for lif, 1 for theta: 5 s at N=1e5; 2 s (lif) / 1 s (theta) at N=1e6)")
    p.add_argument("--j0", type=float, default=1.0, help="J = -J0/sqrt(K) (default 1)")
    p.add_argument("--nu", type=float, default=1.0,
                   help="target rate in Hz of the balance condition (default 1)")
    p.add_argument("--tau-ms", type=float, default=10.0, help="membrane time constant (ms)")
    p.add_argument("--dt-ms", type=float, default=0.1, help="Brian2 time step (ms)")
    p.add_argument("--init", choices=["phase", "uniform"], default="phase",
                   help="initial state: uniform in phase (default) or uniform in V/theta")
    p.add_argument("--seed", type=int, default=1, help="Brian2 seed (connectivity + init)")
    p.add_argument("--repeat", type=int, default=1,
                   help="run the compiled binary this many times (same network/seed)")
    p.add_argument("--build-dir", default=None,
                   help="Brian2 project directory (default /tmp/brian2_bench/<model>_N<n>_K<k>_T<T>_s<seed>)")
    p.add_argument("--keep-results", action="store_true",
                   help="keep results/ (Brian2 dumps all arrays, incl. N*K synapse indices)")
    p.add_argument("--json", default=None, help="write the results as JSON to this file")
    a = p.parse_args(argv)
    if a.n < 2 or a.k < 1 or a.k > a.n - 1:
        p.error("need N >= 2 and 1 <= K <= N-1")
    if a.duration_ms is None:
        # >= 1e5 spikes at ~1 Hz and < ~3 min of run on one core: theta's state update
        # (a scalar cos per neuron and step) is ~20x dearer than LIF's.
        lo = 2.0 if a.model == "lif" else 1.0
        a.duration_ms = 1000.0 * max(lo, min(10.0, 5e5 / a.n))
    if a.build_dir is None:
        a.build_dir = "/tmp/brian2_bench/%s_N%d_K%d_T%g_s%d" % (a.model, a.n, a.k,
                                                                a.duration_ms, a.seed)
    return a


# C++ snippets inserted into Brian2's main.cpp (which already includes <ctime>,
# <time.h>, <fstream>, <iostream>).
_STAMP = """
struct timespec _sc_ts_{name}; clock_gettime(CLOCK_MONOTONIC, &_sc_ts_{name});
const double _sc_wall_{name} = _sc_ts_{name}.tv_sec + 1e-9 * _sc_ts_{name}.tv_nsec;
const double _sc_cpu_{name} = (double)std::clock() / CLOCKS_PER_SEC;
"""

_WRITE = """
{
    std::ofstream _sc_out("results/sparsechaos_timing.txt");
    _sc_out.precision(17);
    _sc_out << "after_init " << (_sc_wall_init - _sc_wall_start) << " " << (_sc_cpu_init - _sc_cpu_start) << std::endl;
    _sc_out << "after_connect " << (_sc_wall_connect - _sc_wall_start) << " " << (_sc_cpu_connect - _sc_cpu_start) << std::endl;
    _sc_out << "before_run " << (_sc_wall_before_run - _sc_wall_start) << " " << (_sc_cpu_before_run - _sc_cpu_start) << std::endl;
    _sc_out << "after_run " << (_sc_wall_after_run - _sc_wall_start) << " " << (_sc_cpu_after_run - _sc_cpu_start) << std::endl;
}
"""


def loadavg():
    with open("/proc/loadavg") as f:
        return [float(x) for x in f.read().split()[:3]]


def read_array(device, build_dir, variable):
    """Read a Brian2 array from the results/ directory written by the binary."""
    fn = os.path.join(build_dir, device.get_array_filename(variable))
    return np.fromfile(fn, dtype=variable.dtype)


def build(a):
    from brian2 import (set_device, device, prefs, defaultclock, seed, ms,
                        NeuronGroup, Synapses, SpikeMonitor, run)

    t0 = time.perf_counter()
    set_device("cpp_standalone", directory=a.build_dir, build_on_run=False)
    prefs.devices.cpp_standalone.openmp_threads = 0      # single thread (default)
    # Only limits the number of parallel compiler jobs on this shared 2-core machine;
    # the compiler flags themselves are Brian2's defaults.
    prefs.devices.cpp_standalone.extra_make_args_unix = ["-j2"]
    defaultclock.dt = a.dt_ms * ms
    seed(a.seed)

    K, N = a.k, a.n
    tau = a.tau_ms * ms
    J = -a.j0 / math.sqrt(K)
    I_ext = math.sqrt(K) * a.j0 * a.nu * (a.tau_ms / 1000.0)
    if not I_ext > 0:
        raise SystemExit("I_ext must be > 0")

    device.insert_code("main", _STAMP.format(name="start"))
    if a.model == "lif":
        I = 1.0 + I_ext
        omega = 1.0 / math.log1p(1.0 / I_ext)
        G = NeuronGroup(N, "dv/dt = (-v + I)/tau : 1", threshold="v >= 1",
                        reset="v = 0", method="exact",
                        namespace={"I": I, "tau": tau, "I_init": I, "omega_init": omega})
        if a.init == "phase":
            # phase phi ~ U[0,1): V = I (1 - exp(-phi/omega))
            G.v = "I_init*(1 - exp(-rand()/omega_init))"
        else:
            G.v = "rand()"
        on_pre = "v += J"
    else:
        G = NeuronGroup(N, "dtheta/dt = ((1 - cos(theta)) + (1 + cos(theta))*I_ext)/tau : 1",
                        threshold="theta > pi", reset="theta -= 2*pi", method="euler",
                        namespace={"I_ext": I_ext, "tau": tau,
                                   "sqrt_I_init": math.sqrt(I_ext)})
        if a.init == "phase":
            # uniform phase psi ~ U(-pi,pi): tan(theta/2) = sqrt(I_ext) tan(psi/2)
            G.theta = "2*arctan(sqrt_I_init*tan(pi*(rand() - 0.5)))"
        else:
            G.theta = "pi*(2*rand() - 1)"
        # V = tan(theta/2) jumps by J.  Brian2 applies synaptic effects *before* the
        # reset, so a neuron that crossed pi in this step still has theta in (pi, 3pi);
        # tan is 2pi-periodic in theta, and the +2pi keeps it on the far side of the
        # threshold so that the reset (theta -= 2pi) lands on the kicked value.
        on_pre = "theta = 2*arctan(tan(theta/2) + J) + 2*pi*int(theta > pi)"
    device.insert_code("main", _STAMP.format(name="init"))

    # delay=0*ms: a scalar pathway delay (no per-synapse delay array), effect in the
    # same time step.  J is a namespace constant (no per-synapse weight array).
    S = Synapses(G, G, on_pre=on_pre, delay=0 * ms, namespace={"J": J})
    # Fixed in-degree: for every post j, K distinct pre k' from {0..N-2}, shifted past j
    # (no autapses).  Generated in C++ (Brian2's sample(..., size=K) uses a set for
    # K/N < 0.06), so no N*K index arrays travel through Python or disk.
    S.connect(i="k + int(k >= j) for k in sample(N_pre - 1, size=K_in)",
              namespace={"K_in": K})
    device.insert_code("main", _STAMP.format(name="connect"))

    mon = SpikeMonitor(G, record=False)  # spike count only (count[N] + N)

    device.insert_code("before_network_run", _STAMP.format(name="before_run"))
    device.insert_code("after_network_run", _STAMP.format(name="after_run") + _WRITE)
    run(a.duration_ms * ms)
    # Generate and compile (default compiler flags); the binary is run by main() so
    # that each repetition is timed on its own.
    device.build(directory=a.build_dir, compile=True, run=False)
    t2 = time.perf_counter()
    make_s = (device.timers.get("compile", {}).get("make") or 0.0) + \
        (device.timers.get("compile", {}).get("clean") or 0.0)
    return device, G, mon, dict(J=J, I_ext=I_ext, python_s=t2 - t0 - make_s, compile_s=make_s)


def main(argv=None):
    a = parse_args(argv)
    os.makedirs(a.build_dir, exist_ok=True)
    device, G, mon, info = build(a)
    var = "v" if a.model == "lif" else "theta"

    binary = os.path.join(a.build_dir, "main")
    if not os.path.exists(binary):
        raise SystemExit("build failed: no binary at " + binary)
    runs = []
    for rep in range(a.repeat):
        la = loadavg()
        t0 = time.perf_counter()
        proc = subprocess.run(["./main"], cwd=a.build_dir, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
        bin_wall = time.perf_counter() - t0
        la_after = loadavg()
        if proc.returncode != 0:
            sys.stderr.write(proc.stdout)
            raise SystemExit("binary failed with code %d" % proc.returncode)
        stamps = {}
        with open(os.path.join(a.build_dir, "results", "sparsechaos_timing.txt")) as f:
            for line in f:
                k, w, c = line.split()
                stamps[k] = (float(w), float(c))
        with open(os.path.join(a.build_dir, "results", "last_run_info.txt")) as f:
            brian_run_time, completed = (float(x) for x in f.read().split())
        spikes = int(read_array(device, a.build_dir, mon.variables["N"])[0])
        state = read_array(device, a.build_dir, G.variables[var])
        finite = bool(np.all(np.isfinite(state)))
        state_range = [float(np.min(state)), float(np.max(state))]
        run_wall = stamps["after_run"][0] - stamps["before_run"][0]
        run_cpu = stamps["after_run"][1] - stamps["before_run"][1]
        T = a.duration_ms / 1000.0
        r = dict(
            rep=rep,
            loadavg_before=la, loadavg_after=la_after,
            spikes=spikes,
            rate_hz=spikes / (a.n * T),
            run_wall_s=run_wall,
            run_cpu_s=run_cpu,
            brian2_last_run_time_s=brian_run_time,
            completed_fraction=completed,
            us_per_spike_wall=1e6 * run_wall / spikes if spikes else float("nan"),
            us_per_spike_cpu=1e6 * run_cpu / spikes if spikes else float("nan"),
            init_s=stamps["after_init"][0],
            connect_s=stamps["after_connect"][0] - stamps["after_init"][0],
            construction_s=stamps["before_run"][0],
            binary_wall_s=bin_wall,
            final_state_finite=finite,
            final_state_range=state_range,
        )
        runs.append(r)
        print("[%s N=%d K=%d T=%gs rep %d] load %s | spikes %d rate %.3f Hz | run %.2f s wall "
              "(%.2f s cpu) = %.3f us/spike (%.3f cpu) | construction %.2f s (connect %.2f s) "
              "| binary %.2f s" % (a.model, a.n, a.k, T, rep, " ".join("%.2f" % x for x in la),
                                   spikes, r["rate_hz"], run_wall, run_cpu,
                                   r["us_per_spike_wall"], r["us_per_spike_cpu"],
                                   r["construction_s"], r["connect_s"], bin_wall), flush=True)
        if not a.keep_results:
            # Brian2 dumps every array (N*K synapse indices: 800 MB at N=1e6); the
            # numbers we need have been read.
            for fn in os.listdir(os.path.join(a.build_dir, "results")):
                if fn.startswith("_dynamic_array_synapses"):
                    os.remove(os.path.join(a.build_dir, "results", fn))

    out = dict(
        simulator="brian2 %s cpp_standalone" % __import__("brian2").__version__,
        model=a.model, n=a.n, k=a.k, j0=a.j0, J=info["J"], nu_hz=a.nu, tau_ms=a.tau_ms,
        I_ext=info["I_ext"], dt_ms=a.dt_ms, duration_ms=a.duration_ms, init=a.init,
        seed=a.seed, build_dir=a.build_dir, python_s=info["python_s"],
        compile_s=info["compile_s"], host=platform.node(), runs=runs,
    )
    if a.json:
        with open(a.json, "w") as f:
            json.dump(out, f, indent=2)
    return out


if __name__ == "__main__":
    main()
