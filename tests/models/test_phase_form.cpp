// The phase form of every model: PTC slope, agreement of the PTC with the engine-form kick,
// the free period, monotonicity, drive checks, and rapid theta at r = 1 against theta.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <limits>
#include <numbers>
#include <random>
#include <stdexcept>
#include <vector>

#include "model_cases.hpp"

namespace sparsechaos::models::test {
namespace {

// Calls f(model, drive, name) for every model instance under test, at two drives each.
template <class F>
void for_each_case(F&& f) {
    for (double d : {0.25, 2.0}) f(lif{}, d, "lif");
    for (double d : {1.0, 0.05}) f(theta{}, d, "theta");
    for (double r : rapidness_values)
        for (double d : {0.5, 0.02}) {
            char name[32];
            std::snprintf(name, sizeof name, "rapid_theta r=%g", r);
            f(rapid_theta{10.0, r}, d, name);
        }
    for (double d : {0.5, 0.05, 5.0}) f(eif{}, d, "eif");
}

// Pulse weights of both signs, from tiny to large, in units of the model's voltage scale.
const double weights[] = {-3.0, -1.0, -0.3, -0.03, -1e-3, 1e-3, 0.03, 0.3, 1.0, 3.0};

TEST(PhaseForm, SlopeMatchesFiniteDifference) {
    for_each_case([](const auto& m, double drive, const char* name) {
        const auto n = m.make_neuron(drive);
        const double lo = m.phase_reset(), hi = m.phase_threshold(), range = hi - lo;
        double worst = 0.0;
        int checked = 0;
        for (double w : weights) {
            const double j = w * pulse_scale(m, drive);
            for (int k = 1; k < 200; ++k) {
                const double phi = lo + range * (0.002 + 0.99 * k / 200.0);
                const double h = 1e-6 * std::min(range, 50.0 * (hi - phi));
                const double up = m.ptc(n, phi + h, j), down = m.ptc(n, phi - h, j);
                if (!(up < hi - 1e-3 * range)) continue;  // fired (or about to): no slope to compare
                const double fd = (up - down) / (2.0 * h);
                const double slope = m.ptc_slope(n, phi, j);
                const double err = std::abs(slope - fd) / std::abs(slope);
                worst = std::max(worst, err);
                ++checked;
                EXPECT_LE(err, 1e-6) << name << " drive " << drive << " phi " << phi << " J " << j;
                EXPECT_GT(slope, 0.0) << name;
            }
        }
        EXPECT_GT(checked, 1000) << name;
        std::printf("[ measured ] %s drive %g: ptc_slope vs finite difference, max rel. error %.1e\n", name, drive,
                    worst);
    });
}

// phase(kick(s)) == ptc(phase(s)) for random states, times and weights.
TEST(PhaseForm, PtcMatchesEngineKick) {
    for_each_case([](const auto& m, double drive, const char* name) {
        const auto n = m.make_neuron(drive);
        const double lo = m.phase_reset(), hi = m.phase_threshold();
        const double period = m.tau_ms * (hi - lo) / n.omega;
        std::mt19937_64 rng(11);
        std::uniform_real_distribution<double> u(0.0, 1.0);
        double worst = 0.0;
        for (int k = 0; k < 2000; ++k) {
            // A neuron that fired `ago` before local time t (up to a little below reset after
            // inhibition is covered by the weights), at a local time anywhere in the origin span.
            const double t = u(rng) * std::min(m.max_origin_span_ms(), 600.0);
            const double ago = u(rng) * period;
            const double s = m.reset_state(n, m.make_context(t - ago));
            const double j = weights[k % std::size(weights)] * pulse_scale(m, drive) * u(rng);
            const double phi = m.phase(n, s, t);
            const double kicked = m.kick(n, s, j, m.make_context(t));
            const double via_ptc = m.ptc(n, phi, j);
            if (m.spike_time(n, kicked) <= t) {  // fired by the kick: the PTC must say so too
                EXPECT_GE(via_ptc, hi) << name;
                continue;
            }
            const double via_kick = m.phase(n, kicked, t);
            worst = std::max(worst, std::abs(via_kick - via_ptc));
            EXPECT_NEAR(via_kick, via_ptc, 1e-12 * (hi - lo)) << name << " phi " << phi << " J " << j;
        }
        std::printf("[ measured ] %s drive %g: |phase(kick) - ptc(phase)| <= %.1e\n", name, drive, worst);
    });
}

// The engine's lazy re-keying relies on it: inhibition never advances a spike, excitation never
// delays one, also for states just after reset and just before a spike. Right after reset atan2
// returns δ' ≈ π rounded either way, so every model clamps the kicked time and holds it exactly.
// LIF spike times come from a vectorized logarithm (1 ulp): it must still never decrease when the
// state grows by one ulp, or an inhibitory kick could advance a spike and break the lower bounds
// of the engine's queue. Checked over the whole range of states the engine uses (up to e^64), and
// the batch must give the same bits as single calls.
TEST(PhaseForm, LifSpikeTimeMonotoneToTheLastBitAndBatchEqualsSingle) {
    const lif m;
    const auto n = m.make_neuron(0.1);
    std::mt19937_64 rng(11);
    std::uniform_real_distribution<double> u(-5.0, 64.0);
    std::vector<double> s(100000), batch(s.size());
    for (auto& x : s) x = std::exp(u(rng));
    m.spike_times(s.data(), batch.data(), s.size());
    for (std::size_t k = 0; k < s.size(); ++k) {
        double x = s[k];
        double last = m.spike_time(n, x);
        ASSERT_EQ(batch[k], last) << "s = " << x;
        for (int step = 0; step < 64; ++step) {
            x = std::nextafter(x, INFINITY);
            const double t = m.spike_time(n, x);
            ASSERT_GE(t, last) << "s = " << x;
            last = t;
        }
    }
}

TEST(PhaseForm, KicksAreMonotone) {
    for_each_case([](const auto& m, double drive, const char* name) {
        const auto n = m.make_neuron(drive);
        const double period = m.tau_ms * (m.phase_threshold() - m.phase_reset()) / n.omega;
        std::mt19937_64 rng(5);
        std::uniform_real_distribution<double> u(0.0, 1.0);
        for (int k = 0; k < 3000; ++k) {
            const double t = 100.0 * u(rng);
            // ago spread on a log scale over (1e-12, 1) periods, from either end of the cycle
            const double x = std::pow(10.0, -12.0 * u(rng)) * period;
            const double ago = k % 2 ? x : period - x;
            const auto ctx = m.make_context(t);
            const double s = m.reset_state(n, m.make_context(t - ago));
            const double j = weights[k % std::size(weights)] * pulse_scale(m, drive);
            const double before = m.spike_time(n, s), after = m.spike_time(n, m.kick(n, s, j, ctx));
            if (j < 0)
                EXPECT_GE(after, before) << name << " ago " << ago << " J " << j;
            else
                EXPECT_LE(after, before) << name << " ago " << ago << " J " << j;
        }
        // The PTC in phase form is monotone in φ as well.
        double last = -INFINITY;
        for (int k = 0; k <= 1000; ++k) {
            const double phi = m.phase_reset() + (m.phase_threshold() - m.phase_reset()) * k / 1000.0 * 0.999;
            const double g = m.ptc(n, phi, -0.5 * pulse_scale(m, drive));
            EXPECT_GE(g, last) << name;
            last = g;
        }
    });
}

// ω: τ (φ_th − φ_reset)/ω is the period of the voltage ODE without input.
TEST(PhaseForm, FreePeriodMatchesVoltageOde) {
    for_each_case([](const auto& m, double drive, const char* name) {
        const auto n = m.make_neuron(drive);
        const double period = m.tau_ms * (m.phase_threshold() - m.phase_reset()) / n.omega;
        const auto spikes = reference_spikes(reference_for(m, drive), {}, 3.5 * period);
        ASSERT_EQ(spikes.size(), 3u) << name;
        for (std::size_t k = 0; k < 3; ++k)
            EXPECT_NEAR(spikes[k], (k + 1) * period, 1e-11 * period) << name << " drive " << drive;
        std::printf("[ measured ] %s drive %g: period %.15g ms, ODE %.15g ms\n", name, drive, period, spikes[0]);
    });
}

TEST(PhaseForm, RapidThetaWithUnitRapidnessIsTheta) {
    const theta th;
    const rapid_theta rt{10.0, 1.0};
    std::mt19937_64 rng(3);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    for (double drive : {0.01, 0.3, 1.0, 7.0}) {
        const auto a = th.make_neuron(drive);
        const auto b = rt.make_neuron(drive);
        EXPECT_NEAR(a.omega, b.omega, 1e-15 * a.omega);
        for (int k = 0; k < 2000; ++k) {
            const double phi = -std::numbers::pi + 2.0 * std::numbers::pi * u(rng);
            const double j = (8.0 * u(rng) - 4.0) * std::sqrt(drive);
            EXPECT_NEAR(th.ptc(a, phi, j), rt.ptc(b, phi, j), 1e-13);
            EXPECT_NEAR(th.ptc_slope(a, phi, j), rt.ptc_slope(b, phi, j), 1e-13 * th.ptc_slope(a, phi, j));
            const double t = 1000.0 * u(rng);
            const double s = t + u(rng) * 2.0 * std::numbers::pi * th.tau_ms / a.omega;
            EXPECT_NEAR(th.kick(a, s, j, th.make_context(t)), rt.kick(b, s, j, rt.make_context(t)), 1e-13 * th.tau_ms);
            EXPECT_EQ(th.reset_state(a, th.make_context(t)), rt.reset_state(b, rt.make_context(t)));
        }
    }
}

// Glue-point formulas: V(φ) of the rapid theta neuron is continuous and C¹ at φ_G, reaches ±∞ at
// ±π, and the time spent on each side matches the voltage equation's quadratic branches.
TEST(PhaseForm, RapidThetaGluePoint) {
    for (double r : rapidness_values) {
        const rapid_theta m{10.0, r};
        const auto n = m.make_neuron(0.5);
        const double phi_g = std::numbers::pi * (r - 1.0) / (r + 1.0);
        // A pulse of +J at the glue phase and −J right back must return there (x = 0 ↔ φ_G).
        EXPECT_NEAR(m.ptc(n, m.ptc(n, phi_g, 0.7), -0.7), phi_g, 1e-13);
        // A tiny pulse at the glue point moves the phase by J / (dx/dφ) with dx/dφ = ω A_s / 4.
        const double a_s = (r + 1.0) / (2.0 * r), j = 1e-7;
        EXPECT_NEAR((m.ptc(n, phi_g, j) - phi_g) / j, 4.0 / (n.omega * a_s), 1e-6 * 4.0 / (n.omega * a_s));
        EXPECT_NEAR((phi_g - m.ptc(n, phi_g, -j)) / j, 4.0 / (n.omega * a_s), 1e-6 * 4.0 / (n.omega * a_s));
        // The free neuron passes V_G (at φ_G) and reaches the spike: time from reset to the glue
        // phase in the voltage ODE is (φ_G + π) τ/ω.
        auto ref = reference_for(m, 0.5);
        std::vector<double> spikes;
        double t = 0.0;
        ref.advance(t, (phi_g + std::numbers::pi) * m.tau_ms / n.omega, spikes);
        EXPECT_TRUE(spikes.empty());
        const double x = ref.where == quadratic_reference::v_lo || ref.where == quadratic_reference::v_hi
                             ? ref.y - ref.v_glue
                             : 1.0 / ref.y;
        EXPECT_NEAR(x, 0.0, 1e-9) << "r = " << r;
    }
}

TEST(PhaseForm, RejectsDriveAtOrBelowRheobase) {
    const double bad[] = {0.0, -0.0, -1.0, -1e-300, std::numeric_limits<double>::quiet_NaN(), INFINITY};
    for (double d : bad) {
        EXPECT_THROW(lif{}.make_neuron(d), std::invalid_argument) << d;
        EXPECT_THROW(theta{}.make_neuron(d), std::invalid_argument) << d;
        for (double r : rapidness_values) EXPECT_THROW((rapid_theta{10.0, r}.make_neuron(d)), std::invalid_argument) << d;
        EXPECT_THROW(eif{}.make_neuron(d), std::invalid_argument) << d;
    }
    EXPECT_NO_THROW(eif{}.make_neuron(1e-3));
    EXPECT_THROW((rapid_theta{10.0, 0.0}.make_neuron(1.0)), std::invalid_argument);
    EXPECT_THROW((eif{10.0, 0.0}.make_neuron(1.0)), std::invalid_argument);
    EXPECT_THROW((eif{10.0, 0.2, 1.0, 5.0, 5.0}.make_neuron(1.0)), std::invalid_argument);
    try {
        rapid_theta{}.make_neuron(-2.0);
        FAIL();
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("rheobase"), std::string::npos) << e.what();
    }
}

// The engine form at a spike time: a kick exactly at threshold leaves the neuron due now,
// a rapid theta neuron never fires by a kick, an EIF kick across v_spike fires at once.
TEST(PhaseForm, ThresholdCases) {
    for (double r : rapidness_values) {
        const rapid_theta m{10.0, r};
        const auto n = m.make_neuron(0.5);
        const auto ctx = m.make_context(50.0);
        EXPECT_EQ(m.kick(n, 50.0, 1e6, ctx), 50.0);        // due now stays due now
        EXPECT_GT(m.kick(n, 50.0 + 1e-9, 1e6, ctx), 50.0);  // huge pulse just before: still not fired
        const double fresh = m.reset_state(n, ctx);
        EXPECT_NEAR(m.kick(n, fresh, -1e6, ctx), fresh, 1e-12);  // at V = −∞ a finite pulse does nothing
    }
    const eif m;
    const auto n = m.make_neuron(0.5);
    const auto ctx = m.make_context(20.0);
    const double s = m.reset_state(n, m.make_context(20.0 - 0.9 * m.tau_ms * n.table->period()));
    EXPECT_LE(m.spike_time(n, m.kick(n, s, m.v_spike, ctx)), 20.0);
    EXPECT_GT(m.spike_time(n, m.kick(n, s, 1e-3, ctx)), 20.0);
    EXPECT_EQ(m.ptc(n, 0.9, m.v_spike), m.phase_threshold());
    // Far below the table (v_low = V_T − 36 Δ_T) the leak tail holds in closed form: between
    // V − 100 and V − 1000 the phase differs by ω ln((I − V + 1000)/(I − V + 100)).
    const double v = n.table->voltage(0.5 / n.omega);
    const double deep = m.ptc(n, 0.5, -1e3), less_deep = m.ptc(n, 0.5, -1e2);
    EXPECT_NEAR(less_deep - deep, n.omega * std::log((n.current - v + 1e3) / (n.current - v + 1e2)), 1e-13);
    EXPECT_LT(deep, -2.0);
}

}  // namespace
}  // namespace sparsechaos::models::test
