#pragma once
// The model instances the tests run, each with its reference ODE and a natural pulse size, and
// the event loop that drives a single neuron exactly as the engine does.
#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <type_traits>
#include <vector>

#include "reference_ode.hpp"
#include "sparsechaos/models/model.hpp"

namespace sparsechaos::models::test {

inline const std::vector<double> rapidness_values{1.0, 3.0, 10.0, 30.0};

inline lif_reference reference_for(const lif& m, double i_ext) { return {m.tau_ms, 1.0 + i_ext}; }
inline quadratic_reference reference_for(const theta& m, double current) {
    return {m.tau_ms, 0.0, 1.0, 1.0, 0.0, current, 2.0 * std::sqrt(current)};
}
inline quadratic_reference reference_for(const rapid_theta& m, double drive) {
    const double r = m.rapidness, a_s = (r + 1.0) / (2.0 * r), i_rheo = r / (2.0 * (r + 1.0));
    return {m.tau_ms, (r - 1.0) / (2.0 * (r + 1.0)), a_s, r * r * a_s, i_rheo, i_rheo + drive,
            2.0 * std::sqrt(drive / a_s)};
}
inline eif_reference reference_for(const eif& m, double drive) {
    return {m.tau_ms, m.delta_t, m.v_t, m.v_reset, m.v_spike, m.v_t - m.delta_t + drive, m.v_reset};
}

// Voltage scale of a pulse: one unit moves the neuron by a sizeable part of its range.
inline double pulse_scale(const lif&, double) { return 0.3; }
inline double pulse_scale(const theta&, double current) { return std::sqrt(current); }
inline double pulse_scale(const rapid_theta& m, double drive) {
    return std::sqrt(drive * 2.0 * m.rapidness / (m.rapidness + 1.0));  // ω/2 = √(I'/A_s)
}
inline double pulse_scale(const eif&, double) { return 0.5; }

// Random pulses in [0, t_end): weights uniform in ±scale, one in ten strong (±5 scale for the
// threshold-free quadratic neurons; for LIF/EIF strong excitation that often fires the neuron at
// once and strong inhibition that reaches far below reset).
template <class M>
std::vector<pulse> random_pulses(const M& m, double drive, int count, double t_end, unsigned seed) {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> uniform(0.0, 1.0);
    std::vector<double> times(count);
    for (auto& t : times) t = t_end * uniform(rng);
    std::sort(times.begin(), times.end());
    const double scale = pulse_scale(m, drive);
    std::vector<pulse> pulses;
    for (double t : times) {
        const double u = 2.0 * uniform(rng) - 1.0;
        double j = scale * u;
        if (uniform(rng) < 0.1) {
            if constexpr (std::is_same_v<M, lif>)
                j = u > 0 ? 0.5 + 0.5 * u : -2.0 * u;  // 0.5..1 excites, up to −2 inhibits
            else if constexpr (std::is_same_v<M, eif>)
                j = u > 0 ? 4.0 + 0.8 * u : 9.0 * u;  // up to 4.8 (fires from V >= 0.2), down to −9
            else
                j = 5.0 * scale * u;
        }
        pulses.push_back({t, j});
    }
    return pulses;
}

// A single neuron driven by pulses through the engine form only (make_context, kick,
// spike_time, reset_state, shift_origin), in the order the event loop of the engine uses them.
template <class M>
std::vector<double> engine_spikes(const M& m, const typename M::neuron& n, const std::vector<pulse>& pulses,
                                  double t_end) {
    std::vector<double> spikes;
    double origin = 0.0;  // absolute time of local time 0
    double s = m.reset_state(n, m.make_context(0.0));
    auto move_origin = [&](double t_local) {
        if (t_local > m.max_origin_span_ms()) {
            s = m.shift_origin(s, t_local);
            origin += t_local;
        }
    };
    auto fire_before = [&](double t_abs) {
        for (;;) {
            const double ts = m.spike_time(n, s);
            if (!(ts < t_abs - origin)) return;
            spikes.push_back(origin + ts);
            s = m.reset_state(n, m.make_context(ts));
            move_origin(ts);
        }
    };
    for (const auto& p : pulses) {
        fire_before(p.time_ms);
        const double t = p.time_ms - origin;
        const auto ctx = m.make_context(t);
        s = m.kick(n, s, p.weight, ctx);
        if (m.spike_time(n, s) <= t) {  // kicked across threshold: fires at once
            spikes.push_back(origin + t);
            s = m.reset_state(n, ctx);
        }
        move_origin(t);
    }
    fire_before(t_end);
    return spikes;
}

}  // namespace sparsechaos::models::test
