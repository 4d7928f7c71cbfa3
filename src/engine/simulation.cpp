#include "sparsechaos/engine/simulation.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "sparsechaos/network/random.hpp"

namespace sparsechaos::engine {

simulation::simulation(const network::network_spec& spec, int rank, int n_ranks)
    : layout_(spec, rank, n_ranks) {
    if (layout_.local().size > std::numeric_limits<std::uint32_t>::max())
        throw std::invalid_argument("more than 2^32 - 1 neurons on one rank: use more ranks");
    projections_ = network::resolve_projections(spec, layout_);
    drives_ = network::population_drives(spec, projections_);
    outgoing_.resize(spec.populations.size());
    for (const auto& p : projections_) {
        targets_.emplace_back(spec, layout_, p);
        outgoing_[p.pre].push_back(p.index);
    }

    // Per-population neuron constants and initial states (uniform random phases, keyed by id).
    const auto& local = layout_.local();
    keyed_ = network::any_excitation(spec);
    stride_ = event_queue::stride(keyed_);
    cells_.resize(local.size * stride_);
    n_local_ = local.size;
    origin_span_ms_ = std::numeric_limits<double>::infinity();
    stats_.population_spikes.assign(spec.populations.size(), 0);
    for (std::size_t p = 0; p < spec.populations.size(); ++p) {
        const auto& pop = layout_.population(p);
        const std::uint64_t first = std::max(pop.first, local.first);
        const std::uint64_t end = std::min(pop.end(), local.end());
        local_ranges_.push_back({first - local.first, end > first ? end - first : 0});
        neurons_.push_back(std::visit(
            [&](const auto& model) -> any_population_neurons {
                using M = std::decay_t<decltype(model)>;
                population_neurons<M> pn{model, {}};
                origin_span_ms_ = std::min(origin_span_ms_, model.max_origin_span_ms());
                const bool homogeneous = spec.populations[p].drive.jitter == 0.0;
                try {
                    if (homogeneous)
                        pn.neurons.push_back(model.make_neuron(drives_[p]));
                    else
                        pn.neurons.reserve(end > first ? end - first : 0);
                    for (std::uint64_t id = first; id < end; ++id) {
                        if (!homogeneous)
                            pn.neurons.push_back(model.make_neuron(network::neuron_drive(spec, p, drives_[p], id)));
                        const auto& n = pn.at(id - first);
                        network::random_stream rng(spec.simulation.seed, network::stream_purpose::initial_phase, 0, id);
                        const double phi = model.phase_reset() +
                                           rng.uniform() * (model.phase_threshold() - model.phase_reset());
                        // The state of a neuron that fired when its phase was phi ago.
                        const double fired_at = -(phi - model.phase_reset()) * model.tau_ms / n.omega;
                        state(id - local.first) = model.reset_state(n, model.make_context(fired_at));
                    }
                } catch (const std::invalid_argument& e) {
                    throw std::invalid_argument("population '" + spec.populations[p].name + "': " + e.what());
                }
                return pn;
            },
            spec.populations[p].model));
    }
    min_delay_ms_ = network::minimum_delay_ms(projections_);
    inputs_ = poisson_input(spec, layout_, local_ranges_);
    for (const auto& pop : spec.populations) any_inputs_ = any_inputs_ || pop.poisson.has_value();
    // Until the event rate is known, guess 1 Hz per neuron (the width affects speed, never results).
    bucket_width_ms_ = events_per_bucket * 1e3 / double(std::max<std::uint64_t>(layout_.total(), 1));
    // Held kicks need kicks that only delay (no excitation), arriving at once (zero delay, no
    // input events between spikes), and the LIF kick (held_kicks::event).
    hold_possible_ = !keyed_ && !any_inputs_ && min_delay_ms_ == 0.0;
    for (const auto& pn : neurons_) hold_possible_ = hold_possible_ && std::holds_alternative<population_neurons<models::lif>>(pn);
    hold_policy_ = spec.simulation.hold_kicks;
    update_holding();
    if (!hold_) rebuild_queue();
}

std::size_t simulation::local_population(std::uint32_t local) const {
    std::size_t p = 0;
    while (local >= local_ranges_[p].end()) ++p;
    return p;
}

double simulation::spike_time(std::uint32_t i) const {
    const std::size_t p = local_population(i);
    return std::visit([&](const auto& pn) { return pn.model.spike_time(pn.at(i - local_ranges_[p].first), state(i)); },
                      neurons_[p]);
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
        const auto& range = local_ranges_[p];
        std::size_t end = k + 1;
        while (end < n && range.contains(ids[end])) ++end;
        std::visit(
            [&](const auto& pn) {
                if constexpr (batch_timer<std::decay_t<decltype(pn.model)>>) {
                    constexpr std::size_t chunk = 64;
                    double s[chunk];
                    for (std::size_t k0 = k; k0 < end; k0 += chunk) {
                        const std::size_t m = std::min(chunk, end - k0);
                        for (std::size_t l = 0; l < m; ++l) s[l] = state(ids[k0 + l]);
                        pn.model.spike_times(s, out + k0, m);
                    }
                } else {
                    for (std::size_t l = k; l < end; ++l)
                        out[l] = pn.model.spike_time(pn.at(ids[l] - range.first), state(ids[l]));
                }
            },
            neurons_[p]);
        k = end;
    }
}

void simulation::rebuild_queue() {
    if (hold_) {
        window_end_ = -std::numeric_limits<double>::infinity();  // a new window from now on
        open_window();
        return;
    }
    // A neuron kicked across threshold has a spike time before now: it fires now.
    std::vector<double> times(n_local_);
    for (std::uint32_t i = 0; i < n_local_; ++i) times[i] = std::max(spike_time(i), now_);
    queue_.assign(cells_.data(), n_local_, keyed_, times.data(), bucket_width_ms_);
}

void simulation::tune_queue() {
    // Calendar-queue rule: buckets about `events_per_bucket` network events wide (measured as
    // the time between the last events); rebuild only when the width is off by more than 2x.
    const double elapsed = origin_ms_ + now_ - tune_start_ms_;
    const double best = events_per_bucket * elapsed / double(events_since_tune_);
    events_since_tune_ = 0;
    tune_start_ms_ = origin_ms_ + now_;
    if (best > 0.0 && (best > 2.0 * bucket_width_ms_ || best < 0.5 * bucket_width_ms_)) {
        bucket_width_ms_ = best;
        ++stats_.queue_retunes;
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
            if (hold_ && !(top.time < window_end_)) break;
            const double t = spike_time(top.id);
            if (t <= top.time) return {top.time, top.id};
            queue_.replace_top(t);  // stale lower bound: the neuron was inhibited since it was keyed
            ++stats_.stale_pops;
        }
        if (!hold_ || !open_window()) return {std::numeric_limits<double>::infinity(), 0};
    }
}

void simulation::fire(std::uint32_t i, double t) {
    const std::size_t p = local_population(i);
    std::visit(
        [&](const auto& pn) {
            const auto& n = pn.at(i - local_ranges_[p].first);
            state(i) = pn.model.reset_state(n, pn.model.make_context(t));
            queue_.replace_top(pn.model.spike_time(n, state(i)));
        },
        neurons_[p]);
    ++stats_.spikes;
    ++stats_.population_spikes[p];
}

namespace {

// Models that kick many neurons at once (vectorized transcendental functions).
template <class M>
concept batch_kicker = requires(const M m, const typename M::neuron* const* n, double* s, const typename M::context c) {
    m.kick_batch(n, s, std::size_t{}, 0.0, c);
};

}  // namespace

void simulation::deliver(const network::resolved_projection& proj, std::uint64_t pre, double t) {
    const network::id_range& post = local_ranges_[proj.post];
    if (post.size == 0) return;
    if (hold_) {
        deliver_holding(proj, pre, t);
        return;
    }
    const double j = proj.weight;
    const auto targets = targets_[proj.index].targets_of(pre, scratch_);
    double* const cell = cells_.data();
    const std::size_t stride = stride_;
    // Every target's cell is a cache miss at large N: ask for all of them before the first kick
    // needs one, so that they arrive together rather than as far as the reorder window reaches.
    for (std::uint32_t i : targets) __builtin_prefetch(&cell[i * stride], 1);
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
        neurons_[proj.post]);
    stats_.kicks += targets.size();
}

inline void simulation::prefetch_bounds(std::uint64_t pre) const {
    for (std::size_t k : outgoing_[layout_.population_of(pre)]) targets_[k].prefetch_bounds(pre);
}

inline void simulation::prefetch_row(std::uint64_t pre) const {
    for (std::size_t k : outgoing_[layout_.population_of(pre)]) targets_[k].prefetch_row(pre);
}

void simulation::apply_spike(std::uint64_t id, double t) {
    // With zero delay, excitation strong enough to re-fire a neuron that was just reset makes
    // an infinite burst at one instant. More spikes at one time than neurons means that happened.
    same_instant_ = t == now_ ? same_instant_ + 1 : 0;
    if (same_instant_ > layout_.total())
        throw std::runtime_error("runaway excitation: more than " + std::to_string(layout_.total()) +
                                 " spikes at the single instant t = " + std::to_string(origin_ms_ + t) +
                                 " ms (with zero delay the excitatory weights re-fire neurons at once; "
                                 "reduce the excitatory j0/weight or strengthen inhibition)");
    now_ = t;
    ++stats_.network_spikes;
    const bool mine = layout_.local().contains(id);
    // Every rank knows every spike: each hands all of them to its observer, in global order.
    if (recording_) buffer_.push_back({origin_ms_ + t, id});
    if (sink_) sink_->begin_spike(id, origin_ms_ + t, mine, mine ? omega(std::uint32_t(id - layout_.local().first)) : 0.0);
    if (mine) fire(std::uint32_t(id - layout_.local().first), t);
    // The neuron now at the top of the queue will probably fire next, and the heap's second
    // entry after it. Ask for their row bounds now, and for rows after this spike's kicks, so
    // that the cache misses overlap with work. Memory takes longer than one spike's kicks at
    // large N, so there the row of the spike after next is asked for: a whole spike ahead of
    // use. (Opening buckets before the kicks is safe: keys are lower bounds, and kicks that
    // advance a spike re-key it.)
    queue_.ready(exact_times{this});
    const std::uint64_t first = layout_.local().first;
    std::uint32_t next = 0, after = 0;
    const bool guess = queue_.peek(next);
    const bool guess_after = n_local_ >= fetch_ahead_from_neurons && queue_.peek_second(after);
    if (guess) prefetch_bounds(first + next);
    if (guess_after) prefetch_bounds(first + after);
    for (std::size_t k : outgoing_[layout_.population_of(id)]) {
        if (sink_)
            deliver_tracked(projections_[k], id, t);
        else
            deliver(projections_[k], id, t);
    }
    if (guess && first + next != row_asked_) prefetch_row(first + next);
    row_asked_ = guess_after ? first + after : ~std::uint64_t(0);
    if (guess_after) prefetch_row(row_asked_);
    if (t > origin_span_ms_) shift_origin(t);
    if (++events_since_tune_ == tune_interval) tune_queue();
}

void simulation::shift_origin(double dt) {
    if (hold_) flush_held();  // held kicks carry E of the old origin
    for (std::size_t p = 0; p < neurons_.size(); ++p) {
        const auto& r = local_ranges_[p];
        std::visit(
            [&](const auto& pn) {
                for (std::uint64_t i = r.first; i < r.end(); ++i) state(i) = pn.model.shift_origin(state(i), dt);
            },
            neurons_[p]);
    }
    inputs_.shift_origin(dt);
    transit_.shift_origin(dt);
    origin_ms_ += dt;
    now_ -= dt;
    ++stats_.origin_shifts;
    rebuild_queue();
}

void simulation::track_jacobian(jacobian_sink* sink) {
    if (sink && min_delay_ms_ > 0.0)
        throw std::invalid_argument("Lyapunov spectra need zero delay: every projection must have delay_ms = 0");
    sink_ = sink;
    update_holding();  // the sink needs every kick as it happens
}

double simulation::omega(std::uint32_t i) const {
    const std::size_t p = local_population(i);
    return std::visit([&](const auto& pn) { return double(pn.at(i - local_ranges_[p].first).omega); }, neurons_[p]);
}

std::vector<double> simulation::phases_at(double t_ms) const {
    std::vector<double> out(n_local_);
    const double t = t_ms - origin_ms_;
    for (std::size_t p = 0; p < neurons_.size(); ++p)
        std::visit(
            [&](const auto& pn) {
                for (std::uint64_t i = local_ranges_[p].first; i < local_ranges_[p].end(); ++i)
                    out[i] = pn.model.phase(pn.at(i - local_ranges_[p].first), state(i), t);
            },
            neurons_[p]);
    return out;
}

void simulation::set_phases(const std::vector<double>& phases, double t_ms) {
    if (phases.size() != n_local_) throw std::invalid_argument("set_phases: one phase per local neuron");
    const double t = t_ms - origin_ms_;
    for (std::size_t p = 0; p < neurons_.size(); ++p)
        std::visit(
            [&](const auto& pn) {
                for (std::uint64_t i = local_ranges_[p].first; i < local_ranges_[p].end(); ++i) {
                    // The state of a neuron that fired (φ − φ_reset) τ/ω before t and was not kicked since.
                    const auto& n = pn.at(i - local_ranges_[p].first);
                    const double fired = t - (phases[i] - pn.model.phase_reset()) * pn.model.tau_ms / n.omega;
                    state(i) = pn.model.reset_state(n, pn.model.make_context(fired));
                }
            },
            neurons_[p]);
    now_ = std::max(now_, t);
    rebuild_queue();
}

void simulation::deliver_tracked(const network::resolved_projection& proj, std::uint64_t pre, double t) {
    const network::id_range& post = local_ranges_[proj.post];
    if (post.size == 0) return;
    const double j = proj.weight;
    // The targets first, so that the sink can fetch the data of target k + 2 (its row of Q)
    // while the model arithmetic of target k runs.
    const auto targets = targets_[proj.index].targets_of(pre, scratch_);
    const std::size_t count = targets.size();
    constexpr std::size_t ahead = 2;
    for (std::size_t k = 0; k < std::min(ahead, count); ++k) sink_->prefetch(targets[k]);
    std::visit(
        [&](const auto& pn) {
            const auto& model = pn.model;
            const auto ctx = model.make_context(t);
            for (std::size_t k = 0; k < count; ++k) {
                if (k + ahead < count) sink_->prefetch(targets[k + ahead]);
                const std::uint32_t i = targets[k];
                const auto& n = pn.at(i - post.first);
                double d = model.ptc_slope(n, model.phase(n, state(i), t), j);
                state(i) = model.kick(n, state(i), j, ctx);
                const double ts = model.spike_time(n, state(i));
                if (ts <= t) d = 0.0;  // kicked across threshold: fires now, its phase restarts
                if (j > 0.0 && std::max(ts, t) < queue_.time_of(i)) queue_.decrease(i, std::max(ts, t));
                sink_->kick(i, d, n.omega);
            }
        },
        neurons_[proj.post]);
    stats_.kicks += count;
}

void simulation::kick_one(std::size_t p, std::uint32_t i, double j, double t) {
    std::visit(
        [&](const auto& pn) {
            const auto& n = pn.at(i - local_ranges_[p].first);
            state(i) = pn.model.kick(n, state(i), j, pn.model.make_context(t));
            if (j > 0.0) {  // may advance the spike (see deliver)
                const double ts = std::max(pn.model.spike_time(n, state(i)), t);
                if (ts < queue_.time_of(i)) queue_.decrease(i, ts);
            }
        },
        neurons_[p]);
}

void simulation::apply_input() {
    const double t = inputs_.next_time();
    const std::uint32_t i = inputs_.next_neuron();
    now_ = t;
    if (sink_) {
        const std::size_t p = local_population(i);
        const double j = inputs_.next_weight();
        std::visit(
            [&](const auto& pn) {
                const auto& n = pn.at(i - local_ranges_[p].first);
                const double d = pn.model.ptc_slope(n, pn.model.phase(n, state(i), t), j);
                kick_one(p, i, j, t);
                sink_->input(i, pn.model.spike_time(n, state(i)) <= t ? 0.0 : d);
            },
            neurons_[p]);
    } else {
        kick_one(local_population(i), i, inputs_.next_weight(), t);
    }
    inputs_.advance();
    ++stats_.inputs;
}

void simulation::schedule_arrivals(const spike_candidate& s, double window_end) {
    for (std::size_t k : outgoing_[layout_.population_of(s.neuron)]) {
        const auto& proj = projections_[k];
        if (local_ranges_[proj.post].size == 0 || !targets_[k].may_have_targets(s.neuron)) continue;
        in_transit e{s.time + proj.delay_ms, s.time, s.neuron, 0, std::uint32_t(k), 0};
        if (proj.synapse_delays()) {
            // The entry walks the row, sorted by delay, from its first synapse.
            const auto row = targets_[k].row_with_delays(s.neuron);
            e.cursor = targets_[k].row_offset(s.neuron);
            e.remaining = std::uint32_t(row.size);
            e.arrival = s.time + double(row.delays_ms[0]);
        }
        if (!(e.arrival >= window_end))  // the window is over: an earlier arrival would be lost
            throw std::logic_error("spike arrival inside the window of its spike (delay below the window length)");
        transit_.push(e);
    }
}

void simulation::apply_arrival() {
    in_transit e = transit_.top();
    const auto& proj = projections_[e.projection];
    now_ = e.arrival;
    if (!proj.synapse_delays()) {
        transit_.pop();
        deliver(proj, e.source, e.arrival);
        return;
    }
    // Kick every synapse of the row that arrives now, then wait for the next one. The entry
    // holds its place in the stored rows, so no row lookup per synapse.
    const std::uint32_t* target = targets_[e.projection].stored_targets();
    const float* delay = targets_[e.projection].stored_delays_ms();
    do {
        kick_one(proj.post, target[e.cursor], proj.weight, e.arrival);
        ++stats_.kicks;
        ++e.cursor;
        --e.remaining;
    } while (e.remaining > 0 && e.emitted + double(delay[e.cursor]) == e.arrival);
    if (e.remaining > 0) {
        e.arrival = e.emitted + double(delay[e.cursor]);
        transit_.replace_top(e);
    } else {
        transit_.pop();
    }
}

memory_report simulation::memory() const {
    memory_report m;
    m.neuron_bytes = cells_.capacity() * sizeof(double) + queue_.memory_bytes() + inputs_.memory_bytes() +
                     held_.memory_bytes();
    for (const auto& pn : neurons_)
        std::visit([&](const auto& x) { m.neuron_bytes += x.neurons.capacity() * sizeof(x.neurons[0]); }, pn);
    for (const auto& t : targets_) {
        m.synapse_bytes += t.memory_bytes();
        m.synapses += t.stored_synapses();
    }
    return m;
}

}  // namespace sparsechaos::engine
