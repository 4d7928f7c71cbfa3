#include "sparsechaos/tangent/lyapunov_result.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace sparsechaos::tangent {

void take_spectrum(lyapunov_result& r, const analysis::lyapunov_accumulator& acc) {
    const auto lambda = acc.exponents();
    const auto se = acc.standard_errors();
    std::vector<std::size_t> order(lambda.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return lambda[a] > lambda[b]; });
    r.exponents.clear();
    r.standard_errors.clear();
    for (std::size_t k : order) r.exponents.push_back(lambda[k]), r.standard_errors.push_back(se[k]);
    r.sum = acc.sum();
    r.local_times.assign(acc.times().begin(), acc.times().end());
    r.local_sum.assign(acc.local_sum().begin(), acc.local_sum().end());
    const std::size_t k_local = acc.local_count();
    r.local.assign(k_local, {});
    for (std::size_t i = 0; i < acc.intervals(); ++i)
        for (std::size_t k = 0; k < k_local; ++k) r.local[k].push_back(acc.local_exponents()[i * k_local + k]);
    r.convergence_lambda1.assign(acc.lambda1_running().begin(), acc.lambda1_running().end());
    r.convergence_sum.assign(acc.sum_running().begin(), acc.sum_running().end());
}

void derive_quantities(lyapunov_result& r, bool time_shift_symmetry) {
    r.neutral = time_shift_symmetry ? analysis::neutral_exponent(r.exponents, r.standard_errors) : std::nullopt;
    r.entropy = analysis::ks_entropy(r.exponents, r.network_spikes_per_s, r.neutral);
    r.dimensions = analysis::dimensions(r.exponents, r.neutral);
}

}  // namespace sparsechaos::tangent
