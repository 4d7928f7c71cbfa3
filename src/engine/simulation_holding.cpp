// Held kicks (held_kicks.hpp, docs/engine.md "Held kicks"): windows in which only the neurons
// that may fire are queued and kicked at once; every other neuron's kicks wait for the window's end.
#include <algorithm>
#include <cmath>
#include <limits>

#include "sparsechaos/engine/simulation.hpp"

namespace sparsechaos::engine {
namespace {
using lif_neurons = population_neurons<models::lif>;
}  // namespace

void simulation::update_holding() {
    const bool want = hold_possible_ && sink_ == nullptr &&
                      (hold_policy_ == kick_holding::on ||
                       (hold_policy_ == kick_holding::automatic && n_local_ >= hold_from_neurons));
    if (want == hold_) return;
    // Outside run_until no kick is held: every cell is exact, so either queue can start here.
    hold_ = want;
    if (hold_) {
        held_.resize(n_local_);
        // Homogeneous populations share one kick coefficient per projection.
        hold_coefficients_.clear();
        for (const auto& proj : projections_) {
            const auto& pn = std::get<lif_neurons>(neurons_[proj.post]);
            hold_coefficients_.push_back(pn.neurons.size() == 1 ? models::lif::kick_coefficient(pn.neurons[0], proj.weight)
                                                                : std::numeric_limits<double>::quiet_NaN());
        }
        hold_uniform_ = std::none_of(hold_coefficients_.begin(), hold_coefficients_.end(),
                                     [](double a) { return std::isnan(a); });
    } else {
        held_ = held_kicks{};
    }
    rebuild_queue();
}

double simulation::hold_window_ms() const {
    // The queue's bucket width is tuned to events_per_bucket network events, so the network
    // fires about events_per_bucket / width spikes per ms, and a window of n w / (e s) ms passes
    // over s neurons per spike it holds: a cost per spike that does not grow with N. Within
    // 16 <= s <= 256 the window follows the share of near neurons (kicked at once, each a cache
    // miss): shorter when it is above 2 %, longer below 1 %.
    const double per_spike = double(n_local_) * bucket_width_ms_ / events_per_bucket;
    return std::clamp(window_ms_, per_spike / 256.0, per_spike / 16.0);
}

void simulation::adapt_window(std::size_t near) {
    const double share = double(near) / double(std::max<std::size_t>(n_local_, 1));
    if (share > 0.02)
        window_ms_ = 0.75 * hold_window_ms();
    else if (share < 0.01)
        window_ms_ = 1.25 * hold_window_ms();
}

void simulation::apply_held(std::size_t b) {
    if (held_.empty(b)) return;
    double* const cell = cells_.data();  // stride 1: holding means no queue keys in the cells
    // The block's cells, in order, before the kicks land on them at random.
    const std::size_t first = b << held_kicks::block_shift;
    const std::size_t end = std::min(n_local_, first + held_kicks::block_size);
    // Loads, not prefetches: the hardware streams a sequential read at full bandwidth, while
    // thousands of software prefetches at once find the miss buffers full (measured: slower).
    double touched = 0.0;
    for (std::size_t i = first; i < end; i += 8) touched += cell[i];
    asm volatile("" : : "x"(touched));
    if (hold_uniform_) {
        const double* const a = hold_coefficients_.data();
        held_.drain(b, [&](std::uint32_t i, const held_kicks::event& ev) {
            cell[i] = models::lif::kick_by(a[ev.projection], cell[i], ev.e);
        });
        return;
    }
    std::size_t p = local_population(first);
    held_.drain(b, [&](std::uint32_t i, const held_kicks::event& ev) {
        while (i >= local_ranges_[p].end()) ++p;  // a block's entries: ids in any order
        while (i < local_ranges_[p].first) --p;
        const auto& pn = std::get<lif_neurons>(neurons_[p]);
        const double a = models::lif::kick_coefficient(pn.at(i - local_ranges_[p].first), projections_[ev.projection].weight);
        cell[i] = models::lif::kick_by(a, cell[i], ev.e);
    });
}

void simulation::flush_held() {
    for (std::size_t b = 0; b < held_.blocks(); ++b) apply_held(b);
    held_.clear_events();
}

bool simulation::open_window() {
    const double inf = std::numeric_limits<double>::infinity();
    const double start = std::max(now_, window_end_);
    double end = start + hold_window_ms();
    const double* const cell = cells_.data();
    double first = inf;  // the earliest spike time of all
    // Neurons [from, to) that may fire before `end`. A LIF state is s = exp(T/τ) (T: the spike
    // time with no further input), so T < end is s < exp(end/τ): a compare per neuron, and a
    // logarithm only for the few near ones (near_times_, filled below). The margin keeps every
    // neuron whose computed T is below `end` near whatever the rounding; one more near neuron
    // is harmless (it waits in the queue).
    auto collect_near = [&](std::uint32_t from, std::uint32_t to) {
        for (std::size_t p = local_population(from); p < local_ranges_.size() && local_ranges_[p].first < to; ++p) {
            const auto& model = std::get<lif_neurons>(neurons_[p]).model;
            const double s_end = std::exp(end / model.tau_ms) * (1.0 + 1e-10);
            const std::uint32_t a = std::uint32_t(std::max<std::uint64_t>(from, local_ranges_[p].first));
            const std::uint32_t z = std::uint32_t(std::min<std::uint64_t>(to, local_ranges_[p].end()));
            double s_min = inf;
            for (std::uint32_t i = a; i < z; ++i) {
                s_min = std::min(s_min, cell[i]);
                if (cell[i] < s_end) {
                    held_.mark_near(i);
                    near_ids_.push_back(i);
                }
            }
            if (a < z) first = std::min(first, std::max(model.spike_time({}, s_min), now_));
        }
    };
    near_ids_.clear();
    held_.clear_near();
    // One pass over the cells, a block at a time: its held kicks, then its neurons' spike times,
    // while the block is in cache.
    for (std::size_t b = 0; b < held_.blocks(); ++b) {
        apply_held(b);
        const std::size_t from = b << held_kicks::block_shift;
        if (from >= n_local_) break;
        const std::size_t to = std::min(n_local_, from + held_kicks::block_size);
        collect_near(std::uint32_t(from), std::uint32_t(to));
    }
    held_.clear_events();
    if (near_ids_.empty() && std::isfinite(first)) {
        // Nothing fires in this window: start the window at the first spike instead.
        end = first + hold_window_ms();
        collect_near(0, std::uint32_t(n_local_));
    }
    window_end_ = end;
    adapt_window(near_ids_.size());
    near_times_.resize(near_ids_.size());
    spike_times(near_ids_.data(), near_ids_.size(), near_times_.data());
    for (double& t : near_times_) t = std::max(t, now_);  // s <= 0: kicked across threshold, fires now
    queue_.assign_some(cells_.data(), near_ids_.data(), near_ids_.size(), near_times_.data(), bucket_width_ms_);
    ++stats_.held_windows;
    return !near_ids_.empty();
}

void simulation::deliver_holding(const network::resolved_projection& proj, std::uint64_t pre, double t) {
    const network::id_range& post = local_ranges_[proj.post];
    const double j = proj.weight;
    const auto targets = targets_[proj.index].targets_of(pre, scratch_);
    if (near_scratch_.size() < targets.size()) near_scratch_.resize(targets.size());
    const auto& pn = std::get<lif_neurons>(neurons_[proj.post]);
    const auto ctx = pn.model.make_context(t);
    // Near targets are few, and each is a cache miss at large N: list and prefetch them first,
    // kick them after, so that their misses overlap.
    double* const cell = cells_.data();
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
    stats_.kicks += targets.size();
    stats_.held += held;
}

}  // namespace sparsechaos::engine
