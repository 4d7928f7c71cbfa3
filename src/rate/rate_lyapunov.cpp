#include "sparsechaos/rate/rate_lyapunov.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <span>

#include "sparsechaos/analysis/participation_ratio.hpp"
#include "sparsechaos/analysis/spectrum.hpp"

namespace sparsechaos::rate {
namespace {

std::int64_t exponents_of(const rate_lyapunov_spec& spec, const rate_model& model) {
    return spec.exponents ? std::int64_t(spec.exponents) : model.size();
}

analysis::accumulator_options options_of(const rate_lyapunov_spec& spec) {
    analysis::accumulator_options o;
    o.local_count = std::size_t(spec.local_exponents);
    return o;
}

}  // namespace

rate_lyapunov_tracker::rate_lyapunov_tracker(rate_model& model, const rate_lyapunov_spec& spec,
                                             double measuring_time_tau)
    : model_(&model),
      spec_(spec),
      step_s_(model.step_length() * model.spec().tau_ms * 1e-3),
      ons_(model.comm(), model.local_rows(), exponents_of(spec, model), spec.method),
      accumulator_(std::size_t(exponents_of(spec, model)), measuring_time_tau * model.spec().tau_ms * 1e-3,
                   options_of(spec)) {
    ons_.initialize_random(spec_.seed);
}

void rate_lyapunov_tracker::advance() {
    model_->tangent_step(ons_.bv());
    if (++steps_since_qr_ >= spec_.orthonormalize_every) orthonormalize();
}

void rate_lyapunov_tracker::start_measurement() {
    if (steps_since_qr_ > 0) orthonormalize();  // ends the ONS warm-up; not measured
    measuring_ = true;
}

void rate_lyapunov_tracker::finish() {
    if (steps_since_qr_ > 0) orthonormalize();
}

void rate_lyapunov_tracker::orthonormalize() {
    const std::span<const double> log_r = ons_.orthonormalize();
    const double duration = double(steps_since_qr_) * step_s_;
    steps_since_qr_ = 0;
    if (!measuring_) return;
    accumulator_.add_interval(log_r, duration);
    ++qr_steps_;
    largest_condition_bound_ = std::max(largest_condition_bound_, ons_.last_condition_bound());
    // Participation ratio of Q_1: local sums, then one reduction of the two sums.
    const auto local = analysis::local_participation_sums(
        std::span<const double>(ons_.column(0), std::size_t(ons_.local_rows())));
    double sums[2] = {local.sum2, local.sum4}, global[2] = {0.0, 0.0};
    MPI_Allreduce(sums, global, 2, MPI_DOUBLE, MPI_SUM, ons_.comm());
    pr_times_.push_back(accumulator_.elapsed());
    pr_values_.push_back(analysis::participation_ratio(analysis::participation_sums{global[0], global[1]}));
}

tangent::lyapunov_result rate_lyapunov_tracker::result(double warmup_tau, double ons_warmup_tau) const {
    const auto& acc = accumulator_;
    const rate_network_spec& net = model_->spec();
    tangent::lyapunov_result r;
    tangent::take_spectrum(r, acc);
    // The phase-space contraction (1/T) sum_steps ln|det M| would need a determinant of an
    // N x N matrix every step; it is not computed (NaN). The tests check the identity with
    // a serial reference instead (docs/rate_networks.md).
    r.contraction = std::numeric_limits<double>::quiet_NaN();
    // An autonomous flow that does not rest at a fixed point has one exponent that is exactly
    // zero (the direction dh/dt); the Euler and RK4 maps of the flow have it up to O(dt^p).
    // Time-dependent input and the discrete map have no such direction.
    const bool autonomous_flow = net.time == time_kind::continuous &&
                                 (net.input.kind == input_kind::none || net.input.amplitude == 0.0);
    r.network_spikes_per_s = 0.0;  // no spikes: bits per spike are 0
    tangent::derive_quantities(r, autonomous_flow);
    r.participation_times = pr_times_;
    r.participation = pr_values_;
    r.exponents_computed = std::uint64_t(ons_.columns());
    r.neurons = std::uint64_t(model_->size());
    r.qr_steps = qr_steps_;
    r.orthonormalize_every = spec_.orthonormalize_every;
    r.measuring_time_s = acc.elapsed();
    r.warmup_ms = warmup_tau * net.tau_ms;
    r.ons_warmup_ms = ons_warmup_tau * net.tau_ms;
    r.max_condition = 0.0;  // fixed interval
    r.method = std::string(tangent::to_string(spec_.method));
    r.layout = "column_major";  // the BV itself is advanced
    r.seed = spec_.seed;
    return r;
}

}  // namespace sparsechaos::rate
