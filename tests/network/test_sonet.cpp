// SONETs: the four two-edge motif frequencies of graphs of 2000 neurons against the requested
// ones; α = 0 gives Erdős–Rényi statistics; the same graph on 1, 2 and 3 ranks; unreachable α's
// are errors that give the reachable range.
#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

#include "graph_helpers.hpp"
#include "sparsechaos/network/sonet.hpp"

using namespace graph_test;
using sc::network::connection_rule;

namespace {

sc::network::network_spec sonet_spec(std::uint64_t n, double p, sc::network::sonet_spec alphas, std::uint64_t seed) {
    auto spec = one_population(n, seed);
    auto& proj = spec.projections[0];
    proj.rule = connection_rule::sonet;
    proj.probability = p;
    proj.sonet = alphas;
    return spec;
}

struct motif_statistics {
    double p, recip, conv, div, chain;
};

// Empirical connection probability and α's of a graph on n neurons (Zhao et al. 2011, eq. 2):
// each motif's count over its number of ordered node tuples, divided by p̂², minus 1.
motif_statistics measure(const std::vector<synapse>& edges, std::uint64_t n) {
    std::vector<double> in(n, 0), out(n, 0);
    std::vector<std::vector<std::uint32_t>> targets(n);
    for (const auto& e : edges) {
        in[e.post] += 1, out[e.pre] += 1;
        targets[e.pre].push_back(std::uint32_t(e.post));
    }
    for (auto& t : targets) std::sort(t.begin(), t.end());
    double recip = 0;
    for (std::uint64_t i = 0; i < n; ++i)
        for (auto j : targets[i]) recip += std::binary_search(targets[j].begin(), targets[j].end(), std::uint32_t(i));
    double conv = 0, div = 0, chain = 0;
    for (std::uint64_t i = 0; i < n; ++i) {
        conv += in[i] * (in[i] - 1);
        div += out[i] * (out[i] - 1);
        chain += in[i] * out[i];
    }
    chain -= recip;  // k→i→k is a reciprocal pair, not a chain
    const double N = double(n), pairs = N * (N - 1), triples = N * (N - 1) * (N - 2);
    const double p = double(edges.size()) / pairs, p2 = p * p;
    return {p, recip / pairs / p2 - 1, conv / triples / p2 - 1, div / triples / p2 - 1, chain / triples / p2 - 1};
}

}  // namespace

// Statistics of several independent graphs (seeds 1..6): the mean of each α̂ must lie within
// 4 standard errors of the requested α (s.e. from the spread over the graphs) plus 0.01. The 0.01
// covers the bias of the ratio estimator (α̂ divides by the graph's own p̂², and p̂ varies by ~2 %
// between graphs through the neuron factors): over 30 graphs the mean α̂ deviated by at most 0.009,
// while motif counts divided by the requested p² stayed within 1.6 s.e. of p²(1 + α).
TEST(Sonet, MotifFrequenciesMatchTheRequestedOnes) {
    const std::uint64_t n = 2000;
    const double p = 0.05;
    for (const auto& alphas : {sc::network::sonet_spec{0.0, 0.0, 0.0, 0.0}, sc::network::sonet_spec{0.8, 0.3, 0.25, 0.15},
                               sc::network::sonet_spec{-0.5, 0.2, 0.4, -0.1}}) {
        std::vector<motif_statistics> runs;
        for (std::uint64_t seed = 1; seed <= 6; ++seed)
            runs.push_back(measure(synapses(sonet_spec(n, p, alphas, seed), 0, 1), n));
        auto check = [&](const char* name, double want, double motif_statistics::*field) {
            double m = 0, v = 0;
            for (const auto& r : runs) m += r.*field;
            m /= double(runs.size());
            for (const auto& r : runs) v += (r.*field - m) * (r.*field - m);
            const double se = std::sqrt(v / double(runs.size() - 1) / double(runs.size()));
            EXPECT_NEAR(m, want, 4 * se + 0.01) << name << " (s.e. " << se << ")";
        };
        check("p", p, &motif_statistics::p);
        check("alpha_recip", alphas.alpha_recip, &motif_statistics::recip);
        check("alpha_conv", alphas.alpha_conv, &motif_statistics::conv);
        check("alpha_div", alphas.alpha_div, &motif_statistics::div);
        check("alpha_chain", alphas.alpha_chain, &motif_statistics::chain);
    }
}

TEST(Sonet, ZeroAlphasGiveErdosRenyiDegrees) {
    // Without motifs the in-degree is Binomial(N − 1, p): its variance over the neurons within
    // 5 s.e. (var·sqrt(2/N)).
    const std::uint64_t n = 3000;
    const double p = 0.03;
    const auto edges = synapses(sonet_spec(n, p, {}, 4), 0, 1);
    std::vector<double> in(n, 0);
    for (const auto& e : edges) in[e.post] += 1;
    const double mean = std::accumulate(in.begin(), in.end(), 0.0) / double(n);
    double var = 0;
    for (double d : in) var += (d - mean) * (d - mean);
    var /= double(n - 1);
    const double want = double(n - 1) * p * (1 - p);
    EXPECT_NEAR(mean, double(n - 1) * p, 5 * std::sqrt(want / double(n)));
    EXPECT_NEAR(var, want, 5 * want * std::sqrt(2.0 / double(n)));
}

TEST(Sonet, SameOnAnyRankCount) {
    const auto spec = sonet_spec(1200, 0.04, {0.5, 0.2, 0.2, 0.1}, 3);
    const auto one = sorted(synapses(spec, 0, 1));
    ASSERT_GT(one.size(), 40000u);
    EXPECT_EQ(sorted(synapses(spec, 0, 2)), one);
    EXPECT_EQ(sorted(synapses(spec, 0, 3)), one);
}

TEST(Sonet, UnreachableAlphasNameTheRange) {
    auto spec = sonet_spec(100, 0.1, {0.0, 0.1, 0.1, 0.5}, 1);  // chains beyond √(ρ_conv ρ_div)
    const sc::network::layout lay(spec);
    try {
        sc::network::resolve_projections(spec, lay);
        FAIL() << "no error";
    } catch (const std::invalid_argument& e) {
        const std::string m = e.what();
        EXPECT_NE(m.find("projection[0].alpha_chain = 0.5"), std::string::npos) << m;
        EXPECT_NE(m.find("must lie in ["), std::string::npos) << m;
    }
    spec.projections[0].sonet = {0.0, -0.2, 0.0, 0.0};
    EXPECT_THROW(sc::network::resolve_projections(spec, lay), std::invalid_argument);
    spec.projections[0].sonet = {};
    spec.projections[0].autapses = true;
    EXPECT_THROW(sc::network::resolve_projections(spec, lay), std::invalid_argument);
    // The α ↔ ρ maps are inverse.
    for (double a : {-0.6, 0.0, 0.3, 2.0}) EXPECT_NEAR(sc::network::motif_alpha(0.1, sc::network::motif_correlation(0.1, a)), a, 1e-9);
}
