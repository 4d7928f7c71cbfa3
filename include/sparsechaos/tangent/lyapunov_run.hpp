#pragma once
// A Lyapunov run of a zero-delay network (docs/lyapunov.md): trajectory warm-up, warm-up of the
// orthonormal system, measurement; then the spectrum and what follows from it.
//
//   [0, warmup)                       the network alone
//   [warmup, warmup + ons_warmup)     tangent space on, QR steps, exponents discarded
//   [warmup + ons_warmup, duration)   measurement
#include <mpi.h>

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "sparsechaos/engine/simulation.hpp"
#include "sparsechaos/network/spec.hpp"
#include "sparsechaos/tangent/lyapunov_result.hpp"
#include "sparsechaos/tangent/lyapunov_tracker.hpp"

namespace sparsechaos::tangent {

// Runs `sim` (built from `spec`, distributed if needed) from its current time through the
// three phases, handing spikes to `obs`. Collective over `comm`. `on_tracker` (optional) sees the
// tracker once it exists, e.g. to show the running λ_1 in the progress line.
lyapunov_result run_lyapunov(engine::simulation& sim, const network::network_spec& spec, MPI_Comm comm,
                             engine::observer* obs, double progress_interval_s,
                             const std::function<void(const lyapunov_tracker*)>& on_tracker = {});

// Scales every population's drive by one common factor until the network's mean rate over
// [tune_ms/5, tune_ms) is within 1 % of `target_hz` (bracketing, then regula falsi on log rate
// vs log factor; each step is a fresh run from the initial state). Collective; returns the
// factor. Throws std::runtime_error if 40 steps do not get there. `report` sees every step.
double tune_drive_factor(const network::network_spec& spec, MPI_Comm comm, double target_hz, double tune_ms,
                         const std::function<void(int step, double factor, double rate_hz)>& report = {});

// Throws std::invalid_argument, naming the key, when the run cannot go on `n_ranks` ranks (TSQR
// with a rank that owns no neuron). Called before anything long happens.
void check_lyapunov_ranks(const network::network_spec& spec, int n_ranks);

// `spec` with every population's drive replaced by factor × its drive (given or balanced).
network::network_spec with_drive_factor(const network::network_spec& spec, double factor);

}  // namespace sparsechaos::tangent
