// Held-kick windows (held_kick_windows.hpp): windows in which only the neurons that may fire are
// queued and kicked at once; every other neuron's kicks wait for the window's end.
#include "sparsechaos/engine/held_kick_windows.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "sparsechaos/engine/simulation.hpp"

namespace sparsechaos::engine {
namespace {
using lif_neurons = network::population_neurons<models::lif>;
}  // namespace

held_kick_windows::held_kick_windows(const network::local_graph& graph) {
    // Kicks that only delay (no excitation), arriving at once (zero delay, no input events
    // between spikes), and the LIF kick (held_kicks::event).
    possible_ = !graph.excitation && !graph.poisson && graph.min_delay_ms == 0.0 && !graph.synapse_weights;
    for (const auto& pn : graph.neurons) possible_ = possible_ && std::holds_alternative<lif_neurons>(pn);
}

void held_kick_windows::update(simulation& sim, network::kick_holding policy, bool sink) {
    const bool want = possible_ && !sink &&
                      (policy == network::kick_holding::on ||
                       (policy == network::kick_holding::automatic && sim.n_local_ >= hold_from_neurons));
    if (want == active_) return;
    active_ = want;
    if (active_) {
        held_.resize(sim.n_local_);
        // Homogeneous populations share one kick coefficient per projection.
        coefficients_.clear();
        for (const auto& proj : sim.graph_.projections) {
            const auto& pn = std::get<lif_neurons>(sim.graph_.neurons[proj.post]);
            coefficients_.push_back(pn.neurons.size() == 1 ? models::lif::kick_coefficient(pn.neurons[0], proj.weight)
                                                           : std::numeric_limits<double>::quiet_NaN());
        }
        uniform_ = std::none_of(coefficients_.begin(), coefficients_.end(), [](double a) { return std::isnan(a); });
    } else {
        held_ = held_kicks{};
    }
    sim.rebuild_queue();
}

double held_kick_windows::window_length_ms(const simulation& sim) const {
    // The queue's bucket width is tuned to events_per_bucket network events, so the network
    // fires about events_per_bucket / width spikes per ms, and a window of n w / (e s) ms passes
    // over s neurons per spike it holds: a cost per spike that does not grow with N. Within
    // 16 <= s <= 256 the window follows the share of near neurons (kicked at once, each a cache
    // miss): shorter when it is above 2 %, longer below 1 %.
    const double per_spike = double(sim.n_local_) * sim.state_.bucket_width_ms / simulation::events_per_bucket;
    return std::clamp(sim.state_.hold_window_ms, per_spike / 256.0, per_spike / 16.0);
}

void held_kick_windows::adapt_window(simulation& sim, std::size_t near) {
    const double share = double(near) / double(std::max<std::size_t>(sim.n_local_, 1));
    if (share > 0.02)
        sim.state_.hold_window_ms = 0.75 * window_length_ms(sim);
    else if (share < 0.01)
        sim.state_.hold_window_ms = 1.25 * window_length_ms(sim);
}

void held_kick_windows::apply_held(simulation& sim, std::size_t b) {
    if (held_.empty(b)) return;
    double* const cell = sim.state_.cells.data();  // stride 1: holding means no queue keys in the cells
    // The block's cells, in order, before the kicks land on them at random.
    const std::size_t first = b << held_kicks::block_shift;
    const std::size_t end = std::min(sim.n_local_, first + held_kicks::block_size);
    // Loads, not prefetches: the hardware streams a sequential read at full bandwidth, while
    // thousands of software prefetches at once find the miss buffers full (measured: slower).
    double touched = 0.0;
    for (std::size_t i = first; i < end; i += 8) touched += cell[i];
    asm volatile("" : : "x"(touched));
    if (uniform_) {
        const double* const a = coefficients_.data();
        held_.drain(b, [&](std::uint32_t i, const held_kicks::event& ev) {
            cell[i] = models::lif::kick_by(a[ev.projection], cell[i], ev.e);
        });
        return;
    }
    const auto& ranges = sim.graph_.local_ranges;
    std::size_t p = sim.local_population(std::uint32_t(first));
    held_.drain(b, [&](std::uint32_t i, const held_kicks::event& ev) {
        while (i >= ranges[p].end()) ++p;  // a block's entries: ids in any order
        while (i < ranges[p].first) --p;
        const auto& pn = std::get<lif_neurons>(sim.graph_.neurons[p]);
        const double a = models::lif::kick_coefficient(pn.at(i - ranges[p].first), sim.graph_.projections[ev.projection].weight);
        cell[i] = models::lif::kick_by(a, cell[i], ev.e);
    });
}

void held_kick_windows::flush(simulation& sim) {
    for (std::size_t b = 0; b < held_.blocks(); ++b) apply_held(sim, b);
    held_.clear_events();
}

bool held_kick_windows::open_window(simulation& sim) {
    const double inf = std::numeric_limits<double>::infinity();
    const double now = sim.state_.now;
    const auto& ranges = sim.graph_.local_ranges;
    const std::size_t n_local = sim.n_local_;
    const double start = std::max(now, window_end_);
    double end = start + window_length_ms(sim);
    const double* const cell = sim.state_.cells.data();
    double first = inf;  // the earliest spike time of all
    // Neurons [from, to) that may fire before `end`. A LIF state is s = exp(T/τ) (T: the spike
    // time with no further input), so T < end is s < exp(end/τ): a compare per neuron, and a
    // logarithm only for the few near ones (near_times_, filled below). The margin keeps every
    // neuron whose computed T is below `end` near whatever the rounding; one more near neuron
    // is harmless (it waits in the queue).
    auto collect_near = [&](std::uint32_t from, std::uint32_t to) {
        for (std::size_t p = sim.local_population(from); p < ranges.size() && ranges[p].first < to; ++p) {
            const auto& model = std::get<lif_neurons>(sim.graph_.neurons[p]).model;
            const double s_end = std::exp(end / model.tau_ms) * (1.0 + 1e-10);
            const std::uint32_t a = std::uint32_t(std::max<std::uint64_t>(from, ranges[p].first));
            const std::uint32_t z = std::uint32_t(std::min<std::uint64_t>(to, ranges[p].end()));
            double s_min = inf;
            for (std::uint32_t i = a; i < z; ++i) {
                s_min = std::min(s_min, cell[i]);
                if (cell[i] < s_end) {
                    held_.mark_near(i);
                    near_ids_.push_back(i);
                }
            }
            if (a < z) first = std::min(first, std::max(model.spike_time({}, s_min), now));
        }
    };
    near_ids_.clear();
    held_.clear_near();
    // One pass over the cells, a block at a time: its held kicks, then its neurons' spike times,
    // while the block is in cache.
    for (std::size_t b = 0; b < held_.blocks(); ++b) {
        apply_held(sim, b);
        const std::size_t from = b << held_kicks::block_shift;
        if (from >= n_local) break;
        const std::size_t to = std::min(n_local, from + held_kicks::block_size);
        collect_near(std::uint32_t(from), std::uint32_t(to));
    }
    held_.clear_events();
    if (near_ids_.empty() && std::isfinite(first)) {
        // Nothing fires in this window: start the window at the first spike instead.
        end = first + window_length_ms(sim);
        collect_near(0, std::uint32_t(n_local));
    }
    window_end_ = end;
    adapt_window(sim, near_ids_.size());
    near_times_.resize(near_ids_.size());
    sim.spike_times(near_ids_.data(), near_ids_.size(), near_times_.data());
    for (double& t : near_times_) t = std::max(t, now);  // s <= 0: kicked across threshold, fires now
    sim.queue_.assign_some(sim.state_.cells.data(), near_ids_.data(), near_ids_.size(), near_times_.data(),
                           sim.state_.bucket_width_ms);
    ++sim.state_.stats.held_windows;
    return !near_ids_.empty();
}

void held_kick_windows::deliver(simulation& sim, const network::resolved_projection& proj, std::uint64_t pre,
                                double t) {
    const network::id_range& post = sim.graph_.local_ranges[proj.post];
    const double j = proj.weight;
    const auto targets = sim.graph_.targets[proj.index].targets_of(pre, sim.scratch_);
    if (near_scratch_.size() < targets.size()) near_scratch_.resize(targets.size());
    const auto& pn = std::get<lif_neurons>(sim.graph_.neurons[proj.post]);
    const auto ctx = pn.model.make_context(t);
    // Near targets are few, and each is a cache miss at large N: list and prefetch them first,
    // kick them after, so that their misses overlap.
    double* const cell = sim.state_.cells.data();
    std::uint32_t* const near = near_scratch_.data();
    std::size_t m = 0;
    const auto list = held_.append();
    const std::uint32_t ev = held_.add_event(ctx.e, std::uint32_t(proj.index));
    for (std::uint32_t i : targets) {
        if (list.near(i)) {
            __builtin_prefetch(cell + i, 1);
            near[m++] = i;
        } else {
            list.hold(i, ev);
        }
    }
    for (std::size_t k = 0; k < m; ++k) {
        const std::uint32_t i = near[k];
        cell[i] = pn.model.kick(pn.at(i - post.first), cell[i], j, ctx);
    }
    const std::uint64_t held = targets.size() - m;
    sim.state_.stats.kicks += targets.size();
    sim.state_.stats.held += held;
}

}  // namespace sparsechaos::engine
