#include "sparsechaos/io/spike_writer.hpp"
#include "sparsechaos/mpi_comm.hpp"
#include "sparsechaos/io/timestamp.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>

#include "sparsechaos/version.hpp"

namespace sparsechaos::io {

namespace fs = std::filesystem;

namespace {

// SONATA's sorting enum as libsonata reads it from /spikes/<population>@sorting.
const std::vector<std::string> sonata_sorting = {"none", "by_id", "by_time"};

}  // namespace

// ---- output path --------------------------------------------------------------------------

void check_output_path(const std::string& target) {
    if (target.empty()) throw output_error("no output file given");
    std::error_code ec;
    if (fs::is_directory(target, ec)) throw output_error("output '" + target + "' is a directory, not a file");
    fs::path dir = fs::path(target).parent_path();
    if (dir.empty()) dir = ".";
    if (!fs::exists(dir, ec))
        throw output_error("cannot write output '" + target + "': directory '" + dir.string() + "' does not exist");
    if (!fs::is_directory(dir, ec))
        throw output_error("cannot write output '" + target + "': '" + dir.string() + "' is not a directory");
    if (::access(dir.c_str(), W_OK | X_OK) != 0)
        throw output_error("cannot write output '" + target + "': directory '" + dir.string() +
                           "' is not writable (" + std::strerror(errno) + ")");
}

// ---- output_file --------------------------------------------------------------------------

output_file::output_file(const std::string& target, MPI_Comm comm) : target_(target), comm_(comm) {
    // One name for all ranks: rank 0's pid.
    long pid = rank_of(comm) == 0 ? long(::getpid()) : 0;
    MPI_Bcast(&pid, 1, MPI_LONG, 0, comm);
    temporary_ = target + ".tmp." + std::to_string(pid);
    try {
        file_ = h5::file::create(temporary_, comm);
    } catch (const h5::error& e) {
        throw output_error("cannot create output '" + temporary_ + "': " + e.what());
    }
}

output_file::~output_file() {
    if (committed_) return;
    file_ = h5::file{};  // close (errors do not matter: the file goes away)
    MPI_Barrier(comm_);
    if (rank_of(comm_) == 0) {
        std::error_code ec;
        fs::remove(temporary_, ec);
    }
}

void output_file::commit() {
    file_.close();
    // Rank 0 renames once every rank has closed; all ranks learn whether it worked.
    MPI_Barrier(comm_);
    int err = 0;
    if (rank_of(comm_) == 0 && std::rename(temporary_.c_str(), target_.c_str()) != 0) err = errno;
    MPI_Bcast(&err, 1, MPI_INT, 0, comm_);
    if (err)
        throw output_error("cannot move '" + temporary_ + "' to '" + target_ + "': " + std::strerror(err));
    committed_ = true;
}

// ---- spike_writer -------------------------------------------------------------------------

spike_writer::spike_writer(h5::file& file, const network::network_spec& spec, const network::layout& layout,
                           options opt)
    : file_(&file),
      spec_(&spec),
      layout_(&layout),
      opt_(opt),
      n_ranks_(size_of(file.comm())),
      rank_(rank_of(file.comm())),
      write_spikes_(spec.output.spikes),
      local_counts_(spec.populations.size(), 0),
      last_flush_(std::chrono::steady_clock::now()) {
    populations_.resize(spec.populations.size());
    if (!write_spikes_) return;
    // Parts appended in rank order lose the global time order; element-wise writes keep it.
    const bool by_time = n_ranks_ == 1 || opt_.global_order;
    spikes_group_ = file.create_group("spikes");
    spikes_group_.set_attribute("sorting", by_time ? "by_time" : "none");
    for (std::size_t p = 0; p < populations_.size(); ++p) {
        auto& out = populations_[p];
        out.group = spikes_group_.create_group(spec.populations[p].name);
        out.group.set_enum_attribute("sorting", sonata_sorting, by_time ? 2 : 0);
        out.timestamps = out.group.create_extendable<double>("timestamps", opt_.chunk);
        out.timestamps.set_attribute("units", "ms");
        out.node_ids = out.group.create_extendable<std::uint64_t>("node_ids", opt_.chunk);
        const std::size_t reserve = std::min<std::size_t>(opt_.buffer_spikes, 1 << 16);
        out.times.reserve(reserve);
        out.ids.reserve(reserve);
    }
}

void spike_writer::on_spikes(const std::vector<engine::spike>& batch) {
    std::size_t p = 0;  // populations are contiguous id ranges; consecutive spikes often share one
    const network::id_range& local = layout_->local();
    for (const auto& s : batch) {
        if (!layout_->population(p).contains(s.neuron)) p = layout_->population_of(s.neuron);
        const bool mine = local.contains(s.neuron);
        if (mine) ++local_counts_[p], ++local_total_;
        // Global order: every rank buffers the whole train and writes a slice of it at a flush.
        if (!write_spikes_ || !(mine || opt_.global_order)) continue;
        auto& out = populations_[p];
        out.times.push_back(s.time_ms);
        out.ids.push_back(s.neuron - layout_->population(p).first);
        ++buffered_;
    }
    // Only a single rank may append on its own (appends are collective).
    if (n_ranks_ == 1 && buffered_ >= opt_.buffer_spikes) flush();
}

void spike_writer::flush() {
    if (!write_spikes_) return;
    for (auto& out : populations_) {
        if (opt_.global_order) {
            // Every rank holds the same spikes in global order: rank r appends the r-th of P
            // equal slices, so the parts land contiguously in rank order, i.e. in global order.
            const auto slice = network::layout::block(out.times.size(), rank_, n_ranks_);
            out.timestamps.append(std::span<const double>(out.times).subspan(slice.first, slice.size));
            out.node_ids.append(std::span<const std::uint64_t>(out.ids).subspan(slice.first, slice.size));
        } else {
            out.timestamps.append(out.times);
            out.node_ids.append(out.ids);
        }
        out.times.clear();
        out.ids.clear();
    }
    buffered_ = 0;
    // Appended data is in the file, but HDF5 keeps the dataset sizes in its metadata cache: push
    // it out now and then, so a killed run leaves a readable file (rank 0's clock decides).
    int due = std::chrono::duration<double>(std::chrono::steady_clock::now() - last_flush_).count() >=
              opt_.flush_interval_s;
    if (n_ranks_ > 1) MPI_Bcast(&due, 1, MPI_INT, 0, file_->comm());
    if (due) {
        file_->flush();
        last_flush_ = std::chrono::steady_clock::now();
    }
}

spike_totals spike_writer::finish(const run_metadata& meta) {
    flush();
    const MPI_Comm comm = file_->comm();
    const std::size_t n_pop = populations_.size();

    spike_totals totals;
    totals.population_spikes.resize(n_pop);
    MPI_Allreduce(local_counts_.data(), totals.population_spikes.data(), int(n_pop), MPI_UINT64_T, MPI_SUM, comm);
    const double seconds = meta.t_end_ms / 1000.0;
    auto rate = [&](std::uint64_t spikes, std::uint64_t neurons) {
        return seconds > 0.0 && neurons > 0 ? double(spikes) / (double(neurons) * seconds) : 0.0;
    };

    h5::group rates = file_->create_group("rates");
    std::uint64_t neurons = 0;
    for (std::size_t p = 0; p < n_pop; ++p) {
        const std::uint64_t size = layout_->population(p).size;
        const double r = rate(totals.population_spikes[p], size);
        totals.spikes += totals.population_spikes[p];
        totals.population_rates_hz.push_back(r);
        neurons += size;
        h5::dataset d = rates.write_scalar(spec_->populations[p].name, r);
        d.set_attribute("units", "Hz");
        d.set_attribute("neurons", size);
        d.set_attribute("spikes", totals.population_spikes[p]);
        d.close();
    }
    totals.mean_rate_hz = rate(totals.spikes, neurons);
    rates.set_attribute("mean", totals.mean_rate_hz);
    rates.set_attribute("units", "Hz");
    rates.close();

    h5::group m = file_->create_group("meta");
    m.write_string("config", meta.config_text).close();
    std::vector<std::string> names;
    std::vector<std::uint64_t> sizes;
    for (std::size_t p = 0; p < n_pop; ++p) {
        names.push_back(spec_->populations[p].name);
        sizes.push_back(layout_->population(p).size);
    }
    m.write_strings("populations", names).close();
    m.write("population_sizes", sizes).close();
    m.set_attribute("version", sparsechaos::version);
    m.set_attribute("git_revision", sparsechaos::git_revision);
    m.set_attribute("command_line", meta.command_line);
    m.set_attribute("created", utc_now());
    m.set_attribute("ranks", size_of(comm));
    m.set_attribute("neurons", meta.neurons);
    m.set_attribute("synapses", meta.synapses);
    m.set_attribute("spikes", totals.spikes);
    m.set_attribute("simulated_time_ms", meta.t_end_ms);
    m.set_attribute("build_wall_s", meta.build_wall_s);
    m.set_attribute("run_wall_s", meta.run_wall_s);
    {
        // Attributes are written collectively with one value: rank 0's (ranks on other nodes
        // may run other kernels).
        std::string blas = meta.blas;
        long long info[2] = {(long long)blas.size(), meta.blas_threads};
        MPI_Bcast(info, 2, MPI_LONG_LONG, 0, comm);
        blas.resize(std::size_t(info[0]));
        MPI_Bcast(blas.data(), int(info[0]), MPI_CHAR, 0, comm);
        if (!blas.empty()) {
            m.set_attribute("blas", blas);
            m.set_attribute("blas_threads", int(info[1]));
        }
    }
    if (!meta.phase_names.empty()) {
        h5::group timers = m.create_group("timers");
        for (std::size_t k = 0; k < meta.phase_names.size(); ++k) {
            h5::dataset d = timers.write(meta.phase_names[k], meta.phase_seconds[k]);
            d.set_attribute("units", "s");
            d.close();
        }
        timers.set_attribute("layout", "one dataset per phase, one value per rank");
        timers.close();
    }
    m.close();

    // Close what the writer opened, so that the file can close.
    for (auto& out : populations_) {
        out.timestamps.close();
        out.node_ids.close();
        out.group.close();
    }
    if (spikes_group_.valid()) spikes_group_.close();
    return totals;
}

}  // namespace sparsechaos::io
