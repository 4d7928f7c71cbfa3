#pragma once
// The coupling matrix J of a rate network as a distributed PETSc Mat (docs/rate_networks.md).
//
// Rows are owned in contiguous blocks in rank order (network::layout::block, PETSc's default
// split), the same rows as the state Vec and the tangent-space BV. Every entry is a pure
// function of (seed, row, column) through counter-based random numbers, so J is the same
// matrix, bit for bit, on any number of ranks:
//   gaussian  J_ij = (g z_ij - j0) / sqrt(N), z_ij standard normal from Box-Muller on draws 2j
//             and 2j + 1 of the stream of row i; J_ii = 0.
//   balanced  unit i draws round(f K) distinct excitatory and K - round(f K) distinct
//             inhibitory presynaptic units (never itself; Floyd's sampling on the stream of
//             row i), weights +j0/sqrt(K) and -gamma j0/sqrt(K).
#include <mpi.h>
#include <petscmat.h>

#include <cstdint>
#include <span>
#include <vector>

#include "sparsechaos/petsc/handles.hpp"
#include "sparsechaos/rate/spec.hpp"

namespace sparsechaos::rate {

// Row i of J: ascending columns and their values (no diagonal entry; the Gaussian row lists
// every j != i).
struct coupling_row {
    std::vector<std::int64_t> columns;
    std::vector<double> values;
};
void fill_coupling_row(const coupling_spec& spec, std::uint64_t i, coupling_row& out);

// Row i of the Gaussian J as N numbers (out[i] = 0); out.size() must be N.
void gaussian_row(const coupling_spec& spec, std::uint64_t i, std::span<double> out);

// Owns a PETSc Mat (destroy it before the petsc::session ends).
class coupling_matrix {
public:
    // Collective over comm. `local_rows` rows on this rank (their sum is N = spec.size).
    coupling_matrix(MPI_Comm comm, const coupling_spec& spec, std::int64_t local_rows);

    Mat mat() const { return mat_; }
    std::int64_t row_begin() const { return row_begin_; }
    std::int64_t local_rows() const { return local_rows_; }
    // Nonzero entries stored on this rank (for dense storage: local_rows x N).
    std::uint64_t local_entries() const { return local_entries_; }

private:
    petsc::unique_mat mat_;
    std::int64_t row_begin_ = 0, local_rows_ = 0;
    std::uint64_t local_entries_ = 0;
};

}  // namespace sparsechaos::rate
