#pragma once
// Theta neuron (quadratic integrate-and-fire in phase form, docs/design.md, "Models in phase form").
//   τ dV/dt = V² + I (I > 0), V = √I tan(φ/2), φ ∈ (−π, π], spike at π, reset to −π,
//   ω = 2√I, an input of weight J jumps V by J, so with c = J/√I
//   g(φ) = 2 atan(tan(φ/2) + c),  g'(φ) = 1 / (cos²(φ/2) + (sin(φ/2) + c cos(φ/2))²).
//
// Engine encoding: s = T, the next spike time. With Δ = (T − t) ω / (2τ) ∈ (0, π) the half
// phase distance to threshold, tan(φ/2) = cot Δ and the kick is
//   Δ' = atan2(sin Δ, cos Δ + c sin Δ)
// which stays accurate both just after reset (Δ → π) and just before a spike (Δ → 0).
// A finite kick never crosses threshold: theta neurons fire only by their own flow.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <numbers>
#include <stdexcept>
#include <string>

#include "sparsechaos/models/simd_math.hpp"

namespace sparsechaos::models {

struct theta {
    double tau_ms = 10.0;

    struct neuron {
        double omega;             // 2√I
        double inv_sqrt_current;  // 1/√I
    };
    struct context {
        double t;
    };

    neuron make_neuron(double current) const {
        if (!(current > 0.0) || !std::isfinite(current))
            throw std::invalid_argument("theta neuron drive I must be > 0 (oscillatory regime), got " +
                                        std::to_string(current));
        return {2.0 * std::sqrt(current), 1.0 / std::sqrt(current)};
    }

    double phase_threshold() const { return std::numbers::pi; }
    double phase_reset() const { return -std::numbers::pi; }

    double ptc(const neuron& n, double phi, double j) const {
        const double c = j * n.inv_sqrt_current;
        const double h = 0.5 * phi;
        // Finite form of 2 atan(tan(φ/2) + c): stays exact as φ → ±π.
        return 2.0 * std::atan2(std::sin(h) + c * std::cos(h), std::cos(h));
    }
    double ptc_slope(const neuron& n, double phi, double j) const {
        const double c = j * n.inv_sqrt_current;
        const double h = 0.5 * phi;
        const double ch = std::cos(h), sh = std::sin(h);
        const double u = sh + c * ch;
        return 1.0 / (ch * ch + u * u);
    }

    context make_context(double t) const { return {t}; }
    double reset_state(const neuron& n, const context& c) const {
        return c.t + 2.0 * std::numbers::pi * tau_ms / n.omega;
    }
    double kick(const neuron& n, double s, double j, const context& c) const {
        const neuron* p = &n;
        kick_batch(&p, &s, 1, j, c);
        return s;
    }
    // Kicks of weight j on `count` neurons (states s[k], constants *nrn[k]), vectorized.
    void kick_batch(const neuron* const* nrn, double* s, std::size_t count, double j, const context& c) const {
        constexpr unsigned w = simd::lanes;
        double half_rate[w], delta[w], sd[w], cd[w], x[w], delta_new[w];
        for (std::size_t k0 = 0; k0 < count; k0 += w) {
            const unsigned m = count - k0 < w ? unsigned(count - k0) : w;
            for (unsigned l = 0; l < w; ++l) {
                const std::size_t k = k0 + (l < m ? l : 0);  // pad a short group with its first lane
                half_rate[l] = 0.5 * nrn[k]->omega / tau_ms;  // dΔ/dt
                delta[l] = (s[k] - c.t) * half_rate[l];
            }
            simd::sincos(delta, sd, cd);
            for (unsigned l = 0; l < w; ++l) {
                const std::size_t k = k0 + (l < m ? l : 0);
                x[l] = cd[l] + j * nrn[k]->inv_sqrt_current * sd[l];
            }
            simd::atan2(sd, x, delta_new);
            // Rounding must never move a spike against the pulse (by an ulp, just after reset):
            // the engine's lazy queue relies on inhibition only delaying spikes.
            for (unsigned l = 0; l < m; ++l) {
                const double moved = c.t + delta_new[l] / half_rate[l];
                s[k0 + l] = j <= 0.0 ? std::max(moved, s[k0 + l]) : std::min(moved, s[k0 + l]);
            }
        }
    }
    double spike_time(const neuron&, double s) const { return s; }
    double phase(const neuron& n, double s, double t) const {
        return phase_threshold() - (s - t) * n.omega / tau_ms;
    }
    double shift_origin(double s, double dt) const { return s - dt; }
    // Only precision limits the span: keep local times small so that T − t keeps its digits.
    double max_origin_span_ms() const { return 4096.0; }
};

}  // namespace sparsechaos::models
