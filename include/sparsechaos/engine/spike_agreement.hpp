#pragma once
// How the ranks of a zero-delay run agree on the next spike (DESIGN §5).
//
// With zero delay every spike can change the next one, so before each event all ranks propose
// their earliest local spike and all receive the global earliest, ordered by time and then by
// global id. Every rank then applies it to its own neurons. The event order, and with it every
// bit of the spike train, is the same on any number of ranks.
#include <mpi.h>

#include <cstdint>
#include <limits>

namespace sparsechaos::engine {

struct spike_candidate {
    double time;         // local engine time; +inf: no spike on this rank
    std::uint64_t neuron;  // global id
    static constexpr std::uint64_t none = std::numeric_limits<std::uint64_t>::max();
};

class spike_agreement {
public:
    virtual ~spike_agreement() = default;
    // Collective: the earliest (time, then id) of all ranks' candidates.
    virtual spike_candidate earliest(spike_candidate mine) = 0;
};

// One MPI_Allreduce per spike with a (time, id) minimum: the latency of that reduction bounds the
// spike rate of a zero-delay run (measured in docs/benchmarks.md).
class mpi_spike_agreement final : public spike_agreement {
public:
    explicit mpi_spike_agreement(MPI_Comm comm);
    ~mpi_spike_agreement() override;
    mpi_spike_agreement(const mpi_spike_agreement&) = delete;
    mpi_spike_agreement& operator=(const mpi_spike_agreement&) = delete;
    spike_candidate earliest(spike_candidate mine) override;

private:
    MPI_Comm comm_;
    MPI_Datatype type_;
    MPI_Op op_;
};

}  // namespace sparsechaos::engine
