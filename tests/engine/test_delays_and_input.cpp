// Delays and external Poisson input against a plain reference event loop: same spike sequence.
//
// The reference keeps every pending event in flat lists and scans them for the earliest one: no
// heaps, no lazy keys, no batching. It uses the same model arithmetic, graph and frozen input
// trains, and moves its time origin at the same points as the engine, so spike times agree to
// rounding (the test allows 1e-12 relative).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "spike_recorder.hpp"
#include "sparsechaos/engine/simulation.hpp"
#include "sparsechaos/network/local_graph.hpp"
#include "sparsechaos/network/random.hpp"
#include "sparsechaos/network/standard_networks.hpp"

namespace sc = sparsechaos;
using test_support::spike_recorder;
namespace net = sparsechaos::network;

namespace {


struct pending {
    double arrival, emitted;
    std::uint64_t source;
    std::size_t projection;
    std::uint32_t cursor;
};

// The definition of the frozen input (docs/configuration.md): interval k of neuron i is
// −ln(u)/ν with u draw number k of the stream (seed, poisson_input, i).
double poisson_interval_ms(const net::network_spec& spec, std::uint64_t id, std::uint64_t k, double rate_hz) {
    net::random_stream rng(spec.simulation.seed, net::stream_purpose::poisson_input, 0, id);
    rng.seek(k);
    return -std::log(rng.uniform_pos()) / (rate_hz * 1e-3);
}

std::vector<sc::engine::spike> reference(const net::network_spec& spec, double t_end_ms) {
    const sc::engine::simulation initial(sc::network::build_local_graph(spec));
    const auto& lay = initial.layout();
    const auto& projections = initial.projections();
    std::vector<double> s = initial.states();
    const std::size_t n = s.size();
    std::vector<net::projection_targets> graph;
    for (const auto& p : projections) graph.emplace_back(spec, lay, p);
    double span = INFINITY;
    for (const auto& pop : spec.populations)
        span = std::min(span, std::visit([](const auto& m) { return m.max_origin_span_ms(); }, pop.model));
    const double d_min = net::minimum_delay_ms(projections);
    const double w = d_min * (1.0 - 1e-9);  // the engine's window length

    auto with_neuron = [&](std::uint64_t i, auto&& f) {
        const std::size_t p = lay.population_of(i);
        return std::visit(
            [&](const auto& m) {
                const double drive = net::neuron_drive(spec, p, initial.population_drives()[p], i);
                return f(m, m.make_neuron(drive));
            },
            spec.populations[p].model);
    };
    auto kick = [&](std::uint64_t i, double j, double t) {
        s[i] = with_neuron(i, [&](const auto& m, const auto& nn) { return m.kick(nn, s[i], j, m.make_context(t)); });
    };
    // Poisson: next input time and count per neuron (+inf without input).
    std::vector<double> next_input(n, INFINITY);
    std::vector<std::uint64_t> count(n, 0);
    auto input_of = [&](std::uint64_t i) { return spec.populations[lay.population_of(i)].poisson; };
    for (std::uint64_t i = 0; i < n; ++i)
        if (auto in = input_of(i)) next_input[i] = poisson_interval_ms(spec, i, count[i]++, in->rate_hz);

    std::vector<pending> transit;
    std::vector<sc::engine::spike> out;
    std::vector<std::uint32_t> scratch;
    double now = 0.0, origin = 0.0;
    std::uint64_t windows_done = 0;
    auto shift = [&](double dt) {
        for (std::uint64_t i = 0; i < n; ++i)
            s[i] = with_neuron(i, [&](const auto& m, const auto&) { return m.shift_origin(s[i], dt); });
        for (auto& x : next_input) x -= dt;
        for (auto& e : transit) e.arrival -= dt, e.emitted -= dt;
        origin += dt;
        now -= dt;
    };
    std::vector<sc::engine::spike> window;  // delays: spikes of the current window (local times)
    for (;;) {
        // Earliest of each kind. Ties: inputs, then arrivals (by source, projection), then spikes (by id).
        double ts = INFINITY, tu = INFINITY;
        std::uint64_t spiker = 0, receiver = 0;
        for (std::uint64_t i = 0; i < n; ++i) {
            const double t = std::max(now, with_neuron(i, [&](const auto& m, const auto& nn) { return m.spike_time(nn, s[i]); }));
            if (t < ts) ts = t, spiker = i;
            if (next_input[i] < tu) tu = next_input[i], receiver = i;
        }
        std::size_t first = transit.size();
        for (std::size_t k = 0; k < transit.size(); ++k) {
            const auto& a = transit[k];
            if (first == transit.size()) { first = k; continue; }
            const auto& b = transit[first];
            if (std::tie(a.arrival, a.source, a.projection, a.emitted) < std::tie(b.arrival, b.source, b.projection, b.emitted))
                first = k;
        }
        const double ta = first < transit.size() ? transit[first].arrival : INFINITY;
        const double t = std::min({ts, tu, ta});
        if (d_min > 0.0) {
            // Window ends: spikes of the window start travelling; the origin may move.
            const double window_end = std::min(double(windows_done + 1) * w, t_end_ms) - origin;
            if (!(t < window_end)) {
                if (double(windows_done + 1) * w >= t_end_ms) break;
                for (const auto& sp : window) {
                    for (const auto& p : projections) {
                        if (!lay.population(p.pre).contains(sp.neuron)) continue;
                        if (p.synapse_delays() && graph[p.index].row_with_delays(sp.neuron).size == 0) continue;
                        const double d = p.synapse_delays() ? double(graph[p.index].row_with_delays(sp.neuron).delays_ms[0])
                                                            : p.delay_ms;
                        transit.push_back({sp.time_ms + d, sp.time_ms, sp.neuron, p.index, 0});
                    }
                }
                window.clear();
                ++windows_done;
                if (now < window_end) now = window_end;
                const double next_start = double(windows_done) * w - origin;
                if (next_start > span) shift(next_start);
                continue;
            }
        } else if (origin + ts >= t_end_ms && !(tu <= ts)) {
            break;
        }
        if (tu <= ta && tu <= ts) {
            now = tu;
            kick(receiver, input_of(receiver)->weight, tu);
            next_input[receiver] += poisson_interval_ms(spec, receiver, count[receiver]++, input_of(receiver)->rate_hz);
        } else if (ta <= ts) {
            pending e = transit[first];
            transit.erase(transit.begin() + std::ptrdiff_t(first));
            now = e.arrival;
            const auto& p = projections[e.projection];
            if (!p.synapse_delays()) {
                for (std::uint32_t i : graph[p.index].targets_of(e.source, scratch)) kick(i, p.weight, now);
            } else {
                const auto row = graph[p.index].row_with_delays(e.source);
                kick(row.targets[e.cursor], p.weight, now);
                if (++e.cursor < row.size) {
                    e.arrival = e.emitted + double(row.delays_ms[e.cursor]);
                    transit.push_back(e);
                }
            }
        } else {
            if (d_min == 0.0 && origin + ts >= t_end_ms) break;
            now = ts;
            out.push_back({origin + now, spiker});
            s[spiker] = with_neuron(spiker, [&](const auto& m, const auto& nn) { return m.reset_state(nn, m.make_context(now)); });
            if (d_min > 0.0) {
                window.push_back({now, spiker});
            } else {
                for (const auto& p : projections) {
                    if (!lay.population(p.pre).contains(spiker)) continue;
                    for (std::uint32_t i : graph[p.index].targets_of(spiker, scratch)) kick(i, p.weight, now);
                }
                if (now > span) shift(now);
            }
        }
    }
    return out;
}

void expect_same_spikes(const net::network_spec& spec, double t_end_ms, std::size_t min_spikes,
                        std::uint64_t* inputs = nullptr) {
    sc::engine::simulation sim(sc::network::build_local_graph(spec));
    spike_recorder rec;
    sim.run_until(t_end_ms, &rec);
    const auto ref = reference(spec, t_end_ms);
    ASSERT_GE(ref.size(), min_spikes) << "test network too quiet to be a test";
    ASSERT_EQ(rec.spikes.size(), ref.size());
    for (std::size_t k = 0; k < ref.size(); ++k) {
        ASSERT_EQ(rec.spikes[k].neuron, ref[k].neuron) << "spike " << k;
        ASSERT_NEAR(rec.spikes[k].time_ms, ref[k].time_ms, 1e-12 * std::abs(ref[k].time_ms)) << "spike " << k;
    }
    if (inputs) *inputs = sim.statistics().inputs;
}

net::network_spec with_delay(net::network_spec spec, double d, double d_max = -1.0) {
    for (auto& p : spec.projections) p.delay_ms = d, p.delay_max_ms = d_max < 0 ? d : d_max;
    return spec;
}

net::network_spec with_input(net::network_spec spec, double rate_hz, double weight) {
    for (auto& pop : spec.populations) pop.poisson = net::poisson_spec{rate_hz, weight};
    return spec;
}

}  // namespace

TEST(Delays, ConstantDelayLif) {
    expect_same_spikes(with_delay(net::inhibitory_network(sc::models::lif{}, 300, 30, -1.0, 5.0), 1.5), 3000.0, 3000);
}
TEST(Delays, ConstantDelayThetaWithOriginShifts) {
    // Theta moves its origin every 4096 ms: the run passes two shifts at window ends.
    sc::engine::simulation sim(sc::network::build_local_graph(with_delay(net::inhibitory_network(sc::models::theta{}, 200, 20, -1.0, 5.0), 2.0)));
    sim.run_until(9000.0);
    EXPECT_GE(sim.statistics().origin_shifts, 2u);
    expect_same_spikes(with_delay(net::inhibitory_network(sc::models::theta{}, 200, 20, -1.0, 5.0), 2.0), 9000.0, 5000);
}
TEST(Delays, UniformDelaysPerSynapseExcitatoryInhibitoryLif) {
    // Excitation with delays: no same-instant cascades, but kicks across threshold still fire at once.
    expect_same_spikes(with_delay(net::ei_network(sc::models::lif{}, 300, 30, 0.5, -3.0, 0.2), 0.5, 3.0), 2000.0, 3000);
}
TEST(Delays, UniformDelaysRapidTheta) {
    sc::models::rapid_theta m;
    m.rapidness = 10.0;
    expect_same_spikes(with_delay(net::ei_network(m, 300, 30, 1.0, -2.0), 1.0, 4.0), 2000.0, 2000);
}
TEST(PoissonInput, InhibitoryInputZeroDelay) {
    std::uint64_t inputs = 0;
    expect_same_spikes(with_input(net::inhibitory_network(sc::models::lif{}, 300, 30, -1.0, 5.0), 200.0, -0.05), 2000.0,
                       2000, &inputs);
    EXPECT_NEAR(double(inputs), 300 * 200.0 * 2.0, 5 * std::sqrt(300 * 200.0 * 2.0)) << "Poisson count off";
}
TEST(PoissonInput, ExcitatoryInputZeroDelayTheta) {
    expect_same_spikes(with_input(net::inhibitory_network(sc::models::theta{}, 300, 30, -1.0, 5.0), 300.0, 0.05),
                       2000.0, 2000);
}
TEST(PoissonInput, ExcitatoryInputWithDelaysLif) {
    expect_same_spikes(with_input(with_delay(net::ei_network(sc::models::lif{}, 300, 30, 0.5, -3.0), 0.7, 2.0), 300.0, 0.02),
                       2000.0, 2000);
}

TEST(PoissonInput, TrainIsFrozenAndPoisson) {
    // The inter-input intervals of one neuron: mean 1/ν and coefficient of variation 1.
    const auto spec = with_input(net::inhibitory_network(sc::models::lif{}, 10, 3), 1000.0, -0.01);
    double sum = 0.0, sum2 = 0.0;
    const int m = 20000;
    for (int k = 0; k < m; ++k) {
        const double x = poisson_interval_ms(spec, 3, std::uint64_t(k), 1000.0);
        sum += x, sum2 += x * x;
    }
    const double mean = sum / m, cv = std::sqrt(sum2 / m - mean * mean) / mean;
    EXPECT_NEAR(mean, 1.0, 0.03);
    EXPECT_NEAR(cv, 1.0, 0.03);
    EXPECT_EQ(poisson_interval_ms(spec, 3, 7, 1000.0), poisson_interval_ms(spec, 3, 7, 1000.0));
    EXPECT_NE(poisson_interval_ms(spec, 3, 7, 1000.0), poisson_interval_ms(spec, 4, 7, 1000.0));
}

TEST(Delays, ArrivalsNeverComeBeforeTheDelay) {
    // Every synapse delay lies in [delay_ms, delay_max_ms], rows sorted by arrival order.
    const auto spec = with_delay(net::ei_network(sc::models::lif{}, 200, 20), 0.3, 2.5);
    const sc::engine::simulation sim(sc::network::build_local_graph(spec));
    for (const auto& p : sim.projections()) {
        const net::projection_targets t(spec, sim.layout(), p);
        std::uint64_t seen = 0;
        for (std::uint64_t j = sim.layout().population(p.pre).first; j < sim.layout().population(p.pre).end(); ++j) {
            const auto row = t.row_with_delays(j);
            for (std::uint64_t k = 0; k < row.size; ++k, ++seen) {
                ASSERT_GE(double(row.delays_ms[k]), 0.3);
                ASSERT_LE(double(row.delays_ms[k]), 2.5 * (1 + 1e-7));
                if (k > 0) {
                    ASSERT_LE(row.delays_ms[k - 1], row.delays_ms[k]);
                }
            }
        }
        EXPECT_EQ(seen, t.stored_synapses());
    }
}
TEST(PoissonInput, InhibitoryInputZeroDelayTheta) {
    expect_same_spikes(with_input(net::inhibitory_network(sc::models::theta{}, 100, 20, -1.0, 5.0), 300.0, -0.05),
                       3000.0, 1000);
}
