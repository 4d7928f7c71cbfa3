#pragma once
// The keys by which ranks agree on the global event order (docs/design.md, "Rank-identical
// results"): a candidate spike (time, global id) and a lower bound of a rank's next spike.
// Both order by time, then by a global key, so the order never depends on the number of ranks.
#include <cstdint>
#include <limits>

namespace sparsechaos::parallel {

struct spike_candidate {
    double time;           // local engine time; +inf: no spike on this rank
    std::uint64_t neuron;  // global id
    static constexpr std::uint64_t none = std::numeric_limits<std::uint64_t>::max();
};

// A lower bound of one rank's next spike. Ordered by (time, order): at equal times a pending
// input (which may make a neuron fire at that very time, with any id) precedes every spike.
struct spike_bound {
    double time = std::numeric_limits<double>::infinity();
    std::uint64_t order = std::numeric_limits<std::uint64_t>::max();  // (kind << 63) | global id
    std::uint64_t exact = 0;  // 1: this is the rank's next spike (no input of the rank precedes it)

    static constexpr std::uint64_t spike_kind = std::uint64_t(1) << 63;
    static spike_bound of_spike(double t, std::uint64_t id, bool exact) { return {t, spike_kind | id, exact}; }
    static spike_bound of_input(double t, std::uint64_t id) { return {t, id, 0}; }
    bool is_spike() const { return (order & spike_kind) != 0 && order != std::numeric_limits<std::uint64_t>::max(); }
    std::uint64_t neuron() const { return order & ~spike_kind; }
    bool operator<(const spike_bound& o) const { return time < o.time || (time == o.time && order < o.order); }
};

struct two_bounds {
    spike_bound first, second;  // the smallest bound of all ranks, the smallest of the others
};

}  // namespace sparsechaos::parallel
