#pragma once
// One run of a spiking network, start to finish (docs/cli.md, "run"): the graph of this rank,
// the engine, the drive tuning and the Lyapunov measurement when the configuration asks for them,
// and the output file (/spikes while it runs, then /rates, /lyapunov and /meta through io).
//
// Collective over the context. The output file is created before anything long happens (a bad
// path fails at once) and appears under its name only when complete (io::output_file).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sparsechaos/engine/simulation.hpp"
#include "sparsechaos/io/spike_writer.hpp"
#include "sparsechaos/network/spec.hpp"
#include "sparsechaos/parallel/context.hpp"
#include "sparsechaos/runs/checkpointing.hpp"
#include "sparsechaos/tangent/lyapunov_result.hpp"

namespace sparsechaos::runs {

struct run_options {
    std::string output;        // OUT.h5
    std::string command_line;  // for /meta
    bool show_progress = false;  // progress and tuning steps on stderr (rank 0)
    checkpoint_options checkpoints{};
    std::string write_graph;  // non-empty: the realized graph as SONATA edges (io/graph_export.hpp)
};

// What a spiking run did; identical on every rank but where said.
struct spiking_result {
    std::string output;           // the committed file
    std::uint64_t neurons = 0, synapses = 0;  // synapses stored on all ranks (0 when procedural)
    double expected_synapses = 0.0;           // procedural connectivity: the expectation
    bool procedural = false;
    std::vector<std::string> population_names;
    io::spike_totals totals;
    double t_end_ms = 0.0;
    double min_delay_ms = 0.0, window_ms = 0.0;
    int ranks = 1;
    double create_s = 0.0, build_s = 0.0, write_s = 0.0;  // this rank's
    engine::run_statistics stats;  // this rank's (wall time: rank 0's everywhere)
    engine::memory_report memory;  // this rank's
    std::uint64_t local_neurons = 0;
    // Per-phase wall times of every rank: phase_seconds[k][r] (also in /meta/timers).
    std::vector<std::string> phase_names;
    std::vector<std::vector<double>> phase_seconds;
    std::optional<tangent::lyapunov_result> lyapunov;
    std::string blas;  // tangent::blas_info::summary of this process
    std::int64_t checkpoints_written = 0;
    std::optional<double> resumed_from_ms;  // the time the run resumed at
};

spiking_result run_spiking(const network::network_spec& spec, parallel::context& ctx, const run_options& options);

}  // namespace sparsechaos::runs
