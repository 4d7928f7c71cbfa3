// Running a simulation: its schedule advances the state (zero_delay_schedule, window_schedule);
// what every schedule shares: spike budgets, handing spikes to the observer, progress reports.
#include <chrono>
#include <limits>
#include <stdexcept>

#include "phase_timing.hpp"
#include "sparsechaos/engine/simulation.hpp"
#include "sparsechaos/engine/window_schedule.hpp"
#include "sparsechaos/engine/zero_delay_schedule.hpp"

namespace sparsechaos::engine {

using namespace timing;

void simulation::run_until(double t_end_ms, observer* obs, double progress_interval_s) {
    const auto start = clock::now();
    const double wall_before = state_.stats.wall_s;
    check_context();
    recording_ = obs != nullptr;
    if (graph_.min_delay_ms > 0.0)
        windows_->run(*this, t_end_ms, obs, progress_interval_s);
    else
        zero_delay_->run(*this, t_end_ms, obs, progress_interval_s);
    state_.stats.wall_s = wall_before + since(start);
    if (obs) obs->on_progress({t_end_ms, t_end_ms, state_.stats.network_spikes, state_.stats.wall_s});
    buffer_.clear();
}

void simulation::run_spikes(std::uint64_t network_spikes, double t_limit_ms, observer* obs, double progress_interval_s) {
    if (graph_.min_delay_ms > 0.0) throw std::invalid_argument("run_spikes: zero-delay runs only");
    spike_budget_ = state_.stats.network_spikes + network_spikes;
    try {
        run_until(t_limit_ms, obs, progress_interval_s);
    } catch (...) {
        spike_budget_ = std::numeric_limits<std::uint64_t>::max();
        throw;
    }
    spike_budget_ = std::numeric_limits<std::uint64_t>::max();
}

void simulation::hand_over_spikes(observer* obs, bool collective) {
    const auto t_out = clock::now();
    obs->on_spikes(buffer_);
    buffer_.clear();
    if (collective) obs->on_collective_point();
    state_.stats.phases.output += since(t_out);
}

void simulation::report_progress(observer* obs, double time_ms, double end_ms, clock::time_point& last,
                                 double interval_s, double wall_s) {
    const auto now = clock::now();
    if (std::chrono::duration<double>(now - last).count() < interval_s) return;
    last = now;
    obs->on_progress({time_ms, end_ms, state_.stats.network_spikes, wall_s});
}

}  // namespace sparsechaos::engine
