#include "sparsechaos/engine/zero_delay_schedule.hpp"

#include <chrono>
#include <cmath>
#include <limits>

#include "phase_timing.hpp"
#include "sparsechaos/engine/simulation.hpp"

namespace sparsechaos::engine {

using namespace timing;
using parallel::spike_bound;
using parallel::two_bounds;

void zero_delay_schedule::apply_inputs_before(simulation& sim, const spike_bound& horizon) {
    auto& inputs = sim.state_.inputs;
    for (;;) {
        const double tu = inputs.next_time();
        if (!(spike_bound::of_input(tu, inputs.empty() ? 0 : sim.global_id(inputs.next_neuron())) < horizon)) return;
        const double ts = sim.next_local_spike().first;
        if (tu > ts) return;  // our own spike comes first, and it needs the agreement
        sim.apply_input();
    }
}

spike_candidate zero_delay_schedule::next_spike_with_inputs(simulation& sim, double t_end_local,
                                                            double& communicate_s, bool timed) {
    // A rank's next spike is known only after its inputs before it are applied, and an
    // excitatory input may make a neuron fire at the input's time. So every rank proposes a lower
    // bound of its next spike; the smallest bound is the next spike once it is exact (no input of
    // its rank precedes it). Otherwise every rank applies its inputs up to the smallest bound of
    // the *other* ranks, which no foreign spike can precede, and the ranks try again.
    const auto& inputs = sim.state_.inputs;
    const bool distributed = sim.ctx_.distributed();
    for (;;) {
        const auto [ts, i] = sim.next_local_spike();
        const double tu = inputs.next_time();
        spike_bound mine;
        if (inputs.can_fire() && tu <= ts)
            mine = spike_bound::of_input(tu, sim.global_id(inputs.next_neuron()));
        else if (std::isfinite(ts))
            mine = spike_bound::of_spike(ts, sim.global_id(i), !(tu <= ts));
        else if (std::isfinite(tu))  // no spike ahead, but inhibitory inputs: nothing to bound
            mine = spike_bound::of_spike(std::numeric_limits<double>::infinity(), sim.global_id(0), false);
        const auto t0 = timed ? clock::now() : clock::time_point{};
        const two_bounds b = sim.ctx_.earliest_two(mine);
        if (distributed) {
            ++sim.state_.stats.rounds;
            if (timed) communicate_s += since(t0);
        }
        if (b.first.is_spike() && b.first.exact) {
            // The next spike is known, but this rank may still hold (inhibitory) inputs before it:
            // they come first at its neurons. They cannot make a spike before it: a rank with
            // excitatory input would have proposed that input as its bound.
            apply_inputs_before(sim, b.first);
            return {b.first.time, b.first.neuron()};
        }
        if (!(b.first.time < t_end_local)) return {std::numeric_limits<double>::infinity(), spike_candidate::none};
        const bool winner = sim.graph_.layout.local().contains(b.first.neuron());
        apply_inputs_before(sim, winner ? b.second : b.first);
    }
}

void zero_delay_schedule::run(simulation& sim, double t_end_ms, observer* obs, double progress_interval_s) {
    auto& state = sim.state_;
    auto& ctx = sim.ctx_;
    const bool distributed = ctx.distributed();
    const auto start = clock::now();
    auto last_report = start;
    const double wall_before = state.stats.wall_s;
    const double output_before = state.stats.phases.output;
    std::uint64_t since_check = 0, checks = 0;
    phase_times sampled;
    for (std::uint64_t event = 0;; ++event) {
        const bool timed = event % sample_every == 0;
        clock::time_point t0;
        if (timed) t0 = clock::now();
        spike_candidate next;
        if (sim.graph_.poisson) {
            double communicate_s = 0.0;
            next = next_spike_with_inputs(sim, t_end_ms - state.origin_ms, communicate_s, timed);
            if (timed) sampled.update += since(t0) - communicate_s, sampled.communicate += communicate_s;
        } else {
            const auto [t_local, i] = sim.next_local_spike();
            next = {t_local, std::isfinite(t_local) ? sim.global_id(i) : spike_candidate::none};
            clock::time_point t1;
            if (timed) t1 = clock::now(), sampled.update += std::chrono::duration<double>(t1 - t0).count();
            next = ctx.earliest(next);  // the local context returns its argument
            if (distributed) {
                ++state.stats.rounds;
                if (timed) sampled.communicate += since(t1);
            }
        }
        clock::time_point t2;
        if (timed) t2 = clock::now();
        if (!(state.origin_ms + next.time < t_end_ms) || state.stats.network_spikes >= sim.spike_budget_) break;
        sim.apply_spike(next.neuron, next.time);
        if (timed) sampled.deliver += since(t2);
        // Every rank applies every spike, so these counts are the same on all ranks.
        if (++since_check == 4096) {
            since_check = 0;
            if (obs) {
                // Distributed: hand over at fixed points of the global event sequence, so that
                // collective output happens on all ranks together; alone: when the buffer is full.
                const bool hand_over = distributed ? ++checks % 64 == 0 : sim.buffer_.size() >= (1u << 16);
                if (hand_over) sim.hand_over_spikes(obs, distributed);
                sim.report_progress(obs, sim.time_ms(), t_end_ms, last_report, progress_interval_s,
                                    wall_before + since(start));
            }
        }
    }
    if (sim.holding_.active()) sim.holding_.flush(sim);  // between runs every cell is exact
    if (obs) sim.hand_over_spikes(obs, false);
    apportion(state.stats.phases, sampled, since(start) - (state.stats.phases.output - output_before));
}

}  // namespace sparsechaos::engine
