// Graph build, export and import: CPU time and bytes per synapse of each connection rule at a given
// number of neurons and synapses, on as many ranks as it runs on (each rank builds its own part, as
// a run does). With --write, the built graph is written as SONATA edges and timed; with --read, a
// SONATA file is read back (every projection with rule = "file") and timed. docs/benchmarks.md,
// "Graph build and import".
//
//   sparsechaos_bench_graph --rule fixed_indegree --neurons 1e6 --synapses 1e8
//   mpirun -np 2 sparsechaos_bench_graph --rule distance_dependent --neurons 1e6 --synapses 1e8
//   sparsechaos_bench_graph --rule fixed_indegree --neurons 1e6 --synapses 1e8 --write g.h5 --read
//   sparsechaos_bench_graph --rule fixed_indegree --neurons 1e6 --synapses 1e6 --input g.h5 --read
#include <CLI/CLI.hpp>
#include <mpi.h>
#include <sys/resource.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <numbers>

#include "cpu_time.hpp"
#include "sparsechaos/io/config_names.hpp"
#include "sparsechaos/io/graph_export.hpp"
#include "sparsechaos/io/graph_import.hpp"
#include "sparsechaos/io/sonata_edges.hpp"
#include "sparsechaos/mpi_comm.hpp"
#include "sparsechaos/network/connectivity.hpp"

namespace sc = sparsechaos;
namespace net = sparsechaos::network;
using sc::bench::cpu_seconds;

namespace {

double wall_seconds() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

double peak_rss_mib() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return double(u.ru_maxrss) / 1024.0;
}

// One population of n neurons with one projection onto itself of about `synapses` synapses.
net::network_spec network(net::connection_rule rule, std::uint64_t n, double synapses, const std::string& weights,
                          const std::string& delays, std::uint64_t seed) {
    net::network_spec spec;
    net::population_spec pop;
    pop.name = "A";
    pop.size = n;
    pop.model = sc::models::lif{};
    pop.drive.value = 0.5;
    const double k = synapses / double(n);
    net::projection_spec p;
    p.pre = p.post = "A";
    p.rule = rule;
    p.weight = -0.01;
    switch (rule) {
    case net::connection_rule::fixed_indegree:
    case net::connection_rule::fixed_outdegree: p.degree = std::round(k); break;
    case net::connection_rule::pairwise_bernoulli: p.probability = k / double(n - 1); break;
    case net::connection_rule::fixed_total_number:
        p.total_number = std::uint64_t(synapses);
        p.multapses = true;
        break;
    case net::connection_rule::distance_dependent: {
        // Random positions on a periodic 1 mm² sheet; a Gaussian of peak 0.5 whose width gives K:
        // K = N p_max 2π σ² / area.
        pop.positions = net::positions_spec{1000.0, 1000.0, true, net::position_layout::random};
        const double p_max = 0.5;
        p.spatial = {net::distance_kernel::gaussian, std::sqrt(k * 1e6 / (double(n) * p_max * 2 * std::numbers::pi)),
                     p_max, {}};
        break;
    }
    case net::connection_rule::sonet:
        p.probability = k / double(n - 1);
        p.sonet = {0.1, 0.1, 0.1, 0.05};
        break;
    case net::connection_rule::file: break;
    }
    if (weights == "normal" || weights == "lognormal") {
        p.weights = weights == "normal" ? net::weight_distribution::normal : net::weight_distribution::lognormal;
        p.weight_relative_sd = 0.1;
    }
    if (delays == "uniform") p.delay_ms = 0.5, p.delay_max_ms = 2.5;
    if (delays == "normal") {
        p.delays = net::delay_distribution::normal;
        p.delay_ms = 1.5, p.delay_sd_ms = 0.75, p.delay_min_ms = 0.1;
    }
    spec.populations.push_back(pop);
    spec.projections.push_back(p);
    spec.simulation.seed = seed;
    return spec;
}

struct timing {
    double cpu_max = 0, cpu_sum = 0, wall = 0;
};

// CPU time of `f` on every rank (max and sum) and the wall time from the first rank's start to
// the last rank's end.
template <class F>
timing timed(MPI_Comm comm, F&& f) {
    MPI_Barrier(comm);
    const double w0 = wall_seconds(), c0 = cpu_seconds();
    f();
    const double cpu = cpu_seconds() - c0;
    MPI_Barrier(comm);
    timing t;
    t.wall = wall_seconds() - w0;
    MPI_Allreduce(&cpu, &t.cpu_max, 1, MPI_DOUBLE, MPI_MAX, comm);
    MPI_Allreduce(&cpu, &t.cpu_sum, 1, MPI_DOUBLE, MPI_SUM, comm);
    return t;
}

}  // namespace

int main(int argc, char** argv) {
    MPI_Init(&argc, &argv);
    int status = 0;
    {
        CLI::App app{"Graph build, export and import times and bytes per synapse"};
        std::string rule_name = "fixed_indegree", weights = "constant", delays = "none", write_path, input_path;
        double neurons = 1e5, synapses = 1e7;
        bool read = false, procedural = false;
        std::uint64_t seed = 1;
        app.add_option("--rule", rule_name, "connection rule (fixed_indegree, fixed_outdegree, pairwise_bernoulli, "
                                            "fixed_total_number, distance_dependent, sonet)");
        app.add_option("--neurons", neurons, "N");
        app.add_option("--synapses", synapses, "about this many synapses");
        app.add_option("--weights", weights, "constant, normal or lognormal (relative s.d. 0.1)");
        app.add_option("--delays", delays, "none, uniform [0.5, 2.5] ms or normal 1.5 +- 0.75 ms (min 0.1)");
        app.add_flag("--procedural", procedural, "procedural connectivity (rules keyed by the source)");
        app.add_option("--write", write_path, "write the built graph to this SONATA file and time it");
        app.add_flag("--read", read, "read the written file back (rule = \"file\") and time it");
        app.add_option("--input", input_path,
                       "read this SONATA file instead (its one edge population onto the same network; with --read)");
        app.add_option("--seed", seed, "seed");
        try {
            app.parse(argc, argv);
        } catch (const CLI::ParseError& e) {
            MPI_Finalize();
            return app.exit(e);
        }
        const MPI_Comm comm = MPI_COMM_WORLD;
        const int rank = sc::rank_of(comm), ranks = sc::size_of(comm);
        net::connection_rule rule{};
        bool known = false;
        for (const auto& [name, value] : sc::io::connection_rule_names)
            if (name == rule_name) rule = value, known = true;
        try {
            if (!known || rule == net::connection_rule::file) throw std::invalid_argument("unknown rule " + rule_name);
            auto spec = network(rule, std::uint64_t(neurons), synapses, weights, delays, seed);
            if (procedural) spec.simulation.storage = net::connectivity_storage::procedural;
            const net::layout lay(spec, rank, ranks);
            auto projs = net::resolve_projections(spec, lay);
            std::vector<net::projection_targets> targets;
            const timing build = timed(comm, [&] {
                targets.emplace_back(spec, lay, projs[0], net::synapse_weight_use::per_synapse);
            });
            std::uint64_t stored = targets[0].stored_synapses(), bytes = targets[0].memory_bytes();
            MPI_Allreduce(MPI_IN_PLACE, &stored, 1, MPI_UINT64_T, MPI_SUM, comm);
            MPI_Allreduce(MPI_IN_PLACE, &bytes, 1, MPI_UINT64_T, MPI_SUM, comm);
            double rss = peak_rss_mib();
            MPI_Allreduce(MPI_IN_PLACE, &rss, 1, MPI_DOUBLE, MPI_MAX, comm);
            if (rank == 0)
                std::printf("build %s N=%.0f ranks=%d weights=%s delays=%s%s: synapses %llu, cpu max %.2f s "
                            "(sum %.2f s), wall %.2f s, %.1f ns/synapse (cpu sum), %.2f B/synapse stored (%.2f incl. "
                            "row offsets), peak RSS %.0f MiB/rank\n",
                            rule_name.c_str(), neurons, ranks, weights.c_str(), delays.c_str(),
                            procedural ? " procedural" : "", (unsigned long long)stored, build.cpu_max,
                            build.cpu_sum, build.wall, stored ? 1e9 * build.cpu_sum / double(stored) : 0.0,
                            double(targets[0].bytes_per_synapse()), stored ? double(bytes) / double(stored) : 0.0, rss);
            if (!write_path.empty()) {
                const timing w = timed(comm, [&] { sc::io::write_graph(write_path, comm, spec, lay, projs, targets); });
                if (rank == 0)
                    std::printf("write %s: cpu max %.2f s, wall %.2f s\n", write_path.c_str(), w.cpu_max, w.wall);
            }
            const std::string read_path = input_path.empty() ? write_path : input_path;
            if (read && !read_path.empty()) {
                targets.clear();
                targets.shrink_to_fit();
                net::network_spec back = spec;
                auto& p = back.projections[0];
                net::projection_spec q;
                q.pre = p.pre, q.post = p.post, q.rule = net::connection_rule::file;
                net::edge_file_spec f;
                f.path = read_path;
                const auto info = sc::io::read_sonata_info(read_path, "");
                f.edge_population = info.population, f.synapses = info.edges;
                f.has_weights = info.has_weights, f.has_delays = info.has_delays;
                q.file = f;
                p = q;
                back.simulation.storage = net::connectivity_storage::stored;
                auto back_projs = net::resolve_projections(back, lay);
                std::vector<net::projection_targets> imported;
                const timing r = timed(comm, [&] {
                    imported = sc::io::build_projections(back, lay, back_projs, comm, net::synapse_weight_use::per_synapse);
                });
                std::uint64_t n = imported[0].stored_synapses();
                MPI_Allreduce(MPI_IN_PLACE, &n, 1, MPI_UINT64_T, MPI_SUM, comm);
                double rss2 = peak_rss_mib();
                MPI_Allreduce(MPI_IN_PLACE, &rss2, 1, MPI_DOUBLE, MPI_MAX, comm);
                if (rank == 0)
                    std::printf("read %s (%s index): %llu synapses, cpu max %.2f s, wall %.2f s, peak RSS %.0f MiB/rank\n",
                                read_path.c_str(), info.has_index ? "with" : "without", (unsigned long long)n,
                                r.cpu_max, r.wall, rss2);
            }
        } catch (const std::exception& e) {
            if (rank == 0) std::fprintf(stderr, "sparsechaos_bench_graph: error: %s\n", e.what());
            status = 1;
        }
    }
    MPI_Finalize();
    return status;
}
