#pragma once
// Checkpoint files (docs/checkpoints.md): one HDF5 file next to the output, OUT.h5.ckpt, that
// holds everything a run needs to continue on any number of ranks, and the spikes' segment
// files it refers to.
//
// Atomic: a checkpoint is written to a short hidden temporary in the same directory, flushed,
// closed, fsync'ed and renamed over the previous one; the directory is fsync'ed too. Until the
// rename the previous checkpoint is the valid one, so a run killed while writing (or a full
// disk) never destroys it. A checkpoint is only read when its header says it is complete and its
// format, configuration and kind match the run that reads it.
//
// Per-neuron arrays are written in global-id order, every rank its own block (dataset::append),
// and read back by blocks of any layout (dataset::read_range): the file does not depend on the
// number of ranks that wrote it.
#include <mpi.h>

#include <cstdint>
#include <stdexcept>
#include <string>

#include "sparsechaos/io/hdf5.hpp"

namespace sparsechaos::io {

// The version of what a checkpoint holds. Raise it when the state written changes: an older
// checkpoint is then refused by name rather than read wrongly.
inline constexpr std::int64_t checkpoint_format = 1;

struct checkpoint_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct checkpoint_header {
    std::string kind;         // "spiking" or "rate"
    std::string config_text;  // the effective configuration (file + overrides as comments)
    double time_ms = 0.0;     // simulated time reached
    std::int64_t ranks = 1;   // that wrote it
    std::int64_t sequence = 0;  // 1, 2, ... for the checkpoints of one run
};

// 64-bit FNV-1a of a text: the configuration's fingerprint in the header.
std::uint64_t text_hash(const std::string& text);

// The name of the checkpoint that belongs to an output file, and of its spike segments.
std::string checkpoint_path(const std::string& output);
std::string segment_path(const std::string& checkpoint, std::int64_t index);

class checkpoint_writer {
public:
    // Collective. Opens the temporary next to `target` (the checkpoint's final name).
    checkpoint_writer(const std::string& target, MPI_Comm comm);
    // Without commit(): the temporary is removed, the previous checkpoint stays.
    ~checkpoint_writer();
    checkpoint_writer(const checkpoint_writer&) = delete;
    checkpoint_writer& operator=(const checkpoint_writer&) = delete;

    h5::file& file() { return file_; }
    // Collective: the header, flush, close, fsync, rename over the target, fsync the directory.
    void commit(const checkpoint_header& header);

private:
    std::string target_, temporary_;
    MPI_Comm comm_;
    h5::file file_;
    bool committed_ = false;
};

// Collective. Opens `path` for reading and checks it against the run: complete, this format,
// this kind and this configuration. Throws checkpoint_error naming the file and the difference
// (the first line in which the configurations differ).
h5::file open_checkpoint(const std::string& path, MPI_Comm comm, const std::string& kind,
                         const std::string& config_text, checkpoint_header& header);

// fsync of a file or directory by name; throws checkpoint_error naming it.
void sync_path(const std::string& path);

}  // namespace sparsechaos::io
