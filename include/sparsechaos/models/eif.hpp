#pragma once
// Exponential integrate-and-fire neuron (Fourcaud-Trocmé, Hansel, van Vreeswijk & Brunel,
// J Neurosci 23:11628, 2003) in tabulated phase form (docs/design.md, "Models in phase form", tabulated_ptc.hpp).
//   τ dV/dt = −V + Δ_T exp((V − V_T)/Δ_T) + I_rh + I',   I_rh = V_T − Δ_T (rheobase),
//   I' > 0 the current above rheobase (`drive`); spike registered when V reaches v_spike,
//   reset to v_reset; an input of weight J jumps V by J. Dimensionless units (V_T = 1, Δ_T = 0.2,
//   V_r = 0, V_spike = 5 by default, see docs/models.md).
// Phase φ = 1 − t_go/T_free ∈ [0, 1) with t_go the time left to the spike on the free
// trajectory, so dφ/dt = ω/τ with ω = τ/T_free; threshold 1, reset 0, φ < 0 below v_reset.
//   g(φ) = φ(V(φ) + J) (>= 1 if V + J reaches v_spike),  g'(φ) = F(V)/F(V + J).
//
// Engine encoding: s = T, the next spike time. A kick reads V from the table at t_go = (T − t)/τ,
// adds J and reads the new t_go back. A kick that reaches v_spike returns the kick time: the
// engine fires the neuron at once. All neurons with the same parameters and drive share one table.
#include <cmath>
#include <memory>
#include <stdexcept>

#include "sparsechaos/models/tabulated_ptc.hpp"

namespace sparsechaos::models {

struct eif {
    double tau_ms = 10.0;
    double delta_t = 0.2;  // spike slope factor Δ_T
    double v_t = 1.0;      // soft threshold V_T (where F' = 0)
    double v_reset = 0.0;
    double v_spike = 5.0;  // spike cutoff

    struct neuron {
        double omega;    // τ / T_free
        double current;  // I = I_rh + I' (total input of the free flow)
        std::shared_ptr<const spike_time_table> table;
    };
    struct context {
        double t;
    };

    // Builds the table of this drive, or shares the one already built (see eif.cpp).
    neuron make_neuron(double drive) const;

    double phase_threshold() const { return 1.0; }
    double phase_reset() const { return 0.0; }

    // F(V) = I − V + Δ_T exp((V − V_T)/Δ_T): τ dV/dt on the free trajectory.
    double rate(const neuron& n, double v) const { return n.current - v + delta_t * std::exp((v - v_t) / delta_t); }

    double ptc(const neuron& n, double phi, double j) const {
        const double t_go = (1.0 - phi) / n.omega;
        if (!(t_go > 0.0)) return phi;
        const double v = n.table->voltage(t_go) + j;
        if (v >= v_spike) return phase_threshold();
        return 1.0 - kicked_time_to_spike(*n.table, t_go, v, j) * n.omega;
    }
    // The voltage moves by J, so dφ'/dφ = (dV/dφ)(φ) / (dV/dφ)(φ') = F(V)/F(V + J); 0 if it fires.
    double ptc_slope(const neuron& n, double phi, double j) const {
        const double t_go = (1.0 - phi) / n.omega;
        const double v = n.table->voltage(t_go);
        if (!(t_go > 0.0) || v + j >= v_spike) return 0.0;
        return rate(n, v) / rate(n, v + j);
    }

    context make_context(double t) const { return {t}; }
    double reset_state(const neuron& n, const context& c) const { return c.t + tau_ms * n.table->period(); }
    double kick(const neuron& n, double s, double j, const context& c) const {
        const double t_go = (s - c.t) / tau_ms;
        if (!(t_go > 0.0)) return s;  // due now: it fires at c.t whatever the kick
        const double v = n.table->voltage(t_go) + j;
        if (v >= v_spike) return c.t;
        return c.t + tau_ms * kicked_time_to_spike(*n.table, t_go, v, j);
    }
    double spike_time(const neuron&, double s) const { return s; }
    double phase(const neuron& n, double s, double t) const { return 1.0 - (s - t) * n.omega / tau_ms; }
    double shift_origin(double s, double dt) const { return s - dt; }
    double max_origin_span_ms() const { return 4096.0; }

private:
    // The two interpolants are inverse to each other only up to ~1e-15: clamp so that inhibition
    // never advances and excitation never delays a spike (the engine's lazy re-keying needs it).
    static double kicked_time_to_spike(const spike_time_table& table, double t_go, double v, double j) {
        const double t = table.time_to_spike(v);
        return j < 0.0 ? std::max(t, t_go) : std::min(t, t_go);
    }
};

}  // namespace sparsechaos::models
