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

TEST(Entropy, TheNeutralExponentNeverCounts) {
    const std::vector<double> l{2.0, 1e-4, -1.0};
    EXPECT_DOUBLE_EQ(ks_entropy(l, 1.0).nats_per_second, 2.0001);
    EXPECT_DOUBLE_EQ(ks_entropy(l, 1.0, 1).nats_per_second, 2.0);
    EXPECT_EQ(positive_count(l), 2u);
    EXPECT_EQ(positive_count(l, 1), 1u);
    EXPECT_THROW(positive_count(l, 3), std::invalid_argument);
}

TEST(Dimensions, LowerAndUpperBounds) {
    const dimension_bounds d = dimensions(example);
    EXPECT_DOUBLE_EQ(d.kaplan_yorke, 4.0 + 2.0 / 3.0);
    EXPECT_EQ(d.positive, 2u);
    EXPECT_EQ(d.kaplan_yorke_floor, 4u);
    EXPECT_DOUBLE_EQ(d.entropy_over_lambda_max, 1.5);  // H = 3, lambda_max = 2
    const dimension_bounds stable = dimensions(std::vector<double>{-1.0, -2.0});
    EXPECT_EQ(stable.positive, 0u);
    EXPECT_EQ(stable.kaplan_yorke, 0.0);
    EXPECT_TRUE(std::isnan(stable.entropy_over_lambda_max)) << "H / lambda_max is undefined without expansion";
}

// The neutral exponent is found from its standard error or from the gap to its neighbours, and
// only when the closest exponent is consistent with zero.
TEST(NeutralExponent, ClosestToZeroWhenConsistentWithZero) {
    // Statistically zero: |0.07| < 3 x 0.16, although the neighbours are only 0.3-0.5 away (a
    // dense chaotic spectrum, the 200-neuron theta network).
    const std::vector<double> dense{31.0, 0.52, 0.07, -0.32, -40.0};
    EXPECT_EQ(neutral_exponent(dense, std::vector<double>{0.8, 0.24, 0.16, 0.2, 0.5}), 2u);
    // The same exponent with a small error is a real one, not the neutral one.
    EXPECT_EQ(neutral_exponent(dense, std::vector<double>{0.8, 0.24, 0.01, 0.2, 0.5}), std::nullopt);
    // A systematic offset far below its neighbours (a discretized flow): neutral, errors or not.
    const std::vector<double> cycle{-2e-5, -0.8, -1.3};
    EXPECT_EQ(neutral_exponent(cycle, std::vector<double>{1e-7, 0.01, 0.01}), 0u);
    EXPECT_EQ(neutral_exponent(cycle, std::vector<double>{}), 0u);
    // Computed exponents that do not reach zero (m = 3 of a chaotic network): none is neutral.
    EXPECT_EQ(neutral_exponent(std::vector<double>{30.0, 12.0, 5.0}, std::vector<double>{0.8, 0.5, 0.3}),
              std::nullopt);
    // A stable fixed point (no zero exponent): the closest is not apart from its neighbour.
    EXPECT_EQ(neutral_exponent(std::vector<double>{-0.57, -0.6, -0.9}, std::vector<double>{0.01, 0.01, 0.01}),
              std::nullopt);
    EXPECT_EQ(neutral_exponent(std::vector<double>{}, std::vector<double>{}), std::nullopt);
    EXPECT_THROW(neutral_exponent(dense, std::vector<double>{0.1}), std::invalid_argument);
}

// A stable spiking network: its largest exponent is the neutral one, whatever the sign of its last
// bits. Nothing is positive, H = 0, D_KY = 1 (the neutral direction does not contract) and
// H / lambda_max is undefined.
TEST(NeutralExponent, StableSpectrumWhateverTheSignOfTheNeutralEstimate) {
    for (double estimate : {5.6e-18, 0.0, -5.6e-18, -7.6e-4}) {
        const std::vector<double> l{estimate, -46.9, -50.0, -61.0};
        const std::vector<double> se{7.7e-4, 0.3, 0.3, 0.4};
        const auto neutral = neutral_exponent(l, se);
        ASSERT_EQ(neutral, 0u) << estimate;
        EXPECT_EQ(positive_count(l, neutral), 0u) << estimate;
        EXPECT_EQ(ks_entropy(l, 1000.0, neutral).nats_per_second, 0.0) << estimate;
        const dimension_bounds d = dimensions(l, neutral);
        EXPECT_EQ(d.kaplan_yorke, 1.0) << estimate;
        EXPECT_EQ(d.kaplan_yorke_floor, 1u) << estimate;
        EXPECT_EQ(d.positive, 0u) << estimate;
        EXPECT_TRUE(std::isnan(d.entropy_over_lambda_max)) << estimate;
    }
}

// A chaotic spectrum: the neutral estimate in the middle counts as zero in D_KY too.
TEST(NeutralExponent, ChaoticSpectrumCountsTheNeutralAsZero) {
    const std::vector<double> l{3.0, 1.0, 0.01, -2.0, -5.0};
    const auto neutral = neutral_exponent(l, std::vector<double>{0.1, 0.1, 0.05, 0.1, 0.1});
    ASSERT_EQ(neutral, 2u);
    const dimension_bounds d = dimensions(l, neutral);
    EXPECT_EQ(d.positive, 2u);
    EXPECT_DOUBLE_EQ(d.kaplan_yorke, 4.0 + 2.0 / 5.0);  // sums 3, 4, 4, 2, then -3
    EXPECT_DOUBLE_EQ(d.entropy_over_lambda_max, 4.0 / 3.0);
    EXPECT_EQ(with_neutral_zero(l, neutral), (std::vector<double>{3.0, 1.0, 0.0, -2.0, -5.0}));
}
