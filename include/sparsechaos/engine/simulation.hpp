#pragma once
// The exact event-based network simulation of one rank (SparseProp, Engelken 2023).
//
// Every neuron keeps one state double (its model's encoding of the next spike time) and a key in
// an event queue. A spike of neuron j at time t: reset j, then every target i gets the kick of
// its projection, s_i ← kick(s_i). Kicks with J < 0 only delay spikes, so the queue key of an
// inhibited neuron is left as it is: a key is only a lower bound of the neuron's true spike time,
// and a stale key is re-keyed when it reaches the top (lazy re-keying). Excitatory kicks that
// advance a spike decrease the key at once; one that crosses threshold makes the neuron fire at t.
//
// The pieces (docs/design.md, "Engine state and schedules"):
//   network::local_graph  what this rank knows of the network, built by the network room;
//   engine_state          everything a run changes, one value (engine_state.hpp);
//   a schedule            how the state advances: zero_delay_schedule (ranks agree on every
//                         spike) or window_schedule (delays: windows of length < d_min run on
//                         their own, then the ranks swap the window's spikes); held_kick_windows
//                         defers kicks to neurons that cannot fire soon (zero-delay LIF);
//   parallel::context     how ranks talk (local on one process).
// This class holds them together and applies single events: spikes, arrivals, inputs.
//
// Event order: by time; at equal times inputs, then arrivals (by source id), then spikes (by
// global id). Time runs in a local coordinate whose origin moves forward from time to time (see
// shift_origin) so that no state loses precision in long runs.
#include <chrono>
#include <cstdint>
#include <limits>
#include <memory>
#include <span>
#include <variant>
#include <vector>

#include "sparsechaos/engine/engine_state.hpp"
#include "sparsechaos/engine/event_queue.hpp"
#include "sparsechaos/engine/held_kick_windows.hpp"
#include "sparsechaos/engine/jacobian_sink.hpp"
#include "sparsechaos/engine/observer.hpp"
#include "sparsechaos/network/local_graph.hpp"
#include "sparsechaos/parallel/context.hpp"

namespace sparsechaos::engine {

using parallel::spike_candidate;

struct memory_report {
    std::uint64_t neuron_bytes = 0;   // states, queue, per-neuron constants
    std::uint64_t synapse_bytes = 0;  // stored connectivity
    std::uint64_t synapses = 0;       // stored on this rank
};

class zero_delay_schedule;
class window_schedule;

class simulation {
public:
    // This rank's engine for `graph` (handed over), communicating through `ctx` (not owned; it
    // must have the graph's number of ranks when the simulation runs).
    explicit simulation(network::local_graph graph, parallel::context& ctx = parallel::local());
    ~simulation();
    simulation(const simulation&) = delete;
    simulation& operator=(const simulation&) = delete;

    // Report every spike's single-spike Jacobian to `sink` (not owned; nullptr: stop). Zero-delay
    // runs only: tangent dynamics need the exact global event order. Kicks then go one by one
    // through the scalar code (bit-identical to the batched kicks: same spike trains).
    void track_jacobian(jacobian_sink* sink);

    // Whether kicks to neurons that cannot fire soon are held back and applied in blocks
    // (held_kick_windows; the same results either way). The spec's simulation.hold_kicks sets the
    // policy at construction.
    using kick_holding = network::kick_holding;
    void hold_kicks(kick_holding policy);
    bool holds_kicks() const { return holding_.active(); }
    static constexpr std::size_t hold_from_neurons = held_kick_windows::hold_from_neurons;

    // Zero-delay (0) or the shortest delay of the network (ms).
    double minimum_delay_ms() const { return graph_.min_delay_ms; }
    // Length of the exchange windows of a run with delays: a little below d_min, so that an
    // arrival computed in floating point never falls inside the window of its spike.
    double window_ms() const { return graph_.min_delay_ms * (1.0 - 1e-9); }

    // Simulate all spikes with time < t_end_ms (absolute). May be called repeatedly; between
    // calls the state is complete (engine_state.hpp).
    void run_until(double t_end_ms, observer* obs = nullptr, double progress_interval_s = 1.0);

    // Zero delay: simulate until `network_spikes` more network spikes have happened (or t_limit_ms),
    // e.g. a warm-up counted in spikes per neuron; time_ms() is then the time of the last one.
    void run_spikes(std::uint64_t network_spikes, double t_limit_ms, observer* obs = nullptr,
                    double progress_interval_s = 1.0);

    // Next spike among this rank's neurons: (local time, local index); time = +inf if none.
    // Resolves stale queue keys on the way.
    std::pair<double, std::uint32_t> next_local_spike();
    // Zero delay: apply the spike of global neuron `id` at local time t: reset it if it is ours,
    // kick our targets.
    void apply_spike(std::uint64_t id, double t_local);

    // The state at a safe point (between runs), and a state taken from a simulation of the same
    // graph put back: the run then continues exactly as the one it was taken from.
    const engine_state& state() const { return state_; }
    void restore(const engine_state& state);

    // The state at a safe point in a form any number of ranks can rebuild (portable_state), and
    // the rebuild: each rank takes its neurons' values and the flights that reach its neurons.
    portable_state export_state() const;
    void import_state(const portable_state& state);

    const network::local_graph& graph() const { return graph_; }
    parallel::context& context() const { return ctx_; }
    double time_ms() const { return state_.time_ms(); }  // absolute time of the last event
    double origin_ms() const { return state_.origin_ms; }
    const network::layout& layout() const { return graph_.layout; }
    const std::vector<network::resolved_projection>& projections() const { return graph_.projections; }
    const std::vector<double>& population_drives() const { return graph_.drives; }
    run_statistics statistics() const {
        run_statistics s = state_.stats;
        s.stale_pops += queue_.rekeys();
        return s;
    }
    memory_report memory() const;
    // Engine states of the local neurons (model encodings of their next spike times), a copy.
    std::vector<double> states() const {
        std::vector<double> s(n_local_);
        for (std::size_t i = 0; i < n_local_; ++i) s[i] = state_.state(i);
        return s;
    }
    // ω of local neuron i (its phase velocity in units of 1/τ_m).
    double omega(std::uint32_t local) const { return graph_.omega(local); }
    // Phases of the local neurons at absolute time t_ms (no event between the last one and t).
    std::vector<double> phases_at(double t_ms) const;
    // Set the phases of the local neurons at absolute time t_ms (the time of the last event or
    // later, before the next one): a perturbed copy of a trajectory, e.g. for twin estimates.
    void set_phases(const std::vector<double>& phases, double t_ms);

private:
    friend class zero_delay_schedule;
    friend class window_schedule;
    friend class held_kick_windows;

    double& cell_state(std::size_t i) { return state_.cells[i * stride_]; }
    double cell_state(std::size_t i) const { return state_.cells[i * stride_]; }
    std::size_t local_population(std::uint32_t local) const { return graph_.local_population(local); }
    double spike_time(std::uint32_t local) const;
    // Exact spike times of n local neurons (the queue re-keys a bucket's neurons with this).
    void spike_times(const std::uint32_t* local, std::size_t n, double* out) const;
    struct exact_times {
        const simulation* sim;
        void operator()(const std::uint32_t* ids, std::size_t n, double* out) const { sim->spike_times(ids, n, out); }
    };
    void fire(std::uint32_t local, double t);
    void deliver(const network::resolved_projection& proj, std::uint64_t pre, double t);
    void deliver_weighted(const network::resolved_projection& proj, std::span<const std::uint32_t> targets,
                          std::span<const float> weights, double t);
    void kick_one(std::size_t population, std::uint32_t local, double weight, double t);
    void deliver_tracked(const network::resolved_projection& proj, std::uint64_t pre, double t);
    void apply_input();
    void apply_arrival();
    void schedule_arrivals(const spike_candidate& s, double window_end);
    void shift_origin(double dt);
    // Memory hints for the spikes of a neuron expected to fire soon: where its targets' rows
    // start, and the rows themselves.
    void prefetch_bounds(std::uint64_t pre) const;
    void prefetch_row(std::uint64_t pre) const;
    // Hand the buffered spikes to the observer (then a collective point, when all ranks are here).
    void hand_over_spikes(observer* obs, bool collective);
    // A progress report, at most every interval_s of wall time (`last`: the previous one).
    void report_progress(observer* obs, double time_ms, double end_ms,
                         std::chrono::steady_clock::time_point& last, double interval_s, double wall_s);
    std::uint64_t global_id(std::uint32_t local) const { return graph_.layout.local().first + local; }
    void rebuild_queue();
    void tune_queue();
    void check_context() const;
    static constexpr double events_per_bucket = 2.0;
    static constexpr std::uint64_t tune_interval = 1 << 16;
    // From this many local neurons on, the row of the spike after next is fetched one spike
    // ahead (docs/benchmarks.md, "The row one spike earlier"): measured 4–9 % faster from 10^5
    // on, 2–4 % slower at 10^4, where the rows are in cache and only the instructions count.
    static constexpr std::size_t fetch_ahead_from_neurons = std::size_t(1) << 15;

    const network::local_graph graph_;
    parallel::context& ctx_;
    engine_state state_;
    std::size_t stride_ = 2, n_local_ = 0;  // of state_.cells
    double origin_span_ms_;   // shift the origin once local time exceeds this
    event_queue queue_;       // an index over state_.cells (rebuilt by restore)
    held_kick_windows holding_;
    kick_holding hold_policy_ = kick_holding::automatic;
    std::unique_ptr<zero_delay_schedule> zero_delay_;
    std::unique_ptr<window_schedule> windows_;
    std::vector<std::uint32_t> scratch_;
    std::vector<float> weight_scratch_;  // per-synapse weights drawn for procedural rows
    std::uint64_t row_asked_ = ~std::uint64_t(0);  // whose row the last spike fetched ahead
    std::vector<spike> buffer_;  // spikes not yet handed to the observer
    bool recording_ = false;
    jacobian_sink* sink_ = nullptr;
    std::uint64_t spike_budget_ = std::numeric_limits<std::uint64_t>::max();  // network_spikes to stop at
};

}  // namespace sparsechaos::engine
