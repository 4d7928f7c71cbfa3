// The random variates behind the connection rules: each against its exact distribution.
// Tolerances are stated as multiples of the statistic's own standard error (5 s.e. unless said),
// so a correct sampler fails with probability below 1e-6 per check, and a biased one fails.
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <vector>

#include "sparsechaos/network/sampling.hpp"

namespace sc = sparsechaos::network;

namespace {

// Pearson's chi-square of observed counts against probabilities (cells with expectation < 5
// pooled into their neighbour), and its degrees of freedom.
std::pair<double, int> chi_square(const std::vector<double>& observed, const std::vector<double>& probability,
                                  double draws) {
    double chi = 0.0, o = 0.0, e = 0.0;
    int cells = 0;
    for (std::size_t k = 0; k < observed.size(); ++k) {
        o += observed[k];
        e += probability[k] * draws;
        if (e >= 5.0) {
            chi += (o - e) * (o - e) / e;
            ++cells;
            o = e = 0.0;
        }
    }
    if (e > 0.0) chi += (o - e) * (o - e) / std::max(e, 1e-300), ++cells;
    return {chi, cells - 1};
}

// A chi-square with `dof` degrees of freedom is below dof + 6 sqrt(2 dof) + 10 with probability
// far above 1 − 1e-6.
double chi_bound(int dof) { return dof + 6.0 * std::sqrt(2.0 * dof) + 10.0; }

}  // namespace

TEST(Sampling, BinomialAndHypergeometricPmfsSumToOne) {
    for (auto [n, p] : {std::pair{10ull, 0.3}, std::pair{1000ull, 0.01}, std::pair{100000ull, 0.5}}) {
        double sum = 0.0;
        for (std::uint64_t k = 0; k <= n; ++k) sum += std::exp(sc::log_binomial_pmf(k, n, p));
        EXPECT_NEAR(sum, 1.0, 1e-12) << n << " " << p;
    }
    double sum = 0.0;
    for (std::uint64_t k = 0; k <= 300; ++k) sum += std::exp(sc::log_hypergeometric_pmf(k, 5000, 1200, 300));
    EXPECT_NEAR(sum, 1.0, 1e-12);
    // Against the direct product form at small arguments.
    const double direct = std::lgamma(21.0) - std::lgamma(8.0) - std::lgamma(14.0) + 7 * std::log(0.3) + 13 * std::log(0.7);
    EXPECT_NEAR(sc::log_binomial_pmf(7, 20, 0.3), direct, 1e-12);
}

TEST(Sampling, BinomialMatchesItsDistribution) {
    for (auto [n, p] : {std::pair{40ull, 0.3}, std::pair{2000ull, 0.02}, std::pair{100000000ull, 0.5}}) {
        const std::uint64_t draws = n > 1000000 ? 20000 : 200000;  // large n: O(s.d.) steps per draw
        const double mean = double(n) * p, sd = std::sqrt(double(n) * p * (1 - p));
        const std::uint64_t lo = std::uint64_t(std::max(0.0, mean - 8 * sd)), hi = std::uint64_t(mean + 8 * sd);
        std::vector<double> counts(hi - lo + 1, 0.0), prob(hi - lo + 1);
        for (std::uint64_t k = lo; k <= hi; ++k) prob[k - lo] = std::exp(sc::log_binomial_pmf(k, n, p));
        double s = 0.0, s2 = 0.0;
        for (std::uint64_t d = 0; d < draws; ++d) {
            sc::random_stream rng(3, sc::stream_purpose::synapse_count_split, 0, d);
            const std::uint64_t x = sc::binomial(rng, n, p);
            ASSERT_LE(x, n);
            s += double(x), s2 += double(x) * double(x);
            if (x >= lo && x <= hi) counts[x - lo] += 1;
        }
        const double m = s / draws, v = s2 / draws - m * m;
        EXPECT_NEAR(m, mean, 5 * sd / std::sqrt(double(draws))) << n;
        EXPECT_NEAR(v, sd * sd, 5 * sd * sd * std::sqrt(2.0 / draws)) << n;
        const auto [chi, dof] = chi_square(counts, prob, double(draws));
        EXPECT_LT(chi, chi_bound(dof)) << "n " << n << " p " << p << " dof " << dof;
    }
}

TEST(Sampling, HypergeometricMatchesItsDistribution) {
    struct params {
        std::uint64_t total, successes, draws;
    };
    for (auto q : {params{60, 20, 15}, params{100000, 30000, 5000}, params{40000000000ull, 20000000000ull, 100000000ull}}) {
        const std::uint64_t samples = q.draws > 1000000 ? 20000 : 200000;
        const double N = double(q.total), K = double(q.successes), n = double(q.draws);
        const double mean = n * K / N, var = n * K / N * (1 - K / N) * (N - n) / (N - 1), sd = std::sqrt(var);
        const std::uint64_t lo = std::uint64_t(std::max(0.0, mean - 8 * sd)), hi = std::uint64_t(mean + 8 * sd);
        std::vector<double> counts(hi - lo + 1, 0.0), prob(hi - lo + 1);
        for (std::uint64_t k = lo; k <= hi; ++k) prob[k - lo] = std::exp(sc::log_hypergeometric_pmf(k, q.total, q.successes, q.draws));
        double s = 0.0, s2 = 0.0;
        for (std::uint64_t d = 0; d < samples; ++d) {
            sc::random_stream rng(5, sc::stream_purpose::synapse_count_split, 1, d);
            const std::uint64_t x = sc::hypergeometric(rng, q.total, q.successes, q.draws);
            ASSERT_LE(x, std::min(q.successes, q.draws));
            s += double(x), s2 += double(x) * double(x);
            if (x >= lo && x <= hi) counts[x - lo] += 1;
        }
        const double m = s / samples, v = s2 / samples - m * m;
        EXPECT_NEAR(m, mean, 5 * sd / std::sqrt(double(samples)));
        EXPECT_NEAR(v, var, 5 * var * std::sqrt(2.0 / samples));
        const auto [chi, dof] = chi_square(counts, prob, double(samples));
        EXPECT_LT(chi, chi_bound(dof)) << q.total << " dof " << dof;
    }
}

TEST(Sampling, NormalTailHasTheTruncatedMean) {
    for (double tau : {-1.5, 0.0, 0.7, 3.0, 8.0}) {
        const int n = 200000;
        double s = 0.0, s2 = 0.0;
        sc::random_stream rng(9, sc::stream_purpose::motif_factors, 0, 0);
        for (int i = 0; i < n; ++i) {
            const double z = sc::normal_tail(rng, tau);
            ASSERT_GT(z, tau);
            s += z, s2 += z * z;
        }
        const double lambda = std::exp(-0.5 * tau * tau) / std::sqrt(2 * std::numbers::pi) / sc::normal_upper(tau);
        const double var = 1 + tau * lambda - lambda * lambda;
        EXPECT_NEAR(s / n, lambda, 5 * std::sqrt(var / n)) << tau;
        EXPECT_NEAR(s2 / n - (s / n) * (s / n), var, 8 * var * std::sqrt(2.0 / n)) << tau;
    }
}

TEST(Sampling, NormalFunctions) {
    EXPECT_NEAR(sc::normal_upper(1.0), 0.15865525393145705, 1e-15);
    EXPECT_NEAR(sc::normal_cdf(-1.0), 0.15865525393145705, 1e-15);
    for (double q : {1e-10, 0.01, 0.3, 0.5, 0.9})
        EXPECT_NEAR(sc::normal_upper(sc::normal_upper_quantile(q)), q, 1e-14 * std::max(q, 1e-2));
    // Sheppard: P(Z1 > 0, Z2 > 0) = 1/4 + asin(ρ)/(2π); the ends: ρ = 0 independent, ρ = 1 equal.
    for (double rho : {-0.9, -0.3, 0.0, 0.4, 0.99})
        EXPECT_NEAR(sc::bivariate_upper_orthant(0.0, rho), 0.25 + std::asin(rho) / (2 * std::numbers::pi), 1e-12);
    const double q = sc::normal_upper(1.7);
    EXPECT_NEAR(sc::bivariate_upper_orthant(1.7, 0.0), q * q, 1e-15);
    EXPECT_NEAR(sc::bivariate_upper_orthant(1.7, 1.0), q, 1e-10);
    EXPECT_NEAR(sc::bivariate_upper_orthant(1.7, -1.0), 0.0, 1e-12);
    // Against Monte Carlo at t = 1.2, ρ = 0.6.
    sc::random_stream rng(11, sc::stream_purpose::motif_factors, 1, 0);
    const int n = 400000;
    int both = 0;
    for (int i = 0; i < n; ++i) {
        const double a = sc::standard_normal(rng), b = 0.6 * a + 0.8 * sc::standard_normal(rng);
        both += a > 1.2 && b > 1.2;
    }
    const double l = sc::bivariate_upper_orthant(1.2, 0.6);
    EXPECT_NEAR(double(both) / n, l, 5 * std::sqrt(l * (1 - l) / n));
}
