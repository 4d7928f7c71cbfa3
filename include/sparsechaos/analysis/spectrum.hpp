#pragma once
// Quantities derived from a Lyapunov spectrum (docs/lyapunov.md, "Derived quantities"). Pure
// functions, no MPI.
//
// Every function takes the exponents (1/s) sorted in descending order and throws
// std::invalid_argument otherwise: the formulas are defined for the ordered spectrum, and
// finite-time estimates of nearby exponents can come out of order, so the caller sorts once.
// With only the first m < N exponents, the entropy and the counts are lower bounds of the full
// values; the Kaplan-Yorke dimension is exact if the partial sums turn negative within the m
// exponents, and m (a lower bound) otherwise.
//
// The neutral exponent. A system with a time-shift symmetry (a spiking network without external
// input: the direction ω; an autonomous rate network: the direction dh/dt) has one exponent that
// is exactly zero. Its finite-time estimate is ± a small number, and its sign says nothing: every
// derived quantity treats it as exactly zero, never as positive or negative. neutral_exponent()
// finds it; the others take its index (nothing: the system has no such direction, or it is not
// among the computed exponents).
#include <cstddef>
#include <optional>
#include <span>
#include <vector>

namespace sparsechaos::analysis {

// The estimate of the zero exponent among the computed ones: the exponent c closest to zero,
// when it is consistent with zero — within 3 of its standard errors, or below 5 % of the
// magnitude of each neighbour (a systematic offset such as the O(dt) error of a discretized
// flow is not a statistical one). Returns its index, or nothing (also when every computed
// exponent is clearly apart from zero, e.g. m exponents that are all positive). Call it only for
// systems that have a time-shift symmetry. `standard_errors` follow their exponents (may be empty:
// then only the neighbour rule applies).
std::optional<std::size_t> neutral_exponent(std::span<const double> lambda, std::span<const double> standard_errors);

// The spectrum with the neutral exponent set to exactly zero (order is kept: it is the one
// closest to zero).
std::vector<double> with_neutral_zero(std::span<const double> lambda, std::optional<std::size_t> neutral);

// Number of exponents > 0, not counting the neutral one.
std::size_t positive_count(std::span<const double> lambda, std::optional<std::size_t> neutral = std::nullopt);

// Kolmogorov-Sinai entropy rate by Pesin's identity: the sum of the positive exponents, not
// counting the neutral one.
struct entropy_rate {
    double nats_per_second = 0.0;
    double bits_per_second = 0.0;  // nats / ln 2
    double bits_per_spike = 0.0;   // bits_per_second / network spikes per second; 0 if no spikes
};
entropy_rate ks_entropy(std::span<const double> lambda, double network_spikes_per_second,
                        std::optional<std::size_t> neutral = std::nullopt);

// Kaplan-Yorke (Lyapunov) dimension D = k + S_k / |lambda_{k+1}|, S_k = lambda_1 + ... + lambda_k,
// with k the largest index such that S_k >= 0. Edge cases:
// - lambda_1 < 0 (a stable fixed point): k = 0, D = 0.
// - a stable flow, lambda_1 = 0 then negative (a limit cycle, or a stable spiking network with its
//   neutral exponent set to zero): D = 1.
// - S_k >= 0 for every k <= m (the partial sums never turn negative, e.g. too few exponents
//   computed): D = m, which is then only a lower bound.
// - empty spectrum: 0.
double kaplan_yorke_dimension(std::span<const double> lambda);

// The attractor-dimension bounds of docs/lyapunov.md, computed from the spectrum with the
// neutral exponent set to zero.
struct dimension_bounds {
    double kaplan_yorke = 0.0;           // upper bound
    std::size_t positive = 0;            // lower bounds: number of positive exponents,
    std::size_t kaplan_yorke_floor = 0;  // floor(D_KY),
    double entropy_over_lambda_max = 0;  // H / lambda_1; NaN when no exponent is positive (undefined)
};
dimension_bounds dimensions(std::span<const double> lambda, std::optional<std::size_t> neutral = std::nullopt);

}  // namespace sparsechaos::analysis
