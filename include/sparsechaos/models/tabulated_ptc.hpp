#pragma once
// Tabulated phase form of a one-dimensional neuron without a closed-form PTC (docs/design.md, "Models in phase form").
//
// The neuron is τ dV/dt = F(V) with F > 0 everywhere (suprathreshold: it fires periodically when
// left alone), registers a spike when V reaches v_spike and restarts at v_reset. Its free
// trajectory is tabulated once as knots (t_k, V_k) where t is the time left until the spike, in
// units of τ (the table does not depend on τ). Knots are spaced by at most δ times the local time
// scale min(1/|F'|, 1/√|F''F|) in t, so they grade geometrically towards the spike where V runs
// away, and by at most period/cells_per_period elsewhere. The knots are exact up to rounding: each V_k solves
// ∫_{V_k}^{V_{k−1}} dV/F = t_k − t_{k−1} by Newton's method with Gauss–Legendre quadrature.
//
// Both directions interpolate between the same knots with quintic Hermite polynomials whose end
// derivatives come from the ODE itself:
//   V(t):  dV/dt = −F,   d²V/dt² = F'F        t(V):  dt/dV = −1/F,   d²t/dV² = F'/F²
// Below v_low the flow must be leak dominated (F = tail_current − V up to terms below rounding),
// and both directions use that solution in closed form, so any voltage down to −∞ is handled.
// Accuracy and size of the default resolution: docs/models.md (measured in tests/models).
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <functional>
#include <vector>

namespace sparsechaos::models {

struct free_flow {
    std::function<double(double)> rate;        // F(V), > 0
    std::function<double(double)> rate_slope;  // F'(V)
    std::function<double(double)> rate_curvature;  // F''(V)
    double v_reset;
    double v_spike;
    double v_low;         // <= v_reset; below it F(V) = tail_current − V
    double tail_current;  // > v_low
};

struct table_resolution {
    int cells_per_period = 128;  // most knots a free period has away from fast voltage changes
    double grading = 1.0 / 48;   // largest step as a fraction of the local time scale
};

// Quintic Hermite interpolation on a cell of width h at u ∈ [0, 1] from values y, slopes d and
// second derivatives s at both ends (d and s with respect to the cell's own variable).
inline double quintic_hermite(double u, double h, double y0, double y1, double d0, double d1, double s0,
                              double s1) {
    const double w = 1.0 - u;
    const double u2 = u * u, u3 = u2 * u, w2 = w * w;
    const double value_1 = u3 * (10.0 + u * (-15.0 + 6.0 * u));  // 0 → 1
    const double slope_0 = u * w2 * w * (1.0 + 3.0 * u);
    const double slope_1 = -u3 * w * (4.0 - 3.0 * u);
    const double curv_0 = 0.5 * u2 * w2 * w;
    const double curv_1 = 0.5 * u3 * w2;
    return y0 + (y1 - y0) * value_1 + h * (d0 * slope_0 + d1 * slope_1) + h * h * (s0 * curv_0 + s1 * curv_1);
}

class spike_time_table {
public:
    explicit spike_time_table(const free_flow& flow, table_resolution resolution = {});

    // Free period T_free / τ: the time to spike at v_reset.
    double period() const { return period_; }
    double v_spike() const { return v_.front(); }
    std::size_t knots() const { return t_.size(); }
    std::size_t memory_bytes() const { return sizeof(*this) + 4 * t_.capacity() * sizeof(double); }

    // Voltage with time to spike t_go (units of τ); v_spike for t_go <= 0.
    double voltage(double t_go) const {
        if (!(t_go > 0.0)) return v_.front();
        const std::size_t last = t_.size() - 1;
        if (t_go >= t_[last])  // leak-dominated tail: τ dV/dt = I − V backwards in time
            return v_[last] - (tail_current_ - v_[last]) * std::expm1(t_go - t_[last]);
        const std::size_t k = last_at_most(t_.data(), t_.size(), t_go);
        const double h = t_[k + 1] - t_[k];
        return quintic_hermite((t_go - t_[k]) / h, h, v_[k], v_[k + 1], -f_[k], -f_[k + 1], df_[k] * f_[k],
                               df_[k + 1] * f_[k + 1]);
    }

    // Time to spike (units of τ) from voltage v; 0 at and above v_spike.
    double time_to_spike(double v) const {
        if (!(v < v_.front())) return 0.0;
        const std::size_t last = v_.size() - 1;
        if (v <= v_[last]) return t_[last] + std::log1p((v_[last] - v) / (tail_current_ - v_[last]));
        // v_ decreases with k (−v_ increases): the cell [v_{k+1}, v_k] holds v.
        const std::size_t k = last_at_least(v_.data(), v_.size(), v), k1 = k + 1;
        const double h = v_[k] - v_[k1];
        const double if0 = 1.0 / f_[k1], if1 = 1.0 / f_[k];
        return quintic_hermite((v - v_[k1]) / h, h, t_[k1], t_[k], -if0, -if1, df_[k1] * if0 * if0,
                               df_[k] * if1 * if1);
    }

private:
    // Branch-free binary searches (a kick does two; mispredicted branches would dominate them).
    // The last k with x[k] <= y in increasing x, and the last k with x[k] >= y in decreasing x.
    static std::size_t last_at_most(const double* x, std::size_t n, double y) {
        const double* base = x;
        while (n > 1) {
            const std::size_t half = n / 2;
            base = base[half] <= y ? base + half : base;
            n -= half;
        }
        return std::size_t(base - x);
    }
    static std::size_t last_at_least(const double* x, std::size_t n, double y) {
        const double* base = x;
        while (n > 1) {
            const std::size_t half = n / 2;
            base = base[half] >= y ? base + half : base;
            n -= half;
        }
        return std::size_t(base - x);
    }

    // Knots in order of increasing time to spike: t_[0] = 0 at v_spike.
    std::vector<double> t_, v_, f_, df_;  // time to spike, voltage, F(V), F'(V)
    double tail_current_;
    double period_;
};

}  // namespace sparsechaos::models
