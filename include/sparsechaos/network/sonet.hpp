#pragma once
// Second-order networks (SONETs; L. Zhao, B. Beverlin, T. Netoff, D. Q. Nykamp, "Synchronization
// from second order network connectivity statistics", Front. Comput. Neurosci. 5:28, 2011): a
// directed graph on one population with connection probability p whose four two-edge motifs occur
// with probability p²(1 + α): reciprocal (j→i, i→j), convergent (j→i, k→i), divergent (i→j,
// i→k) and chain (k→j, j→i).
//
// Construction (the paper's route: threshold correlated Gaussian variables). Edge s→t exists iff
//     Z(s→t) = σ_c a_t + σ_d b_s + ε(s→t) > θ,        θ = Q⁻¹(p),
// with per-neuron factors (a_i, b_i) standard normal with correlation ρ_ab ("in" and "out"
// tendencies), and per-pair noise (ε(s→t), ε(t→s)) of variance v = 1 − σ_c² − σ_d² and
// correlation r. Each Z is standard normal, and two edges sharing a neuron have Gaussian
// correlation ρ_conv = σ_c², ρ_div = σ_d², ρ_chain = σ_c σ_d ρ_ab, ρ_recip = r v + 2 ρ_chain.
// Since (Z, Z') is bivariate normal, P(both edges) = L(θ, ρ), the bivariate upper orthant, so each
// ρ is solved from L(θ, ρ) = p²(1 + α): every motif frequency is exact in expectation for any N.
// Reachable: α_conv, α_div >= 0 with ρ_conv + ρ_div < 1, |ρ_chain| <= √(ρ_conv ρ_div) and
// |ρ_recip − 2ρ_chain| <= v; the error names the reachable range of the offending α.
//
// Drawing: pair {u, v} (u < v) is drawn from the stream of u. Neurons are binned by their factors
// (16 × 16 bins); in a bin, pairs are proposed with the bin's bound B >= P(either edge) (from a
// table of Q; one exponential clock runs through the bins of a row), and a proposal draws its
// edges exactly (one tail picked in proportion to its
// probability, the other edge conditionally, kept with probability 1/(number of tails exceeded)).
// O(N · bins + synapses) per rank, whole graph drawn on every rank; stored connectivity only.
#include <cstdint>
#include <functional>
#include <string>

#include "sparsechaos/network/spec.hpp"

namespace sparsechaos::network {

struct sonet_parameters {
    double threshold = 0.0;        // θ
    double conv_sd = 0.0;          // σ_c
    double div_sd = 0.0;           // σ_d
    double factor_correlation = 0.0;  // ρ_ab
    double noise_variance = 1.0;   // v
    double noise_correlation = 0.0;   // r
    double rho_recip = 0.0, rho_conv = 0.0, rho_div = 0.0, rho_chain = 0.0;
};

// Solves the construction for (p, α); throws std::invalid_argument("<key>: ...") where `key` is
// "alpha_recip" etc. (the caller prefixes the projection).
sonet_parameters solve_sonet(double p, const sonet_spec& alphas);
// The Gaussian correlation giving P(both edges) = p²(1 + α), and back.
double motif_correlation(double p, double alpha);
double motif_alpha(double p, double rho);

// Draws the edges among the population [first, first + n) and calls add(pre, post) (global ids)
// for every edge whose post lies in [keep_first, keep_end), in an order that depends only on the
// arguments (not on the keep range).
void sonet_edges(std::uint64_t seed, std::uint32_t projection, std::uint64_t first, std::uint64_t n,
                 const sonet_parameters& params, std::uint64_t keep_first, std::uint64_t keep_end,
                 const std::function<void(std::uint64_t, std::uint64_t)>& add);

}  // namespace sparsechaos::network
