#pragma once
// Progress of a run on stderr, rank 0 only (docs/cli.md): one line rewritten in place on a
// terminal, otherwise (log files of batch jobs) a new "progress:" line at every report.
#include <chrono>
#include <string>

#include "sparsechaos/analysis/lyapunov_accumulator.hpp"
#include "sparsechaos/engine/observer.hpp"

namespace sparsechaos::runs {

class progress_display {
public:
    // `show`: print at all (rank 0, not --quiet).
    explicit progress_display(bool show);
    bool shows() const { return show_; }
    // Seconds of wall time between reports: often on a terminal, rarely in a log.
    double interval_s() const { return show_ ? (tty_ ? 0.5 : 10.0) : 0.0; }
    // A spiking run reached `p`; `lambda` (optional) is the running Lyapunov measurement.
    void spiking(const engine::progress& p, double end_ms, const analysis::lyapunov_accumulator* lambda);
    // A rate run reached t of total (tau).
    void rate(double t_tau, double total_tau, const analysis::lyapunov_accumulator* lambda);
    // The run is over: clear the line on a terminal.
    void done();

private:
    void show_line(const std::string& line);
    bool show_, tty_, shown_ = false;
    std::chrono::steady_clock::time_point start_;
};

// "1h02m03s", "4m05s", "6s"; "?" when not finite.
std::string format_duration(double seconds);

}  // namespace sparsechaos::runs
