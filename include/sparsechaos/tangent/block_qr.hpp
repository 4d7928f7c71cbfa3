#pragma once
// QR factorization A = Q R of a tall-skinny block whose rows are distributed over the ranks of a
// communicator, computed on each rank's part with BLAS-3 and one m x m reduction per pass
// (docs/lyapunov.md, "Fast local QR"):
//
// - Cholesky QR: G = AᵀA (SYRK on each rank, summed over ranks), G = RᵀR, A ← A R⁻¹. One pass
//   leaves Q orthonormal up to about ε cond(A)²; passes repeat until that estimate is below the
//   accepted loss, so a well-conditioned block takes two passes: CholeskyQR2 (Yamamoto,
//   Nakatsukasa, Yanagisawa, Fukaya, ETNA 44, 306 (2015)).
// - Shifted Cholesky QR for ill-conditioned blocks (condition of the first Cholesky factor, with
//   unit columns, above 1e5, or a failed Cholesky): the pass factors G + sI with
//   s = 11 (N m + m (m + 1)) ε ||A||_F²,
//   which always succeeds and divides cond by about 1/sqrt(s); plain passes follow — shifted
//   CholeskyQR3 (Fukaya, Kannan, Nakatsukasa, Yamamoto, Yanagisawa, SIAM J. Sci. Comput. 42,
//   A477 (2020)).
// - Householder QR (LAPACK geqrf/gelqf on each rank's part, then the QR of all ranks' R factors
//   stacked, on every rank: a one-level TSQR) when the Gram matrix is not finite or even the
//   shifted Cholesky fails, instead of shifted passes for ill-conditioned blocks that are about
//   as wide as tall (square_ish()), or when asked for.
//
// Invariants: R is upper triangular with a positive diagonal and identical on every rank (it is
// computed from reduced or gathered data only). The QR with positive diagonal is unique, so Q
// depends on A alone, not on the path taken or the number of ranks, up to rounding. A pass applies
// R⁻¹ by a triangular solve, or — when cond(R) ≤ 100, where the residual stays below ~1e-14 —
// by multiplying with the explicit inverse, which OpenBLAS does 2–5× faster. With deferred
// normalization (qr_options::defer_below) a well-conditioned step only factors the Gram matrix.
//
// Workspace (several m x m matrices) is allocated at construction; the Householder path allocates
// its own on first use. factor() itself does not allocate.
#include <mpi.h>

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace sparsechaos::tangent {

// Element (i, k) of the local block: a[i + k ld] (column_major, a BV's local array) or
// a[i ld + k] (row_major: row i contiguous, the tracker's neuron-major rows).
enum class block_layout { column_major, row_major };

// The most robust path a factorization took.
enum class qr_path { cholesky, shifted_cholesky, householder };
std::string_view to_string(qr_path path);

struct qr_options {
    // Stop after a plain Cholesky pass, once at least `min_passes` were made, when its estimated
    // loss of orthogonality ε cond(R_pass)² is at most `max_orthogonality_loss`. The defaults are
    // CholeskyQR2: Q orthonormal to rounding (one pass leaves ~1e-14 even for cond ≈ 1). One pass
    // with a loss of 1e-12 lets a well-conditioned block finish after half the work.
    int min_passes = 2;
    double max_orthogonality_loss = 4.0 * 2.220446049250313e-16;
    bool householder_only = false;  // the reference path, whatever the condition
    bool form_r = true;              // keep the product R of all passes (r()); ln R_kk is always kept
    // Deferred normalization, for QR steps more frequent than the conditioning needs: when the
    // block's condition is at most this (> 0), the step only factors the Gram matrix, A stays as
    // it is and Q = A R⁻¹ is left implicit; ln R_kk are this step's all the same (the pending
    // factor of earlier deferred steps divided out). A later step normalizes. No r() then.
    double defer_below = 0.0;
};

struct qr_report {
    qr_path path = qr_path::cholesky;
    int passes = 0;          // Cholesky passes (shifted ones included)
    int shifted_passes = 0;
    // 2-norm condition number of the first pass's Cholesky factor with its columns scaled to
    // unit norm (of A with unit columns: what Cholesky QR's accuracy depends on), estimated by
    // power steps started where the last call's ended (slightly low); +inf when that Cholesky
    // failed or the path was Householder only.
    double condition = 1.0;
    bool deferred = false;  // the block was left unnormalized (qr_options::defer_below)
};

class block_qr {
public:
    // Collective. `ld` is the leading dimension of the blocks factor() will see: >= local_rows
    // (column_major) or >= columns (row_major).
    block_qr(MPI_Comm comm, std::int64_t local_rows, std::int64_t columns, block_layout layout, std::int64_t ld);
    block_qr(const block_qr&) = delete;
    block_qr& operator=(const block_qr&) = delete;

    // Collective. A = Q R: overwrites the local block `a` with Q and returns ln R_kk for k < m
    // (identical on every rank; valid until the next call). After deferred steps the block holds
    // Q P for the pending upper triangular P; the next factor() accounts for it. `local_gram`
    // (optional, column-major m x m, lower triangle read): this rank's AᵀA, when the caller
    // keeps it up to date more cheaply than a SYRK over the block (the tracker between frequent
    // QR steps); ranks may choose differently.
    std::span<const double> factor(double* a, const qr_options& options = {}, const double* local_gram = nullptr);
    // This rank's AᵀA into g (m x m, lower triangle).
    void local_gram(const double* a, double* g) const;
    bool normalization_pending() const { return pending_; }
    // The pending factor P = Lᵀ, stored as L (column-major m x m lower triangle, element (i, j)
    // of P at [i * m + j]; meaningful while normalization_pending()).
    std::span<const double> pending_factor() const { return pending_factor_; }
    // R of the last factor(), column-major m x m, zero below the diagonal (if options.form_r).
    std::span<const double> r() const { return r_; }
    const qr_report& report() const { return report_; }

    std::int64_t local_rows() const { return n_; }
    std::int64_t columns() const { return m_; }
    std::int64_t global_rows() const { return global_rows_; }
    // N <= 3 m: the m³ parts weigh as much as the N m² ones; ill-conditioned blocks go to
    // Householder rather than shifted Cholesky passes (measured on this machine: N = m = 200,
    // Householder 1.5 ms, shifted passes 2.5 ms; N = 1000, m = 100: 4.6 vs ~2 ms).
    bool square_ish() const { return global_rows_ <= 3 * m_; }

private:
    bool factor_passes(double* a, const qr_options& options, const double* local_gram);  // true: deferred
    void gram(const double* a, const double* given);  // gram_ = AᵀA summed over ranks, lower triangle
    void solve(double* a, const double* l) const;     // A ← A L⁻ᵀ (R = Lᵀ)
    void multiply(double* a, const double* x) const;  // A ← A Xᵀ, X = L⁻¹ lower triangular
    // ln R_kk and (form_r) R ← R_pass R for R_pass = t (upper) or tᵀ (lower).
    void accumulate(const double* t, bool lower, bool first);
    void householder(double* a, bool first);
    void allocate_householder();

    MPI_Comm comm_;
    int ranks_ = 1, rank_ = 0;
    std::int64_t n_, m_, global_rows_ = 0, ld_;
    block_layout layout_;
    std::vector<double> gram_, factor_, inverse_, r_, product_, packed_, log_r_, scratch_, power_, column_norms_;
    // Householder path (allocated on first use).
    std::vector<double> tau_, work_, stacked_, stacked_tau_, gathered_, chunk_;
    qr_report report_;
    bool form_r_ = true;
    bool pending_ = false;               // a deferred step's factor P is still to be applied
    std::vector<double> pending_log_;    // ln P_kk
    std::vector<double> pending_factor_;  // L with P = Lᵀ
};

}  // namespace sparsechaos::tangent
