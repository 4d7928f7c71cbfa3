#include "sparsechaos/models/tabulated_ptc.hpp"

#include <array>
#include <numbers>
#include <stdexcept>
#include <string>

namespace sparsechaos::models {
namespace {

// Nodes and weights of n-point Gauss–Legendre quadrature on [−1, 1] (Newton on P_n).
template <int n>
struct gauss_legendre {
    std::array<double, n> x{}, w{};
    gauss_legendre() {
        for (int i = 0; i < n; ++i) {
            double z = std::cos(std::numbers::pi * (i + 0.75) / (n + 0.5));
            double dp = 0.0;
            for (int it = 0; it < 100; ++it) {
                double p0 = 1.0, p1 = 0.0;
                for (int k = 1; k <= n; ++k) {
                    const double p2 = p1;
                    p1 = p0;
                    p0 = ((2.0 * k - 1.0) * z * p1 - (k - 1.0) * p2) / k;
                }
                dp = n * (z * p0 - p1) / (z * z - 1.0);
                const double dz = p0 / dp;
                z -= dz;
                if (std::abs(dz) < 1e-17) break;
            }
            x[i] = z;
            w[i] = 2.0 / ((1.0 - z * z) * dp * dp);
        }
    }
};

const gauss_legendre<16>& rule() {
    static const gauss_legendre<16> g;
    return g;
}

double panel(const std::function<double(double)>& f, double a, double b) {
    const auto& g = rule();
    const double m = 0.5 * (a + b), r = 0.5 * (b - a);
    double s = 0.0;
    for (int i = 0; i < 16; ++i) s += g.w[i] * f(m + r * g.x[i]);
    return s * r;
}

// ∫_a^b f, adaptive: a panel is accepted when its two halves change it by less than `tol`
// (absolute, 1e-14 of the whole integral: rounding of a 16-term sum is a few 1e-16).
double integrate(const std::function<double(double)>& f, double a, double b, double whole, double tol, int depth) {
    const double m = 0.5 * (a + b);
    const double left = panel(f, a, m), right = panel(f, m, b);
    const double halves = left + right;
    if (depth >= 30 || std::abs(halves - whole) <= tol) return halves;
    return integrate(f, a, m, left, tol, depth + 1) + integrate(f, m, b, right, tol, depth + 1);
}
double integrate(const std::function<double(double)>& f, double a, double b) {
    const double whole = panel(f, a, b);
    return integrate(f, a, b, whole, 1e-14 * std::abs(whole), 0);
}

}  // namespace

spike_time_table::spike_time_table(const free_flow& flow, table_resolution res) : tail_current_(flow.tail_current) {
    const auto& rate = flow.rate;
    const auto& slope = flow.rate_slope;
    if (!(flow.v_low <= flow.v_reset && flow.v_reset < flow.v_spike && flow.v_low < flow.tail_current))
        throw std::invalid_argument("spike_time_table: need v_low <= v_reset < v_spike and v_low < tail_current");
    if (!(res.cells_per_period >= 4 && res.grading > 0.0 && res.grading <= 0.5))
        throw std::invalid_argument("spike_time_table: bad resolution");
    const std::function<double(double)> inverse_rate = [&](double v) { return 1.0 / rate(v); };

    // The free period sets the widest step; it is recomputed below from the knots themselves.
    const double period_estimate = integrate(inverse_rate, flow.v_reset, flow.v_spike);
    if (!(period_estimate > 0.0) || !std::isfinite(period_estimate))
        throw std::invalid_argument("spike_time_table: F must be positive and finite on [v_reset, v_spike]");
    const double widest = period_estimate / res.cells_per_period;

    auto push = [&](double t, double v) {
        t_.push_back(t);
        v_.push_back(v);
        f_.push_back(rate(v));
        df_.push_back(slope(v));
    };
    push(0.0, flow.v_spike);
    period_ = -1.0;
    for (;;) {
        const std::size_t k = t_.size() - 1;
        const double tk = t_[k], vk = v_[k], fk = f_[k], dfk = df_[k];
        // Local time scale: V'' = F'F and V''' = (F''F + F'^2)F set how fast the slope turns.
        const double turning = std::max(std::abs(dfk), std::sqrt(std::abs(flow.rate_curvature(vk)) * fk));
        const double step = std::min(widest, res.grading / std::max(turning, 1e-300));
        const double t_next = tk + step;
        const double dt = t_next - tk;  // the step as represented
        // Voltage dt earlier on the free trajectory: solve G(V) = ∫_V^{vk} dV/F − dt = 0.
        // G decreases in V with G' = −1/F; start from the second-order Taylor step.
        double v = vk - fk * dt + 0.5 * dfk * fk * dt * dt;
        if (!(v < vk)) v = vk - fk * dt;
        double lo = -INFINITY, hi = vk;  // bracket: G(lo) > 0 > G(hi)
        for (int it = 0;; ++it) {
            const double g = integrate(inverse_rate, v, vk) - dt;
            const double dv = g * rate(v);
            if (std::abs(dv) <= 1e-15 * (std::abs(v) + fk * dt)) {
                v += dv;
                break;
            }
            (g > 0.0 ? lo : hi) = v;
            double next = v + dv;
            if (!(next > lo && next < hi))  // overshoot: bisect (or step further down if unbracketed)
                next = std::isfinite(lo) ? 0.5 * (lo + hi) : v - (hi - v + fk * dt);
            v = next;
            if (it == 100)
                throw std::runtime_error("spike_time_table: knot at t = " + std::to_string(t_next) +
                                         " did not converge");
        }
        // The reset lies in this cell: the period is the time to spike from v_reset, exactly.
        if (period_ < 0.0 && v <= flow.v_reset) period_ = tk + integrate(inverse_rate, flow.v_reset, vk);
        push(t_next, v);
        if (v <= flow.v_low) break;
        if (t_.size() > 1000000) throw std::runtime_error("spike_time_table: more than 10^6 knots");
    }
    for (auto* column : {&t_, &v_, &f_, &df_}) column->shrink_to_fit();
}

}  // namespace sparsechaos::models
