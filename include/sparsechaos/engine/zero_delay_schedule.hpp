#pragma once
// The zero-delay schedule: ranks agree on every spike (docs/design.md, "Rank-identical
// results"; docs/engine.md).
//
// Why every number of ranks does the same arithmetic: with zero delay a spike can change the
// very next one, so there is exactly one global event order, (time, then global id), and every
// rank must apply every spike in it. Before each spike all ranks propose their earliest local
// spike, and the context's agreement returns the global earliest (one reduction with a minimum
// on (time, id); the local context returns the proposal itself). Every rank then applies that
// spike to its own neurons: it resets the spiker if it owns it and kicks its local targets with
// the same arithmetic as any other rank would. A neuron's state therefore sees the same kicks in
// the same order on 1 or P ranks, and every spike time has the same bits.
//
// With external Poisson input a rank's next spike is only known once its inputs before that
// spike are applied, and inputs are local events the other ranks never see. The ranks then agree
// on the two smallest lower bounds of their next spikes: a rank may apply its inputs up to the
// smallest bound of the other ranks, because no foreign spike can come earlier; the smallest
// bound is the next spike once it is exact (no input of its rank precedes it). Inputs only touch
// their own neuron, so applying them earlier or later within that bound changes nothing.
//
// Spikes reach the observer at fixed points of the global event sequence (every 2^18 spikes when
// distributed), so collective output happens on all ranks together.
#include <cstdint>

#include "sparsechaos/engine/observer.hpp"
#include "sparsechaos/parallel/spike_order.hpp"

namespace sparsechaos::engine {

class simulation;

class zero_delay_schedule {
public:
    // Simulate every spike with absolute time < t_end_ms, or until the simulation's spike budget.
    void run(simulation& sim, double t_end_ms, observer* obs, double progress_interval_s);

private:
    // With inputs: apply local inputs until the next global spike is known.
    parallel::spike_candidate next_spike_with_inputs(simulation& sim, double t_end_local, double& communicate_s,
                                                     bool timed);
    void apply_inputs_before(simulation& sim, const parallel::spike_bound& horizon);
};

}  // namespace sparsechaos::engine
