// fixed_total_number: exactly Q synapses, in-degrees multinomial (multivariate hypergeometric
// without multapses), sources uniform, the same graph on 1, 2 and 3 ranks.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <set>

#include "graph_helpers.hpp"
#include "sparsechaos/network/total_number.hpp"

using namespace graph_test;
using sc::network::connection_rule;

namespace {

sc::network::network_spec total_number_spec(std::uint64_t n_pre, std::uint64_t n_post, std::uint64_t q, bool multapses) {
    auto spec = one_population(n_pre);
    sc::network::population_spec post = spec.populations[0];
    post.name = "B";
    post.size = n_post;
    spec.populations.push_back(post);
    auto& p = spec.projections[0];
    p.post = "B";
    p.rule = connection_rule::fixed_total_number;
    p.total_number = q;
    p.multapses = multapses;
    return spec;
}

}  // namespace

TEST(TotalNumber, QFromTheConnectionProbability) {
    // Potjans & Diesmann: Q = ln(1 − C)/ln(1 − 1/(N_pre N_post)); e.g. L2/3E → L2/3E. Reference
    // in long double: log(1 − x) in double loses eight digits at x = 2e-9 (here: Q off by one).
    const long double q = std::log1pl(-0.1009L) / std::log1pl(-1.0L / (20683.0L * 20683.0L));
    EXPECT_EQ(sc::network::total_number_from_probability(0.1009, 20683, 20683), std::uint64_t(std::llround(q)));
    EXPECT_EQ(sc::network::total_number_from_probability(0.0, 10, 10), 0u);
    EXPECT_THROW(sc::network::total_number_from_probability(1.0, 10, 10), std::invalid_argument);
    auto spec = total_number_spec(300, 200, 0, true);
    spec.projections[0].total_number.reset();
    spec.projections[0].connection_probability = 0.05;
    const sc::network::layout lay(spec);
    const auto r = sc::network::resolve_projections(spec, lay)[0];
    EXPECT_EQ(r.total_number, std::uint64_t(std::llround(std::log(0.95) / std::log(1 - 1.0 / 60000.0))));
    EXPECT_DOUBLE_EQ(r.mean_indegree, double(r.total_number) / 200.0);
}

TEST(TotalNumber, ExactCountSameOnAnyRankCount) {
    for (bool multapses : {true, false}) {
        const auto spec = total_number_spec(500, 700, 21000, multapses);
        const auto one = sorted(synapses(spec, 0, 1));
        ASSERT_EQ(one.size(), 21000u);
        EXPECT_EQ(sorted(synapses(spec, 0, 2)), one);
        EXPECT_EQ(sorted(synapses(spec, 0, 3)), one);
        if (!multapses) {
            std::set<std::pair<std::uint64_t, std::uint64_t>> pairs;
            for (const auto& s : one) pairs.insert({s.pre, s.post});
            EXPECT_EQ(pairs.size(), one.size()) << "a multapse without multapses";
        }
    }
}

TEST(TotalNumber, DegreesAndSourcesAreUniform) {
    // In-degree of a target ~ Binomial(Q, 1/N_post) (hypergeometric with capacity N_pre without
    // multapses); source counts ~ Binomial(Q, 1/N_pre). Their sample variances over the neurons are
    // compared with the exact ones: the s.e. of a sample variance of n values is about
    // var·sqrt(2/n) (for near-normal counts), 5 s.e. allowed.
    const std::uint64_t n_pre = 2000, n_post = 3000, q = 150000;
    for (bool multapses : {true, false}) {
        const auto spec = total_number_spec(n_pre, n_post, q, multapses);
        const auto all = synapses(spec, 0, 2);
        std::vector<double> in(n_post, 0.0), out(n_pre, 0.0);
        for (const auto& s : all) in[s.post - n_pre] += 1, out[s.pre] += 1;
        auto moments = [](const std::vector<double>& x) {
            double m = 0, v = 0;
            for (double a : x) m += a;
            m /= double(x.size());
            for (double a : x) v += (a - m) * (a - m);
            return std::pair{m, v / double(x.size() - 1)};
        };
        const auto [m_in, v_in] = moments(in);
        const auto [m_out, v_out] = moments(out);
        EXPECT_DOUBLE_EQ(m_in, double(q) / n_post);
        const double p_in = 1.0 / n_post;
        double var_in = double(q) * p_in * (1 - p_in);
        if (!multapses) {  // Q draws without replacement from N_post·N_pre pairs, N_pre per target
            const double pairs = double(n_post) * double(n_pre);
            var_in *= (pairs - double(q)) / (pairs - 1);
        }
        EXPECT_NEAR(v_in, var_in, 5 * var_in * std::sqrt(2.0 / n_post)) << multapses;
        const double p_out = 1.0 / n_pre, var_out = double(q) * p_out * (1 - p_out);
        EXPECT_DOUBLE_EQ(m_out, double(q) / n_pre);
        // Without multapses the source counts are not exactly binomial; 10 % of the variance.
        EXPECT_NEAR(v_out, var_out, 5 * var_out * std::sqrt(2.0 / n_pre) + (multapses ? 0.0 : 0.1 * var_out));
    }
}

TEST(TotalNumber, SourcesOfMatchesTheStoredRows) {
    const auto spec = total_number_spec(400, 300, 5000, true);
    const auto all = sorted(synapses(spec, 0, 1));
    const sc::network::layout lay(spec, 1, 2);
    const auto proj = sc::network::resolve_projections(spec, lay)[0];
    const sc::network::projection_targets t(spec, lay, proj);
    std::vector<graph_test::synapse> drawn;
    std::vector<std::uint64_t> sources;
    for (std::uint64_t i = 400; i < 700; ++i) {
        t.sources_of(i, sources);
        for (auto s : sources) drawn.push_back({s, i, float(proj.weight), 0.0f});
    }
    std::vector<graph_test::synapse> expected;
    for (const auto& s : all)
        if (s.post >= 400) expected.push_back(s);
    EXPECT_EQ(sorted(drawn), expected);
}

TEST(TotalNumber, TooManySynapsesWithoutMultapsesIsAnError) {
    auto spec = total_number_spec(10, 10, 101, false);
    const sc::network::layout lay(spec);
    EXPECT_THROW(sc::network::resolve_projections(spec, lay), std::invalid_argument);
    spec.projections[0].total_number = 100;
    EXPECT_NO_THROW(sc::network::resolve_projections(spec, lay));
    spec.simulation.storage = sc::network::connectivity_storage::procedural;
    EXPECT_THROW(sc::network::resolve_projections(spec, lay), std::invalid_argument);
}
