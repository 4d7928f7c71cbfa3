#pragma once
// How the ranks of a zero-delay run agree on the next spike (DESIGN §5).
//
// With zero delay every spike can change the next one, so before each event all ranks propose
// their earliest local spike and all receive the global earliest, ordered by time and then by
// global id. Every rank then applies it to its own neurons. The event order, and with it every
// bit of the spike train, is the same on any number of ranks.
//
// With external Poisson input a rank's next spike is only known once its inputs before that
// spike are applied, and inputs are local events the other ranks never see. The ranks then agree
// on the two smallest *lower bounds* of their next spikes (earliest_two): a rank may apply its
// inputs up to the smallest bound of the other ranks, because no foreign spike can come earlier
// (see simulation::run_until).
#include <mpi.h>

#include <cstdint>
#include <limits>
#include <utility>

namespace sparsechaos::engine {

struct spike_candidate {
    double time;         // local engine time; +inf: no spike on this rank
    std::uint64_t neuron;  // global id
    static constexpr std::uint64_t none = std::numeric_limits<std::uint64_t>::max();
};

// A lower bound of one rank's next spike. Ordered by (time, order): at equal times a pending
// input (which may make a neuron fire at that very time, with any id) precedes every spike.
struct spike_bound {
    double time = std::numeric_limits<double>::infinity();
    std::uint64_t order = std::numeric_limits<std::uint64_t>::max();  // (kind << 63) | global id
    std::uint64_t exact = 0;  // 1: this is the rank's next spike (no input of the rank precedes it)

    static constexpr std::uint64_t spike_kind = std::uint64_t(1) << 63;
    static spike_bound of_spike(double t, std::uint64_t id, bool exact) { return {t, spike_kind | id, exact}; }
    static spike_bound of_input(double t, std::uint64_t id) { return {t, id, 0}; }
    bool is_spike() const { return (order & spike_kind) != 0 && order != std::numeric_limits<std::uint64_t>::max(); }
    std::uint64_t neuron() const { return order & ~spike_kind; }
    bool operator<(const spike_bound& o) const { return time < o.time || (time == o.time && order < o.order); }
};

struct two_bounds {
    spike_bound first, second;  // the smallest bound of all ranks, the smallest of the others
};

class spike_agreement {
public:
    virtual ~spike_agreement() = default;
    // Collective: the earliest (time, then id) of all ranks' candidates.
    virtual spike_candidate earliest(spike_candidate mine) = 0;
    // Collective: the two smallest bounds over all ranks (`second` from a different rank).
    virtual two_bounds earliest_two(spike_bound mine) = 0;
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
    two_bounds earliest_two(spike_bound mine) override;

private:
    MPI_Comm comm_;
    MPI_Datatype type_, bounds_type_;
    MPI_Op op_, bounds_op_;
};

}  // namespace sparsechaos::engine
