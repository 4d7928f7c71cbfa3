#pragma once
// The run's output file: spikes in the SONATA layout, mean rates and run metadata (docs/output.md).
//
//   output_file   creates OUT.h5.tmp.<pid> next to OUT.h5 and renames it to OUT.h5 only after
//                 a successful close; otherwise the temporary is removed and an existing OUT.h5
//                 is never touched.
//   spike_writer  an engine::observer that streams spikes into chunked, extendable datasets
//                 /spikes/<population>/{timestamps, node_ids}, then writes /rates and /meta.
//
// Parallel runs (same file, every rank its own spikes): all calls marked collective are made by
// every rank of the communicator. Spikes are buffered per rank and written by collective calls
// at points where all ranks meet (flush()), because the ranks' observer calls are not
// synchronized; a single rank flushes by itself whenever its buffer is full. Two layouts:
//   global order  every rank is handed every network spike in global (time, id) order (the
//                 engine's distributed modes); at a flush rank r appends the r-th of P equal
//                 slices of the buffered train: contiguous collective writes, and the file is
//                 identical to a single-rank file. (Each rank writing its own neurons' spikes at
//                 their scattered positions was measured 2.5 µs per spike: docs/benchmarks.md.)
//   rank order    every rank is handed its own spikes; each flush appends the ranks' parts in
//                 rank order (sorting "none").
#include <mpi.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "sparsechaos/engine/simulation.hpp"
#include "sparsechaos/io/hdf5.hpp"
#include "sparsechaos/network/layout.hpp"
#include "sparsechaos/network/spec.hpp"

namespace sparsechaos::io {

struct output_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Fails early, before a long run, if `target` cannot be written: its directory must exist and be
// writable, and `target` must not be a directory. Throws output_error naming the path.
void check_output_path(const std::string& target);

class output_file {
public:
    // Collective. Creates the temporary (named after rank 0's pid) next to `target`.
    output_file(const std::string& target, MPI_Comm comm);
    // Without commit(): closes and removes the temporary, leaving `target` as it was.
    ~output_file();
    output_file(const output_file&) = delete;
    output_file& operator=(const output_file&) = delete;

    h5::file& file() { return file_; }
    const std::string& target() const { return target_; }
    const std::string& temporary() const { return temporary_; }
    // Collective: close the file (reporting errors), then move it to `target` in one rename.
    void commit();

private:
    std::string target_, temporary_;
    MPI_Comm comm_;
    h5::file file_;
    bool committed_ = false;
};

// What /meta records besides what the writer knows itself.
struct run_metadata {
    std::string config_text;
    std::string command_line;
    double t_end_ms = 0.0;  // simulated time: spikes lie in [0, t_end_ms)
    double build_wall_s = 0.0, run_wall_s = 0.0;
    std::uint64_t neurons = 0, synapses = 0;
    // Per-phase wall times of every rank: phase_seconds[k][r] is phase k on rank r (s).
    std::vector<std::string> phase_names{};
    std::vector<std::vector<double>> phase_seconds{};
    // BLAS library, kernels and threads (tangent::blas_info::summary); rank 0's is written.
    std::string blas{};
    int blas_threads = 0;
};

// Totals of a finished output (identical on every rank).
struct spike_totals {
    std::uint64_t spikes = 0;
    std::vector<std::uint64_t> population_spikes;
    double mean_rate_hz = 0.0;
    std::vector<double> population_rates_hz;
};

class spike_writer : public engine::observer {
public:
    struct options {
        std::size_t buffer_spikes = std::size_t(1) << 18;  // per rank, before an append (4 MiB)
        std::uint64_t chunk = std::uint64_t(1) << 14;       // elements per HDF5 chunk (128 KiB)
        double flush_interval_s = 10.0;  // file metadata pushed to disk at most this often
        // on_spikes receives every rank's spikes in global order (see above).
        bool global_order = false;
    };

    // Collective. Creates /spikes/<population> for every population of `spec` (unless
    // spec.output.spikes is false: then only rates and metadata are written).
    spike_writer(h5::file& file, const network::network_spec& spec, const network::layout& layout)
        : spike_writer(file, spec, layout, options{}) {}
    spike_writer(h5::file& file, const network::network_spec& spec, const network::layout& layout, options opt);

    // Spikes of this rank in time order, global ids (engine::observer).
    void on_spikes(const std::vector<engine::spike>& batch) override;
    // Collective: append every rank's buffered spikes.
    void flush();
    // Collective: append what is left, write /rates and /meta, close every dataset the writer
    // opened. Afterwards the file can be closed.
    spike_totals finish(const run_metadata& meta);

    std::uint64_t local_spikes() const { return local_total_; }

private:
    struct population_output {
        h5::group group;
        h5::dataset timestamps, node_ids;
        std::vector<double> times;         // buffered
        std::vector<std::uint64_t> ids;    // buffered, population-local
    };

    h5::file* file_;
    const network::network_spec* spec_;
    const network::layout* layout_;
    options opt_;
    int n_ranks_ = 1, rank_ = 0;
    bool write_spikes_;
    h5::group spikes_group_;
    std::vector<population_output> populations_;
    std::vector<std::uint64_t> local_counts_;  // per population, this rank
    std::uint64_t local_total_ = 0, buffered_ = 0;
    std::chrono::steady_clock::time_point last_flush_;
};

}  // namespace sparsechaos::io
