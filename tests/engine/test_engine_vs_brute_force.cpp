// The heap engine against a plain O(N)-per-spike event loop: same spike sequence.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "spike_recorder.hpp"
#include "sparsechaos/network/standard_networks.hpp"
#include "sparsechaos/engine/simulation.hpp"
#include "sparsechaos/network/local_graph.hpp"

namespace sc = sparsechaos;
using test_support::spike_recorder;

namespace {


// Reference event loop: at every step scan all neurons for the earliest (time, id), reset it,
// kick its targets. Same model arithmetic and graph as the engine, no heap, no lazy keys.
std::vector<sc::engine::spike> brute_force(const sc::network::network_spec& spec, double t_end_ms) {
    const sc::engine::simulation initial(sc::network::build_local_graph(spec));  // initial states, drives and graph
    const auto& lay = initial.layout();
    std::vector<double> s = initial.states();
    std::vector<sc::network::projection_targets> graph;
    for (const auto& p : initial.projections()) graph.emplace_back(spec, lay, p);
    double span = INFINITY;
    for (const auto& pop : spec.populations)
        span = std::min(span, std::visit([](const auto& m) { return m.max_origin_span_ms(); }, pop.model));

    // Per neuron: population and constants, through the model interface only.
    auto with_neuron = [&](std::uint64_t i, auto&& f) {
        const std::size_t p = lay.population_of(i);
        return std::visit(
            [&](const auto& m) {
                const double drive = sc::network::neuron_drive(spec, p, initial.population_drives()[p], i);
                return f(m, m.make_neuron(drive));
            },
            spec.populations[p].model);
    };
    std::vector<sc::engine::spike> out;
    std::vector<std::uint32_t> scratch;
    double now = 0.0, origin = 0.0;
    for (;;) {
        double best_t = INFINITY;
        std::uint64_t best = 0;
        for (std::uint64_t i = 0; i < s.size(); ++i) {
            const double t = std::max(now, with_neuron(i, [&](const auto& m, const auto& n) { return m.spike_time(n, s[i]); }));
            if (t < best_t) best_t = t, best = i;
        }
        if (origin + best_t >= t_end_ms) break;
        now = best_t;
        out.push_back({origin + now, best});
        s[best] = with_neuron(best, [&](const auto& m, const auto& n) { return m.reset_state(n, m.make_context(now)); });
        for (const auto& p : initial.projections()) {
            if (!lay.population(p.pre).contains(best)) continue;
            for (std::uint32_t i : graph[p.index].targets_of(best, scratch))
                s[i] = with_neuron(i, [&](const auto& m, const auto& n) { return m.kick(n, s[i], p.weight, m.make_context(now)); });
        }
        if (now > span) {
            for (std::uint64_t i = 0; i < s.size(); ++i)
                s[i] = with_neuron(i, [&](const auto& m, const auto&) { return m.shift_origin(s[i], now); });
            origin += now;
            now = 0.0;
        }
    }
    return out;
}

// `simultaneous` (optional) gets the number of spikes sharing their time with the previous one.
void expect_same_spikes(const sc::network::network_spec& spec, double t_end_ms, std::size_t min_spikes,
                        std::size_t* simultaneous = nullptr) {
    sc::engine::simulation sim(sc::network::build_local_graph(spec));
    spike_recorder rec;
    sim.run_until(t_end_ms, &rec);
    const auto ref = brute_force(spec, t_end_ms);
    ASSERT_GE(ref.size(), min_spikes) << "test network too quiet to be a test";
    ASSERT_EQ(rec.spikes.size(), ref.size());
    for (std::size_t k = 0; k < ref.size(); ++k) {
        ASSERT_EQ(rec.spikes[k].neuron, ref[k].neuron) << "spike " << k;
        ASSERT_NEAR(rec.spikes[k].time_ms, ref[k].time_ms, 1e-12 * std::abs(ref[k].time_ms)) << "spike " << k;
    }
    EXPECT_EQ(sim.statistics().spikes, ref.size());
    if (simultaneous) {
        *simultaneous = 0;
        for (std::size_t k = 1; k < ref.size(); ++k) *simultaneous += ref[k].time_ms == ref[k - 1].time_ms;
    }
}

}  // namespace

TEST(EngineVsBruteForce, InhibitoryLif) {
    expect_same_spikes(sc::network::inhibitory_network(sc::models::lif{}, 500, 50, -1.0, 5.0), 5000.0, 10000);
}
TEST(EngineVsBruteForce, InhibitoryLifHeterogeneousDrive) {
    expect_same_spikes(sc::network::inhibitory_network(sc::models::lif{}, 500, 50, -1.0, 5.0, 0.3), 5000.0, 10000);
}
TEST(EngineVsBruteForce, InhibitoryTheta) {
    expect_same_spikes(sc::network::inhibitory_network(sc::models::theta{}, 500, 50, -1.0, 5.0), 5000.0, 10000);
}
TEST(EngineVsBruteForce, InhibitoryThetaHeterogeneousDrive) {
    expect_same_spikes(sc::network::inhibitory_network(sc::models::theta{}, 500, 50, -1.0, 5.0, 0.3), 5000.0, 10000);
}
TEST(EngineVsBruteForce, InhibitoryRapidTheta) {
    sc::models::rapid_theta m;
    m.rapidness = 10.0;
    expect_same_spikes(sc::network::inhibitory_network(m, 500, 50, -1.0, 5.0), 5000.0, 10000);
}
TEST(EngineVsBruteForce, ExcitatoryInhibitoryRapidThetaHeterogeneousDrive) {
    sc::models::rapid_theta m;
    m.rapidness = 3.0;
    expect_same_spikes(sc::network::ei_network(m, 500, 50, 1.0, -2.0, 0.3), 3000.0, 10000);
}
TEST(EngineVsBruteForce, InhibitoryEif) {
    expect_same_spikes(sc::network::inhibitory_network(sc::models::eif{}, 500, 50, -1.0, 5.0), 5000.0, 10000);
}
TEST(EngineVsBruteForce, ExcitatoryInhibitoryEif) {
    // EIF neurons can be kicked across the spike cutoff: they fire at once, like LIF.
    expect_same_spikes(sc::network::ei_network(sc::models::eif{}, 500, 50, 0.15, -3.0), 3000.0, 10000);
}
TEST(EngineVsBruteForce, ExcitatoryInhibitoryLifWithCascades) {
    // Excitatory kicks push LIF neurons across threshold: they fire at the same instant, in id order.
    std::size_t simultaneous = 0;
    expect_same_spikes(sc::network::ei_network(sc::models::lif{}, 500, 50, 0.15, -3.0), 3000.0, 10000, &simultaneous);
    EXPECT_GT(simultaneous, 10u) << "the test should exercise threshold-crossing kicks";
}
TEST(EngineVsBruteForce, ExcitatoryInhibitoryLifHeterogeneousDrive) {
    expect_same_spikes(sc::network::ei_network(sc::models::lif{}, 500, 50, 0.15, -3.0, 0.3), 3000.0, 10000);
}
TEST(EngineVsBruteForce, LongRunThroughQueueRetuningAndOriginShifts) {
    // > 65536 spikes: the queue's bucket width is re-tuned (and the queue rebuilt) on the way.
    const auto spec = sc::network::inhibitory_network(sc::models::lif{}, 300, 30, -1.0, 20.0, 0.2);
    expect_same_spikes(spec, 12000.0, 70000);
    sc::engine::simulation sim(sc::network::build_local_graph(spec));
    sim.run_until(12000.0);
    EXPECT_GT(sim.statistics().queue_retunes, 0u);
    EXPECT_GT(sim.statistics().origin_shifts, 0u);
}

TEST(Engine, RunawayExcitationIsAnErrorNotAHang) {
    sc::engine::simulation sim(sc::network::build_local_graph(sc::network::ei_network(sc::models::lif{}, 200, 50, 1.0, -2.0)));
    try {
        sim.run_until(1000.0);
        FAIL() << "expected a runaway-excitation error";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("runaway excitation"), std::string::npos) << e.what();
    }
}
TEST(EngineVsBruteForce, ExcitatoryInhibitoryThetaHeterogeneousDrive) {
    expect_same_spikes(sc::network::ei_network(sc::models::theta{}, 500, 50, 1.0, -2.0, 0.3), 3000.0, 10000);
}
