#pragma once
// Tuning the drive of a network to a target mean rate before a run (docs/lyapunov.md,
// lyapunov.target_rate_hz): the reference networks of the Lyapunov papers fix the rate, not the
// drive.
#include <functional>

#include "sparsechaos/network/spec.hpp"
#include "sparsechaos/parallel/context.hpp"

namespace sparsechaos::runs {

// Scales every population's drive by one common factor until the network's mean rate over
// [tune_ms/5, tune_ms) is within 1 % of `target_hz` (bracketing, then regula falsi on log rate
// vs log factor; each step is a fresh run from the initial state). Collective over `ctx`;
// returns the factor. Throws std::runtime_error if 40 steps do not get there. `report` sees
// every step.
double tune_drive_factor(const network::network_spec& spec, parallel::context& ctx, double target_hz, double tune_ms,
                         const std::function<void(int step, double factor, double rate_hz)>& report = {});

// `spec` with every population's drive replaced by factor × its drive (given or balanced).
network::network_spec with_drive_factor(const network::network_spec& spec, double factor);

}  // namespace sparsechaos::runs
