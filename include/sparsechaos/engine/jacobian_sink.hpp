#pragma once
// What the engine tells the tangent dynamics about each event (docs/design.md, "Tangent dynamics").
//
// Between events the tangent map is the identity: phases move uniformly. A spike of neuron j
// changes only the rows of its targets i:  Q_i ← d_i Q_i + (ω_i/ω_j)(1 − d_i) Q_j  with
// d_i = g'(φ_i) the slope of i's phase transition curve just before the kick (0 when the kick
// makes i fire at once: its phase then restarts from j's spike). An external input kick scales
// its own row by d_i. The engine computes d_i and ω_i; a sink (tangent::lyapunov_tracker) owns Q.
#include <cstddef>
#include <cstdint>

namespace sparsechaos::engine {

class jacobian_sink {
public:
    virtual ~jacobian_sink() = default;
    // Every rank, every spike, in the global event order, before any kick of it. `omega` is the
    // spiking neuron's ω when it is one of this rank's neurons (`local`), otherwise 0.
    virtual void begin_spike(std::uint64_t neuron, double time_ms, bool local, double omega) = 0;
    // The current spike kicks local neuron `local`, with slope d and that neuron's ω.
    virtual void kick(std::uint32_t local, double d, double omega) = 0;
    // Local neuron `local` is about to be kicked (a hint: fetch its data early).
    virtual void prefetch(std::uint32_t /*local*/) {}
    // An external input kicks local neuron `local`, with slope d.
    virtual void input(std::uint32_t local, double d) = 0;
};

}  // namespace sparsechaos::engine
