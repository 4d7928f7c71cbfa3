#pragma once
// Transfer functions phi and their derivatives phi' (the diagonal of the Jacobian's
// diag(phi'(h)) factor). Pure functions; the kinks of the piecewise-linear ones take the
// derivative of the flat side (phi'(0) = 0 for relu), a set of measure zero on a trajectory.
#include <algorithm>
#include <cmath>

#include "sparsechaos/rate/spec.hpp"

namespace sparsechaos::rate {

// tanh(x); relu: max(0, x); threshold_linear: min(max(x, 0), 1), linear between a threshold
// at 0 and saturation at 1.
inline double phi(transfer_function f, double x) {
    switch (f) {
    case transfer_function::tanh: return std::tanh(x);
    case transfer_function::relu: return x > 0.0 ? x : 0.0;
    case transfer_function::threshold_linear: return std::clamp(x, 0.0, 1.0);
    }
    return 0.0;
}

// phi'(x). For tanh 1 - tanh^2, computed from tanh(x) so phi and phi' agree to rounding.
inline double phi_prime(transfer_function f, double x) {
    switch (f) {
    case transfer_function::tanh: {
        const double t = std::tanh(x);
        return 1.0 - t * t;
    }
    case transfer_function::relu: return x > 0.0 ? 1.0 : 0.0;
    case transfer_function::threshold_linear: return x > 0.0 && x < 1.0 ? 1.0 : 0.0;
    }
    return 0.0;
}

}  // namespace sparsechaos::rate
