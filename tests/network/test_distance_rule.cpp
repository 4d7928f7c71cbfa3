// distance_dependent: every pair connected with probability p(d), checked against the exact sum
// over all pairs (count) and per distance bin (chi-square); cut-offs respected; stored and
// procedural rows equal; the same on 1, 2 and 3 ranks; the expected in-degree formula.
#include <gtest/gtest.h>

#include <cmath>

#include "graph_helpers.hpp"
#include "sparsechaos/network/distance_rule.hpp"
#include "sparsechaos/network/positions.hpp"

using namespace graph_test;
using sc::network::connection_rule;
using sc::network::distance_kernel;

namespace {

sc::network::network_spec spatial_spec(std::uint64_t n, bool periodic, distance_kernel kernel, double width,
                                       double p_max, std::optional<double> cutoff = std::nullopt,
                                       sc::network::position_layout layout = sc::network::position_layout::random) {
    auto spec = one_population(n);
    spec.populations[0].positions = sc::network::positions_spec{1000.0, 800.0, periodic, layout};
    auto& p = spec.projections[0];
    p.rule = connection_rule::distance_dependent;
    p.spatial = {kernel, width, p_max, cutoff};
    return spec;
}

struct pair_sums {
    double expected = 0, variance = 0;
};

}  // namespace

TEST(DistanceRule, CountsAndDistanceProfileMatchTheKernel) {
    struct variant {
        bool periodic;
        distance_kernel kernel;
        double width, p_max;
        std::optional<double> cutoff;
    };
    for (const auto& v : {variant{false, distance_kernel::gaussian, 60.0, 0.4, {}},
                          variant{true, distance_kernel::gaussian, 150.0, 0.1, {}},
                          variant{true, distance_kernel::exponential, 40.0, 0.5, 120.0},
                          variant{false, distance_kernel::exponential, 80.0, 1.0, {}}}) {
        const std::uint64_t n = 2500;
        const auto spec = spatial_spec(n, v.periodic, v.kernel, v.width, v.p_max, v.cutoff);
        const sc::network::layout lay(spec);
        const auto pos = sc::network::population_positions(spec, lay, 0);
        const auto all = synapses(spec, 0, 1);
        // Exact expectation over all ordered pairs, binned by distance.
        const double bin = 10.0;
        const double r = sc::network::distance_rule::truncation_radius({v.kernel, v.width, v.p_max, v.cutoff});
        const std::size_t bins = std::size_t(std::ceil(std::min(r, 1300.0) / bin)) + 1;
        std::vector<pair_sums> by_bin(bins);
        std::vector<double> observed(bins, 0.0);
        auto p_of = [&](double d) {
            if (d > r) return 0.0;
            const double x = d / v.width;
            return v.p_max * (v.kernel == distance_kernel::gaussian ? std::exp(-0.5 * x * x) : std::exp(-x));
        };
        pair_sums total;
        for (std::uint64_t i = 0; i < n; ++i)
            for (std::uint64_t j = 0; j < n; ++j) {
                if (i == j) continue;
                const double d = pos.distance(pos.at(i), pos.at(j));
                const double p = p_of(d);
                if (p == 0.0) continue;
                auto& b = by_bin[std::min(bins - 1, std::size_t(d / bin))];
                b.expected += p, b.variance += p * (1 - p);
                total.expected += p, total.variance += p * (1 - p);
            }
        for (const auto& s : all) {
            ASSERT_NE(s.pre, s.post) << "autapse";
            const double d = pos.distance(pos.at(s.pre), pos.at(s.post));
            ASSERT_LE(d, r) << "synapse beyond the truncation radius";
            observed[std::min(bins - 1, std::size_t(d / bin))] += 1;
        }
        EXPECT_NEAR(double(all.size()), total.expected, 5 * std::sqrt(total.variance)) << v.periodic << int(v.kernel);
        // Chi-square over the distance bins (Poisson-binomial counts: variance Σ p(1 − p)).
        double chi = 0;
        int dof = 0;
        for (std::size_t b = 0; b < bins; ++b) {
            if (by_bin[b].variance < 5) continue;
            chi += (observed[b] - by_bin[b].expected) * (observed[b] - by_bin[b].expected) / by_bin[b].variance;
            ++dof;
        }
        ASSERT_GT(dof, 5);
        EXPECT_LT(chi, dof + 6 * std::sqrt(2.0 * dof) + 10) << "dof " << dof << " periodic " << v.periodic;
    }
}

TEST(DistanceRule, SameOnAnyRankCountAndProcedurally) {
    for (bool periodic : {false, true}) {
        auto spec = spatial_spec(1500, periodic, distance_kernel::gaussian, 50.0, 0.5);
        const auto one = sorted(synapses(spec, 0, 1));
        ASSERT_GT(one.size(), 5000u);
        EXPECT_EQ(sorted(synapses(spec, 0, 2)), one);
        EXPECT_EQ(sorted(synapses(spec, 0, 3)), one);
        spec.simulation.storage = sc::network::connectivity_storage::procedural;
        EXPECT_EQ(sorted(synapses(spec, 0, 1)), one);
        EXPECT_EQ(sorted(synapses(spec, 0, 3)), one);
    }
}

TEST(DistanceRule, ExpectedInDegreeOfTheContinuum) {
    // Periodic grid, spacing 10 µm, Gaussian width 40 µm: the lattice sum of p around any neuron
    // equals the continuum integral to ~1e-6 (a smooth kernel on a fine lattice).
    const auto spec = spatial_spec(100 * 80, true, distance_kernel::gaussian, 40.0, 0.2, {},
                                   sc::network::position_layout::grid);
    const sc::network::layout lay(spec);
    const auto proj = sc::network::resolve_projections(spec, lay)[0];
    const auto pos = sc::network::population_positions(spec, lay, 0);
    double lattice = 0;
    for (std::uint64_t j = 1; j < 8000; ++j) {
        const double x = pos.distance(pos.at(0), pos.at(j)) / 40.0;
        lattice += 0.2 * std::exp(-0.5 * x * x);
    }
    lattice += 0.2;  // the continuum includes the neuron's own position; the lattice sum skips it
    EXPECT_NEAR(proj.mean_indegree, lattice, 1e-4 * lattice);
    // Open sheet, random positions: the formula averages over positions; the realized sum over
    // pairs of this draw lies within a few per cent (boundary neurons have fewer partners).
    const auto open = spatial_spec(3000, false, distance_kernel::exponential, 70.0, 0.3);
    const sc::network::layout lay2(open);
    const auto proj2 = sc::network::resolve_projections(open, lay2)[0];
    const auto pos2 = sc::network::population_positions(open, lay2, 0);
    double sum = 0;
    for (std::uint64_t i = 0; i < 3000; ++i)
        for (std::uint64_t j = 0; j < 3000; ++j)
            if (i != j) sum += 0.3 * std::exp(-pos2.distance(pos2.at(i), pos2.at(j)) / 70.0);
    EXPECT_NEAR(proj2.mean_indegree, sum / 3000, 0.03 * sum / 3000);
}

TEST(DistanceRule, Positions) {
    sc::network::positions_spec grid{300.0, 200.0, false, sc::network::position_layout::grid};
    EXPECT_EQ(sc::network::sheet_positions::grid_columns(grid, 600), 30u);  // 30 × 20
    EXPECT_EQ(sc::network::sheet_positions::grid_columns(grid, 601), 0u);
    const sc::network::sheet_positions g(grid, 600, 0, 1);
    EXPECT_DOUBLE_EQ(g.at(0).x, -145.0);
    EXPECT_DOUBLE_EQ(g.at(0).y, -95.0);
    EXPECT_DOUBLE_EQ(g.at(599).x, 145.0);
    sc::network::positions_spec torus{100.0, 100.0, true, sc::network::position_layout::random};
    const sc::network::sheet_positions t(torus, 10, 0, 1);
    EXPECT_DOUBLE_EQ(t.distance({-49.0, 0.0}, {49.0, 0.0}), 2.0);
    for (std::uint64_t k = 0; k < 10; ++k) {
        const auto p = t.at(k);
        EXPECT_TRUE(p.x >= -50 && p.x < 50 && p.y >= -50 && p.y < 50);
    }
}

TEST(DistanceRule, NeedsPositionsAndOneSheet) {
    auto spec = spatial_spec(100, false, distance_kernel::gaussian, 50.0, 0.5);
    spec.populations[0].positions.reset();
    const sc::network::layout lay(spec);
    try {
        sc::network::resolve_projections(spec, lay);
        FAIL() << "no error";
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("has none"), std::string::npos) << e.what();
    }
}
