// The coupling matrix J of rate networks: the distributed Mat holds exactly the entries of the
// rank-independent row function (so J is the same on any number of ranks), and the entries
// have the intended statistics. Runs under mpiexec at 1, 2 and 3 ranks.
#include <gtest/gtest.h>
#include <petscmat.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "rate_cases.hpp"
#include "sparsechaos/rate/coupling.hpp"
#include "sparsechaos/rate/model.hpp"

namespace rate = sparsechaos::rate;
using namespace rate_cases;

namespace {

// Compares every stored row of J on this rank with fill_coupling_row, bit for bit; returns the
// number of mismatching rows on any rank.
int mismatched_rows(const rate::coupling_spec& spec, MPI_Comm comm) {
    rate::rate_network_spec s;
    s.coupling = spec;
    rate::rate_model model(comm, s);
    rate::coupling_row expected;
    int bad = 0;
    for (std::int64_t l = 0; l < model.local_rows(); ++l) {
        const PetscInt i = PetscInt(model.row_begin() + l);
        rate::fill_coupling_row(spec, std::uint64_t(i), expected);
        PetscInt ncols = 0;
        const PetscInt* cols = nullptr;
        const PetscScalar* vals = nullptr;
        SC_PETSC_CHECK(MatGetRow(model.coupling(), i, &ncols, &cols, &vals));
        // Dense storage lists every column, zeros included: compare the nonzeros.
        std::vector<std::int64_t> c;
        std::vector<double> v;
        for (PetscInt q = 0; q < ncols; ++q)
            if (vals[q] != 0.0) c.push_back(cols[q]), v.push_back(vals[q]);
        SC_PETSC_CHECK(MatRestoreRow(model.coupling(), i, &ncols, &cols, &vals));
        if (c != expected.columns || v != expected.values) ++bad;
    }
    int total = 0;
    MPI_Allreduce(&bad, &total, 1, MPI_INT, MPI_SUM, comm);
    return total;
}

}  // namespace

TEST(RateCoupling, GaussianMatIsTheRowFunctionOnEveryRankCount) {
    auto spec = gaussian(37, 2.0).coupling;
    EXPECT_EQ(mismatched_rows(spec, MPI_COMM_WORLD), 0);
    spec.storage = rate::storage_kind::sparse;
    EXPECT_EQ(mismatched_rows(spec, MPI_COMM_WORLD), 0);
}

TEST(RateCoupling, BalancedMatIsTheRowFunctionOnEveryRankCount) {
    auto spec = balanced(53, 10).coupling;
    EXPECT_EQ(mismatched_rows(spec, MPI_COMM_WORLD), 0);
    spec.storage = rate::storage_kind::dense;
    EXPECT_EQ(mismatched_rows(spec, MPI_COMM_WORLD), 0);
}

// The row function depends only on (seed, row): the same J for any partition. A distributed
// product J x equals the serial one for the same x (to rounding: sums may be ordered
// differently by PETSc's local/off-process split).
TEST(RateCoupling, ProductAgreesWithOneRank) {
    for (auto spec : {gaussian(41, 1.5).coupling, balanced(41, 8).coupling}) {
        rate::rate_network_spec s;
        s.coupling = spec;
        rate::rate_model dist(MPI_COMM_WORLD, s), self(MPI_COMM_SELF, s);
        auto h_dist = dist.initial_state();
        auto h_self = self.initial_state();
        petsc::unique_vec y_dist, y_self;
        SC_PETSC_CHECK(VecDuplicate(h_dist, y_dist.out()));
        SC_PETSC_CHECK(VecDuplicate(h_self, y_self.out()));
        SC_PETSC_CHECK(MatMult(dist.coupling(), h_dist, y_dist));
        SC_PETSC_CHECK(MatMult(self.coupling(), h_self, y_self));
        const auto a = gather(y_dist, MPI_COMM_WORLD), b = local_values(y_self);
        ASSERT_EQ(a.size(), b.size());
        for (std::size_t i = 0; i < a.size(); ++i) EXPECT_NEAR(a[i], b[i], 1e-14 * (1 + std::abs(b[i]))) << i;
    }
}

TEST(RateCoupling, GaussianEntriesHaveVarianceGSquaredOverN) {
    const auto spec = gaussian(400, 3.0).coupling;
    std::vector<double> row(spec.size);
    double sum = 0, sum2 = 0;
    for (std::uint64_t i = 0; i < spec.size; ++i) {
        rate::gaussian_row(spec, i, row);
        EXPECT_EQ(row[i], 0.0);
        for (double x : row) sum += x, sum2 += x * x;
    }
    const double count = double(spec.size) * double(spec.size - 1);
    const double var = sum2 / count, expected = spec.g * spec.g / double(spec.size);
    // 159600 samples: the relative sd of the sample variance is sqrt(2/159600) = 0.35 %.
    EXPECT_NEAR(var / expected, 1.0, 0.015);
    EXPECT_NEAR(sum / count, 0.0, 4 * std::sqrt(expected / count));
}

// A mean -j0/sqrt(N) shifts every off-diagonal entry and nothing else.
TEST(RateCoupling, GaussianMeanShiftsEveryOffDiagonalEntry) {
    auto spec = gaussian(50, 2.0).coupling;
    std::vector<double> plain(50), shifted(50);
    rate::gaussian_row(spec, 17, plain);
    spec.j0 = 1.5;
    rate::gaussian_row(spec, 17, shifted);
    for (std::size_t j = 0; j < 50; ++j) EXPECT_NEAR(shifted[j], j == 17 ? 0.0 : plain[j] - 1.5 / std::sqrt(50.0), 1e-15);
}

TEST(RateCoupling, BalancedRowsHaveKDistinctInputsWithTheTwoWeights) {
    const auto spec = balanced(200, 20).coupling;
    const std::uint64_t n_e = spec.excitatory_units();
    const std::uint64_t k_e = spec.excitatory_indegree();
    const double w = spec.j0_value() / std::sqrt(20.0);
    rate::coupling_row row;
    for (std::uint64_t i = 0; i < spec.size; ++i) {
        rate::fill_coupling_row(spec, i, row);
        ASSERT_EQ(row.columns.size(), 20u);
        EXPECT_TRUE(std::is_sorted(row.columns.begin(), row.columns.end()));
        EXPECT_EQ(std::set<std::int64_t>(row.columns.begin(), row.columns.end()).size(), 20u);
        std::uint64_t excitatory = 0;
        for (std::size_t q = 0; q < row.columns.size(); ++q) {
            EXPECT_NE(row.columns[q], std::int64_t(i));
            const bool e = std::uint64_t(row.columns[q]) < n_e;
            excitatory += e;
            EXPECT_EQ(row.values[q], e ? w : -4.0 * w);
        }
        EXPECT_EQ(excitatory, k_e);
    }
    // f = 0.8, gamma = 4: rows sum to zero exactly (16 w - 4 * 4 w).
    EXPECT_NEAR(rate::effective_gain_squared(spec), (16.0 + 16.0 * 4.0) / 20.0, 1e-12);
}

TEST(RateCoupling, ImpossibleBalancedDegreesAreRejectedOnEveryRank) {
    auto spec = balanced(20, 30).coupling;  // K_E = 24 > 15 excitatory units
    rate::rate_network_spec s;
    s.coupling = spec;
    EXPECT_THROW(rate::rate_model(MPI_COMM_WORLD, s), std::invalid_argument);
}
