#include "sparsechaos/engine/simulation.hpp"

#include <algorithm>
#include <bit>
#include <tuple>
#include <cmath>
#include <stdexcept>

#include "sparsechaos/engine/window_schedule.hpp"
#include "sparsechaos/engine/zero_delay_schedule.hpp"
#include "sparsechaos/network/random.hpp"

namespace sparsechaos::engine {

simulation::simulation(network::local_graph graph, parallel::context& ctx)
    : graph_(std::move(graph)), ctx_(ctx), holding_(graph_) {
    const network::network_spec& spec = *graph_.spec;
    // Initial states: uniform random phases, keyed by (seed, global id).
    const auto& local = graph_.layout.local();
    state_.keyed = graph_.excitation;
    stride_ = state_.stride = event_queue::stride(state_.keyed);
    n_local_ = local.size;
    state_.cells.resize(n_local_ * stride_);
    origin_span_ms_ = std::numeric_limits<double>::infinity();
    state_.stats.population_spikes.assign(spec.populations.size(), 0);
    for (std::size_t p = 0; p < graph_.neurons.size(); ++p) {
        const auto& r = graph_.local_ranges[p];
        std::visit(
            [&](const auto& pn) {
                const auto& model = pn.model;
                origin_span_ms_ = std::min(origin_span_ms_, model.max_origin_span_ms());
                for (std::uint64_t i = r.first; i < r.end(); ++i) {
                    const auto& n = pn.at(i - r.first);
                    network::random_stream rng(spec.simulation.seed, network::stream_purpose::initial_phase, 0,
                                               local.first + i);
                    const double phi = model.phase_reset() +
                                       rng.uniform() * (model.phase_threshold() - model.phase_reset());
                    // The state of a neuron that fired when its phase was phi ago.
                    const double fired_at = -(phi - model.phase_reset()) * model.tau_ms / n.omega;
                    cell_state(i) = model.reset_state(n, model.make_context(fired_at));
                }
            },
            graph_.neurons[p]);
    }
    state_.inputs = poisson_input(spec, graph_.layout, graph_.local_ranges);
    // Until the event rate is known, guess 1 Hz per neuron (the width affects speed, never results).
    state_.bucket_width_ms = events_per_bucket * 1e3 / double(std::max<std::uint64_t>(graph_.layout.total(), 1));
    zero_delay_ = std::make_unique<zero_delay_schedule>();
    windows_ = std::make_unique<window_schedule>();
    hold_policy_ = spec.simulation.hold_kicks;
    holding_.update(*this, hold_policy_, false);
    if (!holding_.active()) rebuild_queue();
}

simulation::~simulation() = default;

void simulation::hold_kicks(kick_holding policy) {
    hold_policy_ = policy;
    holding_.update(*this, hold_policy_, sink_ != nullptr);
}

void simulation::check_context() const {
    if (ctx_.size() != graph_.layout.n_ranks() || ctx_.rank() != graph_.layout.rank())
        throw std::logic_error("simulation: the graph is rank " + std::to_string(graph_.layout.rank()) + " of " +
                               std::to_string(graph_.layout.n_ranks()) + ", the context rank " +
                               std::to_string(ctx_.rank()) + " of " + std::to_string(ctx_.size()));
}

void simulation::restore(const engine_state& state) {
    if (state.cells.size() != state_.cells.size() || state.stride != state_.stride ||
        state.stats.population_spikes.size() != state_.stats.population_spikes.size())
        throw std::invalid_argument("simulation::restore: the state belongs to another graph");
    state_ = state;
    rebuild_queue();  // the queue is an index over the cells
}

double simulation::spike_time(std::uint32_t i) const {
    const std::size_t p = local_population(i);
    return std::visit([&](const auto& pn) { return pn.model.spike_time(pn.at(i - graph_.local_ranges[p].first), cell_state(i)); },
                      graph_.neurons[p]);
}

namespace {

// Models that compute many spike times at once (vectorized logarithm).
template <class M>
concept batch_timer = requires(const M m, const double* s, double* t) { m.spike_times(s, t, std::size_t{}); };

}  // namespace

void simulation::spike_times(const std::uint32_t* ids, std::size_t n, double* out) const {
    // Runs of neurons of one population, one model call per run where the model has a batch.
    for (std::size_t k = 0; k < n;) {
        const std::size_t p = local_population(ids[k]);
        const auto& range = graph_.local_ranges[p];
        std::size_t end = k + 1;
        while (end < n && range.contains(ids[end])) ++end;
        std::visit(
            [&](const auto& pn) {
                if constexpr (batch_timer<std::decay_t<decltype(pn.model)>>) {
                    constexpr std::size_t chunk = 64;
                    double s[chunk];
                    for (std::size_t k0 = k; k0 < end; k0 += chunk) {
                        const std::size_t m = std::min(chunk, end - k0);
                        for (std::size_t l = 0; l < m; ++l) s[l] = cell_state(ids[k0 + l]);
                        pn.model.spike_times(s, out + k0, m);
                    }
                } else {
                    for (std::size_t l = k; l < end; ++l)
                        out[l] = pn.model.spike_time(pn.at(ids[l] - range.first), cell_state(ids[l]));
                }
            },
            graph_.neurons[p]);
        k = end;
    }
}

void simulation::rebuild_queue() {
    if (holding_.active()) {
        holding_.restart(*this);  // a new window from now on
        return;
    }
    // A neuron kicked across threshold has a spike time before now: it fires now.
    std::vector<double> times(n_local_);
    for (std::uint32_t i = 0; i < n_local_; ++i) times[i] = std::max(spike_time(i), state_.now);
    queue_.assign(state_.cells.data(), n_local_, state_.keyed, times.data(), state_.bucket_width_ms);
}

void simulation::tune_queue() {
    // Calendar-queue rule: buckets about `events_per_bucket` network events wide (measured as
    // the time between the last events); rebuild only when the width is off by more than 2x.
    const double elapsed = state_.origin_ms + state_.now - state_.tune_start_ms;
    const double best = events_per_bucket * elapsed / double(state_.events_since_tune);
    state_.events_since_tune = 0;
    state_.tune_start_ms = state_.origin_ms + state_.now;
    if (best > 0.0 && (best > 2.0 * state_.bucket_width_ms || best < 0.5 * state_.bucket_width_ms)) {
        state_.bucket_width_ms = best;
        ++state_.stats.queue_retunes;
        rebuild_queue();
    }
}

std::pair<double, std::uint32_t> simulation::next_local_spike() {
    for (;;) {
        // The queue re-keys stale neurons with this when their bucket opens.
        while (queue_.ready(exact_times{this})) {
            const auto top = queue_.top();
            // Holding kicks, the queue holds only the neurons near the window: at its end any
            // other neuron may be next.
            if (holding_.active() && !holding_.inside(top.time)) break;
            const double t = spike_time(top.id);
            if (t <= top.time) return {top.time, top.id};
            queue_.replace_top(t);  // stale lower bound: the neuron was inhibited since it was keyed
            ++state_.stats.stale_pops;
        }
        if (!holding_.active() || !holding_.open_window(*this)) return {std::numeric_limits<double>::infinity(), 0};
    }
}

void simulation::fire(std::uint32_t i, double t) {
    const std::size_t p = local_population(i);
    std::visit(
        [&](const auto& pn) {
            const auto& n = pn.at(i - graph_.local_ranges[p].first);
            cell_state(i) = pn.model.reset_state(n, pn.model.make_context(t));
            queue_.replace_top(pn.model.spike_time(n, cell_state(i)));
        },
        graph_.neurons[p]);
    ++state_.stats.spikes;
    ++state_.stats.population_spikes[p];
}

namespace {

// Models that kick many neurons at once (vectorized transcendental functions).
template <class M>
concept batch_kicker = requires(const M m, const typename M::neuron* const* n, double* s, const typename M::context c) {
    m.kick_batch(n, s, std::size_t{}, 0.0, c);
};

}  // namespace

void simulation::deliver(const network::resolved_projection& proj, std::uint64_t pre, double t) {
    const network::id_range& post = graph_.local_ranges[proj.post];
    if (post.size == 0) return;
    if (holding_.active()) {
        holding_.deliver(*this, proj, pre, t);
        return;
    }
    const double j = proj.weight;
    const auto& synapses = graph_.targets[proj.index];
    const auto targets = synapses.targets_of(pre, scratch_);
    double* const cell = state_.cells.data();
    const std::size_t stride = stride_;
    // Every target's cell is a cache miss at large N: ask for all of them before the first kick
    // needs one, so that they arrive together rather than as far as the reorder window reaches.
    for (std::uint32_t i : targets) __builtin_prefetch(&cell[i * stride], 1);
    if (synapses.per_synapse_weights()) {
        deliver_weighted(proj, targets, synapses.weights_of(pre, targets, weight_scratch_), t);
        return;
    }
    std::visit(
        [&](const auto& pn) {
            using M = std::decay_t<decltype(pn.model)>;
            const M& model = pn.model;
            const auto ctx = model.make_context(t);
            // An excitatory kick may advance a spike (or cross threshold: fire now); inhibition
            // only delays, and the queue keeps the old key as a lower bound (lazy re-keying).
            auto advance_if_earlier = [&](std::uint32_t i, const typename M::neuron& n) {
                const double ts = std::max(model.spike_time(n, cell[i * stride]), t);
                if (ts < queue_.time_of(i)) queue_.decrease(i, ts);
            };
            if constexpr (batch_kicker<M>) {
                // Gather a chunk of targets, kick them together, scatter back. A target listed twice
                // (multapses) is adjacent in its sorted list: flush first so both kicks count.
                constexpr std::size_t chunk = 64;
                double s[chunk];
                const typename M::neuron* n[chunk];
                std::uint32_t id[chunk];
                std::size_t m = 0;
                auto flush = [&] {
                    if (m == 0) return;
                    model.kick_batch(n, s, m, j, ctx);
                    for (std::size_t k = 0; k < m; ++k) cell[id[k] * stride] = s[k];
                    if (j > 0.0)
                        for (std::size_t k = 0; k < m; ++k) advance_if_earlier(id[k], *n[k]);
                    m = 0;
                };
                for (std::uint32_t i : targets) {
                    if (m == chunk || (m > 0 && id[m - 1] == i)) flush();
                    id[m] = i;
                    s[m] = cell[i * stride];
                    n[m] = &pn.at(i - post.first);
                    ++m;
                }
                flush();
            } else if (j <= 0.0 && pn.neurons.size() == 1) {
                const auto& n = pn.neurons[0];
                for (std::uint32_t i : targets) cell[i * stride] = model.kick(n, cell[i * stride], j, ctx);
            } else {
                for (std::uint32_t i : targets) {
                    const auto& n = pn.at(i - post.first);
                    cell[i * stride] = model.kick(n, cell[i * stride], j, ctx);
                    if (j > 0.0) advance_if_earlier(i, n);
                }
            }
        },
        graph_.neurons[proj.post]);
    state_.stats.kicks += targets.size();
}

void simulation::deliver_weighted(const network::resolved_projection& proj, std::span<const std::uint32_t> targets,
                                  std::span<const float> weights, double t) {
    // A weight per synapse: one kick at a time with its own weight (the batched kicks share one
    // weight). Kicks that advance a spike re-key it, as in deliver.
    const network::id_range& post = graph_.local_ranges[proj.post];
    double* const cell = state_.cells.data();
    const std::size_t stride = stride_;
    std::visit(
        [&](const auto& pn) {
            const auto& model = pn.model;
            const auto ctx = model.make_context(t);
            for (std::size_t k = 0; k < targets.size(); ++k) {
                const std::uint32_t i = targets[k];
                const double w = double(weights[k]);
                const auto& n = pn.at(i - post.first);
                cell[i * stride] = model.kick(n, cell[i * stride], w, ctx);
                if (w > 0.0) {
                    const double ts = std::max(model.spike_time(n, cell[i * stride]), t);
                    if (ts < queue_.time_of(i)) queue_.decrease(i, ts);
                }
            }
        },
        graph_.neurons[proj.post]);
    state_.stats.kicks += targets.size();
}

inline void simulation::prefetch_bounds(std::uint64_t pre) const {
    for (std::size_t k : graph_.outgoing[graph_.layout.population_of(pre)]) graph_.targets[k].prefetch_bounds(pre);
}

inline void simulation::prefetch_row(std::uint64_t pre) const {
    for (std::size_t k : graph_.outgoing[graph_.layout.population_of(pre)]) graph_.targets[k].prefetch_row(pre);
}

void simulation::apply_spike(std::uint64_t id, double t) {
    // With zero delay, excitation strong enough to re-fire a neuron that was just reset makes
    // an infinite burst at one instant. More spikes at one time than neurons means that happened.
    state_.same_instant = t == state_.now ? state_.same_instant + 1 : 0;
    if (state_.same_instant > graph_.layout.total())
        throw std::runtime_error("runaway excitation: more than " + std::to_string(graph_.layout.total()) +
                                 " spikes at the single instant t = " + std::to_string(state_.origin_ms + t) +
                                 " ms (with zero delay the excitatory weights re-fire neurons at once; "
                                 "reduce the excitatory j0/weight or strengthen inhibition)");
    state_.now = t;
    ++state_.stats.network_spikes;
    const bool mine = graph_.layout.local().contains(id);
    // Every rank knows every spike: each hands all of them to its observer, in global order.
    if (recording_) buffer_.push_back({state_.origin_ms + t, id});
    if (sink_) sink_->begin_spike(id, state_.origin_ms + t, mine, mine ? omega(std::uint32_t(id - graph_.layout.local().first)) : 0.0);
    if (mine) fire(std::uint32_t(id - graph_.layout.local().first), t);
    // The neuron now at the top of the queue will probably fire next, and the heap's second
    // entry after it. Ask for their row bounds now, and for rows after this spike's kicks, so
    // that the cache misses overlap with work. Memory takes longer than one spike's kicks at
    // large N, so there the row of the spike after next is asked for: a whole spike ahead of
    // use. (Opening buckets before the kicks is safe: keys are lower bounds, and kicks that
    // advance a spike re-key it.)
    queue_.ready(exact_times{this});
    const std::uint64_t first = graph_.layout.local().first;
    std::uint32_t next = 0, after = 0;
    const bool guess = queue_.peek(next);
    const bool guess_after = n_local_ >= fetch_ahead_from_neurons && queue_.peek_second(after);
    if (guess) prefetch_bounds(first + next);
    if (guess_after) prefetch_bounds(first + after);
    for (std::size_t k : graph_.outgoing[graph_.layout.population_of(id)]) {
        if (sink_)
            deliver_tracked(graph_.projections[k], id, t);
        else
            deliver(graph_.projections[k], id, t);
    }
    if (guess && first + next != row_asked_) prefetch_row(first + next);
    row_asked_ = guess_after ? first + after : ~std::uint64_t(0);
    if (guess_after) prefetch_row(row_asked_);
    if (t > origin_span_ms_) shift_origin(t);
    if (++state_.events_since_tune == tune_interval) tune_queue();
}

void simulation::shift_origin(double dt) {
    if (holding_.active()) holding_.flush(*this);  // held kicks carry E of the old origin
    for (std::size_t p = 0; p < graph_.neurons.size(); ++p) {
        const auto& r = graph_.local_ranges[p];
        std::visit(
            [&](const auto& pn) {
                for (std::uint64_t i = r.first; i < r.end(); ++i) cell_state(i) = pn.model.shift_origin(cell_state(i), dt);
            },
            graph_.neurons[p]);
    }
    state_.inputs.shift_origin(dt);
    // An entry walking a row of per-synapse delays computes each synapse's arrival from its
    // emission time, emitted + delay. Recomputed so after a shift too, the arrival of a synapse
    // does not depend on which synapse the entry pointed at when the origin moved, which differs
    // between rank counts (each rank walks its own part of the row) and between a run and a
    // restart from a checkpoint. A row with one delay keeps its one shifted arrival, the same on
    // every rank.
    state_.transit.shift_origin(dt, [&](const in_transit& e, double shift) {
        const auto& proj = graph_.projections[e.projection];
        if (!proj.synapse_delays()) return e.arrival - shift;
        return e.emitted + double(graph_.targets[e.projection].stored_delays_ms()[e.cursor]);
    });
    state_.origin_ms += dt;
    state_.now -= dt;
    ++state_.stats.origin_shifts;
    rebuild_queue();
}

void simulation::track_jacobian(jacobian_sink* sink) {
    if (sink && graph_.min_delay_ms > 0.0)
        throw std::invalid_argument("Lyapunov spectra need zero delay: every projection must have delay_ms = 0");
    sink_ = sink;
    holding_.update(*this, hold_policy_, sink_ != nullptr);  // the sink needs every kick as it happens
}

std::vector<double> simulation::phases_at(double t_ms) const {
    std::vector<double> out(n_local_);
    const double t = t_ms - state_.origin_ms;
    for (std::size_t p = 0; p < graph_.neurons.size(); ++p)
        std::visit(
            [&](const auto& pn) {
                for (std::uint64_t i = graph_.local_ranges[p].first; i < graph_.local_ranges[p].end(); ++i)
                    out[i] = pn.model.phase(pn.at(i - graph_.local_ranges[p].first), cell_state(i), t);
            },
            graph_.neurons[p]);
    return out;
}

void simulation::set_phases(const std::vector<double>& phases, double t_ms) {
    if (phases.size() != n_local_) throw std::invalid_argument("set_phases: one phase per local neuron");
    const double t = t_ms - state_.origin_ms;
    for (std::size_t p = 0; p < graph_.neurons.size(); ++p)
        std::visit(
            [&](const auto& pn) {
                for (std::uint64_t i = graph_.local_ranges[p].first; i < graph_.local_ranges[p].end(); ++i) {
                    // The state of a neuron that fired (φ − φ_reset) τ/ω before t and was not kicked since.
                    const auto& n = pn.at(i - graph_.local_ranges[p].first);
                    const double fired = t - (phases[i] - pn.model.phase_reset()) * pn.model.tau_ms / n.omega;
                    cell_state(i) = pn.model.reset_state(n, pn.model.make_context(fired));
                }
            },
            graph_.neurons[p]);
    state_.now = std::max(state_.now, t);
    rebuild_queue();
}

void simulation::deliver_tracked(const network::resolved_projection& proj, std::uint64_t pre, double t) {
    const network::id_range& post = graph_.local_ranges[proj.post];
    if (post.size == 0) return;
    const double j = proj.weight;
    // The targets first, so that the sink can fetch the data of target k + 2 (its row of Q)
    // while the model arithmetic of target k runs.
    const auto& synapses = graph_.targets[proj.index];
    const auto targets = synapses.targets_of(pre, scratch_);
    const std::size_t count = targets.size();
    const auto weights = synapses.per_synapse_weights() ? synapses.weights_of(pre, targets, weight_scratch_)
                                                         : std::span<const float>{};
    constexpr std::size_t ahead = 2;
    for (std::size_t k = 0; k < std::min(ahead, count); ++k) sink_->prefetch(targets[k]);
    std::visit(
        [&](const auto& pn) {
            const auto& model = pn.model;
            const auto ctx = model.make_context(t);
            for (std::size_t k = 0; k < count; ++k) {
                if (k + ahead < count) sink_->prefetch(targets[k + ahead]);
                const std::uint32_t i = targets[k];
                const double w = weights.empty() ? j : double(weights[k]);
                const auto& n = pn.at(i - post.first);
                double d = model.ptc_slope(n, model.phase(n, cell_state(i), t), w);
                cell_state(i) = model.kick(n, cell_state(i), w, ctx);
                const double ts = model.spike_time(n, cell_state(i));
                if (ts <= t) d = 0.0;  // kicked across threshold: fires now, its phase restarts
                if (w > 0.0 && std::max(ts, t) < queue_.time_of(i)) queue_.decrease(i, std::max(ts, t));
                sink_->kick(i, d, n.omega);
            }
        },
        graph_.neurons[proj.post]);
    state_.stats.kicks += count;
}

void simulation::kick_one(std::size_t p, std::uint32_t i, double j, double t) {
    std::visit(
        [&](const auto& pn) {
            const auto& n = pn.at(i - graph_.local_ranges[p].first);
            cell_state(i) = pn.model.kick(n, cell_state(i), j, pn.model.make_context(t));
            if (j > 0.0) {  // may advance the spike (see deliver)
                const double ts = std::max(pn.model.spike_time(n, cell_state(i)), t);
                if (ts < queue_.time_of(i)) queue_.decrease(i, ts);
            }
        },
        graph_.neurons[p]);
}

void simulation::apply_input() {
    const double t = state_.inputs.next_time();
    const std::uint32_t i = state_.inputs.next_neuron();
    state_.now = t;
    if (sink_) {
        const std::size_t p = local_population(i);
        const double j = state_.inputs.next_weight();
        std::visit(
            [&](const auto& pn) {
                const auto& n = pn.at(i - graph_.local_ranges[p].first);
                const double d = pn.model.ptc_slope(n, pn.model.phase(n, cell_state(i), t), j);
                kick_one(p, i, j, t);
                sink_->input(i, pn.model.spike_time(n, cell_state(i)) <= t ? 0.0 : d);
            },
            graph_.neurons[p]);
    } else {
        kick_one(local_population(i), i, state_.inputs.next_weight(), t);
    }
    state_.inputs.advance();
    ++state_.stats.inputs;
}

void simulation::schedule_arrivals(const spike_candidate& s, double window_end) {
    for (std::size_t k : graph_.outgoing[graph_.layout.population_of(s.neuron)]) {
        const auto& proj = graph_.projections[k];
        if (graph_.local_ranges[proj.post].size == 0 || !graph_.targets[k].may_have_targets(s.neuron)) continue;
        in_transit e{s.time + proj.delay_ms, s.time, s.neuron, 0, std::uint32_t(k), 0};
        if (proj.synapse_delays()) {
            // The entry walks the row, sorted by delay, from its first synapse.
            const auto row = graph_.targets[k].row_with_delays(s.neuron);
            e.cursor = graph_.targets[k].row_offset(s.neuron);
            e.remaining = std::uint32_t(row.size);
            e.arrival = s.time + double(row.delays_ms[0]);
        }
        if (!(e.arrival >= window_end))  // the window is over: an earlier arrival would be lost
            throw std::logic_error("spike arrival inside the window of its spike (delay below the window length)");
        state_.transit.push(e);
    }
}

void simulation::apply_arrival() {
    in_transit e = state_.transit.top();
    const auto& proj = graph_.projections[e.projection];
    state_.now = e.arrival;
    if (!proj.synapse_delays()) {
        state_.transit.pop();
        deliver(proj, e.source, e.arrival);
        return;
    }
    // Kick every synapse of the row that arrives now, then wait for the next one. The entry
    // holds its place in the stored rows, so no row lookup per synapse.
    const std::uint32_t* target = graph_.targets[e.projection].stored_targets();
    const float* delay = graph_.targets[e.projection].stored_delays_ms();
    const float* weight = graph_.targets[e.projection].stored_weights();  // nullptr: proj.weight
    do {
        kick_one(proj.post, target[e.cursor], weight ? double(weight[e.cursor]) : proj.weight, e.arrival);
        ++state_.stats.kicks;
        ++e.cursor;
        --e.remaining;
    } while (e.remaining > 0 && e.emitted + double(delay[e.cursor]) == e.arrival);
    if (e.remaining > 0) {
        e.arrival = e.emitted + double(delay[e.cursor]);
        state_.transit.replace_top(e);
    } else {
        state_.transit.pop();
    }
}

portable_state simulation::export_state() const {
    portable_state p;
    p.cells = states();
    state_.inputs.export_state(n_local_, p.input_next, p.input_drawn);
    for (const auto& e : state_.transit.entries()) p.flights.push_back({e.source, e.projection, e.emitted, e.arrival});
    p.now = state_.now;
    p.origin_ms = state_.origin_ms;
    p.same_instant = state_.same_instant;
    p.windows_done = state_.windows_done;
    p.network_spikes = state_.stats.network_spikes;
    p.bucket_width_ms = state_.bucket_width_ms;
    p.hold_window_ms = state_.hold_window_ms;
    return p;
}

void simulation::import_state(const portable_state& p) {
    if (p.cells.size() != n_local_ || p.input_next.size() != n_local_ || p.input_drawn.size() != n_local_)
        throw std::invalid_argument("simulation::import_state: " + std::to_string(p.cells.size()) +
                                    " neuron states for " + std::to_string(n_local_) + " local neurons");
    for (std::size_t i = 0; i < n_local_; ++i) cell_state(i) = p.cells[i];
    state_.inputs.import_state(p.input_next, p.input_drawn);
    state_.now = p.now;
    state_.origin_ms = p.origin_ms;
    state_.same_instant = p.same_instant;
    state_.windows_done = p.windows_done;
    state_.stats.network_spikes = p.network_spikes;
    state_.bucket_width_ms = p.bucket_width_ms;
    state_.hold_window_ms = p.hold_window_ms;
    // Spikes in flight: every rank saw some of them; each rank keeps those that still reach one
    // of its neurons. At a safe point every arrival before `now` has been applied and none at or
    // after it (window_schedule), and a synapse's arrival is emitted + delay (shift_origin), so
    // the synapses still to come are the suffix of the row (sorted by delay) from `now` on.
    std::vector<flight> flights = p.flights;
    auto key = [](const flight& f) {
        return std::tuple(f.source, f.projection, std::bit_cast<std::uint64_t>(f.emitted));
    };
    std::sort(flights.begin(), flights.end(), [&](const flight& a, const flight& b) { return key(a) < key(b); });
    flights.erase(std::unique(flights.begin(), flights.end(), [&](const flight& a, const flight& b) { return key(a) == key(b); }),
                  flights.end());
    state_.transit = delivery_queue{};
    for (const auto& f : flights) {
        if (f.projection >= graph_.projections.size())
            throw std::invalid_argument("simulation::import_state: a spike in flight through projection " +
                                        std::to_string(f.projection) + " of " +
                                        std::to_string(graph_.projections.size()));
        const auto k = std::uint32_t(f.projection);
        const auto& proj = graph_.projections[k];
        const auto& targets = graph_.targets[k];
        if (graph_.local_ranges[proj.post].size == 0 || !targets.may_have_targets(f.source)) continue;
        in_transit e{f.arrival, f.emitted, f.source, 0, k, 0};
        if (proj.synapse_delays()) {
            const auto row = targets.row_with_delays(f.source);
            std::uint64_t c = 0;
            while (c < row.size && f.emitted + double(row.delays_ms[c]) < state_.now) ++c;
            if (c == row.size) continue;
            e.cursor = targets.row_offset(f.source) + c;
            e.remaining = std::uint32_t(row.size - c);
            e.arrival = f.emitted + double(row.delays_ms[c]);
        }
        state_.transit.push(e);
    }
    rebuild_queue();
}

memory_report simulation::memory() const {
    memory_report m;
    m.neuron_bytes = state_.cells.capacity() * sizeof(double) + queue_.memory_bytes() + state_.inputs.memory_bytes() +
                     holding_.memory_bytes() + graph_.neuron_constant_bytes();
    m.synapse_bytes = graph_.synapse_bytes();
    m.synapses = graph_.stored_synapses();
    return m;
}

}  // namespace sparsechaos::engine
