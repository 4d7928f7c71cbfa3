// Connectivity and initial state are pure functions of the configuration: the same on any number
// of ranks; and each rule draws the degrees it promises.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "sparsechaos/engine/simulation.hpp"
#include "sparsechaos/network/local_graph.hpp"
#include "sparsechaos/network/connectivity.hpp"
#include "sparsechaos/network/standard_networks.hpp"

namespace sc = sparsechaos;
using sc::network::connection_rule;

namespace {

// All synapses (pre, post) of a projection as seen by `n_ranks` ranks together, global ids.
std::multiset<std::pair<std::uint64_t, std::uint64_t>> synapses(const sc::network::network_spec& spec, int n_ranks) {
    std::multiset<std::pair<std::uint64_t, std::uint64_t>> out;
    std::vector<std::uint32_t> scratch;
    for (int r = 0; r < n_ranks; ++r) {
        const sc::network::layout lay(spec, r, n_ranks);
        for (const auto& p : sc::network::resolve_projections(spec, lay)) {
            const sc::network::projection_targets t(spec, lay, p);
            const auto pre = lay.population(p.pre);
            for (std::uint64_t j = pre.first; j < pre.end(); ++j)
                for (std::uint32_t i : t.targets_of(j, scratch)) out.insert({j, lay.local().first + i});
        }
    }
    return out;
}

sc::network::network_spec with_rule(connection_rule rule, bool procedural = false, bool multapses = false) {
    auto spec = sc::network::ei_network(sc::models::lif{}, 250, 20);
    for (auto& p : spec.projections) {
        p.rule = rule;
        p.probability = 0.08;
        p.multapses = multapses;
    }
    if (procedural) spec.simulation.storage = sc::network::connectivity_storage::procedural;
    return spec;
}

}  // namespace

TEST(Connectivity, SameSynapsesOnOneTwoAndThreeRanks) {
    for (auto rule : {connection_rule::fixed_indegree, connection_rule::fixed_outdegree,
                      connection_rule::pairwise_bernoulli}) {
        const auto spec = with_rule(rule);
        const auto one = synapses(spec, 1);
        ASSERT_GT(one.size(), 1000u);
        EXPECT_EQ(synapses(spec, 2), one) << int(rule);
        EXPECT_EQ(synapses(spec, 3), one) << int(rule);
    }
}

TEST(Connectivity, ProceduralDrawsTheStoredSynapses) {
    for (auto rule : {connection_rule::fixed_outdegree, connection_rule::pairwise_bernoulli}) {
        const auto stored = synapses(with_rule(rule), 1);
        EXPECT_EQ(synapses(with_rule(rule, true), 1), stored) << int(rule);
        EXPECT_EQ(synapses(with_rule(rule, true), 3), stored) << int(rule);
    }
}

TEST(Connectivity, FixedInDegreeGivesKDistinctSourcesAndNoAutapses) {
    const auto spec = with_rule(connection_rule::fixed_indegree);
    const auto all = synapses(spec, 1);
    const sc::network::layout lay(spec);
    const auto proj = sc::network::resolve_projections(spec, lay);
    for (const auto& p : proj) {
        const auto pre = lay.population(p.pre), post = lay.population(p.post);
        for (std::uint64_t i = post.first; i < post.end(); ++i) {
            std::set<std::uint64_t> sources;
            std::size_t count = 0;
            for (const auto& [j, k] : all)
                if (k == i && pre.contains(j)) ++count, sources.insert(j);
            ASSERT_EQ(count, std::size_t(p.degree));
            ASSERT_EQ(sources.size(), count) << "multapse at neuron " << i;
            ASSERT_FALSE(sources.count(i)) << "autapse at neuron " << i;
        }
    }
}

// Stored rows (fixed in-degree) are exactly the transpose of the drawn sources: per source, its
// targets in ascending order, repeats adjacent.
TEST(Connectivity, StoredRowsAreThePlainTransposeOfTheDrawnSources) {
    for (const bool multapses : {false, true}) {
        auto spec = sc::network::inhibitory_network(sc::models::lif{}, 70000, 20, -1.0, 1.0);
        spec.projections[0].multapses = multapses;
        for (const int n_ranks : {1, 2}) {
            const sc::network::layout lay(spec, n_ranks - 1, n_ranks);
            const auto proj = sc::network::resolve_projections(spec, lay)[0];
            const sc::network::projection_targets t(spec, lay, proj);
            const auto local = lay.local();
            std::vector<std::vector<std::uint32_t>> rows(lay.total());
            std::vector<std::uint64_t> sources;
            for (std::uint64_t i = local.first; i < local.end(); ++i) {
                t.sources_of(i, sources);
                ASSERT_EQ(sources.size(), 20u);
                for (std::uint64_t s : sources) rows[s].push_back(std::uint32_t(i - local.first));
            }
            std::vector<std::uint32_t> scratch;
            std::size_t total = 0;
            for (std::uint64_t j = 0; j < lay.total(); ++j) {
                const auto row = t.targets_of(j, scratch);
                ASSERT_TRUE(std::equal(row.begin(), row.end(), rows[j].begin(), rows[j].end()))
                    << "source " << j << ", multapses " << multapses << ", " << n_ranks << " ranks";
                total += row.size();
            }
            EXPECT_EQ(total, 20 * local.size);
        }
    }
}

TEST(Connectivity, FixedOutDegreeGivesKTargetsPerSource) {
    const auto spec = with_rule(connection_rule::fixed_outdegree);
    const auto all = synapses(spec, 2);
    const sc::network::layout lay(spec);
    for (const auto& p : sc::network::resolve_projections(spec, lay)) {
        const auto pre = lay.population(p.pre), post = lay.population(p.post);
        for (std::uint64_t j = pre.first; j < pre.end(); ++j) {
            std::size_t count = 0;
            for (auto it = all.lower_bound({j, 0}); it != all.end() && it->first == j; ++it) count += post.contains(it->second);
            ASSERT_EQ(count, std::size_t(p.degree)) << "neuron " << j;
        }
    }
}

TEST(Connectivity, PairwiseBernoulliHasTheExpectedCount) {
    const auto spec = with_rule(connection_rule::pairwise_bernoulli);
    const sc::network::layout lay(spec);
    double expected = 0.0;
    for (const auto& p : sc::network::resolve_projections(spec, lay)) expected += sc::network::expected_synapses(p, lay);
    const double n = double(synapses(spec, 1).size());
    EXPECT_NEAR(n, expected, 5.0 * std::sqrt(expected));  // binomial: 5 standard deviations
}

TEST(InitialState, SameOnAnyNumberOfRanks) {
    const auto spec = sc::network::ei_network(sc::models::theta{}, 301, 20, 1.0, -2.0, 0.2);
    const sc::engine::simulation whole(sc::network::build_local_graph(spec));
    for (int n_ranks : {2, 3}) {
        std::vector<double> joined;
        for (int r = 0; r < n_ranks; ++r) {
            const auto part = sc::engine::simulation(sc::network::build_local_graph(spec, r, n_ranks)).states();
            joined.insert(joined.end(), part.begin(), part.end());
        }
        EXPECT_EQ(joined, whole.states()) << n_ranks << " ranks";
    }
}

TEST(Connectivity, DenseDegreesAreDistinctToo) {
    // K above half of the eligible partners takes the shuffle path instead of rejection.
    for (auto rule : {connection_rule::fixed_indegree, connection_rule::fixed_outdegree}) {
        auto spec = sc::network::inhibitory_network(sc::models::lif{}, 30, 25);
        spec.projections[0].rule = rule;
        const auto all = synapses(spec, 1);
        EXPECT_EQ(all, synapses(spec, 3)) << int(rule);
        ASSERT_EQ(all.size(), 30u * 25u);
        for (std::uint64_t a = 0; a < 30; ++a) {
            std::set<std::uint64_t> partners;
            std::size_t count = 0;
            for (const auto& [j, i] : all) {
                const bool mine = rule == connection_rule::fixed_indegree ? i == a : j == a;
                if (!mine) continue;
                ++count;
                partners.insert(rule == connection_rule::fixed_indegree ? j : i);
            }
            ASSERT_EQ(count, 25u);
            ASSERT_EQ(partners.size(), 25u) << "repeated partner of neuron " << a;
            ASSERT_FALSE(partners.count(a)) << "autapse at neuron " << a;
        }
    }
}
