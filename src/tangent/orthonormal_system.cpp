#include "sparsechaos/tangent/orthonormal_system.hpp"


#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "sparsechaos/network/random.hpp"
#include "sparsechaos/petsc/error.hpp"

namespace sparsechaos::tangent {

static_assert(std::is_same_v<PetscScalar, double>, "sparsechaos needs PETSc with real double scalars");

namespace {

// Random stream purpose of the initial tangent vectors. network::stream_purpose numbers the
// network's own streams from 1 upwards; this one sits far above them so that they never meet.
constexpr auto initial_tangent_purpose = static_cast<network::stream_purpose>(64);

void set_method(BV bv, orthogonalization method) {
    switch (method) {
    case orthogonalization::tsqr:
        SC_PETSC_CHECK(BVSetOrthogonalization(bv, BV_ORTHOG_CGS, BV_ORTHOG_REFINE_IFNEEDED,
                                              PETSC_DEFAULT, BV_ORTHOG_BLOCK_TSQR));
        break;
    case orthogonalization::cgs_refined:
        // Always two passes ("twice is enough"): orthogonal to rounding whatever cond(Q) is,
        // at a cost that does not depend on the data.
        SC_PETSC_CHECK(BVSetOrthogonalization(bv, BV_ORTHOG_CGS, BV_ORTHOG_REFINE_ALWAYS,
                                              PETSC_DEFAULT, BV_ORTHOG_BLOCK_GS));
        break;
    case orthogonalization::cholesky:
        SC_PETSC_CHECK(BVSetOrthogonalization(bv, BV_ORTHOG_CGS, BV_ORTHOG_REFINE_IFNEEDED,
                                              PETSC_DEFAULT, BV_ORTHOG_BLOCK_CHOL));
        break;
    case orthogonalization::cholesky_qr2:
    case orthogonalization::householder:
        break;  // not SLEPc's
    }
}

PetscInt to_petsc_int(std::int64_t v, const char* what) {
    if (v < 0 || v > std::int64_t(std::numeric_limits<PetscInt>::max()))
        throw std::invalid_argument(std::string("orthonormal_system: ") + what + " = " +
                                    std::to_string(v) + " does not fit PETSc's index type");
    return PetscInt(v);
}

}  // namespace

std::string_view to_string(orthogonalization method) {
    switch (method) {
    case orthogonalization::tsqr: return "tsqr";
    case orthogonalization::cgs_refined: return "cgs_refined";
    case orthogonalization::cholesky: return "cholesky";
    case orthogonalization::cholesky_qr2: return "cholqr2";
    case orthogonalization::householder: return "householder";
    }
    return "?";
}

orthogonalization parse_orthogonalization(std::string_view name) {
    for (auto m : {orthogonalization::tsqr, orthogonalization::cgs_refined, orthogonalization::cholesky,
                   orthogonalization::cholesky_qr2, orthogonalization::householder})
        if (name == to_string(m)) return m;
    throw std::invalid_argument("unknown orthogonalization method '" + std::string(name) +
                                "' (tsqr, cgs_refined, cholesky, cholqr2, householder)");
}

bool is_local_qr(orthogonalization method) {
    return method == orthogonalization::cholesky_qr2 || method == orthogonalization::householder;
}

orthonormal_system::orthonormal_system(MPI_Comm comm, std::int64_t local_rows, std::int64_t columns,
                                       orthogonalization method)
    : comm_(comm), local_rows_(local_rows), columns_(columns), method_(method) {
    // Every check uses reduced values so that all ranks throw together.
    const std::int64_t local[3] = {local_rows, -local_rows,
                                   local_rows * columns > std::int64_t(std::numeric_limits<PetscInt>::max())};
    std::int64_t reduced[3] = {0, 0, 0};
    MPI_Allreduce(&local_rows_, &global_rows_, 1, MPI_INT64_T, MPI_SUM, comm_);
    MPI_Allreduce(local, reduced, 3, MPI_INT64_T, MPI_MAX, comm_);
    MPI_Exscan(&local_rows_, &row_begin_, 1, MPI_INT64_T, MPI_SUM, comm_);
    int rank = 0;
    MPI_Comm_rank(comm_, &rank);
    if (rank == 0) row_begin_ = 0;  // MPI_Exscan leaves rank 0's result undefined
    const std::int64_t min_local_rows = -reduced[1];
    if (min_local_rows < 0) throw std::invalid_argument("orthonormal_system: negative local row count");
    if (columns < 1 || columns > global_rows_)
        throw std::invalid_argument("orthonormal_system: need 1 <= columns <= global rows, got " +
                                    std::to_string(columns) + " columns for " +
                                    std::to_string(global_rows_) + " rows");
    // PETSc indexes the local block and the global vector with 32-bit PetscInt.
    if (reduced[2]) throw std::invalid_argument("orthonormal_system: local rows x columns exceeds PETSc's index range");
    // SLEPc 3.18's TSQR calls LAPACK's dgeqrf with a leading dimension of 0 on a rank without
    // rows, which LAPACK rejects and the run hangs; the other methods cope.
    if (method == orthogonalization::tsqr && min_local_rows == 0)
        throw std::invalid_argument("orthonormal_system: TSQR needs at least one row on every rank");
    const PetscInt n = to_petsc_int(local_rows, "local rows");
    const PetscInt m = to_petsc_int(columns, "columns");
    to_petsc_int(global_rows_, "global rows");

    try {
        SC_PETSC_CHECK(BVCreate(comm_, &bv_));
        SC_PETSC_CHECK(BVSetSizes(bv_, n, PETSC_DECIDE, m));
        // BVSVEC: one contiguous column-major local array, the layout column() promises.
        SC_PETSC_CHECK(BVSetType(bv_, BVSVEC));
        set_method(bv_, method_);
        if (is_local_qr(method_))
            local_qr_ = std::make_unique<block_qr>(comm_, local_rows_, columns_, block_layout::column_major, local_rows_);
        else
            SC_PETSC_CHECK(MatCreateSeqDense(PETSC_COMM_SELF, m, m, nullptr, &r_mat_));
    } catch (...) {
        MatDestroy(&r_mat_);
        BVDestroy(&bv_);
        throw;
    }
    r_.assign(std::size_t(m) * m, 0.0);
    log_r_.assign(std::size_t(m), 0.0);
    std::fill_n(local_array(), local_rows_ * columns_, 0.0);  // "starts as zero" without relying on PETSc's allocator
}

orthonormal_system::~orthonormal_system() {
    if (array_) BVRestoreArray(bv_, &array_);  // no throwing from a destructor
    DSDestroy(&dense_);
    MatDestroy(&gram_mat_);
    MatDestroy(&r_mat_);
    BVDestroy(&bv_);
}

void orthonormal_system::acquire_array() const { SC_PETSC_CHECK(BVGetArray(bv_, &array_)); }

void orthonormal_system::release_array() const {
    if (array_) SC_PETSC_CHECK(BVRestoreArray(bv_, &array_));
    array_ = nullptr;
}

BV orthonormal_system::bv() {
    release_array();
    return bv_;
}

namespace {

// Q(g, k) = a standard normal number, a pure function of (seed, global row g, column k): column k
// always uses draws 2k and 2k+1 of row g's stream (Box-Muller, one normal from two draws).
template <class Store>
void random_rows(std::uint64_t seed, std::int64_t row_begin, std::int64_t rows, std::int64_t columns, Store store) {
    for (std::int64_t i = 0; i < rows; ++i) {
        network::random_stream rng(seed, initial_tangent_purpose, 0, std::uint64_t(row_begin + i));
        for (std::int64_t k = 0; k < columns; ++k) {
            const double radius = std::sqrt(-2.0 * std::log(rng.uniform_pos()));
            store(i, k, radius * std::cos(2.0 * std::numbers::pi * rng.uniform()));
        }
    }
}

}  // namespace

void random_tangent_rows(std::uint64_t seed, std::int64_t row_begin, std::int64_t rows, std::int64_t columns,
                         double* out, std::int64_t ld) {
    random_rows(seed, row_begin, rows, columns, [&](std::int64_t i, std::int64_t k, double x) { out[i * ld + k] = x; });
}

void orthonormal_system::fill_random(std::uint64_t seed) {
    const std::int64_t ld = leading_dimension();
    double* q = local_array();
    random_rows(seed, row_begin_, local_rows_, columns_, [&](std::int64_t i, std::int64_t k, double x) { q[k * ld + i] = x; });
}

void orthonormal_system::initialize_random(std::uint64_t seed) {
    fill_random(seed);
    orthonormalize();
}

std::span<const double> orthonormal_system::orthonormalize(const qr_options& options) {
    if (local_qr_) {
        qr_options o = options;
        o.form_r = true;
        o.defer_below = 0.0;  // Q must come out orthonormal here
        const auto log_r = local_qr_->factor(local_array(), o);
        std::copy(local_qr_->r().begin(), local_qr_->r().end(), r_.begin());
        std::copy(log_r.begin(), log_r.end(), log_r_.begin());
        const auto [lo, hi] = std::minmax_element(log_r_.begin(), log_r_.end());
        last_condition_bound_ = std::exp(*hi - *lo);  // +inf for a collapsed column
        if (std::isnan(last_condition_bound_)) last_condition_bound_ = std::numeric_limits<double>::infinity();
        return log_r_;
    }
    release_array();
    SC_PETSC_CHECK(BVOrthogonalize(bv_, r_mat_));
    const PetscScalar* r = nullptr;
    PetscInt lda = 0;
    SC_PETSC_CHECK(MatDenseGetLDA(r_mat_, &lda));
    SC_PETSC_CHECK(MatDenseGetArrayRead(r_mat_, &r));
    const std::int64_t m = columns_;
    for (std::int64_t j = 0; j < m; ++j)
        for (std::int64_t i = 0; i < m; ++i) r_[j * m + i] = i <= j ? r[j * lda + i] : 0.0;
    SC_PETSC_CHECK(MatDenseRestoreArrayRead(r_mat_, &r));

    // TSQR's Householder reflections leave arbitrary signs on the diagonal of R. Flip column k
    // of Q and row k of R where R_kk < 0 (Q R is unchanged), so that Q is the unique QR factor
    // with positive diagonal whatever the method and the number of ranks.
    double max_abs = 0.0, min_abs = std::numeric_limits<double>::infinity();
    for (std::int64_t k = 0; k < m; ++k) {
        const double rkk = r_[k * m + k];
        if (rkk < 0.0) {
            SC_PETSC_CHECK(BVScaleColumn(bv_, PetscInt(k), -1.0));
            for (std::int64_t j = k; j < m; ++j) r_[j * m + k] = -r_[j * m + k];
        }
        const double a = std::abs(rkk);
        log_r_[k] = std::log(a);  // -inf for a dependent column
        max_abs = std::max(max_abs, a);
        min_abs = std::min(min_abs, a);
    }
    last_condition_bound_ = min_abs > 0.0 ? max_abs / min_abs : std::numeric_limits<double>::infinity();
    return log_r_;
}

std::vector<double> orthonormal_system::gram() {
    release_array();
    const PetscInt m = PetscInt(columns_);
    if (!gram_mat_) SC_PETSC_CHECK(MatCreateSeqDense(PETSC_COMM_SELF, m, m, nullptr, &gram_mat_));
    SC_PETSC_CHECK(BVDot(bv_, bv_, gram_mat_));
    std::vector<double> g(std::size_t(m) * m);
    const PetscScalar* a = nullptr;
    PetscInt lda = 0;
    SC_PETSC_CHECK(MatDenseGetLDA(gram_mat_, &lda));
    SC_PETSC_CHECK(MatDenseGetArrayRead(gram_mat_, &a));
    for (PetscInt j = 0; j < m; ++j)
        for (PetscInt i = 0; i < m; ++i) g[std::size_t(j) * m + i] = a[j * lda + i];
    SC_PETSC_CHECK(MatDenseRestoreArrayRead(gram_mat_, &a));
    return g;
}

double orthonormal_system::condition_estimate() {
    const std::vector<double> g = gram();
    const PetscInt m = PetscInt(columns_);
    // Eigenvalues of the replicated Gram matrix with SLEPc's dense solver (LAPACK underneath):
    // the same numbers on every rank, since every rank solves the same small problem.
    if (!dense_) {
        SC_PETSC_CHECK(DSCreate(PETSC_COMM_SELF, &dense_));
        SC_PETSC_CHECK(DSSetType(dense_, DSHEP));
        SC_PETSC_CHECK(DSAllocate(dense_, m));
    }
    SC_PETSC_CHECK(DSSetDimensions(dense_, m, 0, 0));
    PetscInt ld = 0;
    SC_PETSC_CHECK(DSGetLeadingDimension(dense_, &ld));
    PetscScalar* a = nullptr;
    SC_PETSC_CHECK(DSGetArray(dense_, DS_MAT_A, &a));
    for (PetscInt j = 0; j < m; ++j)
        for (PetscInt i = 0; i < m; ++i) a[j * ld + i] = g[std::size_t(j) * m + i];
    SC_PETSC_CHECK(DSRestoreArray(dense_, DS_MAT_A, &a));
    SC_PETSC_CHECK(DSSetState(dense_, DS_STATE_RAW));
    std::vector<PetscScalar> eig(static_cast<std::size_t>(m));
    SC_PETSC_CHECK(DSSolve(dense_, eig.data(), nullptr));
    const auto [smallest, largest] = std::minmax_element(eig.begin(), eig.end());
    if (!(*largest > 0.0)) return std::numeric_limits<double>::infinity();
    // Eigenvalues of G are accurate to about m eps |G|; below that the smallest is noise.
    if (*smallest <= double(m) * std::numeric_limits<double>::epsilon() * *largest)
        return std::numeric_limits<double>::infinity();
    return std::sqrt(*largest / *smallest);
}

double orthonormal_system::orthonormality_error() {
    const std::vector<double> g = gram();
    const std::int64_t m = columns_;
    double err = 0.0;
    for (std::int64_t j = 0; j < m; ++j)
        for (std::int64_t i = 0; i < m; ++i) err = std::max(err, std::abs(g[j * m + i] - (i == j ? 1.0 : 0.0)));
    return err;
}

}  // namespace sparsechaos::tangent
