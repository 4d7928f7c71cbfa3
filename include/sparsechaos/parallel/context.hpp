#pragma once
// How the ranks of a run talk to each other: one interface, a local and an MPI implementation
// (docs/design.md, "The communication context").
//
// Everything that crosses ranks goes through a context: the engine's agreement on the next spike
// and its exchange of a window's spikes, and the few small reductions of results and metadata.
// A run on one process uses the local context, whose collectives return their own input at no
// cost: the serial path is the same code as the distributed one, not a set of special cases.
// Libraries that need a communicator themselves (PETSc, parallel HDF5) take comm(), which is
// MPI_COMM_SELF for the local context.
//
// Every member is collective: all ranks call it, in the same order, or the run deadlocks.
#include <mpi.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "sparsechaos/parallel/spike_order.hpp"

namespace sparsechaos::parallel {

class context {
public:
    virtual ~context() = default;
    virtual int rank() const = 0;
    virtual int size() const = 0;
    bool distributed() const { return size() > 1; }
    bool root() const { return rank() == 0; }
    virtual MPI_Comm comm() const = 0;

    // The engine's collectives (engine/zero_delay_schedule.hpp, engine/window_schedule.hpp).
    // The earliest (time, then id) of all ranks' candidates.
    virtual spike_candidate earliest(spike_candidate mine) = 0;
    // The two smallest bounds over all ranks (`second` from a different rank).
    virtual two_bounds earliest_two(spike_bound mine) = 0;
    // Every rank's spikes of a window, in no particular order, into `all`; `mine` may be consumed.
    virtual void gather_spikes(std::vector<spike_candidate>& mine, std::vector<spike_candidate>& all) = 0;

    // Small reductions for results and metadata.
    virtual std::uint64_t sum(std::uint64_t mine) = 0;
    // Every rank's value, in rank order, on every rank.
    virtual std::vector<double> gather_all(double mine) = 0;
    // Rank 0's values, on every rank (collective writes need one value on all ranks).
    virtual void broadcast(double* values, int count) = 0;
    virtual void broadcast(int* values, int count) = 0;
    virtual void barrier() = 0;
};

// One process: no communication at all.
std::unique_ptr<context> make_local_context();
// A local context shared by the whole process (it has no state).
context& local();
// The ranks of `comm` (one MPI_Allreduce per agreement; docs/benchmarks.md measures its latency).
std::unique_ptr<context> make_mpi_context(MPI_Comm comm);
// The context a run on `comm` uses: local when `comm` has one rank, else MPI.
std::unique_ptr<context> make_context(MPI_Comm comm);

}  // namespace sparsechaos::parallel
