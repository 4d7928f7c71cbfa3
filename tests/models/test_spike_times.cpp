// Spike times of one neuron under random pulses: the engine form of each model against a direct
// integration of its voltage equation (reference_ode.hpp).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "model_cases.hpp"

namespace sparsechaos::models::test {
namespace {

struct comparison {
    std::size_t spikes;
    double max_error_ms;  // largest |engine − reference| over all spikes
};

// 150 pulses over 50 free periods.
template <class M>
comparison compare_with_ode(const M& m, double drive, unsigned seed) {
    const auto n = m.make_neuron(drive);
    const double t_end = 50.0 * m.tau_ms * (m.phase_threshold() - m.phase_reset()) / n.omega;
    const auto pulses = random_pulses(m, drive, 150, t_end, seed);
    const auto engine = engine_spikes(m, n, pulses, t_end);
    const auto reference = reference_spikes(reference_for(m, drive), pulses, t_end);
    EXPECT_EQ(engine.size(), reference.size());
    comparison c{std::min(engine.size(), reference.size()), 0.0};
    for (std::size_t k = 0; k < c.spikes; ++k) c.max_error_ms = std::max(c.max_error_ms, std::abs(engine[k] - reference[k]));
    return c;
}

// Relative error of spike times, measured against τ_m (much stricter than against the spike
// time itself, which reaches 50 free periods here).
template <class M>
void expect_spike_times(const M& m, double drive, double bound, const char* name) {
    for (unsigned seed : {1u, 2u, 3u}) {
        const auto c = compare_with_ode(m, drive, seed);
        std::printf("[ measured ] %s drive %g seed %u: %zu spikes, max |dT|/tau = %.2e\n", name, drive, seed, c.spikes,
                    c.max_error_ms / m.tau_ms);
        EXPECT_GT(c.spikes, 20u);
        EXPECT_LE(c.max_error_ms / m.tau_ms, bound) << name << " seed " << seed;
    }
}

TEST(SpikeTimes, LifMatchesVoltageOde) {
    expect_spike_times(lif{}, 0.25, 1e-9, "lif");
    expect_spike_times(lif{}, 2.0, 1e-9, "lif");
}

TEST(SpikeTimes, ThetaMatchesVoltageOde) {
    expect_spike_times(theta{}, 1.0, 1e-9, "theta");
    expect_spike_times(theta{}, 0.05, 1e-9, "theta");
}

TEST(SpikeTimes, RapidThetaMatchesVoltageOde) {
    for (double r : rapidness_values) {
        char name[32];
        std::snprintf(name, sizeof name, "rapid_theta r=%g", r);
        expect_spike_times(rapid_theta{10.0, r}, 0.5, 1e-9, name);
        expect_spike_times(rapid_theta{10.0, r}, 0.02, 1e-9, name);
    }
}

TEST(SpikeTimes, EifMatchesVoltageOde) {
    expect_spike_times(eif{}, 0.5, 1e-9, "eif");
    expect_spike_times(eif{}, 0.05, 1e-9, "eif");
    expect_spike_times(eif{}, 5.0, 1e-9, "eif");
}

// The pulses must actually exercise the cases that matter: spikes fired by a kick (LIF, EIF),
// pulses that move a rapid theta neuron across its glue point.
template <class M>
int spikes_at_pulses(const M& m, double drive, unsigned seed) {
    const auto n = m.make_neuron(drive);
    const double t_end = 50.0 * m.tau_ms * (m.phase_threshold() - m.phase_reset()) / n.omega;
    const auto pulses = random_pulses(m, drive, 150, t_end, seed);
    int at_pulse = 0;
    for (double t : engine_spikes(m, n, pulses, t_end))
        for (const auto& p : pulses) at_pulse += std::abs(t - p.time_ms) <= 1e-12 * t_end;
    return at_pulse;
}

TEST(SpikeTimes, PulsesFireByKick) {
    for (unsigned seed : {1u, 2u, 3u}) {
        EXPECT_GT(spikes_at_pulses(eif{}, 0.5, seed), 0) << "seed " << seed;
        EXPECT_GT(spikes_at_pulses(lif{}, 0.25, seed), 0) << "seed " << seed;
        EXPECT_EQ(spikes_at_pulses(rapid_theta{10.0, 10.0}, 0.5, seed), 0) << "seed " << seed;
    }
}

}  // namespace
}  // namespace sparsechaos::models::test
