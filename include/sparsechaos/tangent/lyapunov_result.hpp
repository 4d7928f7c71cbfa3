#pragma once
// The result of a Lyapunov run, spiking or rate network: what /lyapunov holds
// (io::write_lyapunov, docs/lyapunov.md), and the steps both kinds of run share to fill it.
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "sparsechaos/analysis/lyapunov_accumulator.hpp"
#include "sparsechaos/analysis/spectrum.hpp"

namespace sparsechaos::tangent {

// Everything /lyapunov holds (io::write_lyapunov), identical on every rank.
struct lyapunov_result {
    std::vector<double> exponents, standard_errors;  // descending (errors follow their exponents)
    double sum = 0.0, contraction = 0.0;             // Σ λ_k and (1/T) Σ ln d_i
    // The estimate of the exactly-zero exponent of the time-shift direction (analysis/spectrum.hpp),
    // as an index into `exponents`; every derived quantity counts it as zero.
    std::optional<std::size_t> neutral;
    analysis::entropy_rate entropy;
    analysis::dimension_bounds dimensions;
    std::vector<double> local_times, local_sum;
    std::vector<std::vector<double>> local;  // local[k][interval]: λ_{k+1} of each QR interval
    std::vector<double> convergence_lambda1, convergence_sum;  // at local_times
    std::vector<double> participation_times, participation;
    // Network spikes of every QR interval of the measurement and cond(Q) before each QR step
    // (spiking runs; empty for rate networks).
    std::vector<std::uint64_t> intervals;
    std::vector<double> conditions;
    // Settings and facts.
    std::uint64_t exponents_computed = 0, neurons = 0, qr_steps = 0, orthonormalize_every = 0;
    double measuring_time_s = 0.0, warmup_ms = 0.0, ons_warmup_ms = 0.0, max_condition = 0.0;
    double network_spikes_per_s = 0.0;
    std::string method, layout;
    std::uint64_t seed = 0;
    std::optional<double> target_rate_hz, tuned_drive_factor;
    std::optional<double> warmup_spikes_per_neuron, ons_warmup_spikes_per_neuron;  // when given so
};

// The spectrum from the accumulator: exponents in descending order with their standard errors,
// their sum, and the series of local exponents, local sums and running estimates.
void take_spectrum(lyapunov_result& r, const analysis::lyapunov_accumulator& acc);

// Finds the neutral exponent (when the system has a time-shift direction), then the KS entropy
// and dimension bounds from r.exponents, r.standard_errors and r.network_spikes_per_s.
void derive_quantities(lyapunov_result& r, bool time_shift_symmetry);

}  // namespace sparsechaos::tangent
