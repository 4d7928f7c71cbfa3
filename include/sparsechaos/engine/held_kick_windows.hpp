#pragma once
// Held-kick windows: the schedule that defers kicks to neurons that cannot fire soon
// (docs/engine.md, "Held kicks"; the storage is held_kicks.hpp).
//
// Why it gives the same bits as kicks applied at once, on any number of ranks:
// A window [t0, t_end) starts with one pass over the local cells that applies every held kick and
// marks the neurons whose next spike time with no further input, T_i, lies before t_end ("near").
// Only near neurons enter the event queue. Inside the window a kick to a near neuron is applied
// at once; a kick to any other neuron is written down and applied at the next pass. This is
// exact because every kick of such a network only delays spikes (inhibition, no excitatory
// input, zero delay): a neuron with T_i >= t_end stays at or beyond t_end whatever it receives,
// so it cannot be next before the window ends, and nothing reads its cell before then. The
// window ends when the queue's next event is at or after t_end: only then can a held neuron be
// next. Each neuron's held kicks are applied in the order they came, with the same multiply-add
// as a kick at once (models::lif::kick_by), so every cell ends with the same bits. The windows
// are per rank and affect only when a cell is written, never the event order, which the
// zero-delay schedule's agreement fixes; between runs every cell is exact (flush).
//
// Possible for zero-delay LIF networks without excitation, external input, weights per synapse
// (a held kick refers to its projection's one weight) or a Jacobian sink;
// `automatic` holds from hold_from_neurons neurons on a rank (the measured crossover).
#include <cstdint>
#include <limits>
#include <vector>

#include "sparsechaos/engine/held_kicks.hpp"
#include "sparsechaos/network/local_graph.hpp"

namespace sparsechaos::engine {

class simulation;

class held_kick_windows {
public:
    static constexpr std::size_t hold_from_neurons = std::size_t(1) << 15;  // measured crossover: 3·10^4

    // Whether the graph allows holding at all.
    explicit held_kick_windows(const network::local_graph& graph);

    bool active() const { return active_; }
    // Switch on or off as the policy, the network and a Jacobian sink allow; rebuilds the queue
    // when it changes. Outside run_until no kick is held, so either queue can start here.
    void update(simulation& sim, network::kick_holding policy, bool sink);
    // A spike's kicks into one projection: near targets at once, the others held.
    void deliver(simulation& sim, const network::resolved_projection& proj, std::uint64_t pre, double t);
    // Apply every held kick (before an origin shift, and at the end of a run).
    void flush(simulation& sim);
    // A new window from the current time on (the queue was rebuilt).
    void restart(simulation& sim) {
        window_end_ = -std::numeric_limits<double>::infinity();
        open_window(sim);
    }
    // Apply every held kick, then find the neurons that may fire before the new window's end
    // and queue only those; false if no neuron will ever fire.
    bool open_window(simulation& sim);
    // Whether an event at local time t lies inside the current window.
    bool inside(double t) const { return t < window_end_; }
    std::size_t memory_bytes() const { return held_.memory_bytes(); }

private:
    void apply_held(simulation& sim, std::size_t block);
    // Length of the next window, and its adaptation to the share of near neurons.
    double window_length_ms(const simulation& sim) const;
    void adapt_window(simulation& sim, std::size_t near);

    bool possible_ = false, active_ = false;
    held_kicks held_;
    std::vector<double> coefficients_;  // per projection (NaN: heterogeneous population)
    bool uniform_ = false;              // every one is a number
    double window_end_ = -std::numeric_limits<double>::infinity();  // local time
    std::vector<std::uint32_t> near_ids_, near_scratch_;
    std::vector<double> near_times_;
};

}  // namespace sparsechaos::engine
