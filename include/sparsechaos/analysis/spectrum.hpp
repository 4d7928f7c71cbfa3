#pragma once
// Quantities derived from a Lyapunov spectrum (docs/lyapunov.md). Pure functions, no MPI.
//
// Every function takes the exponents (1/s) sorted in descending order and throws
// std::invalid_argument otherwise: the formulas are defined for the ordered spectrum, and
// finite-time estimates of nearby exponents can come out of order, so the caller sorts once.
// With only the first m < N exponents, the entropy and the counts are lower bounds of the full
// values; the Kaplan-Yorke dimension is exact if the partial sums turn negative within the m
// exponents, and m (a lower bound) otherwise.
#include <cstddef>
#include <span>

namespace sparsechaos::analysis {

// Number of exponents > zero_tolerance. A finite-time estimate of an exponent that is exactly
// zero (the time-shift direction) comes out at +-(a small number); the tolerance keeps it out.
std::size_t positive_count(std::span<const double> lambda, double zero_tolerance = 0.0);

// Kolmogorov-Sinai entropy rate by Pesin's identity: the sum of the exponents > zero_tolerance.
struct entropy_rate {
    double nats_per_second = 0.0;
    double bits_per_second = 0.0;  // nats / ln 2
    double bits_per_spike = 0.0;   // bits_per_second / network spikes per second; 0 if no spikes
};
entropy_rate ks_entropy(std::span<const double> lambda, double network_spikes_per_second,
                        double zero_tolerance = 0.0);

// Kaplan-Yorke (Lyapunov) dimension D = k + S_k / |lambda_{k+1}|, S_k = lambda_1 + ... + lambda_k,
// with k the largest index such that S_k >= 0. Edge cases:
// - lambda_1 < 0 (a stable fixed point): k = 0, D = 0.
// - S_k >= 0 for every k <= m (the partial sums never turn negative, e.g. too few exponents
//   computed): D = m, which is then only a lower bound.
// - empty spectrum: 0.
double kaplan_yorke_dimension(std::span<const double> lambda);

// The attractor-dimension bounds of docs/lyapunov.md.
struct dimension_bounds {
    double kaplan_yorke = 0.0;          // upper bound
    std::size_t positive = 0;           // lower bounds: number of positive exponents,
    std::size_t kaplan_yorke_floor = 0; // floor(D_KY),
    double entropy_over_lambda_max = 0; // H / lambda_1 (0 when lambda_1 <= zero_tolerance)
};
dimension_bounds dimensions(std::span<const double> lambda, double zero_tolerance = 0.0);

}  // namespace sparsechaos::analysis
