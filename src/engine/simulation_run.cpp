// The event loops of a simulation: zero delay (one global event order, agreed spike by spike)
// and delays (windows integrated independently, spikes swapped at their ends).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <stdexcept>

#include "sparsechaos/engine/simulation.hpp"

namespace sparsechaos::engine {
namespace {

using clock = std::chrono::steady_clock;
double since(clock::time_point t0) { return std::chrono::duration<double>(clock::now() - t0).count(); }

// Clock reads on every event would cost more than some events: time every 16th event and
// apportion the loop's measured time (run time less output) in the sampled proportions.
constexpr std::uint64_t sample_every = 16;

void apportion(phase_times& total, const phase_times& sampled, double loop_s) {
    const double sampled_s = sampled.update + sampled.communicate + sampled.deliver;
    if (sampled_s > 0.0 && loop_s > 0.0) {
        total.update += loop_s * sampled.update / sampled_s;
        total.communicate += loop_s * sampled.communicate / sampled_s;
        total.deliver += loop_s * sampled.deliver / sampled_s;
    }
}

}  // namespace

void simulation::run_until(double t_end_ms, observer* obs, double progress_interval_s) {
    const auto start = clock::now();
    const double wall_before = stats_.wall_s;
    recording_ = obs != nullptr;
    if (min_delay_ms_ > 0.0)
        run_windows(t_end_ms, obs, progress_interval_s);
    else
        run_zero_delay(t_end_ms, obs, progress_interval_s);
    stats_.wall_s = wall_before + since(start);
    if (obs) obs->on_progress({t_end_ms, t_end_ms, stats_.network_spikes, stats_.wall_s});
    buffer_.clear();
}

void simulation::run_spikes(std::uint64_t network_spikes, double t_limit_ms, observer* obs, double progress_interval_s) {
    if (min_delay_ms_ > 0.0) throw std::invalid_argument("run_spikes: zero-delay runs only");
    spike_budget_ = stats_.network_spikes + network_spikes;
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
    stats_.phases.output += since(t_out);
}

void simulation::report_progress(observer* obs, double time_ms, double end_ms, clock::time_point& last,
                                 double interval_s, double wall_s) {
    const auto now = clock::now();
    if (std::chrono::duration<double>(now - last).count() < interval_s) return;
    last = now;
    obs->on_progress({time_ms, end_ms, stats_.network_spikes, wall_s});
}

// ---- zero delay -------------------------------------------------------------------------------

void simulation::apply_inputs_before(const spike_bound& horizon) {
    for (;;) {
        const double tu = inputs_.next_time();
        if (!(spike_bound::of_input(tu, inputs_.empty() ? 0 : global_id(inputs_.next_neuron())) < horizon)) return;
        const double ts = next_local_spike().first;
        if (tu > ts) return;  // our own spike comes first, and it needs the agreement
        apply_input();
    }
}

spike_candidate simulation::next_spike_with_inputs(double t_end_local, double& communicate_s, bool timed) {
    // A rank's next spike is known only after its inputs before it are applied, and an
    // excitatory input may make a neuron fire at the input's time. So every rank proposes a lower
    // bound of its next spike; the smallest bound is the next spike once it is exact (no input of
    // its rank precedes it). Otherwise every rank applies its inputs up to the smallest bound of
    // the *other* ranks, which no foreign spike can precede, and the ranks try again.
    for (;;) {
        const auto [ts, i] = next_local_spike();
        const double tu = inputs_.next_time();
        spike_bound mine;
        if (inputs_.can_fire() && tu <= ts)
            mine = spike_bound::of_input(tu, global_id(inputs_.next_neuron()));
        else if (std::isfinite(ts))
            mine = spike_bound::of_spike(ts, global_id(i), !(tu <= ts));
        else if (std::isfinite(tu))  // no spike ahead, but inhibitory inputs: nothing to bound
            mine = spike_bound::of_spike(std::numeric_limits<double>::infinity(), global_id(0), false);
        two_bounds b{mine, spike_bound{}};
        if (agreement_) {
            const auto t0 = timed ? clock::now() : clock::time_point{};
            b = agreement_->earliest_two(mine);
            if (timed) communicate_s += since(t0);
            ++stats_.rounds;
        }
        if (b.first.is_spike() && b.first.exact) {
            // The next spike is known, but this rank may still hold (inhibitory) inputs before it:
            // they come first at its neurons. They cannot make a spike before it: a rank with
            // excitatory input would have proposed that input as its bound.
            apply_inputs_before(b.first);
            return {b.first.time, b.first.neuron()};
        }
        if (!(b.first.time < t_end_local)) return {std::numeric_limits<double>::infinity(), spike_candidate::none};
        const bool winner = layout_.local().contains(b.first.neuron());
        apply_inputs_before(winner ? b.second : b.first);
    }
}

void simulation::run_zero_delay(double t_end_ms, observer* obs, double progress_interval_s) {
    const auto start = clock::now();
    auto last_report = start;
    const double wall_before = stats_.wall_s;
    const double output_before = stats_.phases.output;
    std::uint64_t since_check = 0, checks = 0;
    phase_times sampled;
    for (std::uint64_t event = 0;; ++event) {
        const bool timed = event % sample_every == 0;
        clock::time_point t0;
        if (timed) t0 = clock::now();
        spike_candidate next;
        if (any_inputs_) {
            double communicate_s = 0.0;
            next = next_spike_with_inputs(t_end_ms - origin_ms_, communicate_s, timed);
            if (timed) sampled.update += since(t0) - communicate_s, sampled.communicate += communicate_s;
        } else {
            const auto [t_local, i] = next_local_spike();
            next = {t_local, std::isfinite(t_local) ? global_id(i) : spike_candidate::none};
            clock::time_point t1;
            if (timed) t1 = clock::now(), sampled.update += std::chrono::duration<double>(t1 - t0).count();
            if (agreement_) {
                next = agreement_->earliest(next);
                ++stats_.rounds;
                if (timed) sampled.communicate += since(t1);
            }
        }
        clock::time_point t2;
        if (timed) t2 = clock::now();
        if (!(origin_ms_ + next.time < t_end_ms) || stats_.network_spikes >= spike_budget_) break;
        apply_spike(next.neuron, next.time);
        if (timed) sampled.deliver += since(t2);
        // Every rank applies every spike, so these counts are the same on all ranks.
        if (++since_check == 4096) {
            since_check = 0;
            if (obs) {
                // Distributed: hand over at fixed points of the global event sequence, so that
                // collective output happens on all ranks together; alone: when the buffer is full.
                const bool distributed = agreement_ != nullptr;
                const bool hand_over = distributed ? ++checks % 64 == 0 : buffer_.size() >= (1u << 16);
                if (hand_over) hand_over_spikes(obs, distributed);
                report_progress(obs, time_ms(), t_end_ms, last_report, progress_interval_s, wall_before + since(start));
            }
        }
    }
    if (hold_) flush_held();  // between runs every cell is exact
    if (obs) hand_over_spikes(obs, false);
    apportion(stats_.phases, sampled, since(start) - (stats_.phases.output - output_before));
}

// ---- delays -----------------------------------------------------------------------------------

void simulation::run_windows(double t_end_ms, observer* obs, double progress_interval_s) {
    const auto start = clock::now();
    auto last_report = start;
    const double wall_before = stats_.wall_s;
    const double output_before = stats_.phases.output;
    const double communicate_before = stats_.phases.communicate;
    const double w = window_ms();
    auto by_time_then_id = [](const spike_candidate& a, const spike_candidate& b) {
        return a.time < b.time || (a.time == b.time && a.neuron < b.neuron);
    };
    phase_times sampled;
    std::uint64_t event = 0;
    double exact_s = 0.0;  // exchange and scheduling: timed exactly, once per window
    // Window k covers absolute times [k w, (k+1) w): the same windows on every rank and in every
    // run of the same network, whatever run_until's end points.
    while (double(windows_done_) * w < t_end_ms) {
        const double window_end_abs = std::min(double(windows_done_ + 1) * w, t_end_ms);
        const double window_end = window_end_abs - origin_ms_;
        window_spikes_.clear();
        // Every event of the window in order: inputs, then arrivals, then spikes at equal times.
        for (;; ++event) {
            const bool timed = event % sample_every == 0;
            clock::time_point t0;
            if (timed) t0 = clock::now();
            const auto [ts, i] = next_local_spike();
            const double ta = transit_.next_time(), tu = inputs_.next_time();
            clock::time_point t1;
            if (timed) t1 = clock::now(), sampled.update += std::chrono::duration<double>(t1 - t0).count();
            if (tu <= ta && tu <= ts) {
                if (!(tu < window_end)) break;
                apply_input();
            } else if (ta <= ts) {
                if (!(ta < window_end)) break;
                apply_arrival();
            } else {
                if (!(ts < window_end)) break;
                now_ = ts;
                fire(i, ts);
                window_spikes_.push_back({ts, global_id(i)});
                // The queue holds this rank's neurons: tune it by this rank's spike rate.
                if (++events_since_tune_ == tune_interval) tune_queue();
            }
            if (timed) sampled.deliver += since(t1);
        }
        // The end of the window: every rank learns every spike of it, in global order.
        const auto t_comm = clock::now();
        if (exchange_) {
            exchange_->exchange(window_spikes_, all_spikes_);
            ++stats_.rounds;
        } else {
            all_spikes_.swap(window_spikes_);
        }
        std::sort(all_spikes_.begin(), all_spikes_.end(), by_time_then_id);
        const double comm_s = since(t_comm);
        stats_.phases.communicate += comm_s;
        exact_s += comm_s;
        const auto t_sched = clock::now();
        for (const auto& s : all_spikes_) {
            schedule_arrivals(s, window_end);
            if (recording_) buffer_.push_back({origin_ms_ + s.time, s.neuron});
        }
        stats_.network_spikes += all_spikes_.size();
        ++windows_done_;
        if (now_ < window_end) now_ = window_end;  // nothing happens before the next window
        // Origin shifts at window ends only: every rank shifts at the same point of its event
        // sequence, so the arithmetic, and every spike time, stays the same on any rank count.
        const double next_start = double(windows_done_) * w - origin_ms_;
        if (next_start > origin_span_ms_) shift_origin(next_start);
        exact_s += since(t_sched);
        if (obs) {
            // The buffer holds the same global spikes on every rank: every rank decides alike.
            if (buffer_.size() >= (1u << 16)) hand_over_spikes(obs, exchange_ != nullptr);
            report_progress(obs, window_end_abs, t_end_ms, last_report, progress_interval_s, wall_before + since(start));
        }
    }
    if (obs) hand_over_spikes(obs, false);
    apportion(stats_.phases, sampled, since(start) - (stats_.phases.output - output_before) - exact_s);
    stats_.phases.deliver += exact_s - (stats_.phases.communicate - communicate_before);
}

}  // namespace sparsechaos::engine
