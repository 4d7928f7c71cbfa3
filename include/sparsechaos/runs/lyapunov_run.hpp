#pragma once
// A Lyapunov run of a zero-delay network (docs/lyapunov.md): trajectory warm-up, warm-up of the
// orthonormal system, measurement; then the spectrum and what follows from it.
//
//   [0, warmup)                       the network alone
//   [warmup, warmup + ons_warmup)     tangent space on, QR steps, exponents discarded
//   [warmup + ons_warmup, duration)   measurement
#include <functional>

#include "sparsechaos/engine/simulation.hpp"
#include "sparsechaos/network/spec.hpp"
#include "sparsechaos/tangent/lyapunov_result.hpp"
#include "sparsechaos/tangent/lyapunov_tracker.hpp"

namespace sparsechaos::runs {

// Runs `sim` (built from `spec`) from its current time through the three phases, handing spikes
// to `obs`. Collective over the simulation's context. `on_tracker` (optional) sees the tracker
// once it exists, e.g. to show the running λ_1 in the progress line.
tangent::lyapunov_result run_lyapunov(engine::simulation& sim, const network::network_spec& spec,
                                      engine::observer* obs, double progress_interval_s,
                                      const std::function<void(const tangent::lyapunov_tracker*)>& on_tracker = {});

// Throws std::invalid_argument, naming the key, when the run cannot go on `n_ranks` ranks (TSQR
// with a rank that owns no neuron, Q beyond PETSc's index range). Called before anything long
// happens.
void check_lyapunov_ranks(const network::network_spec& spec, int n_ranks);

}  // namespace sparsechaos::runs
