#pragma once
// /meta of every output file, spiking or rate network (docs/output.md): how the run came about
// and what it cost. One writer for both kinds of run.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sparsechaos/io/hdf5.hpp"

namespace sparsechaos::io {

struct run_metadata {
    std::string config_text;   // the configuration as read, overrides as comments
    std::string command_line;
    std::optional<std::string> model;  // "rate" for rate networks; absent for spiking ones
    double t_end_ms = 0.0;     // simulated time
    double build_wall_s = 0.0, run_wall_s = 0.0;
    std::uint64_t neurons = 0, synapses = 0;
    std::optional<std::uint64_t> spikes;  // spiking runs
    // Spiking runs: /meta/populations and /meta/population_sizes.
    std::vector<std::string> population_names{};
    std::vector<std::uint64_t> population_sizes{};
    // Per-phase wall times of every rank: phase_seconds[k][r] is phase k on rank r (s).
    std::vector<std::string> phase_names{};
    std::vector<std::vector<double>> phase_seconds{};
    // BLAS library, kernels and threads (tangent::blas_info::summary): rank 0's is written, since
    // ranks on other nodes may load other kernels. Empty: not recorded.
    std::string blas{};
    int blas_threads = 0;
};

// Collective: every rank passes the same values (rank 0's wall times, broadcast).
void write_meta(h5::file& file, const run_metadata& meta);

}  // namespace sparsechaos::io
