#pragma once
// Checkpoints of a run (docs/checkpoints.md): when to write them, where the spikes so far live,
// and what a resumed run reads back.
//
// A checkpointed run advances in slices of simulated time (run_until to the slice's end; a run
// split in slices is the same run, bit for bit: engine/window_schedule.hpp). After a slice the
// ranks agree whether a checkpoint is due (rank 0's clock decides for wall-time intervals). Its
// spikes go to segment files next to the checkpoint, OUT.h5.ckpt.spikes.NNNNNN: a checkpoint
// closes the current segment, writes the state that refers to every closed segment, and opens
// the next. A run killed at any moment thus loses at most the spikes since its last checkpoint,
// which the resumed run simulates again. At the end the output is assembled from the segments,
// and the checkpoint and its segments are removed.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "sparsechaos/io/checkpoint_file.hpp"
#include "sparsechaos/io/hdf5.hpp"
#include "sparsechaos/io/spike_writer.hpp"
#include "sparsechaos/parallel/context.hpp"

namespace sparsechaos::runs {

// --checkpoint-every: "10min", "90s", "2h" of wall time, or "500ms" of simulated time.
struct checkpoint_interval {
    double value = 0.0;
    bool simulated = false;  // ms of simulated time; else seconds of wall time
};
// Throws std::invalid_argument naming the text when it is not a positive number with a unit.
checkpoint_interval parse_checkpoint_interval(const std::string& text);

struct checkpoint_options {
    std::optional<checkpoint_interval> every;
    bool resume = false;
    std::string resume_from;  // empty: OUT.h5.ckpt (and a fresh start when there is none)
};

class checkpointing {
public:
    // Collective. Opens the checkpoint to resume from, checked against `kind` and `config_text`.
    checkpointing(const checkpoint_options& options, const std::string& output, parallel::context& ctx,
                  const std::string& kind, const std::string& config_text);

    // Whether spikes go to segments: checkpoints are written or were written before.
    bool active() const { return every_.has_value() || resumed_; }
    // The checkpoint read at the start, when resuming; its header says where the run was.
    bool resumed() const { return resumed_; }
    const io::checkpoint_header& header() const { return header_; }
    const io::h5::file& resumed_file() const { return resumed_file_; }
    // Done with the resumed checkpoint's contents (close it before the next is written).
    void close_resumed() { resumed_file_ = io::h5::file{}; }

    // Spike segments. `first_segment`: the first segment this session writes (0 or the number
    // the resumed checkpoint refers to).
    io::h5::file& open_segment(std::int64_t first_segment);
    std::int64_t segments() const { return segment_; }  // closed segments

    // The simulated end of the next slice from `t_ms` (run_until's end), at most `t_end_ms`.
    double next_stop(double t_ms, double t_end_ms);
    // Collective, after a slice that ended at t_ms: whether a checkpoint is due.
    bool due(double t_ms);
    // Collective: closes the current segment (the writer goes on in the next one) and starts a
    // checkpoint that refers to every closed segment; the caller writes its state into
    // writer.file(), then calls commit().
    io::checkpoint_writer begin(io::spike_writer& writer);
    void commit(io::checkpoint_writer& w, double t_ms);

    // Collective, at the end: closes the last segment and appends every segment to `out`.
    void assemble(io::spike_writer& out);
    // Rank 0 removes the checkpoint and its segments (after the output is committed).
    void remove_files();

private:
    void close_segment();

    parallel::context& ctx_;
    std::string path_, kind_, config_text_;
    std::optional<checkpoint_interval> every_;
    bool resumed_ = false;
    io::checkpoint_header header_;
    io::h5::file resumed_file_;
    std::unique_ptr<io::h5::file> segment_file_;  // the writer keeps its address
    std::int64_t segment_ = 0, sequence_ = 0;
    double slice_ms_ = 0.0;  // wall-time intervals: the current slice length, adapted
    std::chrono::steady_clock::time_point last_checkpoint_, slice_start_;
    double last_checkpoint_ms_ = 0.0;
};

}  // namespace sparsechaos::runs
