#pragma once
// Random variates drawn from a counter-based stream (random.hpp), and the normal-distribution
// functions the connection rules need. Every variate is a deterministic function of the stream's
// draws, so a graph built from them is the same on any number of ranks (and with any libm that
// rounds exp/log/erfc/sin/cos the same way).
//
// Discrete variates (binomial, hypergeometric) are drawn by inversion that starts at the mode and
// walks outwards (Kemp 1986, "A modal method for generating binomial variables", Commun. Stat.
// Theory Methods 15:805): exact up to the rounding of the probabilities, one uniform per variate,
// O(standard deviation) steps. The mode's probability comes from Loader's saddle-point form
// (C. Loader, "Fast and accurate computation of binomial probabilities", 2000), accurate to about
// 1e-15 relative for any n, where lgamma differences would lose digits at n ~ 1e9.
#include <cmath>
#include <cstdint>
#include <numbers>

#include "sparsechaos/network/random.hpp"

namespace sparsechaos::network {

// A standard normal variate (Box–Muller from two uniforms; the cosine branch only). Any stream
// with uniform() in [0, 1) and uniform_pos() in (0, 1] (random_stream, synapse_stream).
template <class Stream>
double standard_normal(Stream& rng) {
    const double u1 = rng.uniform_pos(), u2 = rng.uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

// A standard normal variate conditioned on being > tau (exact: plain rejection for tau <= 0,
// acceptance >= 1/2; Robert's exponential proposal above, C. P. Robert, Stat. Comput. 5:121, 1995).
template <class Stream>
double normal_tail(Stream& rng, double tau) {
    if (tau <= 0.0) {
        for (;;) {
            const double g = standard_normal(rng);
            if (g > tau) return g;
        }
    }
    const double rate = 0.5 * (tau + std::sqrt(tau * tau + 4.0));  // the optimal exponential rate
    for (;;) {
        const double z = tau - std::log(rng.uniform_pos()) / rate;
        const double d = z - rate;
        if (rng.uniform() <= std::exp(-0.5 * d * d) && z > tau) return z;
    }
}

// Φ(x) and 1 − Φ(x) = Q(x), without cancellation in either tail.
double normal_cdf(double x);
double normal_upper(double x);
// x with Q(x) = q, q in (0, 1) (bisection to the last bit; for setup, not for hot loops).
double normal_upper_quantile(double q);
// P(Z1 > t, Z2 > t) for standard normals with correlation rho in [-1, 1].
double bivariate_upper_orthant(double t, double rho);

// Binomial(n, p): number of successes in n independent trials of probability p.
std::uint64_t binomial(random_stream& rng, std::uint64_t n, double p);
// Hypergeometric: successes in `draws` draws without replacement from `total` items of which
// `successes` are successes.
std::uint64_t hypergeometric(random_stream& rng, std::uint64_t total, std::uint64_t successes, std::uint64_t draws);

// The log of the binomial probability P(k; n, p), accurate for large n (exposed for tests).
double log_binomial_pmf(std::uint64_t k, std::uint64_t n, double p);
double log_hypergeometric_pmf(std::uint64_t k, std::uint64_t total, std::uint64_t successes, std::uint64_t draws);

}  // namespace sparsechaos::network
