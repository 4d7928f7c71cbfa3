#pragma once
// The window schedule of runs with delays (docs/engine.md, docs/design.md).
//
// Why every number of ranks does the same arithmetic: every delay is at least d_min, so a spike
// fired inside a window [k w, (k+1) w), w < d_min, reaches no neuron before the window ends. Each
// rank therefore integrates a window on its own — its inputs, the arrivals of earlier spikes, its
// neurons' spikes, in (time, kind, id) order — and at the window's end all ranks swap the
// window's spikes (one collective per window instead of one per spike), sort them by (time, id)
// and schedule their arrivals. The windows are fixed in absolute time (window k is
// [k w, (k+1) w) in every run of the network, whatever the end points of run_until), arrivals at
// one neuron and one instant are applied in (source, projection) order (delivery_queue), and the
// time origin moves only at window ends, at the same point of every rank's event sequence: so
// each neuron sees the same events in the same order with the same local times on any number of
// ranks.
#include <vector>

#include "sparsechaos/engine/observer.hpp"
#include "sparsechaos/parallel/spike_order.hpp"

namespace sparsechaos::engine {

class simulation;

class window_schedule {
public:
    // Simulate every window up to absolute time t_end_ms (the last one ends there).
    void run(simulation& sim, double t_end_ms, observer* obs, double progress_interval_s);

private:
    std::vector<parallel::spike_candidate> window_spikes_, all_spikes_;
};

}  // namespace sparsechaos::engine
