#pragma once
// The contract every neuron model fulfils (see docs/models.md).
//
// A model is a small value type holding the population's parameters. Two views of it exist:
//
// Phase form (docs/design.md, "Models in phase form"), used by tests and the tangent dynamics:
//   phase grows as dφ/dt = ω/τ_m between inputs, the neuron spikes at phase_threshold() and
//   restarts at phase_reset(); an input of weight J maps φ → ptc(n, φ, J) and the slope of that
//   map is ptc_slope(n, φ, J) (the single-spike Jacobian entry d_i).
//
// Engine form, used by the event loop: each neuron keeps one double `s`, a model-specific
// encoding of its next spike time in the engine's local time coordinate (ms). The encoding is
// chosen so that a kick is cheap (LIF: one multiply-add, no transcendental function).
//   make_context(t)           per-spike quantities shared by all targets of one spike at time t
//   reset_state(n, ctx)   state of a neuron that has just fired at ctx time
//   kick(n, s, J, ctx)    state after an input of weight J at ctx time
//   spike_time(n, s)      next spike time encoded by s (a kick that crosses threshold yields a
//                         value <= ctx time: the neuron fires at once)
//   phase(n, s, t)        phase at time t (t <= spike_time)
//   shift_origin(s, dt)   the same state in a time coordinate whose origin moved forward by dt
//   max_origin_span_ms()  how far the local time may run before the origin has to move
//
// Every model's PTC is monotone and inhibitory inputs (J < 0) never advance a spike. The engine
// relies on this for lazy re-keying of its heap.
#include <concepts>

namespace sparsechaos::models {

template <class M>
concept neuron_model = requires(const M m, const typename M::neuron n, const typename M::context ctx,
                                double x) {
    { m.make_neuron(x) } -> std::same_as<typename M::neuron>;
    { m.tau_ms } -> std::convertible_to<double>;
    { m.phase_threshold() } -> std::same_as<double>;
    { m.phase_reset() } -> std::same_as<double>;
    { n.omega } -> std::convertible_to<double>;
    { m.ptc(n, x, x) } -> std::same_as<double>;
    { m.ptc_slope(n, x, x) } -> std::same_as<double>;
    { m.make_context(x) } -> std::same_as<typename M::context>;
    { m.reset_state(n, ctx) } -> std::same_as<double>;
    { m.kick(n, x, x, ctx) } -> std::same_as<double>;
    { m.spike_time(n, x) } -> std::same_as<double>;
    { m.phase(n, x, x) } -> std::same_as<double>;
    { m.shift_origin(x, x) } -> std::same_as<double>;
    { m.max_origin_span_ms() } -> std::same_as<double>;
};

}  // namespace sparsechaos::models
