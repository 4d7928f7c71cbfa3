#include "sparsechaos/network/sampling.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace sparsechaos::network {
namespace {

// δ(n) = ln n! − ln(√(2πn) (n/e)^n), the error of Stirling's formula (Loader 2000).
double stirling_error(double n) {
    if (n <= 15.0) {
        if (n == 0.0) return 0.0;  // not used by the pmf at 0, kept finite
        return std::lgamma(n + 1.0) - (n + 0.5) * std::log(n) + n - 0.5 * std::log(2.0 * std::numbers::pi);
    }
    constexpr double s0 = 1.0 / 12, s1 = 1.0 / 360, s2 = 1.0 / 1260, s3 = 1.0 / 1680, s4 = 1.0 / 1188;
    const double nn = n * n;
    if (n > 500) return (s0 - s1 / nn) / n;
    if (n > 80) return (s0 - (s1 - s2 / nn) / nn) / n;
    if (n > 35) return (s0 - (s1 - (s2 - s3 / nn) / nn) / nn) / n;
    return (s0 - (s1 - (s2 - (s3 - s4 / nn) / nn) / nn) / nn) / n;
}

// x ln(x/m) + m − x without cancellation when x ≈ m (Loader's deviance term).
double deviance(double x, double m) {
    if (std::abs(x - m) < 0.1 * (x + m)) {
        const double v = (x - m) / (x + m);
        double s = (x - m) * v, ej = 2.0 * x * v;
        const double v2 = v * v;
        for (int j = 1; j < 1000; ++j) {
            ej *= v2;
            const double s1 = s + ej / double(2 * j + 1);
            if (s1 == s) return s1;
            s = s1;
        }
        return s;
    }
    return x * std::log(x / m) + m - x;
}

// ln P(k; n, p) with q = 1 − p given separately (both may be tiny).
double log_binomial(double k, double n, double p, double q) {
    if (k == 0.0) return n == 0.0 ? 0.0 : n * std::log(q);
    if (k == n) return n * std::log(p);
    const double lc =
        stirling_error(n) - stirling_error(k) - stirling_error(n - k) - deviance(k, n * p) - deviance(n - k, n * q);
    const double lf = std::log(2.0 * std::numbers::pi) + std::log(k) + std::log1p(-k / n);
    return lc - 0.5 * lf;
}

// Inversion from the mode outwards: the pmf at the mode, then at each step the larger of the two
// neighbouring probabilities is added until the sum passes u. `up(k)` = P(k+1)/P(k) and
// `down(k)` = P(k−1)/P(k); [lo, hi] is the support.
template <class Up, class Down>
std::uint64_t modal_inversion(random_stream& rng, std::uint64_t mode, double log_p_mode, std::uint64_t lo,
                              std::uint64_t hi, Up up, Down down) {
    const double u = rng.uniform();
    const double f_mode = std::exp(log_p_mode);
    double sum = f_mode;
    if (u < sum) return mode;
    std::uint64_t k_up = mode, k_down = mode;
    double f_up = f_mode, f_down = f_mode;
    std::uint64_t last = mode;
    for (;;) {
        const double next_up = k_up < hi ? f_up * up(k_up) : 0.0;
        const double next_down = k_down > lo ? f_down * down(k_down) : 0.0;
        if (next_up == 0.0 && next_down == 0.0) return last;  // u beyond the rounded total
        if (next_up >= next_down) {
            f_up = next_up;
            last = ++k_up;
            sum += f_up;
        } else {
            f_down = next_down;
            last = --k_down;
            sum += f_down;
        }
        if (u < sum) return last;
    }
}

}  // namespace

double normal_cdf(double x) { return 0.5 * std::erfc(-x / std::numbers::sqrt2); }
double normal_upper(double x) { return 0.5 * std::erfc(x / std::numbers::sqrt2); }

double normal_upper_quantile(double q) {
    double lo = -40.0, hi = 40.0;  // normal_upper(lo) = 1 > q > 0 = normal_upper(hi)
    for (int i = 0; i < 200; ++i) {
        const double mid = 0.5 * (lo + hi);
        if (mid == lo || mid == hi) break;
        (normal_upper(mid) > q ? lo : hi) = mid;
    }
    return 0.5 * (lo + hi);
}

double bivariate_upper_orthant(double t, double rho) {
    // dP/dρ is the bivariate density at (t, t): exp(−t²/(1+ρ)) / (2π√(1−ρ²)); with ρ = sin θ the
    // integrand exp(−t²/(1 + sin θ))/(2π) is smooth on [−π/2, π/2]. Composite Simpson.
    rho = std::clamp(rho, -1.0, 1.0);
    const double q = normal_upper(t);
    const double end = std::asin(rho);
    constexpr int n = 2048;  // even
    const double h = end / n;
    auto f = [&](double th) {
        const double s = 1.0 + std::sin(th);
        return s > 0.0 ? std::exp(-t * t / s) : (t == 0.0 ? 1.0 : 0.0);
    };
    double sum = f(0.0) + f(end);
    for (int i = 1; i < n; ++i) sum += (i % 2 ? 4.0 : 2.0) * f(i * h);
    return q * q + sum * h / 3.0 / (2.0 * std::numbers::pi);
}

double log_binomial_pmf(std::uint64_t k, std::uint64_t n, double p) {
    if (k > n) return -INFINITY;
    if (p <= 0.0) return k == 0 ? 0.0 : -INFINITY;
    if (p >= 1.0) return k == n ? 0.0 : -INFINITY;
    return log_binomial(double(k), double(n), p, 1.0 - p);
}

double log_hypergeometric_pmf(std::uint64_t k, std::uint64_t total, std::uint64_t successes, std::uint64_t draws) {
    const std::uint64_t failures = total - successes;
    if (k > successes || k > draws || draws - k > failures) return -INFINITY;
    if (draws == 0 || draws == total) return 0.0;  // k is forced
    // P = b(k; K, p) b(n−k; N−K, p) / b(n; N, p) for any p; p = n/N keeps every term moderate.
    const double p = double(draws) / double(total), q = double(total - draws) / double(total);
    return log_binomial(double(k), double(successes), p, q) + log_binomial(double(draws - k), double(failures), p, q) -
           log_binomial(double(draws), double(total), p, q);
}

std::uint64_t binomial(random_stream& rng, std::uint64_t n, double p) {
    if (n == 0 || p <= 0.0) return 0;
    if (p >= 1.0) return n;
    const double q = 1.0 - p, odds = p / q;
    const std::uint64_t mode = std::min<std::uint64_t>(n, std::uint64_t(std::floor(double(n + 1) * p)));
    const double dn = double(n);
    return modal_inversion(
        rng, mode, log_binomial(double(mode), dn, p, q), 0, n,
        [&](std::uint64_t k) { return (dn - double(k)) / double(k + 1) * odds; },
        [&](std::uint64_t k) { return double(k) / (dn - double(k) + 1.0) / odds; });
}

std::uint64_t hypergeometric(random_stream& rng, std::uint64_t total, std::uint64_t successes, std::uint64_t draws) {
    const std::uint64_t failures = total - successes;
    const std::uint64_t lo = draws > failures ? draws - failures : 0, hi = std::min(draws, successes);
    if (lo == hi) return lo;
    const double N = double(total), K = double(successes), n = double(draws);
    std::uint64_t mode = std::uint64_t(std::floor((n + 1.0) * (K + 1.0) / (N + 2.0)));
    mode = std::clamp(mode, lo, hi);
    return modal_inversion(
        rng, mode, log_hypergeometric_pmf(mode, total, successes, draws), lo, hi,
        [&](std::uint64_t k) {
            const double x = double(k);
            return (K - x) * (n - x) / ((x + 1.0) * (N - K - n + x + 1.0));
        },
        [&](std::uint64_t k) {
            const double x = double(k);
            return x * (N - K - n + x) / ((K - x + 1.0) * (n - x + 1.0));
        });
}

}  // namespace sparsechaos::network
