#pragma once
// How the ranks of a run with delays exchange spikes (DESIGN §5).
//
// Every delay is at least d_min, so a spike fired inside a window [T, T + d_min) reaches no
// neuron before T + d_min: each rank integrates the window on its own, then all ranks swap the
// window's spikes and schedule their arrivals. One collective per window instead of one per spike.
#include <mpi.h>

#include <cstdint>
#include <vector>

#include "sparsechaos/engine/spike_agreement.hpp"

namespace sparsechaos::engine {

class spike_exchange {
public:
    virtual ~spike_exchange() = default;
    // Collective: every rank passes its spikes of the window (local times, global ids); `all`
    // receives the spikes of every rank, in no particular order.
    virtual void exchange(const std::vector<spike_candidate>& mine, std::vector<spike_candidate>& all) = 0;
};

// MPI_Allgather of the counts, then MPI_Allgatherv of the spikes.
class mpi_spike_exchange final : public spike_exchange {
public:
    explicit mpi_spike_exchange(MPI_Comm comm);
    void exchange(const std::vector<spike_candidate>& mine, std::vector<spike_candidate>& all) override;

private:
    MPI_Comm comm_;
    std::vector<int> counts_, displacements_;
};

}  // namespace sparsechaos::engine
