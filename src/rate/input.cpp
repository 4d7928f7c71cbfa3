#include "sparsechaos/rate/input.hpp"

#include <cmath>
#include <numbers>
#include <stdexcept>
#include <string>

#include "sparsechaos/rate/streams.hpp"

namespace sparsechaos::rate {

input_drive::input_drive(const input_spec& spec, double step_length, std::uint64_t row_begin, std::int64_t local_rows)
    : spec_(spec), step_length_(step_length), row_begin_(row_begin), local_rows_(local_rows) {
    if (spec_.kind == input_kind::independent_sine) {
        phase_.resize(std::size_t(local_rows));
        for (std::int64_t l = 0; l < local_rows; ++l) {
            auto rng = make_stream(spec_.seed, stream::input_phase, row_begin + std::uint64_t(l));
            phase_[std::size_t(l)] = 2.0 * std::numbers::pi * rng.uniform();
        }
    }
    if (spec_.kind == input_kind::ou) {
        if (!(spec_.correlation_time > 0)) throw std::invalid_argument("input: the OU correlation time must be > 0");
        const double a = step_length / spec_.correlation_time;
        ou_decay_ = std::exp(-a);
        // sqrt(1 - e^{-2a}) without cancellation for small a.
        ou_kick_ = spec_.amplitude * std::sqrt(-std::expm1(-2.0 * a));
        eta_.resize(std::size_t(local_rows));
        for (std::int64_t l = 0; l < local_rows; ++l) {
            auto rng = make_stream(spec_.seed, stream::ou_initial, row_begin + std::uint64_t(l));
            eta_[std::size_t(l)] = spec_.amplitude * standard_normal(rng);  // stationary start
        }
    }
}

void input_drive::advance_ou_to(std::uint64_t step) {
    if (step < ou_step_)
        throw std::logic_error("input_drive: OU input asked for step " + std::to_string(step) + " after step " +
                               std::to_string(ou_step_));
    for (; ou_step_ < step; ++ou_step_) {
        for (std::int64_t l = 0; l < local_rows_; ++l) {
            auto rng = make_stream(spec_.seed, stream::ou_noise, row_begin_ + std::uint64_t(l));
            rng.seek(2 * ou_step_);  // draws 2s, 2s + 1: random access by step
            double& eta = eta_[std::size_t(l)];
            eta = ou_decay_ * eta + ou_kick_ * standard_normal(rng);
        }
    }
}

void input_drive::values(std::uint64_t step, double fraction, double* out) {
    const double bias = spec_.bias;
    if (constant()) {
        for (std::int64_t l = 0; l < local_rows_; ++l) out[l] = bias;
        return;
    }
    const double two_pi = 2.0 * std::numbers::pi;
    if (spec_.kind == input_kind::ou) {
        advance_ou_to(step);
        for (std::int64_t l = 0; l < local_rows_; ++l) out[l] = bias + eta_[std::size_t(l)];
        return;
    }
    // f t reduced to [0, 1) before the sine: t grows without bound, the phase must not lose
    // digits with it. t = (step + fraction) dt is a product of exact step counts.
    const double cycles = spec_.frequency * ((double(step) + fraction) * step_length_);
    const double angle = two_pi * (cycles - std::floor(cycles));
    if (spec_.kind == input_kind::common_sine) {
        const double v = bias + spec_.amplitude * std::sin(angle);
        for (std::int64_t l = 0; l < local_rows_; ++l) out[l] = v;
        return;
    }
    for (std::int64_t l = 0; l < local_rows_; ++l) out[l] = bias + spec_.amplitude * std::sin(angle + phase_[std::size_t(l)]);
}

}  // namespace sparsechaos::rate
