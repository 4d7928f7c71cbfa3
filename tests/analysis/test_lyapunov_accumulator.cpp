// Running exponents and block standard errors from synthetic ln|R_kk| series.
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <stdexcept>
#include <vector>

#include "sparsechaos/analysis/lyapunov_accumulator.hpp"
#include "sparsechaos/network/random.hpp"

using namespace sparsechaos::analysis;

TEST(BlockStandardError, HandComputed) {
    // Block means 1..10: sample variance 110/12, SE = sqrt(110/12) / sqrt(10).
    std::vector<double> means;
    for (int i = 1; i <= 10; ++i) means.push_back(i);
    EXPECT_DOUBLE_EQ(block_standard_error(means), std::sqrt(110.0 / 12.0) / std::sqrt(10.0));
    EXPECT_TRUE(std::isnan(block_standard_error(std::vector<double>{1.0})));
}

TEST(LyapunovAccumulator, ConstantRatesGiveExactExponentsAndZeroError) {
    lyapunov_accumulator acc(2, 10.0);
    for (int i = 0; i < 20; ++i) acc.add_interval(std::vector<double>{0.5, -0.25}, 0.5);
    const auto l = acc.exponents();
    EXPECT_DOUBLE_EQ(l[0], 1.0);
    EXPECT_DOUBLE_EQ(l[1], -0.5);
    EXPECT_DOUBLE_EQ(acc.sum(), 0.5);
    EXPECT_DOUBLE_EQ(acc.elapsed(), 10.0);
    EXPECT_EQ(acc.standard_errors()[0], 0.0);
    EXPECT_EQ(acc.sum_standard_error(), 0.0);
}

TEST(LyapunovAccumulator, BlockMeansOneToTen) {
    // Ten intervals of 1 s, one per block, lambda_1 of block b is b + 1.
    lyapunov_accumulator acc(1, 10.0, {.blocks = 10, .local_count = 1});
    for (int b = 0; b < 10; ++b) acc.add_interval(std::vector<double>{b + 1.0}, 1.0);
    EXPECT_DOUBLE_EQ(acc.exponents()[0], 5.5);
    EXPECT_DOUBLE_EQ(acc.standard_errors()[0], std::sqrt(110.0 / 12.0) / std::sqrt(10.0));
}

TEST(LyapunovAccumulator, IntervalsCountInTheBlockOfTheirMidpoint) {
    // Intervals of 3 s over T = 10 s in 10 blocks: midpoints 1.5, 4.5, 7.5 and 10.5 (past T:
    // last block), so blocks 1, 4, 7, 9 hold one interval each and the others are empty.
    lyapunov_accumulator acc(1, 10.0, {.blocks = 10, .local_count = 1});
    const double log_r[] = {3.0, 6.0, 0.0, 9.0};
    for (double x : log_r) acc.add_interval(std::vector<double>{x}, 3.0);
    EXPECT_DOUBLE_EQ(acc.standard_errors()[0], block_standard_error(std::vector<double>{1.0, 2.0, 0.0, 3.0}));
    EXPECT_DOUBLE_EQ(acc.exponents()[0], 18.0 / 12.0);
}

TEST(LyapunovAccumulator, StandardErrorOfWhiteNoise) {
    // ln|R_11| = mu dt + sigma sqrt(dt) xi per interval (xi standard normal, dt = 1 s): the
    // estimate of lambda_1 has standard error sigma / sqrt(T) = 2 / 200 = 0.01. With B = 400
    // blocks the block estimate of it has a relative spread of 1 / sqrt(2 (B - 1)) = 3.5 %;
    // 15 % is more than four of those, and the seed is fixed, so the test is not flaky, yet it
    // catches a wrong normalization (dividing by B instead of sqrt(B) is off by a factor of 20;
    // n versus n - 1 in the sd is the hand-computed test's job).
    const double mu = 0.7, sigma = 2.0, t_total = 40000.0;
    lyapunov_accumulator acc(1, t_total, {.blocks = 400, .local_count = 1});
    sparsechaos::network::random_stream rng(12345, sparsechaos::network::stream_purpose::initial_phase, 0, 0);
    for (int i = 0; i < int(t_total); ++i) {
        const double xi = std::sqrt(-2.0 * std::log(rng.uniform_pos())) * std::cos(2.0 * std::numbers::pi * rng.uniform());
        acc.add_interval(std::vector<double>{mu + sigma * xi}, 1.0);
    }
    const double expected = sigma / std::sqrt(t_total);
    EXPECT_NEAR(acc.standard_errors()[0], expected, 0.15 * expected);
    EXPECT_NEAR(acc.exponents()[0], mu, 4.0 * expected);
}

TEST(LyapunovAccumulator, TimeSeries) {
    lyapunov_accumulator acc(3, 4.0, {.blocks = 2, .local_count = 2});
    acc.add_interval(std::vector<double>{1.0, 0.0, -2.0}, 1.0);
    acc.add_interval(std::vector<double>{3.0, -1.0, -2.0}, 2.0);
    ASSERT_EQ(acc.intervals(), 2u);
    EXPECT_EQ(acc.local_count(), 2u);
    EXPECT_EQ(std::vector<double>(acc.times().begin(), acc.times().end()), (std::vector<double>{1.0, 3.0}));
    EXPECT_DOUBLE_EQ(acc.lambda1_running()[0], 1.0);
    EXPECT_DOUBLE_EQ(acc.lambda1_running()[1], 4.0 / 3.0);
    EXPECT_DOUBLE_EQ(acc.sum_running()[1], -1.0 / 3.0);
    const std::vector<double> local(acc.local_exponents().begin(), acc.local_exponents().end());
    EXPECT_EQ(local, (std::vector<double>{1.0, 0.0, 1.5, -0.5}));
    EXPECT_DOUBLE_EQ(acc.local_sum()[0], -1.0);
    EXPECT_DOUBLE_EQ(acc.local_sum()[1], 0.0);
}

TEST(LyapunovAccumulator, RejectsBadInput) {
    lyapunov_accumulator acc(2, 1.0);
    EXPECT_THROW(acc.add_interval(std::vector<double>{1.0}, 1.0), std::invalid_argument);
    EXPECT_THROW(acc.add_interval(std::vector<double>{1.0, -INFINITY}, 1.0), std::invalid_argument);
    EXPECT_THROW(acc.add_interval(std::vector<double>{1.0, 1.0}, 0.0), std::invalid_argument);
    EXPECT_THROW(lyapunov_accumulator(0, 1.0), std::invalid_argument);
    EXPECT_THROW(lyapunov_accumulator(1, 0.0), std::invalid_argument);
}
