#pragma once
// Small rate networks and helpers shared by the rate tests.
#include <mpi.h>
#include <petscvec.h>

#include <cstdint>
#include <vector>

#include "sparsechaos/mpi_comm.hpp"
#include "sparsechaos/rate/spec.hpp"
#include "sparsechaos/petsc/error.hpp"

namespace rate_cases {

namespace rate = sparsechaos::rate;
namespace petsc = sparsechaos::petsc;

inline rate::rate_network_spec gaussian(std::uint64_t n, double g, double dt = 0.1,
                                        rate::integrator_kind integrator = rate::integrator_kind::euler) {
    rate::rate_network_spec s;
    s.coupling.size = n;
    s.coupling.g = g;
    s.coupling.seed = 7;
    s.dt = dt;
    s.integrator = integrator;
    s.tau_ms = 1000.0;  // tau = 1 s: exponents in 1/s are exponents in 1/tau
    s.record_every = 0;
    return s;
}

inline rate::rate_network_spec balanced(std::uint64_t n, std::uint64_t k) {
    rate::rate_network_spec s = gaussian(n, 1.0);
    s.coupling.kind = rate::coupling_kind::balanced;
    s.coupling.indegree = k;
    s.coupling.j0 = 1.0;
    s.coupling.inhibition_ratio = 4.0;
    return s;
}

inline rate::rate_lyapunov_spec lyapunov(std::uint64_t m, double warmup, double ons_warmup, std::uint64_t every = 10) {
    rate::rate_lyapunov_spec l;
    l.exponents = m;
    l.warmup = warmup;
    l.ons_warmup = ons_warmup;
    l.orthonormalize_every = every;
    l.seed = 3;
    return l;
}

using sparsechaos::rank_of;
using sparsechaos::size_of;

// Every rank's local values, concatenated in rank order, on every rank.
inline std::vector<double> all_gather(const std::vector<double>& local, MPI_Comm comm) {
    const int p = size_of(comm);
    int n = int(local.size());
    std::vector<int> counts(static_cast<std::size_t>(p)), offsets(static_cast<std::size_t>(p), 0);
    MPI_Allgather(&n, 1, MPI_INT, counts.data(), 1, MPI_INT, comm);
    for (int r = 1; r < p; ++r) offsets[std::size_t(r)] = offsets[std::size_t(r - 1)] + counts[std::size_t(r - 1)];
    std::vector<double> out(std::size_t(offsets.back() + counts.back()));
    MPI_Allgatherv(local.data(), n, MPI_DOUBLE, out.data(), counts.data(), offsets.data(), MPI_DOUBLE, comm);
    return out;
}

inline std::vector<double> local_values(Vec v) {
    PetscInt n = 0;
    SC_PETSC_CHECK(VecGetLocalSize(v, &n));
    const double* a = nullptr;
    SC_PETSC_CHECK(VecGetArrayRead(v, &a));
    std::vector<double> out(a, a + n);
    SC_PETSC_CHECK(VecRestoreArrayRead(v, &a));
    return out;
}

inline std::vector<double> gather(Vec v, MPI_Comm comm) { return all_gather(local_values(v), comm); }

}  // namespace rate_cases
