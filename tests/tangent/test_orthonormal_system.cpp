// The distributed orthonormal system: layout, orthonormality for each method, exact ln|R_kk| of
// scaled orthogonal systems, the condition estimate, and independence of the number of ranks.
// Runs under mpiexec with any number of ranks (1, 2 and 3 in ctest); every rank must reach every
// collective call, so checks that need all ranks use reduced values.
#include <gtest/gtest.h>
#include <mpi.h>
#include <petscvec.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "sparsechaos/tangent/orthonormal_system.hpp"
#include "sparsechaos/petsc/error.hpp"

using namespace sparsechaos::tangent;

namespace {

int world_rank() {
    int r = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &r);
    return r;
}
int world_size() {
    int s = 1;
    MPI_Comm_size(MPI_COMM_WORLD, &s);
    return s;
}
// An uneven split on purpose: rank r gets one row more than rank r + 1 needs.
std::int64_t rows_of(std::int64_t n, int rank, int size) { return n / size + (rank < n % size ? 1 : 0); }

double global_max(double x) {
    double y = 0.0;
    MPI_Allreduce(&x, &y, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
    return y;
}

// Q gathered to rank 0, column-major N x m; empty on other ranks.
std::vector<double> gather(orthonormal_system& q) {
    const int size = world_size(), rank = world_rank();
    const int n_local = int(q.local_rows());
    std::vector<int> counts(size), displs(size);
    MPI_Gather(&n_local, 1, MPI_INT, counts.data(), 1, MPI_INT, 0, MPI_COMM_WORLD);
    for (int r = 1; r < size; ++r) displs[r] = displs[r - 1] + counts[r - 1];
    const std::int64_t n = q.global_rows();
    std::vector<double> all(rank == 0 ? std::size_t(n * q.columns()) : 0);
    for (std::int64_t k = 0; k < q.columns(); ++k)
        MPI_Gatherv(q.column(k), n_local, MPI_DOUBLE, rank == 0 ? all.data() + k * n : nullptr, counts.data(),
                    displs.data(), MPI_DOUBLE, 0, MPI_COMM_WORLD);
    return all;
}

std::vector<double> local_copy(orthonormal_system& q) {
    std::vector<double> v;
    for (std::int64_t k = 0; k < q.columns(); ++k) v.insert(v.end(), q.column(k), q.column(k) + q.local_rows());
    return v;
}

class Methods : public ::testing::TestWithParam<orthogonalization> {};

}  // namespace

TEST(OrthonormalSystem, LayoutIsPetscsDefault) {
    const int rank = world_rank(), size = world_size();
    const std::int64_t n_local = 3 + 2 * rank;
    orthonormal_system q(MPI_COMM_WORLD, n_local, 2);
    Vec v = nullptr;
    SC_PETSC_CHECK(VecCreateMPI(MPI_COMM_WORLD, PetscInt(n_local), PETSC_DECIDE, &v));
    PetscInt begin = 0, end = 0, n = 0;
    SC_PETSC_CHECK(VecGetOwnershipRange(v, &begin, &end));
    SC_PETSC_CHECK(VecGetSize(v, &n));
    SC_PETSC_CHECK(VecDestroy(&v));
    EXPECT_EQ(q.row_begin(), begin);
    EXPECT_EQ(q.row_begin() + q.local_rows(), end);
    EXPECT_EQ(q.global_rows(), n);
    EXPECT_EQ(q.global_rows(), 3 * size + size * (size - 1));
    EXPECT_EQ(q.leading_dimension(), q.local_rows());
    // Columns are leading_dimension() apart in one array.
    if (n_local > 0) {
        EXPECT_EQ(q.column(1) - q.column(0), q.leading_dimension());
    }
}

TEST(OrthonormalSystem, RowPrimitives) {
    const int rank = world_rank(), size = world_size();
    orthonormal_system q(MPI_COMM_WORLD, rows_of(37, rank, size), 4);
    for (std::int64_t k = 0; k < 4; ++k)
        for (std::int64_t i = 0; i < q.local_rows(); ++i) q.column(k)[i] = 100.0 * double(q.row_begin() + i) + k;
    std::vector<double> row(4);
    q.copy_row(1, row.data());
    const double g = double(q.row_begin() + 1);
    EXPECT_EQ(row, (std::vector<double>{100 * g, 100 * g + 1, 100 * g + 2, 100 * g + 3}));
    const std::vector<double> other{8.0, 4.0, 2.0, 1.0};
    q.update_row(2, 0.5, 2.0, other.data());  // Q_2 <- 0.5 Q_2 + 2 other
    const double g2 = double(q.row_begin() + 2);
    for (std::int64_t k = 0; k < 4; ++k) EXPECT_EQ(q.column(k)[2], 0.5 * (100 * g2 + k) + 2.0 * other[k]);
    q.scale_row(0, -3.0);
    for (std::int64_t k = 0; k < 4; ++k) EXPECT_EQ(q.column(k)[0], -3.0 * (100.0 * double(q.row_begin()) + k));
    EXPECT_EQ(q.column(0)[1], 100 * g);  // other rows untouched
}

TEST_P(Methods, OrthonormalAfterOrthonormalize) {
    const int rank = world_rank(), size = world_size();
    orthonormal_system q(MPI_COMM_WORLD, rows_of(37, rank, size), 5, GetParam());
    q.fill_random(7);
    EXPECT_GT(q.orthonormality_error(), 0.5);  // a random Gaussian matrix is far from orthonormal
    q.orthonormalize();
    EXPECT_LT(q.orthonormality_error(), 1e-12);
    const auto r = q.r_factor();
    for (int k = 0; k < 5; ++k) EXPECT_GT(r[k * 5 + k], 0.0);
}

TEST_P(Methods, OrthonormalWhenLocalRowsAreFewerThanColumns) {
    // The full spectrum of a small network on several ranks: m = N, local blocks shorter than m.
    const int rank = world_rank(), size = world_size();
    orthonormal_system q(MPI_COMM_WORLD, rows_of(12, rank, size), 12, GetParam());
    q.initialize_random(11);
    if (GetParam() == orthogonalization::cholesky) {
        // A random square Gaussian matrix has cond ~ 1e2..1e3 and Cholesky QR loses
        // orthogonality like eps cond^2; the second pass starts from cond ~ 1.
        q.orthonormalize();
    }
    EXPECT_LT(q.orthonormality_error(), 1e-12);
}

TEST_P(Methods, LogRIsTheLogOfColumnNormsOfScaledAxes) {
    // Column k = s_k e_{g_k}, s_k = (-1)^k 2^(k-2): exactly orthogonal with norms that are powers
    // of two, so every method must return ln|R_kk| = (k - 2) ln 2, R_kk > 0 and Q = (-1)^k e_{g_k}.
    const int rank = world_rank(), size = world_size();
    orthonormal_system q(MPI_COMM_WORLD, rows_of(37, rank, size), 5, GetParam());
    for (std::int64_t k = 0; k < 5; ++k) {
        const std::int64_t g = 7 * k + 3 - q.row_begin();
        if (g >= 0 && g < q.local_rows()) q.column(k)[g] = std::ldexp(k % 2 ? -1.0 : 1.0, int(k) - 2);
    }
    const auto span_r = q.orthonormalize();
    const std::vector<double> log_r(span_r.begin(), span_r.end());
    ASSERT_EQ(log_r.size(), 5u);
    double q_err = 0.0;
    for (std::int64_t k = 0; k < 5; ++k) {
        EXPECT_NEAR(log_r[k], double(k - 2) * std::log(2.0), 1e-15) << "column " << k;
        for (std::int64_t i = 0; i < q.local_rows(); ++i)
            q_err = std::max(q_err, std::abs(q.column(k)[i] - (q.row_begin() + i == 7 * k + 3 ? (k % 2 ? -1.0 : 1.0) : 0.0)));
    }
    EXPECT_LT(global_max(q_err), 1e-15);
}

TEST_P(Methods, LogRIsTheLogOfColumnScalesOfAnOrthonormalSystem) {
    // Q0 orthonormal, columns scaled by s_k = +-exp(0.8 k - 1.5): R = diag(|s_k|) and the
    // sign-normalized Q is Q0 with the signs of s_k.
    const int rank = world_rank(), size = world_size();
    orthonormal_system q(MPI_COMM_WORLD, rows_of(37, rank, size), 6, GetParam());
    q.initialize_random(3);
    const std::vector<double> q0 = local_copy(q);
    for (std::int64_t k = 0; k < 6; ++k) {
        const double s = (k % 2 ? -1.0 : 1.0) * std::exp(0.8 * double(k) - 1.5);
        for (std::int64_t i = 0; i < q.local_rows(); ++i) q.column(k)[i] *= s;
    }
    const auto log_r = q.orthonormalize();
    double q_err = 0.0;
    for (std::int64_t k = 0; k < 6; ++k) {
        EXPECT_NEAR(log_r[k], 0.8 * double(k) - 1.5, 1e-13) << "column " << k;
        const double sign = k % 2 ? -1.0 : 1.0;
        for (std::int64_t i = 0; i < q.local_rows(); ++i)
            q_err = std::max(q_err, std::abs(q.column(k)[i] - sign * q0[k * q.local_rows() + i]));
    }
    EXPECT_LT(global_max(q_err), 1e-13);
}

TEST_P(Methods, SameSystemOnAnyNumberOfRanks) {
    // The random system and its QR on this communicator against the same system built on one
    // rank: the matrix must be identical bit for bit, Q and ln|R_kk| to rounding.
    const int rank = world_rank(), size = world_size();
    const std::int64_t n = 37, m = 6;
    const std::uint64_t seed = 2024;
    orthonormal_system q(MPI_COMM_WORLD, rows_of(n, rank, size), m, GetParam());
    q.fill_random(seed);
    const std::vector<double> raw = gather(q);
    const auto span_r = q.orthonormalize();
    const std::vector<double> log_r(span_r.begin(), span_r.end());
    const std::vector<double> orth = gather(q);
    if (rank == 0) {
        orthonormal_system serial(MPI_COMM_SELF, n, m, GetParam());
        serial.fill_random(seed);
        EXPECT_EQ(local_copy(serial), raw);
        const auto serial_log_r = serial.orthonormalize();
        const std::vector<double> serial_q = local_copy(serial);
        double r_err = 0.0, q_err = 0.0, checksum = 0.0, serial_checksum = 0.0;
        for (std::int64_t k = 0; k < m; ++k) r_err = std::max(r_err, std::abs(log_r[k] - serial_log_r[k]));
        for (std::size_t i = 0; i < orth.size(); ++i) {
            q_err = std::max(q_err, std::abs(orth[i] - serial_q[i]));
            checksum += double(i % 97 + 1) * orth[i];
            serial_checksum += double(i % 97 + 1) * serial_q[i];
        }
        EXPECT_LT(r_err, 1e-12);
        EXPECT_LT(q_err, 1e-12);
        EXPECT_NEAR(checksum, serial_checksum, 1e-12 * std::abs(serial_checksum));
        EXPECT_LT(serial.orthonormality_error(), 1e-12);
    }
    EXPECT_LT(q.orthonormality_error(), 1e-12);
}

INSTANTIATE_TEST_SUITE_P(AllMethods, Methods,
                         ::testing::Values(orthogonalization::tsqr, orthogonalization::cgs_refined,
                                           orthogonalization::cholesky, orthogonalization::cholesky_qr2,
                                           orthogonalization::householder),
                         [](const auto& info) { return std::string(to_string(info.param)); });

TEST(OrthonormalSystem, ConditionEstimateAndBound) {
    const int rank = world_rank(), size = world_size();
    orthonormal_system q(MPI_COMM_WORLD, rows_of(37, rank, size), 3);
    EXPECT_EQ(q.last_condition_bound(), 1.0);
    q.initialize_random(5);
    EXPECT_NEAR(q.condition_estimate(), 1.0, 1e-12);
    const std::vector<double> q0 = local_copy(q);
    const std::int64_t n = q.local_rows();

    // Orthogonal columns of norms 1, 10, 100: cond = 100; the bound from R is exact here.
    for (std::int64_t k = 0; k < 3; ++k)
        for (std::int64_t i = 0; i < n; ++i) q.column(k)[i] = std::pow(10.0, double(k)) * q0[k * n + i];
    EXPECT_NEAR(q.condition_estimate(), 100.0, 1e-9);
    q.orthonormalize();
    EXPECT_NEAR(q.last_condition_bound(), 100.0, 1e-10);

    // [q0, q0 + eps q1, q2] = Q M with M = [[1, 1, 0], [0, eps, 0], [0, 0, 1]]: cond = lambda_+ / eps,
    // lambda_+ the larger eigenvalue of [[1, 1], [1, 1 + eps^2]]. The bound from R is 1/eps.
    for (double eps : {1e-3, 1e-9}) {
        for (std::int64_t i = 0; i < n; ++i) {
            q.column(0)[i] = q0[i];
            q.column(1)[i] = q0[i] + eps * q0[n + i];
            q.column(2)[i] = q0[2 * n + i];
        }
        const double t = 2.0 + eps * eps;
        const double exact = 0.5 * (t + std::sqrt(t * t - 4.0 * eps * eps)) / eps;
        const double estimate = q.condition_estimate();
        if (eps > 1e-6) {
            EXPECT_NEAR(estimate, exact, 1e-6 * exact);
        } else {
            EXPECT_EQ(estimate, std::numeric_limits<double>::infinity()) << "beyond what Q^T Q resolves";
        }
        q.orthonormalize();
        EXPECT_NEAR(q.last_condition_bound(), 1.0 / eps, 1e-6 / eps);
        EXPECT_LE(q.last_condition_bound(), exact * (1.0 + 1e-6));
    }
}

TEST(OrthonormalSystem, StableMethodsStayOrthonormalForIllConditionedSystems) {
    // Columns q0 + 1e-8 q_k: cond(Q) ~ 1e8. TSQR, refined CGS, CholeskyQR2 (through its shifted
    // fallback) and Householder must still deliver an orthonormal Q (SLEPc's Cholesky QR is not
    // meant for this and is not tested here).
    const int rank = world_rank(), size = world_size();
    for (auto method : {orthogonalization::tsqr, orthogonalization::cgs_refined, orthogonalization::cholesky_qr2,
                        orthogonalization::householder}) {
        orthonormal_system q(MPI_COMM_WORLD, rows_of(37, rank, size), 5, method);
        q.initialize_random(9);
        const std::vector<double> q0 = local_copy(q);
        const std::int64_t n = q.local_rows();
        for (std::int64_t k = 1; k < 5; ++k)
            for (std::int64_t i = 0; i < n; ++i) q.column(k)[i] = q0[i] + 1e-8 * q0[k * n + i];
        EXPECT_EQ(q.condition_estimate(), std::numeric_limits<double>::infinity());
        const auto log_r = q.orthonormalize();
        EXPECT_LT(q.orthonormality_error(), 1e-12) << to_string(method);
        // R = [[1, 1, ...], [0, 1e-8, 0, ...], ...]: ln|R_kk| = ln 1e-8 for k >= 1, to the few
        // digits that survive the cancellation.
        for (std::int64_t k = 1; k < 5; ++k) EXPECT_NEAR(log_r[k], std::log(1e-8), 1e-6) << to_string(method);
        if (method == orthogonalization::cholesky_qr2) {
            ASSERT_NE(q.last_qr_report(), nullptr);
            EXPECT_EQ(q.last_qr_report()->path, qr_path::shifted_cholesky);
        }
    }
}

TEST(OrthonormalSystem, LeadingColumnsDoNotDependOnTheirNumber) {
    const int rank = world_rank(), size = world_size();
    orthonormal_system wide(MPI_COMM_WORLD, rows_of(37, rank, size), 6), narrow(MPI_COMM_WORLD, rows_of(37, rank, size), 3);
    wide.fill_random(77);
    narrow.fill_random(77);
    const std::vector<double> w = local_copy(wide), s = local_copy(narrow);
    EXPECT_TRUE(std::equal(s.begin(), s.end(), w.begin()));
    wide.fill_random(78);
    EXPECT_FALSE(std::equal(s.begin(), s.end(), local_copy(wide).begin()) && !s.empty());
}

TEST_P(Methods, RanksWithFewRows) {
    // One row on the last rank works for every method. No row there: TSQR is refused on all
    // ranks (SLEPc 3.18 would hang), the others work. Needs two ranks or more.
    const int rank = world_rank(), size = world_size();
    if (size == 1) GTEST_SKIP() << "needs more than one rank";
    const bool last = rank == size - 1;
    {
        orthonormal_system q(MPI_COMM_WORLD, last ? 1 : 10, 5, GetParam());
        q.initialize_random(4);
        EXPECT_LT(q.orthonormality_error(), 1e-12);
    }
    if (GetParam() == orthogonalization::tsqr) {
        EXPECT_THROW(orthonormal_system(MPI_COMM_WORLD, last ? 0 : 10, 5, GetParam()), std::invalid_argument);
    } else {
        orthonormal_system q(MPI_COMM_WORLD, last ? 0 : 10, 5, GetParam());
        q.initialize_random(4);
        EXPECT_LT(q.orthonormality_error(), 1e-12);
    }
}

TEST(OrthonormalSystem, RejectsImpossibleSizesAndUnknownMethods) {
    EXPECT_THROW(orthonormal_system(MPI_COMM_WORLD, 2, 3 * world_size()), std::invalid_argument);
    EXPECT_THROW(orthonormal_system(MPI_COMM_WORLD, 2, 0), std::invalid_argument);
    EXPECT_EQ(parse_orthogonalization("cgs_refined"), orthogonalization::cgs_refined);
    EXPECT_EQ(parse_orthogonalization("cholqr2"), orthogonalization::cholesky_qr2);
    EXPECT_EQ(parse_orthogonalization("householder"), orthogonalization::householder);
    EXPECT_THROW(parse_orthogonalization("svqb"), std::invalid_argument);
}
