#pragma once
// External input I_i(t) of the local units of a rate network (docs/rate_networks.md):
//   none              I = bias
//   common_sine       I = bias + A sin(2 pi f t)                 the same for every unit
//   independent_sine  I = bias + A sin(2 pi f t + theta_i)       theta_i uniform in [0, 2 pi)
//   ou                I = bias + eta_i(t), Ornstein-Uhlenbeck with correlation time tau_c and
//                     stationary sd A, sampled exactly at the steps:
//                     eta(s+1) = e^{-dt/tau_c} eta(s) + A sqrt(1 - e^{-2 dt/tau_c}) xi_{i,s}
// theta_i, eta_i(0) and xi_{i,s} are pure functions of (input seed, unit, step), so the input
// does not depend on the number of ranks. The OU value is held over a step (all RK4 stages see
// eta(s)); sinusoids are evaluated at each stage's own time. The input is additive, so it does
// not enter the Jacobian.
#include <cstdint>
#include <vector>

#include "sparsechaos/rate/spec.hpp"

namespace sparsechaos::rate {

class input_drive {
public:
    // step_length: dt in tau (1 for the discrete map); the local units are
    // [row_begin, row_begin + local_rows).
    input_drive(const input_spec& spec, double step_length, std::uint64_t row_begin, std::int64_t local_rows);

    // True when I is the same constant (bias) for every unit at every time.
    bool constant() const { return spec_.kind == input_kind::none || spec_.amplitude == 0.0; }

    // out[l] = I of local unit l at time (step + fraction) * dt; fraction in [0, 1] (RK4 stages
    // use 0, 1/2, 1). The OU process moves forward only: `step` may repeat (a twin trajectory
    // asks for the same step) but never go back.
    void values(std::uint64_t step, double fraction, double* out);

private:
    void advance_ou_to(std::uint64_t step);

    input_spec spec_;
    double step_length_;
    std::uint64_t row_begin_;
    std::int64_t local_rows_;
    std::vector<double> phase_;  // independent_sine: theta_i
    std::vector<double> eta_;    // ou: eta_i(ou_step_)
    std::uint64_t ou_step_ = 0;
    double ou_decay_ = 0.0, ou_kick_ = 0.0;
};

}  // namespace sparsechaos::rate
