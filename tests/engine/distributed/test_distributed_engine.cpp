// The engine on the communication context of the test's ranks (1 rank: the local context; 2 and
// 3 ranks under mpiexec: the MPI context): the context's collectives, spike trains bitwise equal
// to one process alone for every schedule (zero delay with and without inputs and held kicks,
// delays), and engine states that continue a run exactly when restored.
#include <gtest/gtest.h>
#include <mpi.h>

#include <bit>
#include <cmath>
#include <limits>
#include <vector>

#include "spike_recorder.hpp"
#include "sparsechaos/engine/simulation.hpp"
#include "sparsechaos/network/local_graph.hpp"
#include "sparsechaos/network/standard_networks.hpp"
#include "sparsechaos/parallel/context.hpp"

namespace sc = sparsechaos;
using test_support::spike_recorder;
namespace net = sparsechaos::network;

namespace {


std::unique_ptr<sc::parallel::context> world() { return sc::parallel::make_context(MPI_COMM_WORLD); }

// Every network spike of `spec` up to t_end on the ranks of `ctx` (every rank sees all of them).
std::vector<sc::engine::spike> spikes_of(const net::network_spec& spec, sc::parallel::context& ctx, double t_end,
                                         net::kick_holding holding = net::kick_holding::automatic) {
    sc::engine::simulation sim(net::build_local_graph(spec, ctx.rank(), ctx.size()), ctx);
    sim.hold_kicks(holding);
    spike_recorder r;
    sim.run_until(t_end, &r);
    return r.spikes;
}

void expect_same_bits(const std::vector<sc::engine::spike>& a, const std::vector<sc::engine::spike>& b,
                      const char* name) {
    ASSERT_EQ(a.size(), b.size()) << name;
    for (std::size_t k = 0; k < a.size(); ++k) {
        ASSERT_EQ(a[k].neuron, b[k].neuron) << name << ", spike " << k;
        ASSERT_EQ(std::bit_cast<std::uint64_t>(a[k].time_ms), std::bit_cast<std::uint64_t>(b[k].time_ms))
            << name << ", spike " << k;
    }
}

net::network_spec with_delays(net::network_spec spec, double lo, double hi) {
    for (auto& p : spec.projections) p.delay_ms = lo, p.delay_max_ms = hi;
    return spec;
}

net::network_spec with_poisson(net::network_spec spec, double rate_hz, double weight) {
    for (auto& pop : spec.populations) pop.poisson = net::poisson_spec{rate_hz, weight};
    return spec;
}

// Per-synapse weights (normal, sign kept) on every projection, with normal delays or none.
net::network_spec with_weight_laws(net::network_spec spec, bool delays) {
    for (auto& p : spec.projections) {
        p.weights = net::weight_distribution::normal;
        p.weight_relative_sd = 0.2;
        if (delays) {
            p.delays = net::delay_distribution::normal;
            p.delay_ms = 1.5, p.delay_sd_ms = 0.75, p.delay_min_ms = 0.2, p.delay_given = true;
        }
    }
    return spec;
}

struct named_case {
    const char* name;
    net::network_spec spec;
    double t_end;
    net::kick_holding holding = net::kick_holding::automatic;
};

std::vector<named_case> cases() {
    auto jittered = net::inhibitory_network(sc::models::theta{}, 300, 30, -1.0, 5.0);
    jittered.populations[0].drive.jitter = 0.3;
    auto cascades = net::ei_network(sc::models::lif{}, 400, 40, 0.08, -3.0);
    return {
        {"inhibitory LIF", net::inhibitory_network(sc::models::lif{}, 400, 40, -1.0, 5.0), 400.0},
        {"inhibitory LIF, held kicks", net::inhibitory_network(sc::models::lif{}, 400, 40, -1.0, 5.0), 400.0,
         net::kick_holding::on},
        {"theta, jittered drive", jittered, 300.0},
        {"E/I LIF with threshold cascades", cascades, 200.0},
        {"E/I theta, uniform delays", with_delays(net::ei_network(sc::models::theta{}, 400, 40), 0.5, 2.5), 200.0},
        {"LIF, inhibitory Poisson input",
         with_poisson(net::inhibitory_network(sc::models::lif{}, 300, 30, -1.0, 5.0), 300.0, -0.02), 300.0},
        {"theta, excitatory Poisson input",
         with_poisson(net::inhibitory_network(sc::models::theta{}, 300, 30, -1.0, 5.0), 300.0, 0.01), 300.0},
        {"E/I LIF, Poisson input and delays",
         with_poisson(with_delays(net::ei_network(sc::models::lif{}, 400, 40, 0.5, -3.0), 0.5, 2.5), 200.0, 0.02),
         200.0},
        {"E/I LIF, weights per synapse", with_weight_laws(net::ei_network(sc::models::lif{}, 400, 40, 0.08, -3.0), false),
         200.0},
        {"E/I theta, weights and normal delays per synapse",
         with_weight_laws(net::ei_network(sc::models::theta{}, 400, 40), true), 200.0},
    };
}

}  // namespace

// The collectives: what the local context returns for itself, the MPI context over all ranks.
TEST(Context, CollectivesOverTheRanks) {
    const auto ctx = world();
    const int r = ctx->rank(), p = ctx->size();
    int size = 0;
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    ASSERT_EQ(p, size);
    EXPECT_EQ(ctx->distributed(), p > 1);
    // Ties in time go to the smaller id; the last rank proposes the earliest time.
    const double t = r == p - 1 ? 1.0 : 2.0;
    const auto e = ctx->earliest({t, std::uint64_t(100 - r)});
    EXPECT_EQ(e.time, 1.0);
    EXPECT_EQ(e.neuron, std::uint64_t(100 - (p - 1)));
    const auto tie = ctx->earliest({3.0, std::uint64_t(10 + r)});
    EXPECT_EQ(tie.neuron, 10u);
    // The two smallest bounds come from different ranks.
    const auto b = ctx->earliest_two(sc::parallel::spike_bound::of_spike(double(r), std::uint64_t(r), true));
    EXPECT_EQ(b.first.time, 0.0);
    EXPECT_EQ(b.second.time, p > 1 ? 1.0 : std::numeric_limits<double>::infinity());
    // Every rank's spikes reach every rank.
    std::vector<sc::parallel::spike_candidate> mine(std::size_t(r + 1), {double(r), std::uint64_t(r)}), all;
    ctx->gather_spikes(mine, all);
    EXPECT_EQ(all.size(), std::size_t(p * (p + 1) / 2));
    EXPECT_EQ(ctx->sum(std::uint64_t(r + 1)), std::uint64_t(p * (p + 1) / 2));
    const auto values = ctx->gather_all(double(r));
    ASSERT_EQ(values.size(), std::size_t(p));
    for (int k = 0; k < p; ++k) EXPECT_EQ(values[std::size_t(k)], double(k));
    double x[2] = {double(r), 7.0};
    ctx->broadcast(x, 2);
    EXPECT_EQ(x[0], 0.0);
}

// Every schedule gives the spike train of one process alone, bit for bit.
TEST(DistributedEngine, SpikeTrainsEqualOneProcessAlone) {
    const auto ctx = world();
    for (const auto& c : cases()) {
        const auto distributed = spikes_of(c.spec, *ctx, c.t_end, c.holding);
        const auto alone = spikes_of(c.spec, sc::parallel::local(), c.t_end, c.holding);
        ASSERT_GT(alone.size(), 300u) << c.name << ": too few spikes to be a test";
        expect_same_bits(distributed, alone, c.name);
    }
}

// A run split in two is the run in one piece, and a state taken between the two and restored
// into a fresh simulation of the same graph continues with the same bits: queue, held kicks,
// spikes in flight (also when the split cuts an exchange window) and Poisson inputs included.
TEST(DistributedEngine, RestoredStateContinuesTheRunExactly) {
    const auto ctx = world();
    for (const auto& c : cases()) {
        const double half = 0.5 * c.t_end;
        sc::engine::simulation original(net::build_local_graph(c.spec, ctx->rank(), ctx->size()), *ctx);
        original.hold_kicks(c.holding);
        spike_recorder first;
        original.run_until(half, &first);
        const sc::engine::engine_state saved = original.state();
        spike_recorder rest;
        original.run_until(c.t_end, &rest);
        auto split = first.spikes;
        split.insert(split.end(), rest.spikes.begin(), rest.spikes.end());
        expect_same_bits(split, spikes_of(c.spec, *ctx, c.t_end, c.holding), c.name);

        sc::engine::simulation resumed(net::build_local_graph(c.spec, ctx->rank(), ctx->size()), *ctx);
        resumed.hold_kicks(c.holding);
        resumed.restore(saved);
        spike_recorder again;
        resumed.run_until(c.t_end, &again);
        ASSERT_GT(rest.spikes.size(), 100u) << c.name;
        expect_same_bits(again.spikes, rest.spikes, c.name);
        EXPECT_EQ(original.states(), resumed.states()) << c.name;
    }
}

// A restore that does not fit the graph is refused.
TEST(DistributedEngine, RestoreRefusesAnotherGraph) {
    const auto ctx = world();
    sc::engine::simulation small(net::build_local_graph(net::inhibitory_network(sc::models::lif{}, 100, 10), ctx->rank(),
                                                        ctx->size()),
                                 *ctx);
    sc::engine::simulation large(net::build_local_graph(net::inhibitory_network(sc::models::lif{}, 200, 10), ctx->rank(),
                                                        ctx->size()),
                                 *ctx);
    EXPECT_THROW(large.restore(small.state()), std::invalid_argument);
}
