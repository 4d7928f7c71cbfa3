#include "sparsechaos/rate/coupling.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "sparsechaos/rate/streams.hpp"
#include "sparsechaos/petsc/error.hpp"

namespace sparsechaos::rate {
namespace {

// k distinct integers from [0, n) by Floyd's algorithm (k draws, no rejection loop), appended
// to `out`; `mark` is a scratch bitmap of size >= n, all false on entry and on exit.
void sample_distinct(network::random_stream& rng, std::uint64_t n, std::uint64_t k, std::vector<std::uint64_t>& out,
                     std::vector<char>& mark) {
    const std::size_t first = out.size();
    for (std::uint64_t j = n - k; j < n; ++j) {
        const std::uint64_t t = rng.below(j + 1);
        const std::uint64_t pick = mark[t] ? j : t;
        mark[pick] = 1;
        out.push_back(pick);
    }
    for (std::size_t q = first; q < out.size(); ++q) mark[out[q]] = 0;
}

void balanced_row(const coupling_spec& spec, std::uint64_t i, coupling_row& out) {
    const std::uint64_t n = spec.size, n_e = spec.excitatory_units(), n_i = n - n_e;
    const std::uint64_t k_e = spec.excitatory_indegree(), k_i = spec.indegree - k_e;
    const double w = spec.j0_value() / std::sqrt(double(spec.indegree));
    thread_local std::vector<char> mark;
    thread_local std::vector<std::uint64_t> picks;
    mark.assign(std::max(n_e, n_i), 0);
    out.columns.clear();
    out.values.clear();
    // Each population draws from its units other than i: candidate c >= i's own index maps to
    // c + 1, which skips i without rejection.
    auto draw = [&](stream s, std::uint64_t first, std::uint64_t count, std::uint64_t k, double weight) {
        const bool own = i >= first && i < first + count;
        const std::uint64_t candidates = count - (own ? 1 : 0);
        if (k > candidates)
            throw std::invalid_argument("rate coupling: unit " + std::to_string(i) + " needs " + std::to_string(k) +
                                        " distinct inputs from a population of " + std::to_string(candidates));
        picks.clear();
        auto rng = make_stream(spec.seed, s, i);
        sample_distinct(rng, candidates, k, picks, mark);
        for (std::uint64_t c : picks) {
            const std::uint64_t unit = first + c + (own && first + c >= i ? 1 : 0);
            out.columns.push_back(std::int64_t(unit));
            out.values.push_back(weight);
        }
    };
    draw(stream::excitatory_inputs, 0, n_e, k_e, w);
    draw(stream::inhibitory_inputs, n_e, n_i, k_i, -spec.inhibition_ratio * w);
    // Ascending columns, as PETSc's row insertion prefers. Weights depend only on the
    // population, so sorting the pairs by column is enough.
    std::vector<std::size_t> order(out.columns.size());
    for (std::size_t q = 0; q < order.size(); ++q) order[q] = q;
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return out.columns[a] < out.columns[b]; });
    coupling_row sorted;
    sorted.columns.reserve(order.size());
    sorted.values.reserve(order.size());
    for (std::size_t q : order) sorted.columns.push_back(out.columns[q]), sorted.values.push_back(out.values[q]);
    out = std::move(sorted);
}

}  // namespace

void gaussian_row(const coupling_spec& spec, std::uint64_t i, std::span<double> out) {
    if (out.size() != spec.size) throw std::invalid_argument("gaussian_row: the row needs N entries");
    const double root_n = std::sqrt(double(spec.size));
    const double scale = spec.g / root_n, mean = -spec.j0_value() / root_n;
    auto rng = make_stream(spec.seed, stream::gaussian_row, i);
    // Draws 2j and 2j + 1 for column j, in order: the diagonal's pair is drawn and discarded so
    // that column j always uses the same draws.
    for (std::uint64_t j = 0; j < spec.size; ++j) out[j] = scale * standard_normal(rng) + mean;
    out[i] = 0.0;
}

void fill_coupling_row(const coupling_spec& spec, std::uint64_t i, coupling_row& out) {
    if (spec.kind == coupling_kind::balanced) return balanced_row(spec, i, out);
    thread_local std::vector<double> dense;
    dense.resize(spec.size);
    gaussian_row(spec, i, dense);
    out.columns.clear();
    out.values.clear();
    for (std::uint64_t j = 0; j < spec.size; ++j)
        if (j != i) out.columns.push_back(std::int64_t(j)), out.values.push_back(dense[j]);
}

coupling_matrix::coupling_matrix(MPI_Comm comm, const coupling_spec& spec, std::int64_t local_rows)
    : local_rows_(local_rows) {
    validate(spec);  // the same verdict on every rank, before anything collective
    MPI_Exscan(&local_rows_, &row_begin_, 1, MPI_INT64_T, MPI_SUM, comm);
    int rank = 0;
    MPI_Comm_rank(comm, &rank);
    if (rank == 0) row_begin_ = 0;  // MPI_Exscan leaves rank 0's result undefined
    const std::int64_t n = std::int64_t(spec.size);
    constexpr std::int64_t index_max = std::numeric_limits<PetscInt>::max();
    const bool dense = spec.resolved_storage() == storage_kind::dense;
    // PETSc indexes with 32-bit PetscInt; a dense local block is indexed as one array.
    std::int64_t too_big = n > index_max || (dense && local_rows * n > index_max), any_too_big = 0;
    MPI_Allreduce(&too_big, &any_too_big, 1, MPI_INT64_T, MPI_MAX, comm);
    if (any_too_big)
        throw std::invalid_argument("rate coupling: N = " + std::to_string(n) +
                                    (dense ? " is too large for dense storage (local rows x N must stay below 2^31) "
                                             "on this number of ranks: use more ranks or storage = \"sparse\""
                                           : " exceeds PETSc's 32-bit index range"));
    const PetscInt nl = PetscInt(local_rows), ng = PetscInt(n);
    coupling_row row;
    if (dense) {
        SC_PETSC_CHECK(MatCreateDense(comm, nl, nl, ng, ng, nullptr, mat_.out()));
        PetscScalar* a = nullptr;
        PetscInt lda = 0;
        SC_PETSC_CHECK(MatDenseGetLDA(mat_, &lda));
        SC_PETSC_CHECK(MatDenseGetArrayWrite(mat_, &a));
        // Local block: rows [row_begin, row_begin + nl) x all N columns, column-major.
        std::vector<double> dense_row(spec.size);
        for (std::int64_t il = 0; il < local_rows; ++il) {
            const std::uint64_t i = std::uint64_t(row_begin_ + il);
            if (spec.kind == coupling_kind::gaussian) {
                gaussian_row(spec, i, dense_row);
            } else {
                std::fill(dense_row.begin(), dense_row.end(), 0.0);
                fill_coupling_row(spec, i, row);
                for (std::size_t q = 0; q < row.columns.size(); ++q) dense_row[std::size_t(row.columns[q])] = row.values[q];
            }
            for (std::int64_t j = 0; j < n; ++j) a[std::size_t(j) * std::size_t(lda) + std::size_t(il)] = dense_row[j];
        }
        SC_PETSC_CHECK(MatDenseRestoreArrayWrite(mat_, &a));
        local_entries_ = std::uint64_t(local_rows) * spec.size;
    } else {
        // Exact preallocation: entries in this rank's column block (the "diagonal" block of
        // MPIAIJ) and outside it, row by row; the rows are generated twice, which is cheap
        // next to a reallocation of the matrix.
        std::vector<PetscInt> d_nnz(std::size_t(local_rows), 0), o_nnz(std::size_t(local_rows), 0);
        const std::int64_t col_begin = row_begin_, col_end = row_begin_ + local_rows;
        for (std::int64_t il = 0; il < local_rows; ++il) {
            fill_coupling_row(spec, std::uint64_t(row_begin_ + il), row);
            for (std::int64_t c : row.columns) ++(c >= col_begin && c < col_end ? d_nnz : o_nnz)[std::size_t(il)];
        }
        SC_PETSC_CHECK(MatCreateAIJ(comm, nl, nl, ng, ng, 0, d_nnz.data(), 0, o_nnz.data(), mat_.out()));
        SC_PETSC_CHECK(MatSetOption(mat_, MAT_NEW_NONZERO_ALLOCATION_ERR, PETSC_TRUE));
        std::vector<PetscInt> cols;
        for (std::int64_t il = 0; il < local_rows; ++il) {
            const PetscInt i = PetscInt(row_begin_ + il);
            fill_coupling_row(spec, std::uint64_t(i), row);
            cols.assign(row.columns.begin(), row.columns.end());
            SC_PETSC_CHECK(MatSetValues(mat_, 1, &i, PetscInt(cols.size()), cols.data(), row.values.data(), INSERT_VALUES));
            local_entries_ += cols.size();
        }
    }
    SC_PETSC_CHECK(MatAssemblyBegin(mat_, MAT_FINAL_ASSEMBLY));
    SC_PETSC_CHECK(MatAssemblyEnd(mat_, MAT_FINAL_ASSEMBLY));
}

}  // namespace sparsechaos::rate
