// Held kicks (engine/held_kicks.hpp) change where and when a kick's arithmetic happens, never its
// result: a run that holds kicks back gives the same spike trains and the same final states, bit
// for bit, as one that applies every kick at once.
#include <gtest/gtest.h>

#include <cstring>

#include "spike_recorder.hpp"
#include "sparsechaos/engine/simulation.hpp"
#include "sparsechaos/network/local_graph.hpp"
#include "sparsechaos/network/standard_networks.hpp"

namespace sc = sparsechaos;
using test_support::spike_recorder;
using holding = sc::network::kick_holding;

namespace {


bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

// Runs `spec` with kicks held and applied at once, through the same sequence of run_until end
// points (ms), and requires identical spikes and states; returns the held run's statistics.
sc::engine::run_statistics expect_same_run(sc::network::network_spec spec, const std::vector<double>& ends,
                                           std::size_t min_spikes) {
    spec.simulation.hold_kicks = holding::off;
    sc::engine::simulation at_once(sc::network::build_local_graph(spec));
    spec.simulation.hold_kicks = holding::on;
    sc::engine::simulation held(sc::network::build_local_graph(spec));
    EXPECT_FALSE(at_once.holds_kicks());
    EXPECT_TRUE(held.holds_kicks());
    spike_recorder a, b;
    for (double end : ends) {
        at_once.run_until(end, &a);
        held.run_until(end, &b);
        // Between runs every cell is exact: states agree at every stop.
        const auto sa = at_once.states(), sb = held.states();
        EXPECT_EQ(sa.size(), sb.size());
        for (std::size_t i = 0; i < sa.size(); ++i)
            if (!same_bits(sa[i], sb[i])) {
                ADD_FAILURE() << "state of neuron " << i << " differs at t = " << end << " ms: " << sa[i] << " vs " << sb[i];
                break;
            }
    }
    EXPECT_GE(a.spikes.size(), min_spikes) << "test network too quiet to be a test";
    EXPECT_EQ(a.spikes.size(), b.spikes.size());
    for (std::size_t k = 0; k < std::min(a.spikes.size(), b.spikes.size()); ++k)
        if (a.spikes[k].neuron != b.spikes[k].neuron || !same_bits(a.spikes[k].time_ms, b.spikes[k].time_ms)) {
            ADD_FAILURE() << "spike " << k << ": neuron " << a.spikes[k].neuron << " at " << a.spikes[k].time_ms
                          << " ms at once, neuron " << b.spikes[k].neuron << " at " << b.spikes[k].time_ms << " ms held";
            break;
        }
    const auto stats = held.statistics();
    // Holding really happened: most kicks were held, over many windows.
    EXPECT_GT(stats.held, stats.kicks / 2);
    EXPECT_GT(stats.held_windows, 10u);
    return stats;
}

}  // namespace

TEST(HeldKicks, SameSpikesAndStatesAsKicksAtOnce) {
    const auto spec = sc::network::inhibitory_network(sc::models::lif{}, 2000, 50, -1.0, 5.0);
    expect_same_run(spec, {400.0, 401.5, 2500.0}, 20000);
}

TEST(HeldKicks, HeterogeneousDriveThroughOriginShiftsAndQueueRetuning) {
    // > 65536 spikes (the queue is re-tuned and rebuilt) and > 64 τ (the time origin moves).
    const auto spec = sc::network::inhibitory_network(sc::models::lif{}, 1000, 40, -1.0, 20.0, 0.3);
    const auto stats = expect_same_run(spec, {1500.0, 4000.0}, 70000);
    EXPECT_GT(stats.origin_shifts, 0u);
    EXPECT_GT(stats.queue_retunes, 0u);
}

TEST(HeldKicks, TwoInhibitoryPopulationsAcrossSeveralBlocks) {
    // Two LIF populations, four projections with different weights, one with heterogeneous
    // drive (kick coefficients per neuron), more neurons than one block of held kicks holds.
    auto spec = sc::network::ei_network(sc::models::lif{}, 150000, 20, -0.5, -2.0, 0.0);
    spec.populations[1].drive.jitter = 0.2;
    ASSERT_GT(spec.populations[0].size, std::size_t(1) << sc::engine::held_kicks::block_shift);
    expect_same_run(spec, {30.0, 60.0}, 20000);
}

TEST(HeldKicks, RunSpikesStopsAtTheSameSpike) {
    auto spec = sc::network::inhibitory_network(sc::models::lif{}, 1500, 50, -1.0, 5.0);
    spec.simulation.hold_kicks = holding::off;
    sc::engine::simulation at_once(sc::network::build_local_graph(spec));
    spec.simulation.hold_kicks = holding::on;
    sc::engine::simulation held(sc::network::build_local_graph(spec));
    at_once.run_spikes(12345, 1e9);
    held.run_spikes(12345, 1e9);
    EXPECT_EQ(held.statistics().network_spikes, 12345u);
    const auto sa = at_once.states(), sb = held.states();
    for (std::size_t i = 0; i < sa.size(); ++i) ASSERT_TRUE(same_bits(sa[i], sb[i])) << "neuron " << i;
}

TEST(HeldKicks, OnlyWhereKicksOnlyDelayAndArriveAtOnce) {
    auto lif = sc::network::inhibitory_network(sc::models::lif{}, 500, 50);
    lif.simulation.hold_kicks = holding::on;
    EXPECT_TRUE(sc::engine::simulation(sc::network::build_local_graph(lif)).holds_kicks());
    lif.simulation.hold_kicks = holding::automatic;  // small networks fit in the caches
    EXPECT_FALSE(sc::engine::simulation(sc::network::build_local_graph(lif)).holds_kicks());

    auto theta = sc::network::inhibitory_network(sc::models::theta{}, 500, 50);  // not an additive kick
    theta.simulation.hold_kicks = holding::on;
    EXPECT_FALSE(sc::engine::simulation(sc::network::build_local_graph(theta)).holds_kicks());
    auto excitation = sc::network::ei_network(sc::models::lif{}, 500, 50);  // kicks may advance spikes
    excitation.simulation.hold_kicks = holding::on;
    EXPECT_FALSE(sc::engine::simulation(sc::network::build_local_graph(excitation)).holds_kicks());
    auto delayed = lif;
    delayed.simulation.hold_kicks = holding::on;
    delayed.projections[0].delay_ms = delayed.projections[0].delay_max_ms = 1.0;
    EXPECT_FALSE(sc::engine::simulation(sc::network::build_local_graph(delayed)).holds_kicks());
    auto input = lif;
    input.simulation.hold_kicks = holding::on;
    input.populations[0].poisson = sc::network::poisson_spec{100.0, -0.01};
    EXPECT_FALSE(sc::engine::simulation(sc::network::build_local_graph(input)).holds_kicks());

    // A Jacobian sink needs every kick as it happens; holding resumes without it.
    struct sink : sc::engine::jacobian_sink {
        void begin_spike(std::uint64_t, double, bool, double) override {}
        void kick(std::uint32_t, double, double) override {}
        void input(std::uint32_t, double) override {}
    } tangent;
    lif.simulation.hold_kicks = holding::on;
    sc::engine::simulation sim(sc::network::build_local_graph(lif));
    sim.track_jacobian(&tangent);
    EXPECT_FALSE(sim.holds_kicks());
    sim.track_jacobian(nullptr);
    EXPECT_TRUE(sim.holds_kicks());
}

// The lists themselves: every held kick comes back once, with its own event, in the order it was
// held; also across a gap of more events than one entry can step over (skip entries), across
// full cache lines, and with one neuron held twice in a row (a multapse).
TEST(HeldKickLists, GiveBackEveryKickInOrderAcrossLongGaps) {
    using lists = sc::engine::held_kicks;
    lists held;
    const std::uint32_t n = 3 * lists::block_size + 17;
    held.resize(n);
    ASSERT_EQ(held.blocks(), 4u);
    std::vector<std::vector<std::pair<std::uint32_t, std::uint32_t>>> expected(held.blocks());
    const auto append = held.append();
    std::uint64_t x = 12345;
    auto next_random = [&] { return x = x * 6364136223846793005u + 1442695040888963407u, std::uint32_t(x >> 33); };
    const std::uint32_t events = 3 * 65535 + 1000;
    for (std::uint32_t e = 0; e < events; ++e) {
        ASSERT_EQ(held.add_event(double(e), e % 3), e);
        // Block 1 gets kicks only at the start and the end, > 2 × 65535 events apart; block 3
        // (17 neurons) every 7th event; the others at random, sometimes the same neuron twice.
        std::vector<std::uint32_t> targets;
        if (e < 5 || e + 5 > events) targets.push_back(lists::block_size + next_random() % lists::block_size);
        if (e % 7 == 0) targets.push_back(3 * lists::block_size + next_random() % 17);
        const std::uint32_t r = next_random() % (2 * lists::block_size);
        targets.push_back(r < lists::block_size ? r : r + lists::block_size);  // blocks 0 and 2
        if (e % 11 == 0) targets.push_back(targets.back());
        for (std::uint32_t i : targets) {
            append.hold(i, e);
            expected[i / lists::block_size].push_back({i, e});
        }
    }
    for (std::size_t b = 0; b < held.blocks(); ++b) {
        ASSERT_FALSE(held.empty(b));
        std::vector<std::pair<std::uint32_t, std::uint32_t>> got;
        held.drain(b, [&](std::uint32_t i, const lists::event& ev) {
            EXPECT_EQ(ev.projection, std::uint32_t(ev.e) % 3);
            got.push_back({i, std::uint32_t(ev.e)});
        });
        EXPECT_TRUE(held.empty(b));
        ASSERT_EQ(got.size(), expected[b].size()) << "block " << b;
        for (std::size_t k = 0; k < got.size(); ++k)
            ASSERT_EQ(got[k], expected[b][k]) << "block " << b << ", kick " << k;
    }
    // A drained list starts again at event 0 of the next window.
    held.clear_events();
    ASSERT_EQ(held.add_event(7.0, 1), 0u);
    append.hold(5, 0);
    std::vector<std::uint32_t> got;
    held.drain(0, [&](std::uint32_t i, const lists::event& ev) {
        EXPECT_EQ(ev.e, 7.0);
        got.push_back(i);
    });
    EXPECT_EQ(got, std::vector<std::uint32_t>{5});
}
