// Per-synapse weights and delays: moments of every law (5 standard errors), signs that never
// flip, truncation respected, rows in canonical order, the same values on 1, 2 and 3 ranks and
// procedurally, and an engine that gives one weight per projection refusing them.
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "graph_helpers.hpp"
#include "sparsechaos/network/sampling.hpp"
#include "sparsechaos/network/synapse_values.hpp"

using namespace graph_test;
using sc::network::connection_rule;
using sc::network::delay_distribution;
using sc::network::weight_distribution;

namespace {

struct moments {
    double n = 0, mean = 0, var = 0, m4 = 0, min = INFINITY, max = -INFINITY;
    double mean_se() const { return std::sqrt(var / n); }
    double var_se() const { return std::sqrt(std::max(m4 - var * var, 0.0) / n); }
};

template <class F>
moments measure(const std::vector<synapse>& all, F value) {
    moments m;
    m.n = double(all.size());
    for (const auto& s : all) m.mean += value(s), m.min = std::min(m.min, double(value(s))), m.max = std::max(m.max, double(value(s)));
    m.mean /= m.n;
    for (const auto& s : all) {
        const double d = value(s) - m.mean;
        m.var += d * d, m.m4 += d * d * d * d;
    }
    m.var /= m.n, m.m4 /= m.n;
    return m;
}

sc::network::network_spec indegree_spec(std::uint64_t n, double k, bool multapses = false) {
    auto spec = one_population(n);
    auto& p = spec.projections[0];
    p.rule = connection_rule::fixed_indegree;
    p.degree = k;
    p.multapses = multapses;
    return spec;
}

}  // namespace

TEST(SynapseValues, WeightLawsHaveTheirMomentsAndKeepTheSign) {
    struct law {
        weight_distribution kind;
        double j, s;
    };
    for (const auto& l : {law{weight_distribution::normal, -0.02, 0.1}, law{weight_distribution::normal, 0.3, 0.6},
                          law{weight_distribution::lognormal, -0.05, 0.5}, law{weight_distribution::lognormal, 0.1, 0.1}}) {
        auto spec = indegree_spec(2000, 100);
        auto& p = spec.projections[0];
        p.weight = l.j;
        p.weights = l.kind;
        p.weight_relative_sd = l.s;
        const auto all = synapses(spec, 0, 1);
        ASSERT_EQ(all.size(), 200000u);
        const auto m = measure(all, [](const synapse& s) { return double(s.weight); });
        const sc::network::weight_law w{l.kind, l.j, l.s};
        EXPECT_NEAR(m.mean, sc::network::weight_law_mean(w), 5 * m.mean_se()) << int(l.kind) << " " << l.s;
        EXPECT_NEAR(m.var, sc::network::weight_law_variance(w), 5 * m.var_se()) << int(l.kind) << " " << l.s;
        if (l.j < 0)
            EXPECT_LT(m.max, 0.0) << "a weight changed sign";
        else
            EXPECT_GT(m.min, 0.0) << "a weight changed sign";
        // The balance condition sees the law's mean.
        const sc::network::layout lay(spec);
        EXPECT_DOUBLE_EQ(sc::network::resolve_projections(spec, lay)[0].weight, sc::network::weight_law_mean(w));
    }
    // At s = 0.6 the truncation matters: the mean is visibly above J (a test that ignored it fails).
    EXPECT_GT(sc::network::weight_law_mean({weight_distribution::normal, 1.0, 0.6}), 1.03);
}

TEST(SynapseValues, NormalDelaysAreTruncatedAtTheMinimum) {
    for (auto [mean, sd, lo] : {std::tuple{1.5, 0.75, 0.1}, std::tuple{0.75, 0.375, 0.5}}) {
        auto spec = indegree_spec(2000, 100);
        auto& p = spec.projections[0];
        p.delays = delay_distribution::normal;
        p.delay_ms = mean;
        p.delay_sd_ms = sd;
        p.delay_min_ms = lo;
        const auto all = synapses(spec, 0, 1);
        const auto m = measure(all, [](const synapse& s) { return double(s.delay); });
        EXPECT_GE(m.min, lo);
        const double a = (lo - mean) / sd, phi = std::exp(-0.5 * a * a) / std::sqrt(2 * std::numbers::pi);
        const double lambda = phi / sc::network::normal_upper(a);
        EXPECT_NEAR(m.mean, mean + sd * lambda, 5 * m.mean_se());
        EXPECT_NEAR(m.var, sd * sd * (1 + a * lambda - lambda * lambda), 5 * m.var_se());
        const sc::network::layout lay(spec);
        const auto r = sc::network::resolve_projections(spec, lay)[0];
        EXPECT_EQ(r.delay_ms, lo);  // the bound the delay mode's windows use
        EXPECT_TRUE(r.synapse_delays());
    }
}

TEST(SynapseValues, UniformDelaysAreTheDrawsOfEarlierVersions) {
    // Draw number `post` of the stream (seed, synaptic_delay, projection, pre): runs of earlier
    // versions stay bit-identical.
    auto spec = indegree_spec(500, 50);
    spec.projections[0].delay_ms = 0.5;
    spec.projections[0].delay_max_ms = 2.5;
    for (const auto& s : synapses(spec, 0, 1)) {
        sc::network::random_stream rng(spec.simulation.seed, sc::network::stream_purpose::synaptic_delay, 0, s.pre);
        rng.seek(s.post);
        float d = float(0.5 + 2.0 * rng.uniform());
        if (double(d) < 0.5) d = std::nextafter(d, INFINITY);
        ASSERT_EQ(s.delay, d);
    }
}

TEST(SynapseValues, SameOnAnyRankCountAndInCanonicalOrder) {
    // Multapses (K close to N): repeats of a pair get different weights and delays.
    auto spec = indegree_spec(60, 120, true);
    auto& p = spec.projections[0];
    p.weights = weight_distribution::normal;
    p.weight_relative_sd = 0.2;
    p.delays = delay_distribution::normal;
    p.delay_ms = 2.0;
    p.delay_sd_ms = 1.0;
    p.delay_min_ms = 0.2;
    const auto one = synapses(spec, 0, 1);
    EXPECT_EQ(sorted(synapses(spec, 0, 2)), sorted(one));
    EXPECT_EQ(sorted(synapses(spec, 0, 3)), sorted(one));
    // Rows: (delay, target, weight) never decreasing; repeats differ.
    std::size_t repeats = 0, equal_values = 0;
    for (std::size_t k = 1; k < one.size(); ++k) {
        const auto &a = one[k - 1], &b = one[k];
        if (a.pre != b.pre) continue;
        ASSERT_LE(std::tuple(a.delay, a.post, a.weight), std::tuple(b.delay, b.post, b.weight)) << "row " << a.pre;
    }
    const auto all = sorted(one);
    for (std::size_t k = 1; k < all.size(); ++k)
        if (all[k].pre == all[k - 1].pre && all[k].post == all[k - 1].post) {
            ++repeats;
            equal_values += all[k].weight == all[k - 1].weight || all[k].delay == all[k - 1].delay;
        }
    EXPECT_GT(repeats, 1000u);
    EXPECT_EQ(equal_values, 0u);
}

TEST(SynapseValues, ProceduralWeightsAreTheStoredOnes) {
    for (auto rule : {connection_rule::fixed_outdegree, connection_rule::pairwise_bernoulli}) {
        auto spec = one_population(300);
        auto& p = spec.projections[0];
        p.rule = rule;
        p.degree = 200;
        p.probability = 0.3;
        p.multapses = true;
        p.weights = weight_distribution::lognormal;
        p.weight_relative_sd = 0.4;
        const auto stored = sorted(synapses(spec, 0, 1));
        spec.simulation.storage = sc::network::connectivity_storage::procedural;
        EXPECT_EQ(sorted(synapses(spec, 0, 1)), stored) << int(rule);
        EXPECT_EQ(sorted(synapses(spec, 0, 3)), stored) << int(rule);
    }
}

TEST(SynapseValues, AnEngineWithOneWeightPerProjectionRefusesThem) {
    auto spec = indegree_spec(100, 10);
    spec.projections[0].weights = weight_distribution::normal;
    spec.projections[0].weight_relative_sd = 0.1;
    const sc::network::layout lay(spec);
    const auto proj = sc::network::resolve_projections(spec, lay)[0];
    EXPECT_THROW(sc::network::projection_targets(spec, lay, proj), std::invalid_argument);
    const sc::network::projection_targets t(spec, lay, proj, sc::network::synapse_weight_use::per_synapse);
    EXPECT_TRUE(t.per_synapse_weights());
    EXPECT_EQ(t.bytes_per_synapse(), 8u);
    EXPECT_EQ(proj.bytes_per_synapse(), 8.0);
}
