#pragma once
// fixed_total_number: exactly Q synapses per projection, each with a source and a target drawn
// uniformly (with multapses), or Q distinct (source, target) pairs drawn uniformly (without).
//
// The in-degrees of the targets are the counts of Q uniform targets: multinomial (with multapses)
// or multivariate hypergeometric with A eligible sources per target (without). They are drawn
// down a binary tree over the post population: a node holding c synapses over targets [lo, hi)
// gives Binomial(c, (mid − lo)/(hi − lo)) of them (Hypergeometric without multapses) to its left
// half, from a stream keyed by the node. A rank walks only the nodes above its own targets,
// O(log N + local targets), and gets exactly the degrees of any other rank count. Each target then
// draws its sources like fixed_indegree (distinct without multapses), keyed by the target's id.
// Stored connectivity only (sources are drawn per target).
#include <cstdint>
#include <vector>

namespace sparsechaos::network {

// Q = round(ln(1 − C) / ln(1 − 1/(N_pre N_post))) (Potjans & Diesmann 2014, Cereb. Cortex 24:785):
// the number of uniform draws after which a given pair is connected with probability C.
// Needs 0 <= C < 1.
std::uint64_t total_number_from_probability(double c, std::uint64_t n_pre, std::uint64_t n_post);

// In-degrees of the targets [first, end) (indices within the post population of n_post targets)
// for `total` synapses; `capacity` > 0: at most that many per target (no multapses: the eligible
// sources per target), 0: unlimited. `key` separates projections (their index).
void total_number_indegrees(std::uint64_t seed, std::uint32_t key, std::uint64_t total, std::uint64_t n_post,
                            std::uint64_t capacity, std::uint64_t first, std::uint64_t end,
                            std::vector<std::uint64_t>& out);

}  // namespace sparsechaos::network
