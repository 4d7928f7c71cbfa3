#pragma once
// Leaky integrate-and-fire neuron in phase form (docs/design.md, "Models in phase form").
//   τ dV/dt = −V + I,  V_th = 1, V_reset = 0,  I = 1 + I_ext (I_ext > 0: suprathreshold),
//   an input of weight J jumps V by J.
// Phase φ ∈ [0, 1) with dφ/dt = ω/τ, ω = 1 / ln(1 + 1/I_ext), V = I (1 − e^{−φ/ω}),
//   g(φ) = −ω ln(e^{−φ/ω} − J/I),  g'(φ) = e^{−φ/ω} / (e^{−φ/ω} − J/I).
//
// Engine encoding: s = exp((T − t0)/τ) with T the next spike time and t0 the local time origin.
// Then e^{−φ/ω} = e^{−1/ω} s / E with E = exp((t − t0)/τ), and the kick V += J becomes
//   s ← s − J E / I_ext
// — one multiply-add per target, E computed once per spike (SparseProp, Engelken 2023).
#include <cmath>
#include <stdexcept>
#include <string>

#include "sparsechaos/models/simd_math.hpp"

namespace sparsechaos::models {

struct lif {
    double tau_ms = 10.0;

    struct neuron {
        double omega;          // 1 / ln(1 + 1/I_ext)
        double inv_current;    // 1 / I = 1 / (1 + I_ext)
        double inv_drive;      // 1 / I_ext  (kick coefficient in the engine encoding)
        double reset_factor;   // e^{1/ω} = 1 + 1/I_ext
    };
    struct context {
        double t;  // local time of the spike (ms)
        double e;  // exp(t/τ)
    };

    neuron make_neuron(double i_ext) const {
        if (!(i_ext > 0.0) || !std::isfinite(i_ext))
            throw std::invalid_argument("LIF drive I_ext must be > 0 (suprathreshold), got " +
                                        std::to_string(i_ext));
        return {1.0 / std::log1p(1.0 / i_ext), 1.0 / (1.0 + i_ext), 1.0 / i_ext, 1.0 + 1.0 / i_ext};
    }

    double phase_threshold() const { return 1.0; }
    double phase_reset() const { return 0.0; }

    // Phase after an input of weight J arriving at phase φ (>= 1 means the neuron fires).
    double ptc(const neuron& n, double phi, double j) const {
        const double x = std::exp(-phi / n.omega) - j * n.inv_current;
        return x > 0.0 ? -n.omega * std::log(x) : INFINITY;
    }
    double ptc_slope(const neuron& n, double phi, double j) const {
        const double e = std::exp(-phi / n.omega);
        return e / (e - j * n.inv_current);
    }

    context make_context(double t) const { return {t, std::exp(t / tau_ms)}; }
    double reset_state(const neuron& n, const context& c) const { return c.e * n.reset_factor; }
    double kick(const neuron& n, double s, double j, const context& c) const {
        return kick_by(kick_coefficient(n, j), s, c.e);
    }
    // The kick in two parts, for kicks applied later (engine/held_kicks.hpp): a coefficient per
    // neuron and weight, and E of the spike. The same arithmetic, so the same bits.
    static double kick_coefficient(const neuron& n, double j) { return -j * n.inv_drive; }
    static double kick_by(double coefficient, double s, double e) { return std::fma(coefficient, e, s); }
    double spike_time(const neuron&, double s) const {
        double t;
        spike_times(&s, &t, 1);
        return t;
    }
    // Spike times of `count` states at once (the engine re-keys a bucket of neurons together).
    // One vectorized logarithm serves single and batched calls, so both give the same bits.
    void spike_times(const double* s, double* t, std::size_t count) const {
        constexpr unsigned w = simd::lanes;
        double x[w], y[w];
        for (std::size_t k0 = 0; k0 < count; k0 += w) {
            const unsigned m = count - k0 < w ? unsigned(count - k0) : w;
            for (unsigned l = 0; l < w; ++l) x[l] = s[k0 + (l < m ? l : 0)];  // pad with the first
            simd::log(x, y);
            // s <= 0 only after a kick far beyond threshold: fire at once.
            for (unsigned l = 0; l < m; ++l) t[k0 + l] = x[l] > 0.0 ? tau_ms * y[l] : -INFINITY;
        }
    }
    double phase(const neuron& n, double s, double t) const {
        return phase_threshold() - (spike_time(n, s) - t) * n.omega / tau_ms;
    }
    double shift_origin(double s, double dt) const { return s * std::exp(-dt / tau_ms); }
    // exp(t/τ) must stay far from overflow; 64 τ keeps E below e^64 and s well inside range.
    double max_origin_span_ms() const { return 64.0 * tau_ms; }
};

}  // namespace sparsechaos::models
