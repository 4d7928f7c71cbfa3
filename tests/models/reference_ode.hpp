#pragma once
// Independent reference for the model tests: direct integration of each model's VOLTAGE equation
// with an adaptive Dormand–Prince 5(4) method, tight tolerances and event location by Newton's
// method on the step size. Nothing here uses a phase, a PTC or a closed-form solution.
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace sparsechaos::models::test {

struct pulse {
    double time_ms;
    double weight;
};

// Adaptive DP5(4) integrator of one autonomous scalar ODE y' = f(y).
class dormand_prince {
public:
    dormand_prince(double atol, double rtol, double first_step) : atol_(atol), rtol_(rtol), h_(first_step) {}

    enum class stop { end, level, left };

    // Integrate from (t, y) up to t_end. Stops early, exactly at the crossing, when y reaches
    // `level` moving in direction dir (+1 rising, −1 falling, 0: no level); or after the first
    // step at which leave(y) holds.
    template <class F, class L>
    stop run(const F& f, double& y, double& t, double t_end, double level, int dir, const L& leave) {
        while (t < t_end) {
            const bool last = h_ >= t_end - t;
            const double h = last ? t_end - t : h_;
            double err;
            const double y1 = step(f, y, h, err);
            const double tol = atol_ + rtol_ * std::max(std::abs(y), std::abs(y1));
            if (!std::isfinite(y1) || !(err <= tol)) {  // reject (also: blown up past a singularity)
                h_ = h * (std::isfinite(err) && std::isfinite(y1) ? std::max(0.1, 0.9 * std::pow(tol / err, 0.2)) : 0.1);
                continue;
            }
            if (dir != 0 && (y1 - level) * dir >= 0.0) {
                locate(f, y, t, h, y1, level);
                return stop::level;
            }
            t = last ? t_end : t + h;
            y = y1;
            if (!last) h_ = h * std::min(4.0, 0.9 * std::pow(tol / std::max(err, 1e-300), 0.2));
            if (leave(y)) return stop::left;
        }
        return stop::end;
    }

private:
    template <class F>
    static double step(const F& f, double y, double h, double& err) {
        const double k1 = f(y);
        const double k2 = f(y + h * (1.0 / 5) * k1);
        const double k3 = f(y + h * (3.0 / 40 * k1 + 9.0 / 40 * k2));
        const double k4 = f(y + h * (44.0 / 45 * k1 - 56.0 / 15 * k2 + 32.0 / 9 * k3));
        const double k5 = f(y + h * (19372.0 / 6561 * k1 - 25360.0 / 2187 * k2 + 64448.0 / 6561 * k3 - 212.0 / 729 * k4));
        const double k6 = f(y + h * (9017.0 / 3168 * k1 - 355.0 / 33 * k2 + 46732.0 / 5247 * k3 + 49.0 / 176 * k4 -
                                     5103.0 / 18656 * k5));
        const double y1 =
            y + h * (35.0 / 384 * k1 + 500.0 / 1113 * k3 + 125.0 / 192 * k4 - 2187.0 / 6784 * k5 + 11.0 / 84 * k6);
        const double k7 = f(y1);
        err = std::abs(h * (71.0 / 57600 * k1 - 71.0 / 16695 * k3 + 71.0 / 1920 * k4 - 17253.0 / 339200 * k5 +
                            22.0 / 525 * k6 - 1.0 / 40 * k7));
        return y1;
    }
    // The crossing inside an accepted step: Newton on the step size, d y(θ)/dθ = f(y(θ)).
    template <class F>
    static void locate(const F& f, double& y, double& t, double h, double y1, double level) {
        double theta = h * (level - y) / (y1 - y);
        for (int it = 0; it < 50; ++it) {
            double err;
            const double yt = step(f, y, theta, err);
            const double next = std::clamp(theta - (yt - level) / f(yt), 0.0, h);
            const bool done = std::abs(next - theta) <= 1e-16 * (std::abs(t) + h);
            theta = next;
            if (done) break;
        }
        t += theta;
        y = level;
    }

    double atol_, rtol_, h_;
};

// Feeds pulses to a reference neuron, returns its spike times in [0, t_end).
template <class R>
std::vector<double> reference_spikes(R neuron, const std::vector<pulse>& pulses, double t_end) {
    std::vector<double> spikes;
    double t = 0.0;
    for (const auto& p : pulses) {
        neuron.advance(t, p.time_ms, spikes);
        neuron.kick(p.weight, t, spikes);
    }
    neuron.advance(t, t_end, spikes);
    return spikes;
}

// LIF: τ dV/dt = −V + I, threshold 1, reset 0; a pulse crossing threshold fires at once.
struct lif_reference {
    double tau, current;
    double v = 0.0;
    dormand_prince ode{1e-15, 1e-13, 1e-3};

    void advance(double& t, double t_end, std::vector<double>& spikes) {
        const auto f = [&](double x) { return (current - x) / tau; };
        while (ode.run(f, v, t, t_end, 1.0, +1, [](double) { return false; }) ==
               dormand_prince::stop::level) {
            spikes.push_back(t);
            v = 0.0;
        }
    }
    void kick(double j, double t, std::vector<double>& spikes) {
        v += j;
        if (v >= 1.0) {
            spikes.push_back(t);
            v = 0.0;
        }
    }
};

// EIF: τ dV/dt = −V + Δ_T exp((V − V_T)/Δ_T) + I, spike at v_spike, reset v_reset.
struct eif_reference {
    double tau, delta_t, v_t, v_reset, v_spike, current;
    double v;
    dormand_prince ode{1e-15, 1e-13, 1e-3};

    void advance(double& t, double t_end, std::vector<double>& spikes) {
        const auto f = [&](double x) { return (-x + delta_t * std::exp((x - v_t) / delta_t) + current) / tau; };
        while (ode.run(f, v, t, t_end, v_spike, +1, [](double) { return false; }) ==
               dormand_prince::stop::level) {
            spikes.push_back(t);
            v = v_reset;
        }
    }
    void kick(double j, double t, std::vector<double>& spikes) {
        v += j;
        if (v >= v_spike) {
            spikes.push_back(t);
            v = v_reset;
        }
    }
};

// Quadratic neurons (theta: F = V²; rapid theta: F = a (V − V_G)² − I_rheo with a = A_s below
// and r² A_s above the glue point V_G): τ dV/dt = F(V) + I. V runs to +∞ at the spike and comes
// back from −∞, so far from V_G the state is w = 1/(V − V_G), for which the voltage equation
// reads τ dw/dt = −w² (F + I) = −(a + (I − I_rheo) w²): regular, and the spike is w crossing 0.
// Each segment integrates the smooth formula of its own side, and the side changes (V = V_G,
// w = 0) are located exactly.
struct quadratic_reference {
    double tau, v_glue, a_lo, a_hi, i_rheo, current;
    double chart_switch;  // |V − V_G| beyond which the state is w
    enum side { v_lo, v_hi, w_hi, w_lo } where = w_lo;
    double y = -0.0;  // V in v charts, w in w charts; starts just after a spike
    dormand_prince ode_v{1e-15, 1e-13, 1e-3};
    dormand_prince ode_w{1e-15, 1e-13, 1e-3};

    double f_v(double a, double v) const { return (a * (v - v_glue) * (v - v_glue) - i_rheo + current) / tau; }
    double f_w(double a, double w) const { return -(a + (current - i_rheo) * w * w) / tau; }

    void advance(double& t, double t_end, std::vector<double>& spikes) {
        const auto never = [](double) { return false; };
        while (t < t_end) {
            switch (where) {
                case v_lo:
                    if (ode_v.run([&](double v) { return f_v(a_lo, v); }, y, t, t_end, v_glue, +1, never) ==
                        dormand_prince::stop::level)
                        where = v_hi;
                    break;
                case v_hi:
                    if (ode_v.run([&](double v) { return f_v(a_hi, v); }, y, t, t_end, 0.0, 0,
                                  [&](double v) { return v - v_glue > chart_switch; }) == dormand_prince::stop::left) {
                        y = 1.0 / (y - v_glue);
                        where = w_hi;
                    }
                    break;
                case w_hi:
                    if (ode_w.run([&](double w) { return f_w(a_hi, w); }, y, t, t_end, 0.0, -1, never) ==
                        dormand_prince::stop::level) {
                        spikes.push_back(t);
                        y = -0.0;
                        where = w_lo;
                    }
                    break;
                case w_lo:
                    if (ode_w.run([&](double w) { return f_w(a_lo, w); }, y, t, t_end, 0.0, 0,
                                  [&](double w) { return w < -1.0 / chart_switch; }) == dormand_prince::stop::left) {
                        y = v_glue + 1.0 / y;
                        where = v_lo;
                    }
                    break;
            }
        }
    }
    void kick(double j, double, std::vector<double>&) {
        double x;  // V − V_G
        if (where == v_lo || where == v_hi) {
            x = y - v_glue + j;
        } else {
            if (y == 0.0) return;  // at ±∞ exactly: a finite pulse does nothing
            x = 1.0 / y + j;
        }
        if (x > chart_switch) {
            where = w_hi;
            y = 1.0 / x;
        } else if (x < -chart_switch) {
            where = w_lo;
            y = 1.0 / x;
        } else {
            where = x < 0.0 ? v_lo : v_hi;
            y = v_glue + x;
        }
    }
};

}  // namespace sparsechaos::models::test
