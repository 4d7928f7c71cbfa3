#include "sparsechaos/analysis/spectrum.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <numbers>
#include <stdexcept>

namespace sparsechaos::analysis {

namespace {

void require_descending(std::span<const double> lambda) {
    if (!std::is_sorted(lambda.begin(), lambda.end(), std::greater<>{}))
        throw std::invalid_argument("Lyapunov exponents must be sorted in descending order");
    for (double l : lambda)
        if (!std::isfinite(l)) throw std::invalid_argument("Lyapunov exponents must be finite");
}

double positive_sum(std::span<const double> lambda, double zero_tolerance) {
    double h = 0.0;
    for (double l : lambda)
        if (l > zero_tolerance) h += l;
    return h;
}

}  // namespace

std::size_t positive_count(std::span<const double> lambda, double zero_tolerance) {
    require_descending(lambda);
    return std::size_t(std::count_if(lambda.begin(), lambda.end(), [&](double l) { return l > zero_tolerance; }));
}

entropy_rate ks_entropy(std::span<const double> lambda, double network_spikes_per_second, double zero_tolerance) {
    require_descending(lambda);
    entropy_rate h;
    h.nats_per_second = positive_sum(lambda, zero_tolerance);
    h.bits_per_second = h.nats_per_second / std::numbers::ln2;
    h.bits_per_spike = network_spikes_per_second > 0.0 ? h.bits_per_second / network_spikes_per_second : 0.0;
    return h;
}

double kaplan_yorke_dimension(std::span<const double> lambda) {
    require_descending(lambda);
    // Partial sums of a descending sequence rise, then fall for good once the terms are
    // negative, so the first k whose next partial sum is negative is the largest with S_k >= 0.
    double s = 0.0;
    for (std::size_t k = 0; k < lambda.size(); ++k) {
        if (s + lambda[k] < 0.0) return double(k) + s / std::abs(lambda[k]);
        s += lambda[k];
    }
    return double(lambda.size());
}

dimension_bounds dimensions(std::span<const double> lambda, double zero_tolerance) {
    dimension_bounds d;
    d.kaplan_yorke = kaplan_yorke_dimension(lambda);
    d.positive = positive_count(lambda, zero_tolerance);
    d.kaplan_yorke_floor = std::size_t(std::floor(d.kaplan_yorke));
    if (!lambda.empty() && lambda[0] > zero_tolerance)
        d.entropy_over_lambda_max = positive_sum(lambda, zero_tolerance) / lambda[0];
    return d;
}

}  // namespace sparsechaos::analysis
