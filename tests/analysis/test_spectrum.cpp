// Spectrum-derived quantities against hand-computed values.
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <stdexcept>
#include <vector>

#include "sparsechaos/analysis/spectrum.hpp"

using namespace sparsechaos::analysis;

namespace {
// Partial sums 2, 3, 3, 2, -1: k = 4, S_4 = 2, lambda_5 = -3.
const std::vector<double> example{2.0, 1.0, 0.0, -1.0, -3.0, -5.0};
}  // namespace

TEST(KaplanYorke, HandComputedSpectrum) { EXPECT_DOUBLE_EQ(kaplan_yorke_dimension(example), 4.0 + 2.0 / 3.0); }

TEST(KaplanYorke, LorenzAttractor) {
    // Lorenz system (sigma 10, rho 28, beta 8/3): D_KY = 2 + 0.9056 / 14.5723 = 2.0621.
    const std::vector<double> lorenz{0.9056, 0.0, -14.5723};
    EXPECT_NEAR(kaplan_yorke_dimension(lorenz), 2.06214, 1e-5);
}

TEST(KaplanYorke, EdgeCases) {
    EXPECT_EQ(kaplan_yorke_dimension(std::vector<double>{-1.0, -2.0}), 0.0);  // stable fixed point
    EXPECT_EQ(kaplan_yorke_dimension(std::vector<double>{0.0, -1.0}), 1.0);   // limit cycle
    EXPECT_EQ(kaplan_yorke_dimension(std::vector<double>{3.0, 1.0, -2.0}), 3.0);  // sums never negative: m
    EXPECT_EQ(kaplan_yorke_dimension(std::vector<double>{}), 0.0);
}

TEST(KaplanYorke, RejectsUnsortedOrNonFinite) {
    EXPECT_THROW(kaplan_yorke_dimension(std::vector<double>{-1.0, 2.0}), std::invalid_argument);
    EXPECT_THROW(kaplan_yorke_dimension(std::vector<double>{NAN, -1.0}), std::invalid_argument);
}

TEST(Entropy, SumOfPositiveExponentsInNatsBitsAndBitsPerSpike) {
    const entropy_rate h = ks_entropy(example, 10.0);  // 10 network spikes per second
    EXPECT_DOUBLE_EQ(h.nats_per_second, 3.0);
    EXPECT_DOUBLE_EQ(h.bits_per_second, 3.0 / std::numbers::ln2);
    EXPECT_DOUBLE_EQ(h.bits_per_spike, 0.3 / std::numbers::ln2);
    EXPECT_EQ(ks_entropy(example, 0.0).bits_per_spike, 0.0);
}

TEST(Entropy, ToleranceDropsANearZeroEstimate) {
    const std::vector<double> l{2.0, 1e-4, -1.0};
    EXPECT_DOUBLE_EQ(ks_entropy(l, 1.0).nats_per_second, 2.0001);
    EXPECT_DOUBLE_EQ(ks_entropy(l, 1.0, 1e-3).nats_per_second, 2.0);
    EXPECT_EQ(positive_count(l), 2u);
    EXPECT_EQ(positive_count(l, 1e-3), 1u);
}

TEST(Dimensions, LowerAndUpperBounds) {
    const dimension_bounds d = dimensions(example);
    EXPECT_DOUBLE_EQ(d.kaplan_yorke, 4.0 + 2.0 / 3.0);
    EXPECT_EQ(d.positive, 2u);
    EXPECT_EQ(d.kaplan_yorke_floor, 4u);
    EXPECT_DOUBLE_EQ(d.entropy_over_lambda_max, 1.5);  // H = 3, lambda_max = 2
    const dimension_bounds stable = dimensions(std::vector<double>{-1.0, -2.0});
    EXPECT_EQ(stable.positive, 0u);
    EXPECT_EQ(stable.entropy_over_lambda_max, 0.0);
}
