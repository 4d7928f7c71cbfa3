// Accuracy of the tabulated free trajectory of the EIF neuron against an independent quadrature
// of the time to spike, t(V) = ∫_V^{v_spike} dV/F(V) (units of τ).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <random>

#include "sparsechaos/models/eif.hpp"

namespace sparsechaos::models::test {
namespace {

// Adaptive Simpson with Richardson correction (a different rule from the table's Gauss–Legendre).
template <class F>
double simpson(const F& f, double a, double b, double fa, double fm, double fb, double whole, int depth) {
    const double m = 0.5 * (a + b), lm = 0.5 * (a + m), rm = 0.5 * (m + b);
    const double flm = f(lm), frm = f(rm);
    const double left = (m - a) / 6.0 * (fa + 4.0 * flm + fm), right = (b - m) / 6.0 * (fm + 4.0 * frm + fb);
    const double diff = left + right - whole;
    // The integrand is positive: a relative bound per piece bounds the whole relatively.
    if (depth >= 45 || std::abs(diff) <= 1e-12 * (left + right)) return left + right + diff / 15.0;
    return simpson(f, a, m, fa, flm, fm, left, depth + 1) + simpson(f, m, b, fm, frm, fb, right, depth + 1);
}
template <class F>
double simpson(const F& f, double a, double b) {
    const double fa = f(a), fb = f(b), fm = f(0.5 * (a + b));
    return simpson(f, a, b, fa, fm, fb, (b - a) / 6.0 * (fa + 4.0 * fm + fb), 0);
}

struct table_errors {
    double time_of_voltage = 0.0;  // max |t_table(V) − t(V)| / T_free
    double time_of_table_voltage = 0.0;  // max |t(V_table(t)) − t| / T_free
    double voltage_of_time = 0.0;  // max |V_table(t) − V(t)| for V(t) >= v_reset − 10
};

table_errors measure(const eif& m, double drive, int samples) {
    const auto n = m.make_neuron(drive);
    const auto& table = *n.table;
    const double current = m.v_t - m.delta_t + drive;
    const auto inverse_rate = [&](double v) { return 1.0 / (current - v + m.delta_t * std::exp((v - m.v_t) / m.delta_t)); };
    const double period = table.period();
    // The exact time to spike, also far below where the table ends; summed over pieces of width
    // Δ_T (growing far below V_T) so that the adaptive rule never has to resolve scales far apart
    // in one interval.
    auto exact_time = [&](double v) {
        double sum = 0.0;
        for (double b = m.v_spike; b > v;) {
            const double a = std::max(v, b - std::max(m.delta_t, 0.5 * (m.v_t - b)));
            sum += simpson(inverse_rate, a, b);
            b = a;
        }
        return sum;
    };
    EXPECT_NEAR(exact_time(m.v_reset), period, 1e-12 * period);

    std::mt19937_64 rng(7);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    table_errors e;
    for (int k = 0; k < samples; ++k) {
        // Voltages from 10 below reset to the spike cutoff, and close to the cutoff on a log scale.
        const double v = k % 2 ? m.v_reset - 10.0 + u(rng) * (m.v_spike - m.v_reset + 10.0)
                               : m.v_spike - std::pow(10.0, -12.0 * u(rng)) * (m.v_spike - m.v_t);
        e.time_of_voltage = std::max(e.time_of_voltage, std::abs(table.time_to_spike(v) - exact_time(v)) / period);
        // A time to spike from 0 to 2 periods; its table voltage must take exactly that long.
        const double t = k % 2 ? 2.0 * period * u(rng) : period * std::pow(10.0, -12.0 * u(rng));
        const double vt = table.voltage(t);
        const double dt = exact_time(vt) - t;
        e.time_of_table_voltage = std::max(e.time_of_table_voltage, std::abs(dt) / period);
        if (vt >= m.v_reset - 10.0)  // V error to first order
            e.voltage_of_time = std::max(e.voltage_of_time, std::abs(dt / inverse_rate(vt)));
    }
    return e;
}

TEST(EifTable, MatchesQuadrature) {
    for (double drive : {0.01, 0.05, 0.5, 5.0, 50.0}) {
        const auto e = measure(eif{}, drive, 400);
        std::printf("[ measured ] eif drive %g: |dt(V)|/T <= %.2e, |dt(V(t))|/T <= %.2e, |dV| <= %.2e\n", drive,
                    e.time_of_voltage, e.time_of_table_voltage, e.voltage_of_time);
        EXPECT_LE(e.time_of_voltage, 1e-12) << "drive " << drive;
        EXPECT_LE(e.time_of_table_voltage, 1e-12) << "drive " << drive;
        EXPECT_LE(e.voltage_of_time, 1e-12) << "drive " << drive;
    }
}

TEST(EifTable, OtherParameters) {
    // A softer and a sharper spike onset, a reset far below threshold and a high cutoff.
    for (const eif m : {eif{10.0, 1.0, 1.0, -2.0, 10.0}, eif{10.0, 0.02, 1.0, 0.5, 1.5}, eif{20.0, 0.2, 1.0, 0.0, 30.0}}) {
        const auto e = measure(m, 0.3, 200);
        std::printf("[ measured ] eif delta_t %g v_reset %g v_spike %g: |dt(V)|/T <= %.2e, |dt(V(t))|/T <= %.2e, "
                    "|dV| <= %.2e\n", m.delta_t, m.v_reset, m.v_spike, e.time_of_voltage, e.time_of_table_voltage,
                    e.voltage_of_time);
        EXPECT_LE(e.time_of_voltage, 1e-12);
        EXPECT_LE(e.time_of_table_voltage, 1e-12);
        EXPECT_LE(e.voltage_of_time, 1e-12);
    }
}

TEST(EifTable, TablesAreSharedPerDrive) {
    const eif m;
    const auto a = m.make_neuron(0.5), b = m.make_neuron(0.5), c = m.make_neuron(0.25);
    EXPECT_EQ(a.table.get(), b.table.get());
    EXPECT_NE(a.table.get(), c.table.get());
    eif other = m;
    other.v_spike = 6.0;
    EXPECT_NE(other.make_neuron(0.5).table.get(), a.table.get());
    std::printf("[ measured ] eif default table: %zu knots, %zu bytes\n", a.table->knots(), a.table->memory_bytes());
    EXPECT_LT(a.table->memory_bytes(), 64u * 1024u);
}

}  // namespace
}  // namespace sparsechaos::models::test
