#include "sparsechaos/tangent/block_qr.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "lapack.hpp"
#include "sparsechaos/mpi_comm.hpp"

namespace sparsechaos::tangent {
namespace {

constexpr double eps = std::numeric_limits<double>::epsilon() / 2.0;  // unit roundoff u
// Above this condition of a pass's Cholesky factor, plain Cholesky QR would leave Q too far from
// orthonormal (ε cond² ≈ 1e-6) for the next pass to be safe: shift instead.
constexpr double shift_above = 1e5;
// Up to this condition R⁻¹ is applied as an explicit inverse (residual ≈ ε cond ||A||).
constexpr double inverse_below = 1e2;
// Enough passes for any cond(A) < 1/ε (each shifted pass divides it by ~1e4 or more).
constexpr int max_passes = 8;

int blas_int(std::int64_t v) { return int(v); }

// Σ a_i b_i with eight partial sums, which the compiler vectorizes without reassociating (the
// order is fixed, the same on every rank).
double dot(const double* a, const double* b, std::int64_t n) {
    double acc[8] = {0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0};
    std::int64_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (int l = 0; l < 8; ++l) acc[l] += a[i + l] * b[i + l];
    double s = ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
    for (; i < n; ++i) s += a[i] * b[i];
    return s;
}

// Condition estimates of R = Lᵀ with its columns scaled to unit norm, R D⁻¹ with D = diag(√G_kk):
// Cholesky QR's errors do not depend on column scaling (the Gram matrix's rounding errors are
// relative to √(G_ii G_jj)), and tangent vectors grow at very different rates, so the unscaled
// condition would call for passes that change nothing. Both norms are of M = D⁻¹L (lower
// triangular; ||R D⁻¹|| = ||M||), by two power steps from x, a unit vector that is kept as the
// next call's start (successive QR steps see similar matrices): lower bounds, within a few
// percent here. (A 1-norm estimate overestimates cond_2 ~50-fold at m = 1000; BLAS-2 calls cost
// more than these loops at m ~ 100.)
double norm2_scaled(const double* l, const double* d, std::int64_t m, double* x, double* y) {
    double sigma = 0.0;
    for (int step = 0; step < 2; ++step) {
        std::fill(y, y + m, 0.0);
        for (std::int64_t j = 0; j < m; ++j) {  // y = L x, column by column
            const double* c = l + j * m;
            const double xj = x[j];
            for (std::int64_t i = j; i < m; ++i) y[i] += c[i] * xj;
        }
        for (std::int64_t i = 0; i < m; ++i) y[i] /= d[i];  // M x
        sigma = std::sqrt(dot(y, y, m));
        for (std::int64_t i = 0; i < m; ++i) y[i] /= d[i];
        for (std::int64_t j = 0; j < m; ++j) x[j] = dot(l + j * m + j, y + j, m - j);  // Mᵀ M x
        const double norm = dot(x, x, m);
        if (!(norm > 0.0) || !std::isfinite(norm)) {
            std::fill(x, x + m, 1.0 / std::sqrt(double(m)));
            return sigma;
        }
        const double scale = 1.0 / std::sqrt(norm);
        for (std::int64_t i = 0; i < m; ++i) x[i] *= scale;
    }
    return sigma;
}

// ||M⁻¹||_2 = ||L⁻¹ D||_2 by the same power steps with triangular solves (no explicit inverse).
double inverse_norm2_scaled(const double* l, const double* d, std::int64_t m, double* x, double* y) {
    double sigma = 0.0;
    for (int step = 0; step < 2; ++step) {
        for (std::int64_t j = m - 1; j >= 0; --j) {  // y = L⁻ᵀ x: back substitution with Lᵀ
            const double* c = l + j * m;
            y[j] = (x[j] - dot(c + j + 1, y + j + 1, m - j - 1)) / c[j];
        }
        for (std::int64_t i = 0; i < m; ++i) y[i] *= d[i];  // M⁻ᵀ x = D L⁻ᵀ x
        sigma = std::sqrt(dot(y, y, m));
        for (std::int64_t i = 0; i < m; ++i) y[i] *= d[i];
        for (std::int64_t j = 0; j < m; ++j) {  // x = L⁻¹ D y: forward substitution
            const double* c = l + j * m;
            const double z = y[j] / c[j];
            x[j] = z;
            for (std::int64_t i = j + 1; i < m; ++i) y[i] -= c[i] * z;
        }
        const double norm = dot(x, x, m);
        if (!(norm > 0.0) || !std::isfinite(norm)) {
            std::fill(x, x + m, 1.0 / std::sqrt(double(m)));
            return std::isfinite(sigma) ? sigma : std::numeric_limits<double>::infinity();
        }
        const double scale = 1.0 / std::sqrt(norm);
        for (std::int64_t i = 0; i < m; ++i) x[i] *= scale;
    }
    return sigma;
}

// L⁻¹ in place for a lower triangular n x n block (column-major, leading dimension ld), by halves:
// [L11 0; L21 L22]⁻¹ = [X11 0; −X22 L21 X11  X22]. Its work is in two triangular products per level,
// which OpenBLAS runs near DGEMM speed; its own dtrtri is 3-5x slower at m = 100-1000 (measured).
// The same stable method as LAPACK's blocked inverse (Du Croz & Higham 1992, method 2).
void invert_lower(std::int64_t n, double* a, std::int64_t ld) {
    if (n <= 16) {
        for (std::int64_t j = 0; j < n; ++j) a[j * ld + j] = 1.0 / a[j * ld + j];
        for (std::int64_t j = 0; j < n; ++j)  // column j of X: X_ij = −X_ii Σ_{j<=k<i} L_ik X_kj
            for (std::int64_t i = j + 1; i < n; ++i) {
                double s = 0.0;
                for (std::int64_t k = j; k < i; ++k) s += a[k * ld + i] * a[j * ld + k];
                a[j * ld + i] = -s * a[i * ld + i];
            }
        return;
    }
    const std::int64_t n1 = n / 2, n2 = n - n1;
    double* a11 = a;
    double* a21 = a + n1;
    double* a22 = a + n1 * ld + n1;
    invert_lower(n1, a11, ld);
    invert_lower(n2, a22, ld);
    const int i1 = int(n1), i2 = int(n2), l = int(ld);
    const double one = 1.0, minus_one = -1.0;
    dtrmm_("L", "L", "N", "N", &i2, &i1, &minus_one, a22, &l, a21, &l, 1, 1, 1, 1);  // −X22 L21
    dtrmm_("R", "L", "N", "N", &i2, &i1, &one, a11, &l, a21, &l, 1, 1, 1, 1);        // (−X22 L21) X11
}

}  // namespace

std::string_view to_string(qr_path path) {
    switch (path) {
    case qr_path::cholesky: return "cholesky";
    case qr_path::shifted_cholesky: return "shifted_cholesky";
    case qr_path::householder: return "householder";
    }
    return "?";
}

block_qr::block_qr(MPI_Comm comm, std::int64_t local_rows, std::int64_t columns, block_layout layout, std::int64_t ld)
    : comm_(comm), ranks_(size_of(comm)), rank_(rank_of(comm)), n_(local_rows), m_(columns), ld_(ld), layout_(layout) {
    MPI_Allreduce(&n_, &global_rows_, 1, MPI_INT64_T, MPI_SUM, comm_);
    const std::int64_t min_ld = layout == block_layout::column_major ? n_ : m_;
    if (n_ < 0 || m_ < 1 || ld_ < min_ld)
        throw std::invalid_argument("block_qr: need local rows >= 0, columns >= 1 and a leading dimension of at least " +
                                    std::to_string(min_ld));
    const auto mm = std::size_t(m_) * std::size_t(m_);
    gram_.assign(mm, 0.0);
    factor_.assign(mm, 0.0);
    inverse_.assign(mm, 0.0);
    r_.assign(mm, 0.0);
    product_.assign(mm, 0.0);
    packed_.assign(std::size_t(m_) * std::size_t(m_ + 1) / 2, 0.0);
    log_r_.assign(std::size_t(m_), 0.0);
    pending_log_.assign(std::size_t(m_), 0.0);
    pending_factor_.assign(mm, 0.0);
    scratch_.assign(std::size_t(m_), 0.0);
    column_norms_.assign(std::size_t(m_), 1.0);
    power_.assign(2 * std::size_t(m_), 1.0 / std::sqrt(double(m_)));  // power-step vectors, kept between calls
}

void block_qr::local_gram(const double* a, double* g) const {
    const int m = blas_int(m_), n = blas_int(n_), ld = blas_int(ld_);
    const double one = 1.0, zero = 0.0;
    if (n_ == 0) std::fill(g, g + m_ * m_, 0.0);
    else if (layout_ == block_layout::column_major) dsyrk_("L", "T", &m, &n, &one, a, &ld, &zero, g, &m, 1, 1);
    else dsyrk_("L", "N", &m, &n, &one, a, &ld, &zero, g, &m, 1, 1);
}

void block_qr::gram(const double* a, const double* given) {
    if (given) std::copy(given, given + m_ * m_, gram_.begin());
    else local_gram(a, gram_.data());
    if (ranks_ == 1) return;
    // One reduction of the lower triangle: m(m+1)/2 numbers.
    std::size_t p = 0;
    for (std::int64_t j = 0; j < m_; ++j)
        for (std::int64_t i = j; i < m_; ++i) packed_[p++] = gram_[std::size_t(j * m_ + i)];
    if (MPI_Allreduce(MPI_IN_PLACE, packed_.data(), int(packed_.size()), MPI_DOUBLE, MPI_SUM, comm_) != MPI_SUCCESS)
        throw std::runtime_error("block_qr: MPI_Allreduce of the Gram matrix failed");
    p = 0;
    for (std::int64_t j = 0; j < m_; ++j)
        for (std::int64_t i = j; i < m_; ++i) gram_[std::size_t(j * m_ + i)] = packed_[p++];
}

void block_qr::solve(double* a, const double* l) const {
    if (n_ == 0) return;
    const int m = blas_int(m_), n = blas_int(n_), ld = blas_int(ld_);
    const double one = 1.0;
    if (layout_ == block_layout::column_major) dtrsm_("R", "L", "T", "N", &n, &m, &one, l, &m, a, &ld, 1, 1, 1, 1);
    else dtrsm_("L", "L", "N", "N", &m, &n, &one, l, &m, a, &ld, 1, 1, 1, 1);  // Aᵀ ← L⁻¹ Aᵀ
}

void block_qr::multiply(double* a, const double* x) const {
    if (n_ == 0) return;
    const int m = blas_int(m_), n = blas_int(n_), ld = blas_int(ld_);
    const double one = 1.0;
    if (layout_ == block_layout::column_major) dtrmm_("R", "L", "T", "N", &n, &m, &one, x, &m, a, &ld, 1, 1, 1, 1);
    else dtrmm_("L", "L", "N", "N", &m, &n, &one, x, &m, a, &ld, 1, 1, 1, 1);  // Aᵀ ← X Aᵀ
}

void block_qr::accumulate(const double* t, bool lower, bool first) {
    for (std::int64_t k = 0; k < m_; ++k) {
        const double d = std::log(t[k * m_ + k]);
        log_r_[std::size_t(k)] = first ? d : log_r_[std::size_t(k)] + d;  // diag of a triangular product
    }
    if (!form_r_) return;
    // This pass's R: t (upper) or tᵀ (lower), zero below the diagonal.
    for (std::int64_t j = 0; j < m_; ++j)
        for (std::int64_t i = 0; i < m_; ++i)
            product_[std::size_t(j * m_ + i)] = i > j ? 0.0 : lower ? t[i * m_ + j] : t[j * m_ + i];
    if (first) {
        std::copy(product_.begin(), product_.end(), r_.begin());
        return;
    }
    // r_ ← R_pass r_ (A_before = Q_pass R_pass, and the earlier passes' A = A_before r_).
    const int m = blas_int(m_);
    const double one = 1.0;
    dtrmm_("L", "U", "N", "N", &m, &m, &one, product_.data(), &m, r_.data(), &m, 1, 1, 1, 1);
}

std::span<const double> block_qr::factor(double* a, const qr_options& options, const double* local_gram) {
    report_ = {};
    form_r_ = options.form_r && !(options.defer_below > 0.0);
    const bool deferred = factor_passes(a, options, local_gram);
    // This step's R is R_passes P⁻¹ for the factor P still pending from deferred steps: its
    // diagonal is the quotient of the two diagonals.
    for (std::int64_t k = 0; k < m_; ++k) {
        const double mine = log_r_[std::size_t(k)];
        if (pending_) log_r_[std::size_t(k)] -= pending_log_[std::size_t(k)];
        if (deferred) pending_log_[std::size_t(k)] = mine;
    }
    pending_ = deferred;
    report_.deferred = deferred;
    return log_r_;
}

bool block_qr::factor_passes(double* a, const qr_options& options, const double* local_gram) {
    if (options.householder_only) {
        report_.condition = std::numeric_limits<double>::infinity();
        householder(a, true);
        return false;
    }
    const int m = blas_int(m_);
    for (int pass = 0;; ++pass) {
        if (pass == max_passes) {  // not orthonormal yet: cannot happen for cond(A) < 1/ε
            householder(a, false);
            return false;
        }
        gram(a, pass == 0 ? local_gram : nullptr);
        // Off the diagonal, a non-finite entry makes the Cholesky factorizations below fail.
        double trace = 0.0, smallest = std::numeric_limits<double>::infinity();
        for (std::int64_t k = 0; k < m_; ++k) {
            const double g = gram_[std::size_t(k * m_ + k)];
            trace += g;
            smallest = std::min(smallest, g);
            column_norms_[std::size_t(k)] = std::sqrt(g);
        }
        if (!std::isfinite(trace) || !(smallest > 0.0)) {  // overflow, NaN or a zero column: Householder copes
            householder(a, pass == 0);
            return false;
        }
        // Factored in place (no copy of G on the common path); a failure forms G again.
        // G = L Lᵀ, R = Lᵀ: OpenBLAS factors the lower triangle 1.4-1.7x faster than the upper.
        std::swap(gram_, factor_);
        int info = 0;
        dpotrf_("L", &m, factor_.data(), &m, &info, 1);
        double condition = std::numeric_limits<double>::infinity();
        if (info == 0)
            condition = norm2_scaled(factor_.data(), column_norms_.data(), m_, power_.data(), scratch_.data()) *
                        inverse_norm2_scaled(factor_.data(), column_norms_.data(), m_, power_.data() + m_,
                                             scratch_.data());
        if (pass == 0) report_.condition = condition;
        if (pass == 0 && condition <= options.defer_below) {
            // Q = A R⁻¹ left implicit: only the diagonal of R is needed now.
            accumulate(factor_.data(), true, true);
            std::swap(factor_, pending_factor_);
            return true;
        }
        if ((info != 0 || !(condition <= shift_above)) && square_ish()) {
            // Shifted passes cost three Gram matrices and triangular solves; for a block about
            // as wide as tall Householder QR is cheaper (N = m = 200: 1.5 vs 2.5 ms).
            householder(a, pass == 0);
            return false;
        }
        if (info != 0 || !(condition <= shift_above)) {
            // Shifted pass: s = 11 (N m + m(m+1)) ε ||A||_2², with ||A||_2² <= trace(G).
            const double shift =
                11.0 * (double(global_rows_) * double(m_) + double(m_) * double(m_ + 1)) * eps * trace;
            gram(a, nullptr);
            std::copy(gram_.begin(), gram_.end(), factor_.begin());
            for (std::int64_t k = 0; k < m_; ++k) factor_[std::size_t(k * m_ + k)] += shift;
            dpotrf_("L", &m, factor_.data(), &m, &info, 1);
            if (info != 0) {
                householder(a, pass == 0);
                return false;
            }
            solve(a, factor_.data());
            accumulate(factor_.data(), true, pass == 0);
            ++report_.passes;
            ++report_.shifted_passes;
            report_.path = qr_path::shifted_cholesky;
            continue;
        }
        if (condition <= inverse_below) {
            std::copy(factor_.begin(), factor_.end(), inverse_.begin());
            invert_lower(m_, inverse_.data(), m_);
            multiply(a, inverse_.data());
        } else {
            solve(a, factor_.data());
        }
        accumulate(factor_.data(), true, pass == 0);
        ++report_.passes;
        if (report_.passes >= options.min_passes && eps * condition * condition <= options.max_orthogonality_loss)
            return false;
    }
}

void block_qr::allocate_householder() {
    if (!tau_.empty()) return;
    const std::int64_t k = std::min(n_, m_);
    tau_.assign(std::size_t(std::max<std::int64_t>(k, 1)), 0.0);
    stacked_.assign(std::size_t(ranks_) * std::size_t(m_) * std::size_t(m_), 0.0);
    stacked_tau_.assign(std::size_t(m_), 0.0);
    // Workspace: the larger of LAPACK's requests for the local and the stacked factorization.
    int lwork = -1, info = 0;
    double query = 0.0, best = double(m_) * 64.0;
    const int m = blas_int(m_), n = blas_int(n_), ld = blas_int(ld_), kk = blas_int(k), pm = blas_int(ranks_ * m_);
    if (n_ > 0) {
        if (layout_ == block_layout::column_major) {
            dgeqrf_(&n, &m, nullptr, &ld, nullptr, &query, &lwork, &info);
            best = std::max(best, query);
            dorgqr_(&n, &kk, &kk, nullptr, &ld, nullptr, &query, &lwork, &info);
        } else {
            dgelqf_(&m, &n, nullptr, &ld, nullptr, &query, &lwork, &info);
            best = std::max(best, query);
            dorglq_(&kk, &n, &kk, nullptr, &ld, nullptr, &query, &lwork, &info);
        }
        best = std::max(best, query);
    }
    dgeqrf_(&pm, &m, nullptr, &pm, nullptr, &query, &lwork, &info);
    best = std::max(best, query);
    dorgqr_(&pm, &m, &m, nullptr, &pm, nullptr, &query, &lwork, &info);
    best = std::max(best, query);
    work_.assign(std::size_t(best) + 1, 0.0);
    if (ranks_ > 1) gathered_.assign(std::size_t(ranks_) * std::size_t(m_) * std::size_t(m_), 0.0);
    chunk_.assign(std::size_t(256) * std::size_t(m_), 0.0);  // rows of Q formed at a time
}

void block_qr::householder(double* a, bool first) {
    allocate_householder();
    report_.path = qr_path::householder;
    const std::int64_t k = std::min(n_, m_);
    const int m = blas_int(m_), n = blas_int(n_), ld = blas_int(ld_), kk = blas_int(k);
    const int lwork = int(work_.size());
    int info = 0;
    // 1. Local QR: this rank's R (k x m, upper trapezoidal) into `local`, its Q (n x k) into `a`.
    std::vector<double>& local = product_;  // m x m scratch, column-major
    std::fill(local.begin(), local.end(), 0.0);
    if (n_ > 0) {
        if (layout_ == block_layout::column_major) {
            dgeqrf_(&n, &m, a, &ld, tau_.data(), work_.data(), &lwork, &info);
            for (std::int64_t j = 0; j < m_; ++j)
                for (std::int64_t i = 0; i <= std::min(j, k - 1); ++i) local[std::size_t(j * m_ + i)] = a[j * ld_ + i];
            dorgqr_(&n, &kk, &kk, a, &ld, tau_.data(), work_.data(), &lwork, &info);
        } else {
            // Aᵀ (m x n, column-major) = L Q̃: R = Lᵀ, and Q̃ᵀ is this rank's Q.
            dgelqf_(&m, &n, a, &ld, tau_.data(), work_.data(), &lwork, &info);
            for (std::int64_t j = 0; j < m_; ++j)
                for (std::int64_t i = 0; i <= std::min(j, k - 1); ++i) local[std::size_t(j * m_ + i)] = a[i * ld_ + j];
            dorglq_(&kk, &n, &kk, a, &ld, tau_.data(), work_.data(), &lwork, &info);
        }
        if (info != 0) throw std::runtime_error("block_qr: LAPACK Householder QR failed, info " + std::to_string(info));
    }
    std::vector<double>& r_h = factor_;
    if (ranks_ == 1) {
        // One rank (n >= m): the local QR is the QR; only the signs remain, flipped in place.
        std::copy(local.begin(), local.end(), r_h.begin());
        for (std::int64_t i = 0; i < m_; ++i) {
            if (r_h[std::size_t(i * m_ + i)] >= 0.0) continue;
            for (std::int64_t j = i; j < m_; ++j) r_h[std::size_t(j * m_ + i)] = -r_h[std::size_t(j * m_ + i)];
            for (std::int64_t row = 0; row < n_; ++row)
                (layout_ == block_layout::column_major ? a[i * ld_ + row] : a[row * ld_ + i]) *= -1.0;
        }
        accumulate(r_h.data(), false, first);
        return;
    }
    // 2. All ranks' R factors stacked (P m x m, column-major, block p = rank p's R), on every rank.
    const std::size_t pm = std::size_t(ranks_) * std::size_t(m_);
    const int pmi = int(pm);
    if (MPI_Allgather(local.data(), m * m, MPI_DOUBLE, gathered_.data(), m * m, MPI_DOUBLE, comm_) != MPI_SUCCESS)
        throw std::runtime_error("block_qr: MPI_Allgather of the R factors failed");
    double* s = stacked_.data();
    for (int p = 0; p < ranks_; ++p)
        for (std::int64_t j = 0; j < m_; ++j)
            std::copy_n(gathered_.data() + std::size_t(p) * std::size_t(m_ * m_) + std::size_t(j * m_), m_,
                        s + std::size_t(j) * pm + std::size_t(p) * std::size_t(m_));
    // 3. QR of the stack, the same on every rank (identical input and code): R, and Q_s in `s`.
    dgeqrf_(&pmi, &m, s, &pmi, stacked_tau_.data(), work_.data(), &lwork, &info);
    std::fill(r_h.begin(), r_h.end(), 0.0);
    for (std::int64_t j = 0; j < m_; ++j)
        for (std::int64_t i = 0; i <= j; ++i) r_h[std::size_t(j * m_ + i)] = s[std::size_t(j) * pm + std::size_t(i)];
    dorgqr_(&pmi, &m, &m, s, &pmi, stacked_tau_.data(), work_.data(), &lwork, &info);
    if (info != 0) throw std::runtime_error("block_qr: LAPACK QR of the stacked R factors failed");
    // Positive diagonal: R ← D R, Q_s ← Q_s D with D = sign(diag R).
    for (std::int64_t i = 0; i < m_; ++i) {
        if (r_h[std::size_t(i * m_ + i)] >= 0.0) continue;
        for (std::int64_t j = i; j < m_; ++j) r_h[std::size_t(j * m_ + i)] = -r_h[std::size_t(j * m_ + i)];
        for (std::size_t row = 0; row < pm; ++row) s[std::size_t(i) * pm + row] = -s[std::size_t(i) * pm + row];
    }
    // 4. This rank's Q = Q_local (n x k) times rows [rank m, rank m + k) of Q_s (k x m), a chunk
    // of rows at a time through a small buffer.
    const double* qs = s + std::size_t(rank_) * std::size_t(m_);  // leading dimension P m
    const double one = 1.0, zero = 0.0;
    const std::int64_t block = std::max<std::int64_t>(1, std::int64_t(chunk_.size()) / m_);
    double* t = chunk_.data();
    for (std::int64_t r0 = 0; r0 < n_; r0 += block) {
        const int b = int(std::min(block, n_ - r0));
        if (layout_ == block_layout::column_major) {
            dgemm_("N", "N", &b, &m, &kk, &one, a + r0, &ld, qs, &pmi, &zero, t, &b, 1, 1);
            for (std::int64_t j = 0; j < m_; ++j) std::copy(t + j * b, t + (j + 1) * b, a + j * ld_ + r0);
        } else {
            dgemm_("T", "N", &m, &b, &kk, &one, qs, &pmi, a + r0 * ld_, &ld, &zero, t, &m, 1, 1);
            for (std::int64_t i = 0; i < b; ++i) std::copy(t + i * m_, t + (i + 1) * m_, a + (r0 + i) * ld_);
        }
    }
    accumulate(r_h.data(), false, first);
}

}  // namespace sparsechaos::tangent
