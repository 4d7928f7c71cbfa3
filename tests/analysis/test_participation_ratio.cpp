// Participation ratio of hand-made vectors, with and without the neutral direction removed.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "sparsechaos/analysis/participation_ratio.hpp"

using namespace sparsechaos::analysis;

TEST(ParticipationRatio, UniformVectorIsN) {
    const std::vector<double> v(100, 0.3);
    EXPECT_NEAR(participation_ratio(v), 100.0, 1e-12);  // 0.3^2 is not exact: rounding only
}

TEST(ParticipationRatio, AxisVectorIsOne) {
    std::vector<double> v(100, 0.0);
    v[37] = -2.5;
    EXPECT_DOUBLE_EQ(participation_ratio(v), 1.0);
}

TEST(ParticipationRatio, TwoEqualEntriesIsTwo) {
    std::vector<double> v(10, 0.0);
    v[1] = 1.0;
    v[8] = -1.0;
    EXPECT_DOUBLE_EQ(participation_ratio(v), 2.0);
    EXPECT_EQ(participation_ratio(std::vector<double>(5, 0.0)), 0.0);
}

TEST(ParticipationRatio, NeutralDirectionProjectedOut) {
    // v = e_0 + 1 (all ones) is spread over all N units; without the ones direction it is
    // x = e_0 - 1/N: sum x^2 = 1 - 1/N, sum x^4 = (1 - 1/N)^4 + (N - 1)/N^4, nearly one unit.
    const int n = 100;
    std::vector<double> v(n, 1.0), ones(n, 1.0);
    v[0] += 1.0;
    const double s2 = 1.0 - 1.0 / n, s4 = std::pow(1.0 - 1.0 / n, 4) + (n - 1) / std::pow(n, 4);
    EXPECT_NEAR(participation_ratio(v, ones), s2 * s2 / s4, 1e-12);
    EXPECT_NEAR(participation_ratio(v), 103.0 * 103.0 / 115.0, 1e-12);  // entries 2 and 99 ones
}

TEST(ParticipationRatio, DistributedSumsAgreeWithSerial) {
    // The same vector split into three "ranks" as the MPI code will do it.
    std::vector<double> v(31), d(31);
    for (int i = 0; i < 31; ++i) {
        v[i] = std::sin(0.7 * i) + 0.1 * i;
        d[i] = 1.0 + 0.01 * i;
    }
    const std::size_t cut[] = {0, 9, 20, 31};
    double vd = 0.0, dd = 0.0;
    for (int i = 0; i < 31; ++i) vd += v[i] * d[i], dd += d[i] * d[i];
    const double c = projection_coefficient(vd, dd);
    participation_sums total;
    for (int r = 0; r < 3; ++r) {
        const auto s = local_participation_sums(std::span(v).subspan(cut[r], cut[r + 1] - cut[r]),
                                                std::span(d).subspan(cut[r], cut[r + 1] - cut[r]), c);
        total.sum2 += s.sum2;
        total.sum4 += s.sum4;
    }
    EXPECT_NEAR(participation_ratio(total), participation_ratio(v, d), 1e-12 * participation_ratio(v, d));
}
