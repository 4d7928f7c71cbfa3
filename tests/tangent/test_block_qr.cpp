// tangent::block_qr: CholeskyQR2, its fallbacks (shifted CholeskyQR3, Householder/TSQR) and the
// Householder path, on row- and column-major blocks split over 1, 2 or 3 ranks. The QR with a
// positive diagonal is unique, so every path must give the same Q and R up to rounding.
#include <gtest/gtest.h>
#include <mpi.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

#include "sparsechaos/mpi_comm.hpp"
#include "sparsechaos/tangent/block_qr.hpp"
#include "sparsechaos/tangent/orthonormal_system.hpp"

using namespace sparsechaos::tangent;
using sparsechaos::rank_of;
using sparsechaos::size_of;

namespace {

std::int64_t rows_of(std::int64_t n, int rank, int size) { return n / size + (rank < n % size ? 1 : 0); }
std::int64_t first_row(std::int64_t n, int rank, int size) {
    std::int64_t f = 0;
    for (int r = 0; r < rank; ++r) f += rows_of(n, r, size);
    return f;
}

// A distributed block held row-major (row i of this rank at a[i * m]), with helpers to copy it
// to the other layout, gather it, and measure it.
struct block {
    MPI_Comm comm;
    std::int64_t n_global, m, n, first;
    std::vector<double> a;  // row-major, ld = m

    block(MPI_Comm c, std::int64_t n_global_, std::int64_t m_)
        : comm(c), n_global(n_global_), m(m_),
          n(rows_of(n_global_, rank_of(c), size_of(c))), first(first_row(n_global_, rank_of(c), size_of(c))),
          a(std::size_t(n * m_), 0.0) {}
    double& at(std::int64_t i, std::int64_t k) { return a[std::size_t(i * m + k)]; }
    double at(std::int64_t i, std::int64_t k) const { return a[std::size_t(i * m + k)]; }
    std::vector<double> column_major() const {
        std::vector<double> c(a.size());
        for (std::int64_t i = 0; i < n; ++i)
            for (std::int64_t k = 0; k < m; ++k) c[std::size_t(k * n + i)] = at(i, k);
        return c;
    }
    void from_column_major(const std::vector<double>& c) {
        for (std::int64_t i = 0; i < n; ++i)
            for (std::int64_t k = 0; k < m; ++k) at(i, k) = c[std::size_t(k * n + i)];
    }
    // max |QᵀQ − I| over all ranks.
    double orthogonality_error() const {
        std::vector<double> g(std::size_t(m * m), 0.0);
        for (std::int64_t i = 0; i < n; ++i)
            for (std::int64_t k = 0; k < m; ++k)
                for (std::int64_t l = 0; l < m; ++l) g[std::size_t(k * m + l)] += at(i, k) * at(i, l);
        MPI_Allreduce(MPI_IN_PLACE, g.data(), int(g.size()), MPI_DOUBLE, MPI_SUM, comm);
        double err = 0.0;
        for (std::int64_t k = 0; k < m; ++k)
            for (std::int64_t l = 0; l < m; ++l) err = std::max(err, std::abs(g[std::size_t(k * m + l)] - (k == l ? 1.0 : 0.0)));
        return err;
    }
    // max |A − Q R| / max |A| over all ranks, R column-major m x m.
    double residual(const block& original, std::span<const double> r) const {
        double err = 0.0, scale = 0.0;
        for (std::int64_t i = 0; i < n; ++i)
            for (std::int64_t k = 0; k < m; ++k) {
                double qr = 0.0;
                for (std::int64_t l = 0; l <= k; ++l) qr += at(i, l) * r[std::size_t(k * m + l)];
                err = std::max(err, std::abs(original.at(i, k) - qr));
                scale = std::max(scale, std::abs(original.at(i, k)));
            }
        double both[2] = {err, scale};
        MPI_Allreduce(MPI_IN_PLACE, both, 2, MPI_DOUBLE, MPI_MAX, comm);
        return both[0] / both[1];
    }
    double max_difference(const block& other) const {
        double d = 0.0;
        for (std::size_t x = 0; x < a.size(); ++x) d = std::max(d, std::abs(a[x] - other.a[x]));
        MPI_Allreduce(MPI_IN_PLACE, &d, 1, MPI_DOUBLE, MPI_MAX, comm);
        return d;
    }
};

// Standard normal entries keyed by (seed, global row, column): the same matrix on any rank count.
block random_block(MPI_Comm comm, std::int64_t n_global, std::int64_t m, std::uint64_t seed) {
    block b(comm, n_global, m);
    random_tangent_rows(seed, b.first, b.n, m, b.a.data(), m);
    return b;
}

// Columns q0, q0 + delta q1, ..., q0 + delta q_{m-1} of an orthonormal Q: R = [[1, 1, ...], [0, delta,
// 0, ...], ...] exactly, so cond(A) ≈ sqrt(m) / delta and ln R_kk = ln delta for k >= 1.
block nearly_parallel(MPI_Comm comm, std::int64_t n_global, std::int64_t m, double delta) {
    block q = random_block(comm, n_global, m, 9);
    block_qr qr(comm, q.n, m, block_layout::row_major, m);
    qr.factor(q.a.data(), qr_options{.householder_only = true});
    block b(comm, n_global, m);
    for (std::int64_t i = 0; i < b.n; ++i) {
        b.at(i, 0) = q.at(i, 0);
        for (std::int64_t k = 1; k < m; ++k) b.at(i, k) = q.at(i, 0) + delta * q.at(i, k);
    }
    return b;
}

struct factored {
    block q;
    std::vector<double> log_r, r;
    qr_report report;
};

factored factor(const block& a, block_layout layout, const qr_options& o = {}) {
    factored f{a, {}, {}, {}};
    if (layout == block_layout::row_major) {
        block_qr qr(a.comm, a.n, a.m, layout, a.m);
        const auto lr = qr.factor(f.q.a.data(), o);
        f.log_r.assign(lr.begin(), lr.end());
        f.r.assign(qr.r().begin(), qr.r().end());
        f.report = qr.report();
    } else {
        std::vector<double> c = a.column_major();
        block_qr qr(a.comm, a.n, a.m, layout, a.n);
        const auto lr = qr.factor(c.data(), o);
        f.q.from_column_major(c);
        f.log_r.assign(lr.begin(), lr.end());
        f.r.assign(qr.r().begin(), qr.r().end());
        f.report = qr.report();
    }
    return f;
}

double max_log_difference(const std::vector<double>& x, const std::vector<double>& y) {
    double d = 0.0;
    for (std::size_t k = 0; k < x.size(); ++k) d = std::max(d, std::abs(x[k] - y[k]));
    return d;
}

const qr_options householder_only{.householder_only = true};

}  // namespace

TEST(BlockQr, CholeskyQr2IsOrthonormalBackwardStableAndUnique) {
    // A Gaussian 300 x 12 block: cond ≈ 1.5. Both layouts, two passes, the same Q and R as
    // Householder's (uniqueness of the QR with positive diagonal).
    const block a = random_block(MPI_COMM_WORLD, 300, 12, 1);
    const auto rows = factor(a, block_layout::row_major);
    const auto cols = factor(a, block_layout::column_major);
    const auto house = factor(a, block_layout::row_major, householder_only);
    EXPECT_EQ(rows.report.path, qr_path::cholesky);
    EXPECT_EQ(rows.report.passes, 2);
    EXPECT_GE(rows.report.condition, 1.0);
    EXPECT_LT(rows.report.condition, 3.0);
    EXPECT_EQ(house.report.path, qr_path::householder);
    for (const auto* f : {&rows, &cols, &house}) {
        EXPECT_LT(f->q.orthogonality_error(), 1e-14);
        EXPECT_LT(f->q.residual(a, f->r), 1e-14);
        for (std::int64_t k = 0; k < 12; ++k) EXPECT_GT(f->r[std::size_t(k * 12 + k)], 0.0);
    }
    EXPECT_LT(rows.q.max_difference(cols.q), 1e-13);
    EXPECT_LT(rows.q.max_difference(house.q), 1e-13);
    EXPECT_LT(max_log_difference(rows.log_r, house.log_r), 1e-13);
}

TEST(BlockQr, ConditionEstimateOfAKnownCondition) {
    // A = Q0 diag(s) V with Q0 orthonormal, V orthogonal, s_k = 10^(4k/11): cond(A) = 1e4
    // exactly, and V mixes the scales into every column, so unit columns change it little. The
    // estimate is within a factor of 2, from below.
    const std::int64_t m = 12;
    block q0 = random_block(MPI_COMM_WORLD, 300, m, 12);
    block_qr qr(MPI_COMM_WORLD, q0.n, m, block_layout::row_major, m);
    qr.factor(q0.a.data(), householder_only);
    block v = random_block(MPI_COMM_SELF, m, m, 13);  // the same m x m matrix on every rank
    block_qr small(MPI_COMM_SELF, m, m, block_layout::row_major, m);
    small.factor(v.a.data(), householder_only);
    block a = q0;
    for (std::int64_t i = 0; i < a.n; ++i)
        for (std::int64_t j = 0; j < m; ++j) {
            double x = 0.0;
            for (std::int64_t k = 0; k < m; ++k) x += q0.at(i, k) * std::pow(10.0, 4.0 * double(k) / 11.0) * v.at(k, j);
            a.at(i, j) = x;
        }
    const auto f = factor(a, block_layout::row_major);
    EXPECT_LE(f.report.condition, 1e4 * (1.0 + 1e-10));
    EXPECT_GE(f.report.condition, 0.5e4);
    EXPECT_EQ(f.report.passes, 2);
    EXPECT_LT(f.q.orthogonality_error(), 1e-14);
}

TEST(BlockQr, OnePassOnlyWhenTheLossIsAcceptedAndSmall) {
    // The tracker's setting: one pass when ε cond² <= 1e-12 (cond <= ~95), two otherwise, with
    // cond that of the block with unit columns.
    const qr_options one_pass{.min_passes = 1, .max_orthogonality_loss = 1e-12};
    const block a = random_block(MPI_COMM_WORLD, 300, 12, 2);
    const auto f = factor(a, block_layout::row_major, one_pass);
    EXPECT_EQ(f.report.passes, 1);
    EXPECT_LT(f.q.orthogonality_error(), 1e-13);
    EXPECT_LT(f.q.residual(a, f.r), 1e-14);
    // Columns scaled by 1 ... 1e8 (cond(A) ~ 1e8, as tangent vectors that grow at different
    // rates): Cholesky QR does not see the scaling, one pass is as accurate as Householder.
    block b = a;
    for (std::int64_t i = 0; i < b.n; ++i)
        for (std::int64_t k = 0; k < 12; ++k) b.at(i, k) = std::pow(10.0, 8.0 * double(k) / 11.0) * a.at(i, k);
    const auto g = factor(b, block_layout::row_major, one_pass);
    const auto gh = factor(b, block_layout::row_major, householder_only);
    EXPECT_LT(g.report.condition, 3.0);
    EXPECT_EQ(g.report.passes, 1);
    EXPECT_LT(g.q.orthogonality_error(), 1e-13);
    EXPECT_LT(max_log_difference(g.log_r, gh.log_r), 1e-13);
    // Nearly parallel columns (cond ~ 1e3 with unit columns): one pass would leave ~1e-10, two.
    const block c = nearly_parallel(MPI_COMM_WORLD, 300, 12, 1e-3);
    const auto h = factor(c, block_layout::row_major, one_pass);
    const auto hh = factor(c, block_layout::row_major, householder_only);
    EXPECT_GT(h.report.condition, 1e2);
    EXPECT_EQ(h.report.passes, 2);
    EXPECT_EQ(h.report.path, qr_path::cholesky);
    EXPECT_LT(h.q.orthogonality_error(), 1e-13);
    EXPECT_LT(h.q.residual(c, h.r), 1e-14);
    EXPECT_LT(max_log_difference(h.log_r, hh.log_r), 1e-10);
}

TEST(BlockQr, IllConditionedBlockFallsBackWithoutLosingAccuracy) {
    // cond ≈ 1e12: plain Cholesky QR fails here (ε cond² ≫ 1). The fast path must notice, take
    // shifted Cholesky passes, and end as accurate as Householder: Q orthonormal to rounding,
    // backward stable, and ln R_kk = ln 1e-12 to the accuracy the data allow (ε cond ≈ 1e-4).
    const double delta = 1e-12;
    const block a = nearly_parallel(MPI_COMM_WORLD, 200, 6, delta);
    for (auto layout : {block_layout::row_major, block_layout::column_major}) {
        const auto f = factor(a, layout);
        const auto h = factor(a, layout, householder_only);
        EXPECT_EQ(f.report.path, qr_path::shifted_cholesky);
        EXPECT_GE(f.report.shifted_passes, 1);
        EXPECT_GT(f.report.condition, 1e5) << "the condition estimate must flag the block";
        EXPECT_LT(f.q.orthogonality_error(), 1e-14);
        EXPECT_LT(h.q.orthogonality_error(), 1e-14);
        EXPECT_LT(f.q.residual(a, f.r), 1e-14);
        EXPECT_NEAR(f.log_r[0], 0.0, 1e-14);
        for (std::int64_t k = 1; k < 6; ++k) {
            EXPECT_NEAR(f.log_r[std::size_t(k)], std::log(delta), 1e-3) << "k " << k;
            EXPECT_NEAR(f.log_r[std::size_t(k)], h.log_r[std::size_t(k)], 1e-3) << "k " << k;
        }
        // Q's columns k >= 1 are the q_k of the construction (up to rounding amplified by cond).
        EXPECT_LT(f.q.max_difference(h.q), 1e-3);
    }
}

TEST(BlockQr, DeferredStepsGiveEachStepsR) {
    // A0 = Q0 R0, then rows scaled by D (a row operation, as a spike's). Normalizing at once:
    // QR(A0) then QR(D Q0). Deferred: the first step leaves A0 as it is, the second factors
    // D A0 = D Q0 R0 and must report the diagonal of R(D Q0) and leave the same Q.
    const block a0 = random_block(MPI_COMM_WORLD, 120, 8, 11);
    auto scale_rows = [](block& b) {
        for (std::int64_t i = 0; i < b.n; ++i)
            for (std::int64_t k = 0; k < b.m; ++k) b.at(i, k) *= 1.0 + 0.5 * std::sin(double(b.first + i));
    };
    block now = a0, later = a0;
    block_qr qr_now(MPI_COMM_WORLD, now.n, 8, block_layout::row_major, 8);
    block_qr qr_later(MPI_COMM_WORLD, later.n, 8, block_layout::row_major, 8);
    const qr_options plain{.min_passes = 1, .max_orthogonality_loss = 1e-12};
    qr_options defer = plain;
    defer.defer_below = 1e3;
    auto copy = [](std::span<const double> x) { return std::vector<double>(x.begin(), x.end()); };
    const auto first_now = copy(qr_now.factor(now.a.data(), plain));
    const auto first_later = copy(qr_later.factor(later.a.data(), defer));
    EXPECT_TRUE(qr_later.report().deferred);
    EXPECT_TRUE(qr_later.normalization_pending());
    EXPECT_EQ(later.max_difference(a0), 0.0) << "a deferred step leaves the block alone";
    EXPECT_LT(max_log_difference(first_later, first_now), 1e-13) << "and reports the same R diagonal";
    scale_rows(now);
    scale_rows(later);
    const auto want = copy(qr_now.factor(now.a.data(), plain));
    const auto got = copy(qr_later.factor(later.a.data(), plain));
    EXPECT_FALSE(qr_later.report().deferred);
    EXPECT_FALSE(qr_later.normalization_pending());
    EXPECT_LT(max_log_difference(got, want), 1e-13);
    EXPECT_LT(later.max_difference(now), 1e-13);
}

TEST(BlockQr, CollapsedAndZeroColumnsAndOverflow) {
    // A zero column: R_kk = 0 exactly, ln R_kk = -inf on every path.
    block a = random_block(MPI_COMM_WORLD, 50, 4, 3);
    for (std::int64_t i = 0; i < a.n; ++i) a.at(i, 2) = 0.0;
    for (const qr_options& o : {qr_options{}, householder_only}) {
        const auto f = factor(a, block_layout::row_major, o);
        EXPECT_EQ(f.log_r[2], -std::numeric_limits<double>::infinity());
        EXPECT_TRUE(std::isfinite(f.log_r[3]));
    }
    // Entries near 1e200: the Gram matrix overflows and Householder takes over, with exact logs.
    block big = random_block(MPI_COMM_WORLD, 50, 4, 4);
    const auto reference = factor(big, block_layout::row_major);
    for (double& x : big.a) x *= 1e200;
    const auto f = factor(big, block_layout::row_major);
    EXPECT_EQ(f.report.path, qr_path::householder);
    EXPECT_LT(f.q.orthogonality_error(), 1e-14);
    for (std::size_t k = 0; k < 4; ++k) EXPECT_NEAR(f.log_r[k], reference.log_r[k] + 200.0 * std::log(10.0), 1e-12);
}

TEST(BlockQr, SameResultOnAnyNumberOfRanks) {
    // Each path on this communicator against the same block on one rank.
    const int rank = rank_of(MPI_COMM_WORLD);
    struct input {
        block a;
        qr_options o;
    };
    const std::vector<input> inputs = {
        {random_block(MPI_COMM_WORLD, 41, 7, 5), qr_options{}},
        {random_block(MPI_COMM_WORLD, 41, 7, 5), householder_only},
        {nearly_parallel(MPI_COMM_WORLD, 41, 7, 1e-10), qr_options{}},
    };
    std::vector<block> serial_inputs;
    if (rank == 0) {
        serial_inputs.push_back(random_block(MPI_COMM_SELF, 41, 7, 5));
        serial_inputs.push_back(random_block(MPI_COMM_SELF, 41, 7, 5));
        serial_inputs.push_back(nearly_parallel(MPI_COMM_SELF, 41, 7, 1e-10));
    }
    for (std::size_t c = 0; c < inputs.size(); ++c) {
        const auto f = factor(inputs[c].a, block_layout::row_major, inputs[c].o);
        // Rank 0 gathers Q (its own rows first, then the others' in rank order).
        std::vector<double> q_all(rank == 0 ? std::size_t(41 * 7) : 0);
        std::vector<int> counts(std::size_t(size_of(MPI_COMM_WORLD))), displs(counts.size());
        const int mine = int(f.q.a.size());
        MPI_Gather(&mine, 1, MPI_INT, counts.data(), 1, MPI_INT, 0, MPI_COMM_WORLD);
        for (std::size_t r = 1; r < counts.size(); ++r) displs[r] = displs[r - 1] + counts[r - 1];
        MPI_Gatherv(f.q.a.data(), mine, MPI_DOUBLE, q_all.data(), counts.data(), displs.data(), MPI_DOUBLE, 0,
                    MPI_COMM_WORLD);
        if (rank != 0) continue;
        const auto s = factor(serial_inputs[c], block_layout::row_major, inputs[c].o);
        EXPECT_EQ(s.report.path, f.report.path) << "case " << c;
        EXPECT_LT(max_log_difference(s.log_r, f.log_r), c == 2 ? 1e-5 : 1e-13) << "case " << c;
        double d = 0.0;
        for (std::size_t x = 0; x < q_all.size(); ++x) d = std::max(d, std::abs(q_all[x] - s.q.a[x]));
        EXPECT_LT(d, c == 2 ? 1e-5 : 1e-13) << "case " << c;
    }
}

TEST(BlockQr, RanksWithNoRowsOrFewerRowsThanColumns) {
    // A full square system (m = N = 9) spread so that some rank holds fewer rows than columns, and
    // the same with the last rank empty: every path stays orthonormal and agrees with Householder.
    const int rank = rank_of(MPI_COMM_WORLD), size = size_of(MPI_COMM_WORLD);
    for (bool empty_last : {false, true}) {
        if (empty_last && size == 1) continue;
        const std::int64_t m = 9;
        const std::int64_t n = empty_last ? (rank == size - 1 ? 0 : rows_of(m, rank, size - 1)) : rows_of(m, rank, size);
        std::int64_t first = 0;
        MPI_Exscan(&n, &first, 1, MPI_INT64_T, MPI_SUM, MPI_COMM_WORLD);
        if (rank == 0) first = 0;
        block a(MPI_COMM_WORLD, m, m);
        a.n = n;
        a.first = first;
        a.a.assign(std::size_t(n * m), 0.0);
        random_tangent_rows(6, first, n, m, a.a.data(), m);
        for (auto layout : {block_layout::row_major, block_layout::column_major}) {
            const auto f = factor(a, layout);
            const auto h = factor(a, layout, householder_only);
            EXPECT_LT(f.q.orthogonality_error(), 1e-13);
            EXPECT_LT(h.q.orthogonality_error(), 1e-13);
            EXPECT_LT(f.q.residual(a, f.r), 1e-13);
            EXPECT_LT(max_log_difference(f.log_r, h.log_r), 1e-10);
        }
    }
}
