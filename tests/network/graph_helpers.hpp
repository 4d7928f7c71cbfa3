#pragma once
// What the rule tests share: small specs, and a projection's synapses as seen by all ranks of a
// partition together (built rank by rank in this process, as a run on that many ranks would).
#include <algorithm>
#include <cstdint>
#include <tuple>
#include <vector>

#include "sparsechaos/network/connectivity.hpp"
#include "sparsechaos/network/layout.hpp"
#include "sparsechaos/network/spec.hpp"

namespace graph_test {

namespace sc = sparsechaos;

// (pre, post, weight bits, delay bits) of one synapse, global ids.
struct synapse {
    std::uint64_t pre, post;
    float weight, delay;
    auto key() const { return std::tuple(pre, post, weight, delay); }
    bool operator<(const synapse& o) const { return key() < o.key(); }
    bool operator==(const synapse& o) const { return key() == o.key(); }
};

// Every synapse of projection `k` over `n_ranks` ranks, in each rank's row order, ranks in order
// (so two partitions compare equal only if every rank's rows are the canonical ones); weights and
// delays where they vary, else the projection's.
inline std::vector<synapse> synapses(const sc::network::network_spec& spec, std::size_t k, int n_ranks) {
    std::vector<synapse> out;
    std::vector<std::uint32_t> scratch;
    std::vector<float> wscratch;
    for (int r = 0; r < n_ranks; ++r) {
        const sc::network::layout lay(spec, r, n_ranks);
        const auto proj = sc::network::resolve_projections(spec, lay)[k];
        const sc::network::projection_targets t(spec, lay, proj, sc::network::synapse_weight_use::per_synapse);
        const auto pre = lay.population(proj.pre);
        for (std::uint64_t j = pre.first; j < pre.end(); ++j) {
            const auto row = t.targets_of(j, scratch);
            const auto w = t.weights_of(j, row, wscratch);
            const auto d = t.stored() && proj.synapse_delays() ? t.row_with_delays(j).delays_ms : nullptr;
            for (std::size_t i = 0; i < row.size(); ++i)
                out.push_back({j, lay.local().first + row[i], w.empty() ? float(proj.weight) : w[i],
                               d ? d[i] : float(proj.delay_ms)});
        }
    }
    return out;
}

// The same synapses as a sorted multiset (for statistics).
inline std::vector<synapse> sorted(std::vector<synapse> s) {
    std::sort(s.begin(), s.end());
    return s;
}

// One population of `n` LIF neurons with one projection onto itself (rule and keys set by the
// caller), drive given.
inline sc::network::network_spec one_population(std::uint64_t n, std::uint64_t seed = 17) {
    sc::network::network_spec spec;
    sc::network::population_spec pop;
    pop.name = "A";
    pop.size = n;
    pop.model = sc::models::lif{};
    pop.drive.value = 0.5;
    spec.populations.push_back(pop);
    sc::network::projection_spec proj;
    proj.pre = proj.post = "A";
    proj.weight = -0.01;
    spec.projections.push_back(proj);
    spec.simulation.seed = seed;
    return spec;
}

}  // namespace graph_test
