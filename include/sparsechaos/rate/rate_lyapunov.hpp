#pragma once
// The Lyapunov spectrum of a rate network (docs/rate_networks.md; Engelken, Wolf & Abbott,
// arXiv:2006.02427): m tangent vectors in a SLEPc BV (tangent::orthonormal_system), advanced
// with the exact Jacobian of every step of the map (rate_model::tangent_step), re-orthonormalized
// every `orthonormalize_every` steps; ln|R_kk| go into analysis::lyapunov_accumulator.
//
// Use, after model.step(h, s, true) of every step from the start of the ONS warm-up on:
//   rate_lyapunov_tracker t(model, spec, measuring_time_tau);  // random orthonormal Q
//   ... t.advance() after each step ...                          // ONS warm-up
//   t.start_measurement();                                       // QR, then measure
//   ... t.advance() after each step ...
//   t.finish();                                                  // QR of the last partial interval
//   tangent::lyapunov_result r = t.result(warmup_tau, ons_warmup_tau);
//
// Times: the model's unit is tau; the accumulator and the result use seconds, with
// tau = spec.tau_ms (so exponents are in 1/s, as for spiking networks, and lambda * tau is the
// exponent in units of 1/tau the papers quote).
#include <cstdint>
#include <vector>

#include "sparsechaos/analysis/lyapunov_accumulator.hpp"
#include "sparsechaos/rate/model.hpp"
#include "sparsechaos/tangent/lyapunov_result.hpp"
#include "sparsechaos/tangent/orthonormal_system.hpp"

namespace sparsechaos::rate {

class rate_lyapunov_tracker {
public:
    // Collective. Q: m = spec.exponents (0: all N) random orthonormal columns keyed by
    // (spec.seed, unit, column). measuring_time_tau: the planned measurement, for the block
    // standard errors.
    rate_lyapunov_tracker(rate_model& model, const rate_lyapunov_spec& spec, double measuring_time_tau);

    // Collective. Q <- M Q for the step the model has just taken; QR when due.
    void advance();
    // Collective. QR now (ending the ONS warm-up) and measure from here on.
    void start_measurement();
    // Collective. QR of the steps since the last one, if any.
    void finish();

    bool measuring() const { return measuring_; }
    const analysis::lyapunov_accumulator& accumulator() const { return accumulator_; }
    tangent::orthonormal_system& ons() { return ons_; }
    std::uint64_t qr_steps() const { return qr_steps_; }
    // max_k |R_kk| / min_k |R_kk| over the measurement: a lower bound of the largest cond(Q) the
    // system reached between two QR steps (tangent::orthonormal_system::last_condition_bound).
    double largest_condition_bound() const { return largest_condition_bound_; }
    // Participation ratio of the leading Lyapunov vector Q_1 after every QR of the measurement
    // (as is: a rate network has no neutral direction to project out).
    const std::vector<double>& participation_times() const { return pr_times_; }
    const std::vector<double>& participation_ratios() const { return pr_values_; }

    // The spectrum and what follows from it (identical on every rank), in the layout
    // io::write_lyapunov writes.
    tangent::lyapunov_result result(double warmup_tau, double ons_warmup_tau) const;

private:
    void orthonormalize();

    rate_model* model_;
    rate_lyapunov_spec spec_;
    double step_s_;  // one step in seconds
    tangent::orthonormal_system ons_;
    analysis::lyapunov_accumulator accumulator_;
    bool measuring_ = false;
    std::uint64_t steps_since_qr_ = 0, qr_steps_ = 0;
    double largest_condition_bound_ = 1.0;
    std::vector<double> pr_times_, pr_values_;
};

}  // namespace sparsechaos::rate
