#include "sparsechaos/runs/progress.hpp"

#include <unistd.h>

#include <cmath>
#include <cstdio>

namespace sparsechaos::runs {
namespace {

// " | lambda_1 X 1/s" once a Lyapunov measurement has its first QR step, else "".
std::string lambda_text(const analysis::lyapunov_accumulator* acc) {
    if (!acc || acc->intervals() == 0) return "";
    char buf[64];
    std::snprintf(buf, sizeof buf, " | lambda_1 %.4g 1/s", acc->exponents()[0]);
    return buf;
}

}  // namespace

std::string format_duration(double s) {
    if (!std::isfinite(s)) return "?";
    const long total = std::lround(s);
    char buf[32];
    if (total >= 3600) std::snprintf(buf, sizeof buf, "%ldh%02ldm%02lds", total / 3600, total / 60 % 60, total % 60);
    else if (total >= 60) std::snprintf(buf, sizeof buf, "%ldm%02lds", total / 60, total % 60);
    else std::snprintf(buf, sizeof buf, "%lds", total);
    return buf;
}

progress_display::progress_display(bool show)
    : show_(show), tty_(::isatty(STDERR_FILENO) == 1), start_(std::chrono::steady_clock::now()) {}

void progress_display::show_line(const std::string& line) {
    if (tty_) std::fprintf(stderr, "\r%s\033[K", line.c_str());
    else std::fprintf(stderr, "progress: %s\n", line.c_str());
    std::fflush(stderr);
    shown_ = true;
}

void progress_display::spiking(const engine::progress& p, double end_ms, const analysis::lyapunov_accumulator* lambda) {
    if (!show_) return;
    if (p.time_ms >= p.end_ms) {  // the end of a run segment; after the last the summary follows
        if (p.time_ms >= end_ms) done();
        return;
    }
    const double fraction = end_ms > 0 ? p.time_ms / end_ms : 0.0;
    const double eta = p.time_ms > 0 ? p.wall_s * (end_ms - p.time_ms) / p.time_ms : NAN;
    char line[256];
    std::snprintf(line, sizeof line, "t %.1f / %.1f ms (%.1f%%) | %llu spikes | %.3g spikes/s | ETA %s", p.time_ms,
                  end_ms, 100.0 * fraction, static_cast<unsigned long long>(p.spikes),
                  p.wall_s > 0 ? double(p.spikes) / p.wall_s : 0.0, format_duration(eta).c_str());
    show_line(line + lambda_text(lambda));
}

void progress_display::rate(double t, double total, const analysis::lyapunov_accumulator* lambda) {
    if (!show_ || t >= total) return;
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    const double eta = t > 0 ? wall * (total - t) / t : NAN;
    char line[160];
    std::snprintf(line, sizeof line, "t %.1f / %.1f tau (%.1f%%) | ETA %s", t, total, 100.0 * t / total,
                  format_duration(eta).c_str());
    show_line(line + lambda_text(lambda));
}

void progress_display::done() {
    if (show_ && tty_ && shown_) std::fputs("\r\033[K", stderr);
    shown_ = false;
}

}  // namespace sparsechaos::runs
