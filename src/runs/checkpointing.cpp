#include "sparsechaos/runs/checkpointing.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <stdexcept>

namespace sparsechaos::runs {

namespace fs = std::filesystem;

checkpoint_interval parse_checkpoint_interval(const std::string& text) {
    std::size_t used = 0;
    double value = 0.0;
    try {
        value = std::stod(text, &used);
    } catch (const std::exception&) {
        used = 0;
    }
    const std::string unit = text.substr(used);
    checkpoint_interval c;
    if (unit == "ms") c = {value, true};
    else if (unit == "s") c = {value, false};
    else if (unit == "min") c = {value * 60.0, false};
    else if (unit == "h") c = {value * 3600.0, false};
    else used = 0;
    if (used == 0 || !(value > 0.0) || !std::isfinite(value))
        throw std::invalid_argument("--checkpoint-every " + text +
                                    ": expected a positive number with a unit, wall time (s, min, h: 90s, 10min) or "
                                    "simulated time (ms: 500ms)");
    return c;
}

checkpointing::checkpointing(const checkpoint_options& options, const std::string& output, parallel::context& ctx,
                             const std::string& kind, const std::string& config_text)
    : ctx_(ctx), path_(io::checkpoint_path(output)), kind_(kind), config_text_(config_text), every_(options.every) {
    last_checkpoint_ = slice_start_ = std::chrono::steady_clock::now();
    if (!options.resume) return;
    const std::string from = options.resume_from.empty() ? path_ : options.resume_from;
    std::error_code ec;
    if (options.resume_from.empty() && !fs::exists(from, ec)) {
        if (ctx.root()) std::fprintf(stderr, "resume: no checkpoint '%s': starting from the beginning\n", from.c_str());
        return;
    }
    resumed_file_ = io::open_checkpoint(from, ctx.comm(), kind, config_text, header_);
    resumed_ = true;
    sequence_ = header_.sequence;
    last_checkpoint_ms_ = header_.time_ms;
}

io::h5::file& checkpointing::open_segment(std::int64_t first_segment) {
    segment_ = first_segment;
    segment_file_ = std::make_unique<io::h5::file>(io::h5::file::create(io::segment_path(path_, segment_), ctx_.comm()));
    return *segment_file_;
}

double checkpointing::next_stop(double t_ms, double t_end_ms) {
    if (!every_) return t_end_ms;
    if (every_->simulated) return std::min(t_end_ms, last_checkpoint_ms_ + every_->value);
    // Wall time: slices of about a second (or a tenth of the interval), adapted to the speed.
    if (slice_ms_ == 0.0) slice_ms_ = std::max(t_end_ms * 1e-4, 1e-3);
    slice_start_ = std::chrono::steady_clock::now();
    return std::min(t_end_ms, t_ms + slice_ms_);
}

bool checkpointing::due(double t_ms) {
    if (!every_) return false;
    if (every_->simulated) return t_ms >= last_checkpoint_ms_ + every_->value;
    const auto now = std::chrono::steady_clock::now();
    double decision[2] = {std::chrono::duration<double>(now - last_checkpoint_).count() >= every_->value ? 1.0 : 0.0,
                          0.0};
    const double took = std::chrono::duration<double>(now - slice_start_).count();
    const double target = std::min(1.0, every_->value / 10.0);
    decision[1] = slice_ms_ * std::clamp(took > 0.0 ? target / took : 2.0, 0.5, 2.0);
    ctx_.broadcast(decision, 2);  // rank 0's clock decides for all
    slice_ms_ = decision[1];
    return decision[0] != 0.0;
}

void checkpointing::close_segment() {
    segment_file_->close();
    ctx_.barrier();
    if (ctx_.root()) io::sync_path(io::segment_path(path_, segment_));
}

io::checkpoint_writer checkpointing::begin(io::spike_writer& writer) {
    auto next = std::make_unique<io::h5::file>(io::h5::file::create(io::segment_path(path_, segment_ + 1), ctx_.comm()));
    writer.switch_file(*next);
    close_segment();
    segment_file_ = std::move(next);
    ++segment_;
    return io::checkpoint_writer(path_, ctx_.comm());
}

void checkpointing::commit(io::checkpoint_writer& w, double t_ms) {
    io::checkpoint_header h;
    h.kind = kind_;
    h.config_text = config_text_;
    h.time_ms = t_ms;
    h.ranks = ctx_.size();
    h.sequence = ++sequence_;
    w.file().write_scalar("segments", segment_).close();
    w.commit(h);
    last_checkpoint_ = std::chrono::steady_clock::now();
    last_checkpoint_ms_ = t_ms;
}

void checkpointing::assemble(io::spike_writer& out) {
    close_segment();
    for (std::int64_t k = 0; k <= segment_; ++k) {
        const io::h5::file seg = io::h5::file::open(io::segment_path(path_, k), ctx_.comm());
        out.append_segment(seg);
    }
}

void checkpointing::remove_files() {
    ctx_.barrier();
    if (!ctx_.root()) return;
    std::error_code ec;
    fs::remove(path_, ec);
    // Also a segment a killed session opened beyond its last checkpoint.
    for (std::int64_t k = 0; k <= segment_ || fs::exists(io::segment_path(path_, k), ec); ++k)
        fs::remove(io::segment_path(path_, k), ec);
}

}  // namespace sparsechaos::runs
