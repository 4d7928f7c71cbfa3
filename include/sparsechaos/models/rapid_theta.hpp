#pragma once
// Rapid theta neuron (spike onset rapidness r, Engelken, Monteforte & Wolf arXiv:2412.21188;
// docs/design.md, "Models in phase form"; derivation in docs/models.md). With x = V − V_G the distance to the glue point,
//   τ dx/dt = A_s x² + I'      (x ≤ 0),     τ dx/dt = r² A_s x² + I'      (x > 0),
//   A_s = (r+1)/(2r), I' > 0 the current above rheobase (`drive`), ω = 2√(I'/A_s).
// φ ∈ (−π, π] with dφ/dt = ω/τ; φ_G = π(r−1)/(r+1) is the glue phase. In the half distance to
// threshold δ = (π − φ)/2 ∈ [0, π] the two branches are
//   upper (δ < π/(r+1)):  x =  (ω/2r) cot a,  a = (r+1) δ / 2        ∈ [0, π/2)
//   lower (δ ≥ π/(r+1)):  x = −(ω/2)  cot b,  b = (r+1)(π − δ) / 2r  ∈ [0, π/2]
// (the same curve as the design's tan form, but with angles that vanish at threshold and reset,
// so that sin/cos/atan2 keep full relative accuracy there). A pulse x → x + J maps (a or b) to a
// new angle on either branch by one atan2 (see half_distance_after_kick); r = 1 is theta.
//
// Engine encoding: s = T, the next spike time, as for theta. A finite kick keeps x finite, so
// the neuron never fires by a kick, and inhibition (J < 0) only delays the spike.
#include <algorithm>
#include <cmath>
#include <numbers>
#include <stdexcept>
#include <string>

namespace sparsechaos::models {

struct rapid_theta {
    double tau_ms = 10.0;
    double rapidness = 1.0;  // r > 0; r = 1 is the theta neuron

    struct neuron {
        double omega;           // 2√(I'/A_s)
        double two_over_omega;  // 2/ω: x in units of ω/2 (kick coefficient c = 2J/ω)
    };
    struct context {
        double t;
    };

    neuron make_neuron(double drive) const {
        if (!(rapidness > 0.0) || !std::isfinite(rapidness))
            throw std::invalid_argument("rapid theta rapidness r must be > 0, got " + std::to_string(rapidness));
        if (!(drive > 0.0) || !std::isfinite(drive))
            throw std::invalid_argument(
                "rapid theta drive I' (current above rheobase) must be > 0 (oscillatory regime), got " +
                std::to_string(drive));
        const double a_s = (rapidness + 1.0) / (2.0 * rapidness);
        const double omega = 2.0 * std::sqrt(drive / a_s);
        return {omega, 2.0 / omega};
    }

    double phase_threshold() const { return std::numbers::pi; }
    double phase_reset() const { return -std::numbers::pi; }

    // Phase after a pulse J at phase φ (never reaches π: rapid theta neurons fire by their flow).
    double ptc(const neuron& n, double phi, double j) const {
        return std::numbers::pi - 2.0 * half_distance_after_kick(n, 0.5 * (std::numbers::pi - phi), j);
    }
    // g'(φ) = (dx/dφ)(φ) / (dx/dφ)(g(φ)); dx/dφ ∝ 1/sin²(angle) on both branches.
    double ptc_slope(const neuron& n, double phi, double j) const {
        double slope;
        half_distance_after_kick(n, 0.5 * (std::numbers::pi - phi), j, &slope);
        return slope;
    }

    context make_context(double t) const { return {t}; }
    double reset_state(const neuron& n, const context& c) const {
        return c.t + 2.0 * std::numbers::pi * tau_ms / n.omega;
    }
    double kick(const neuron& n, double s, double j, const context& c) const {
        const double half_rate = 0.5 * n.omega / tau_ms;  // dδ/dt
        const double t = c.t + half_distance_after_kick(n, (s - c.t) * half_rate, j) / half_rate;
        // Near reset δ' = π − b'/k_lo is exact only to an ulp of π: never let rounding move the
        // spike against the pulse (the engine's lazy re-keying relies on it).
        return j < 0.0 ? std::max(t, s) : std::min(t, s);
    }
    double spike_time(const neuron&, double s) const { return s; }
    double phase(const neuron& n, double s, double t) const {
        return phase_threshold() - (s - t) * n.omega / tau_ms;
    }
    double shift_origin(double s, double dt) const { return s - dt; }
    // As for theta, only precision limits the span of local time.
    double max_origin_span_ms() const { return 4096.0; }

    // The kernel shared by ptc, ptc_slope and kick: half distance to threshold δ ∈ [0, π] before
    // the pulse → after it; optionally the slope g' of the phase map.
    double half_distance_after_kick(const neuron& n, double delta, double j, double* slope = nullptr) const {
        const double r = rapidness;
        const double k_hi = 0.5 * (r + 1.0);  // a = k_hi δ
        const double k_lo = k_hi / r;         // b = k_lo (π − δ)
        const double c_lo = j * n.two_over_omega;  // 2J/ω: x + J in units of ω/2
        if (delta * k_hi < 0.5 * std::numbers::pi) {
            // upper branch: cot a = 2r x/ω, so x + J gives cot a' = cot a + r c_lo = X / sin a
            const double a = k_hi * delta;
            const double sa = std::sin(a), ca = std::cos(a);
            const double x = ca + r * c_lo * sa;
            if (x > 0.0) {
                if (slope) *slope = 1.0 / (sa * sa + x * x);
                return std::atan2(sa, x) / k_hi;
            }
            // crossed below the glue point: cot b' = −2x'/ω = −X / (r sin a)
            if (slope) *slope = r * r / (r * r * sa * sa + x * x);
            return std::numbers::pi - std::atan2(r * sa, -x) / k_lo;
        }
        // lower branch: cot b = −2x/ω, so x + J gives cot b' = cot b − c_lo = X / sin b
        const double b = k_lo * (std::numbers::pi - delta);
        const double sb = std::sin(b), cb = std::cos(b);
        const double x = cb - c_lo * sb;
        if (x >= 0.0) {
            if (slope) *slope = 1.0 / (sb * sb + x * x);
            return std::numbers::pi - std::atan2(sb, x) / k_lo;
        }
        // crossed above the glue point: cot a' = 2r x'/ω = −r X / sin b
        if (slope) *slope = 1.0 / (sb * sb + r * r * x * x);
        return std::atan2(sb, -r * x) / k_hi;
    }
};

}  // namespace sparsechaos::models
