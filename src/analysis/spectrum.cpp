#include "sparsechaos/analysis/spectrum.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
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

void require_index(std::span<const double> lambda, std::optional<std::size_t> neutral) {
    if (neutral && *neutral >= lambda.size()) throw std::invalid_argument("neutral exponent index out of range");
}

bool counts_as_positive(std::span<const double> lambda, std::optional<std::size_t> neutral, std::size_t i) {
    return lambda[i] > 0.0 && neutral != i;
}

double positive_sum(std::span<const double> lambda, std::optional<std::size_t> neutral) {
    double h = 0.0;
    for (std::size_t i = 0; i < lambda.size(); ++i)
        if (counts_as_positive(lambda, neutral, i)) h += lambda[i];
    return h;
}

}  // namespace

std::optional<std::size_t> neutral_exponent(std::span<const double> lambda, std::span<const double> standard_errors) {
    require_descending(lambda);
    if (!standard_errors.empty() && standard_errors.size() != lambda.size())
        throw std::invalid_argument("neutral_exponent: one standard error per exponent");
    if (lambda.empty()) return std::nullopt;
    const auto closest = std::min_element(lambda.begin(), lambda.end(),
                                          [](double a, double b) { return std::abs(a) < std::abs(b); });
    const std::size_t c = std::size_t(closest - lambda.begin());
    const double size = std::abs(lambda[c]);
    if (!standard_errors.empty() && size <= 3.0 * standard_errors[c]) return c;
    double neighbour = std::numeric_limits<double>::infinity();
    if (c > 0) neighbour = std::min(neighbour, std::abs(lambda[c - 1]));
    if (c + 1 < lambda.size()) neighbour = std::min(neighbour, std::abs(lambda[c + 1]));
    // One exponent alone has no neighbour to be apart from: only an exact zero is neutral then.
    if (std::isinf(neighbour)) return size == 0.0 ? std::optional<std::size_t>(c) : std::nullopt;
    if (size <= 0.05 * neighbour) return c;
    return std::nullopt;
}

std::vector<double> with_neutral_zero(std::span<const double> lambda, std::optional<std::size_t> neutral) {
    require_index(lambda, neutral);
    std::vector<double> out(lambda.begin(), lambda.end());
    if (neutral) out[*neutral] = 0.0;
    return out;
}

std::size_t positive_count(std::span<const double> lambda, std::optional<std::size_t> neutral) {
    require_descending(lambda);
    require_index(lambda, neutral);
    std::size_t n = 0;
    for (std::size_t i = 0; i < lambda.size(); ++i) n += counts_as_positive(lambda, neutral, i) ? 1 : 0;
    return n;
}

entropy_rate ks_entropy(std::span<const double> lambda, double network_spikes_per_second,
                        std::optional<std::size_t> neutral) {
    require_descending(lambda);
    require_index(lambda, neutral);
    entropy_rate h;
    h.nats_per_second = positive_sum(lambda, neutral);
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

dimension_bounds dimensions(std::span<const double> lambda, std::optional<std::size_t> neutral) {
    const std::vector<double> corrected = with_neutral_zero(lambda, neutral);
    dimension_bounds d;
    d.kaplan_yorke = kaplan_yorke_dimension(corrected);
    d.positive = positive_count(lambda, neutral);
    d.kaplan_yorke_floor = std::size_t(std::floor(d.kaplan_yorke));
    // H / lambda_max bounds the dimension from below only where something expands.
    d.entropy_over_lambda_max = std::numeric_limits<double>::quiet_NaN();
    for (std::size_t i = 0; i < lambda.size(); ++i)
        if (counts_as_positive(lambda, neutral, i)) {
            d.entropy_over_lambda_max = positive_sum(lambda, neutral) / lambda[i];
            break;
        }
    return d;
}

}  // namespace sparsechaos::analysis
