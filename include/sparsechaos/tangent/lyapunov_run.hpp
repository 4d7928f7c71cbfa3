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

#include "sparsechaos/analysis/spectrum.hpp"
#include "sparsechaos/engine/simulation.hpp"
#include "sparsechaos/network/spec.hpp"
#include "sparsechaos/tangent/lyapunov_tracker.hpp"

namespace sparsechaos::tangent {

// Everything /lyapunov holds (io::write_lyapunov), identical on every rank.
struct lyapunov_result {
    std::vector<double> exponents, standard_errors;  // descending (errors follow their exponents)
    double sum = 0.0, contraction = 0.0;             // Σ λ_k and (1/T) Σ ln d_i
    double zero_tolerance = 0.0;  // |λ| at or below this counts as zero (the time-shift exponent)
    analysis::entropy_rate entropy;
    analysis::dimension_bounds dimensions;
    std::vector<double> local_times, local_sum;
    std::vector<std::vector<double>> local;  // local[k][interval]: λ_{k+1} of each QR interval
    std::vector<double> convergence_lambda1, convergence_sum;  // at local_times
    std::vector<double> participation_times, participation;
    // Settings and facts.
    std::uint64_t exponents_computed = 0, neurons = 0, qr_steps = 0, orthonormalize_every = 0;
    double measuring_time_s = 0.0, warmup_ms = 0.0, ons_warmup_ms = 0.0, max_condition = 0.0;
    double network_spikes_per_s = 0.0;
    std::string method, layout;
    std::uint64_t seed = 0;
    std::optional<double> target_rate_hz, tuned_drive_factor;
};

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

// `spec` with every population's drive replaced by factor × its drive (given or balanced).
network::network_spec with_drive_factor(const network::network_spec& spec, double factor);

}  // namespace sparsechaos::tangent
