// Benchmark of the event engine on the SparseProp balanced network (one inhibitory population,
// fixed in-degree K, J = −J0/√K, balanced drive at 1 Hz, τ = 10 ms): µs per network spike and
// bytes per neuron for a range of N, on one core. Results go to stdout as a table and, with
// --json, to a file (docs/benchmarks.md records them with the command that produced them).
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "cpu_time.hpp"
#include "sparsechaos/engine/simulation.hpp"
#include "sparsechaos/network/local_graph.hpp"
#include "sparsechaos/network/standard_networks.hpp"

namespace sc = sparsechaos;

namespace {

using sparsechaos::bench::cpu_seconds;

// Peak resident memory of this process (kB), from /proc.
long peak_rss_kb() {
    std::ifstream f("/proc/self/status");
    std::string line;
    while (std::getline(f, line))
        if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
    return -1;
}

struct counter : sc::engine::observer {
    void on_spikes(const std::vector<sc::engine::spike>&) override {}
};

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"sparsechaos engine benchmark: µs per network spike on the balanced SparseProp network"};
    std::string model_name = "lif", storage = "stored", json, hold = "auto";
    std::uint64_t n = 100000;
    double k = 100, warmup_ms = 200, spikes_per_neuron = 2.0, rate = 1.0;
    app.add_option("--model", model_name, "lif | theta")->check(CLI::IsMember({"lif", "theta"}));
    app.add_option("-n,--neurons", n, "number of neurons");
    app.add_option("-k,--indegree", k, "in-degree K");
    app.add_option("--rate", rate, "balanced rate (Hz)");
    app.add_option("--warmup-ms", warmup_ms, "simulated time before measuring");
    app.add_option("--spikes-per-neuron", spikes_per_neuron, "measure over about this many spikes per neuron");
    app.add_option("--connectivity", storage, "stored | procedural")->check(CLI::IsMember({"stored", "procedural"}));
    app.add_option("--hold", hold, "hold back kicks to neurons that cannot fire soon: auto | on | off")
        ->check(CLI::IsMember({"auto", "on", "off"}));
    app.add_option("--json", json, "append a JSON line with the results to this file");
    CLI11_PARSE(app, argc, argv);

    sc::models::model model = sc::models::lif{};
    if (model_name == "theta") model = sc::models::theta{};
    auto spec = sc::network::inhibitory_network(model, n, k, -1.0, rate);
    if (storage == "procedural") {
        // Procedural connectivity needs a rule keyed by the presynaptic neuron.
        spec.projections[0].rule = sc::network::connection_rule::fixed_outdegree;
        spec.simulation.storage = sc::network::connectivity_storage::procedural;
    }

    using clock = std::chrono::steady_clock;
    const auto t0 = clock::now();
    sc::engine::simulation sim(sc::network::build_local_graph(spec));
    using holding = sc::engine::simulation::kick_holding;
    if (hold != "auto") sim.hold_kicks(hold == "on" ? holding::on : holding::off);
    const double build_s = std::chrono::duration<double>(clock::now() - t0).count();
    counter sink;
    sim.run_until(warmup_ms, &sink);
    const auto before = sim.statistics();
    const double cpu_before = cpu_seconds();
    // Duration for the requested number of spikes at the target rate.
    const double measure_ms = 1000.0 * spikes_per_neuron / rate;
    sim.run_until(warmup_ms + measure_ms, &sink);
    const auto after = sim.statistics();
    const double cpu = cpu_seconds() - cpu_before;
    const std::uint64_t spikes = after.spikes - before.spikes;
    const double wall = after.wall_s - before.wall_s;
    const auto mem = sim.memory();
    const double us_per_spike = 1e6 * wall / double(spikes);
    const double cpu_us_per_spike = 1e6 * cpu / double(spikes);
    const double rate_hz = double(spikes) / double(n) / (measure_ms * 1e-3);
    const double stale_per_spike = double(after.stale_pops - before.stale_pops) / double(spikes);
    const double neuron_bytes = double(mem.neuron_bytes) / double(n);
    const double synapse_bytes = double(mem.synapse_bytes) / double(n);
    const double held_fraction = double(after.held - before.held) / double(std::max<std::uint64_t>(after.kicks - before.kicks, 1));
    const double spikes_per_window =
        double(spikes) / double(std::max<std::uint64_t>(after.held_windows - before.held_windows, 1));
    std::printf("%-6s %-10s N=%-10lu K=%-4.0f build %7.2f s  spikes %10lu  rate %6.3f Hz  run %8.2f s  "
                "%6.3f us/spike (cpu %6.3f)  stale/spike %5.2f  B/neuron %5.1f + syn %7.1f  peakRSS %ld MiB  held %s %.3f of kicks, %.0f spikes/window\n",
                model_name.c_str(), storage.c_str(), (unsigned long)n, k, build_s, (unsigned long)spikes, rate_hz,
                wall, us_per_spike, cpu_us_per_spike, stale_per_spike, neuron_bytes, synapse_bytes, peak_rss_kb() / 1024,
                sim.holds_kicks() ? "on" : "off", held_fraction, spikes_per_window);
    if (!json.empty()) {
        std::ofstream out(json, std::ios::app);
        out << "{\"model\":\"" << model_name << "\",\"connectivity\":\"" << storage << "\",\"n\":" << n
            << ",\"k\":" << k << ",\"build_s\":" << build_s << ",\"spikes\":" << spikes << ",\"rate_hz\":" << rate_hz
            << ",\"run_s\":" << wall << ",\"us_per_spike\":" << us_per_spike << ",\"cpu_us_per_spike\":" << cpu_us_per_spike
            << ",\"stale_per_spike\":" << stale_per_spike << ",\"neuron_bytes\":" << neuron_bytes
            << ",\"synapse_bytes_per_neuron\":" << synapse_bytes << ",\"peak_rss_kb\":" << peak_rss_kb()
            << ",\"hold\":" << (sim.holds_kicks() ? "true" : "false") << ",\"held_fraction\":" << held_fraction << "}\n";
    }
}
