#pragma once
// An orthonormal system Q of m tangent vectors over N rows (one row per neuron or unit), the
// state that Lyapunov spectra are computed from (docs/lyapunov.md).
//
// Invariants and layout:
// - Rows are distributed over the ranks of a communicator in contiguous blocks in rank order:
//   this rank holds global rows [row_begin(), row_begin() + local_rows()), the same ownership as
//   a PETSc Vec with these local sizes, and the same as network::layout for the same sizes.
// - Storage is a SLEPc BV of type BVSVEC: locally column-major, element (i, k) of the local
//   block at column(k)[i], columns leading_dimension() apart.
// - orthonormalize() leaves Q with orthonormal columns and R with a positive diagonal; since
//   QR with a positive diagonal is unique, Q then depends only on its input, not on the method
//   or the number of ranks (up to rounding).
//
// Raw pointers from column() stay valid until the next member that hands Q to SLEPc
// (fill_random, initialize_random, orthonormalize, condition_estimate, orthonormality_error,
// bv). Every member marked collective must be called on all ranks of the communicator.
// The object must be destroyed before the petsc::session ends.
#include <mpi.h>
#include <slepcbv.h>
#include <slepcds.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "sparsechaos/tangent/block_qr.hpp"

namespace sparsechaos::tangent {

// The QR used by orthonormalize(); all give a triangular R with a positive diagonal.
// SLEPc's BVOrthogonalize:
// - tsqr: Householder QR per rank and a reduction tree of the small R factors; accurate for
//   any condition number. The default of this class.
// - cgs_refined: classical Gram-Schmidt column by column, every projection done twice; as
//   accurate, one reduction per column.
// - cholesky: Cholesky QR from the Gram matrix; one reduction and BLAS-3 only, but its loss of
//   orthogonality grows like cond(Q)^2: only for well-conditioned Q.
// This project's tangent::block_qr on the local array (no SLEPc):
// - cholesky_qr2: CholeskyQR2, shifted CholeskyQR3 for ill-conditioned Q, Householder when even
//   that fails; accurate for any condition number and near DGEMM speed.
// - householder: LAPACK's Householder QR per rank and one QR of all ranks' R factors.
enum class orthogonalization { tsqr, cgs_refined, cholesky, cholesky_qr2, householder };

std::string_view to_string(orthogonalization method);
// Inverse of to_string ("tsqr", "cgs_refined", "cholesky", "cholqr2", "householder"); throws
// std::invalid_argument.
orthogonalization parse_orthogonalization(std::string_view name);
// Methods computed by tangent::block_qr rather than SLEPc.
bool is_local_qr(orthogonalization method);

// The initial tangent vectors of fill_random for local rows [row_begin, row_begin + rows), written
// neuron-major: out[i * ld + k] = Q(row_begin + i, k) for k < columns.
void random_tangent_rows(std::uint64_t seed, std::int64_t row_begin, std::int64_t rows, std::int64_t columns,
                         double* out, std::int64_t ld);

class orthonormal_system {
public:
    // Collective. Q starts as zero; call initialize_random() or fill the columns yourself.
    orthonormal_system(MPI_Comm comm, std::int64_t local_rows, std::int64_t columns,
                       orthogonalization method = orthogonalization::tsqr);
    ~orthonormal_system();
    orthonormal_system(const orthonormal_system&) = delete;
    orthonormal_system& operator=(const orthonormal_system&) = delete;

    std::int64_t global_rows() const { return global_rows_; }
    std::int64_t local_rows() const { return local_rows_; }
    std::int64_t row_begin() const { return row_begin_; }  // global index of local row 0
    std::int64_t columns() const { return columns_; }
    std::int64_t leading_dimension() const { return local_rows_; }
    orthogonalization method() const { return method_; }
    MPI_Comm comm() const { return comm_; }

    // Local part of column k: local_rows() numbers.
    double* column(std::int64_t k) { return local_array() + k * leading_dimension(); }
    const double* column(std::int64_t k) const { return local_array() + k * leading_dimension(); }

    // Row primitives for the per-spike update; i is a local row index.
    // out[k] = Q(i, k) for k < columns().
    void copy_row(std::int64_t i, double* out) const {
        const double* q = local_array() + i;
        const std::int64_t ld = leading_dimension();
        for (std::int64_t k = 0; k < columns_; ++k) out[k] = q[k * ld];
    }
    // Q_i <- d Q_i (a kick from outside the network).
    void scale_row(std::int64_t i, double d) {
        double* q = local_array() + i;
        const std::int64_t ld = leading_dimension();
        for (std::int64_t k = 0; k < columns_; ++k) q[k * ld] *= d;
    }
    // Q_i <- d Q_i + c row_j, with row_j a copy of row j (local or received from its owner).
    void update_row(std::int64_t i, double d, double c, const double* row_j) {
        double* q = local_array() + i;
        const std::int64_t ld = leading_dimension();
        for (std::int64_t k = 0; k < columns_; ++k) q[k * ld] = d * q[k * ld] + c * row_j[k];
    }

    // Collective. Q(g, k) = a standard normal number that is a pure function of (seed, global
    // row g, column k): the same matrix for any number of ranks, and the first m' columns the
    // same for any m >= m'. Not orthonormalized.
    void fill_random(std::uint64_t seed);
    // Collective. fill_random, then orthonormalize (its R is discarded).
    void initialize_random(std::uint64_t seed);

    // Collective. QR of Q in place with the chosen method; returns ln|R_kk| for k < columns()
    // (identical on all ranks; valid until the next call). A column that was linearly
    // dependent on the previous ones gives -inf (or, with cholesky_qr2, a very negative number).
    // `options` apply to the block_qr methods only.
    std::span<const double> orthonormalize(const qr_options& options = {});
    // How the last orthonormalize() went (block_qr methods; nullptr for SLEPc's).
    const qr_report* last_qr_report() const { return local_qr_ ? &local_qr_->report() : nullptr; }
    // R of the last orthonormalize(), column-major columns() x columns(), diagonal >= 0.
    std::span<const double> r_factor() const { return r_; }
    // Free lower bound of cond(Q) just before the last orthonormalize():
    // max_k |R_kk| / min_k |R_kk| (cond(Q) = cond(R) >= that ratio). 1 before the first QR.
    double last_condition_bound() const { return last_condition_bound_; }

    // Collective. 2-norm condition number of Q from the eigenvalues of the Gram matrix Q^T Q
    // (a BLAS-3 product and one m x m reduction, as much as a Cholesky QR, plus an m x m
    // eigenvalue problem on every rank). Returns +infinity when the Gram
    // matrix cannot resolve it (smallest eigenvalue below m * eps * largest, i.e. cond(Q)
    // beyond ~1e7): time to orthonormalize.
    double condition_estimate();
    // Collective. max_{k,l} |(Q^T Q - I)_{kl}|: the loss of orthogonality.
    double orthonormality_error();

    // The BV itself, for SLEPc operations this class does not wrap (e.g. BVMatMult for rate
    // networks). Invalidates raw pointers from column().
    BV bv();

private:
    double* local_array() const {
        if (!array_) acquire_array();
        return array_;
    }
    void acquire_array() const;
    void release_array() const;
    // Q^T Q, replicated, column-major m x m.
    std::vector<double> gram();

    MPI_Comm comm_;
    std::int64_t local_rows_, columns_, global_rows_ = 0, row_begin_ = 0;
    orthogonalization method_;
    BV bv_ = nullptr;
    Mat r_mat_ = nullptr, gram_mat_ = nullptr;
    DS dense_ = nullptr;  // eigenvalues of the Gram matrix
    std::unique_ptr<block_qr> local_qr_;  // for the block_qr methods
    mutable double* array_ = nullptr;  // BVGetArray, held between collective operations
    std::vector<double> r_, log_r_;
    double last_condition_bound_ = 1.0;
};

}  // namespace sparsechaos::tangent
