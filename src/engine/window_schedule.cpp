#include "sparsechaos/engine/window_schedule.hpp"

#include <algorithm>
#include <chrono>

#include "phase_timing.hpp"
#include "sparsechaos/engine/simulation.hpp"

namespace sparsechaos::engine {

using namespace timing;

void window_schedule::run(simulation& sim, double t_end_ms, observer* obs, double progress_interval_s) {
    auto& state = sim.state_;
    const auto start = clock::now();
    auto last_report = start;
    const double wall_before = state.stats.wall_s;
    const double output_before = state.stats.phases.output;
    const double communicate_before = state.stats.phases.communicate;
    const double w = sim.window_ms();
    const bool distributed = sim.ctx_.distributed();
    auto by_time_then_id = [](const spike_candidate& a, const spike_candidate& b) {
        return a.time < b.time || (a.time == b.time && a.neuron < b.neuron);
    };
    phase_times sampled;
    std::uint64_t event = 0;
    double exact_s = 0.0;  // exchange and scheduling: timed exactly, once per window
    // Window k covers absolute times [k w, (k+1) w): the same windows on every rank and in every
    // run of the same network, whatever run_until's end points.
    while (double(state.windows_done) * w < t_end_ms) {
        const double window_end_abs = std::min(double(state.windows_done + 1) * w, t_end_ms);
        const double window_end = window_end_abs - state.origin_ms;
        window_spikes_.clear();
        // Every event of the window in order: inputs, then arrivals, then spikes at equal times.
        for (;; ++event) {
            const bool timed = event % sample_every == 0;
            clock::time_point t0;
            if (timed) t0 = clock::now();
            const auto [ts, i] = sim.next_local_spike();
            const double ta = state.transit.next_time(), tu = state.inputs.next_time();
            clock::time_point t1;
            if (timed) t1 = clock::now(), sampled.update += std::chrono::duration<double>(t1 - t0).count();
            if (tu <= ta && tu <= ts) {
                if (!(tu < window_end)) break;
                sim.apply_input();
            } else if (ta <= ts) {
                if (!(ta < window_end)) break;
                sim.apply_arrival();
            } else {
                if (!(ts < window_end)) break;
                state.now = ts;
                sim.fire(i, ts);
                window_spikes_.push_back({ts, sim.global_id(i)});
                // The queue holds this rank's neurons: tune it by this rank's spike rate.
                if (++state.events_since_tune == simulation::tune_interval) sim.tune_queue();
            }
            if (timed) sampled.deliver += since(t1);
        }
        // The end of the window: every rank learns every spike of it, in global order.
        const auto t_comm = clock::now();
        sim.ctx_.gather_spikes(window_spikes_, all_spikes_);
        if (distributed) ++state.stats.rounds;
        std::sort(all_spikes_.begin(), all_spikes_.end(), by_time_then_id);
        const double comm_s = since(t_comm);
        state.stats.phases.communicate += comm_s;
        exact_s += comm_s;
        const auto t_sched = clock::now();
        for (const auto& s : all_spikes_) {
            sim.schedule_arrivals(s, window_end);
            if (sim.recording_) sim.buffer_.push_back({state.origin_ms + s.time, s.neuron});
        }
        state.stats.network_spikes += all_spikes_.size();
        if (state.now < window_end) state.now = window_end;  // nothing happens before the next window
        // A window cut short by t_end_ms is not over: the next run finishes it. Its spikes so
        // far are exchanged and scheduled already; they arrive after the window's true end, so
        // the order of arrivals is that of an uncut window.
        const bool cut = window_end_abs < double(state.windows_done + 1) * w;
        if (!cut) {
            ++state.windows_done;
            // Origin shifts at window ends only: every rank shifts at the same point of its event
            // sequence, so the arithmetic, and every spike time, stays the same on any rank count.
            const double next_start = double(state.windows_done) * w - state.origin_ms;
            if (next_start > sim.origin_span_ms_) sim.shift_origin(next_start);
        }
        exact_s += since(t_sched);
        if (obs) {
            // The buffer holds the same global spikes on every rank: every rank decides alike.
            if (sim.buffer_.size() >= (1u << 16)) sim.hand_over_spikes(obs, distributed);
            sim.report_progress(obs, window_end_abs, t_end_ms, last_report, progress_interval_s,
                                wall_before + since(start));
        }
        if (cut) break;
    }
    if (obs) sim.hand_over_spikes(obs, false);
    apportion(state.stats.phases, sampled, since(start) - (state.stats.phases.output - output_before) - exact_s);
    state.stats.phases.deliver += exact_s - (state.stats.phases.communicate - communicate_before);
}

}  // namespace sparsechaos::engine
