#pragma once
// The exact event-based network simulation of one rank (SparseProp, Engelken 2023).
//
// Every neuron keeps one state double (its model's encoding of the next spike time) and a key in
// an indexed heap. A spike of neuron j at time t: reset j, then every target i gets the kick of
// its projection, s_i ← kick(s_i). Kicks with J < 0 only delay spikes, so the heap key of an
// inhibited neuron is left as it is: a key is only a lower bound of the neuron's true spike time,
// and a stale key is re-keyed when it reaches the top (lazy re-keying). Excitatory kicks that
// advance a spike decrease the key at once; one that crosses threshold makes the neuron fire at t.
//
// Two modes (docs/engine.md):
//   zero delay  a spike kicks its targets at once; ranks agree on every spike (spike_agreement).
//   delays      a spike's kicks arrive d ≥ d_min later (delivery_queue); ranks run windows of
//               length < d_min on their own and swap the window's spikes (spike_exchange).
// External Poisson input (poisson_input) works in both.
//
// Event order: by time; at equal times inputs, then arrivals (by source id), then spikes (by
// global id). Time runs in a local coordinate whose origin moves forward from time to time (see
// shift_origin) so that no state loses precision in long runs.
#include <chrono>
#include <cstdint>
#include <limits>
#include <variant>
#include <vector>

#include "sparsechaos/engine/delivery_queue.hpp"
#include "sparsechaos/engine/event_queue.hpp"
#include "sparsechaos/engine/held_kicks.hpp"
#include "sparsechaos/engine/jacobian_sink.hpp"
#include "sparsechaos/engine/poisson_input.hpp"
#include "sparsechaos/engine/spike_agreement.hpp"
#include "sparsechaos/engine/spike_exchange.hpp"
#include "sparsechaos/huge_pages.hpp"
#include "sparsechaos/models/model.hpp"
#include "sparsechaos/network/connectivity.hpp"
#include "sparsechaos/network/layout.hpp"
#include "sparsechaos/network/spec.hpp"

namespace sparsechaos::engine {

struct spike {
    double time_ms;         // absolute time
    std::uint64_t neuron;   // global id
};

struct progress {
    double time_ms, end_ms;
    std::uint64_t spikes;
    double wall_s;
};

// Receives spikes in batches and progress reports; the run owns no output of its own.
class observer {
public:
    virtual ~observer() = default;
    virtual void on_spikes(const std::vector<spike>& batch) = 0;
    virtual void on_progress(const progress&) {}
    // Called at the same point of the event sequence on every rank (a place for collective I/O).
    virtual void on_collective_point() {}
};

// Where the run's wall time goes, per phase (s). Output is timed exactly; the event loop's time
// is split between the other phases in the proportions measured on every 16th event, which keeps
// clock reads off most events.
struct phase_times {
    double update = 0.0;       // finding the next local event (queue, lazy re-keys)
    double communicate = 0.0;  // agreeing on the next spike / exchanging a window's spikes
    double deliver = 0.0;      // resetting spiking neurons, kicking targets, applying inputs
    double output = 0.0;       // handing spikes to the observer (writing the output file)
};

struct run_statistics {
    std::uint64_t spikes = 0;          // network spikes fired on this rank
    std::uint64_t network_spikes = 0;  // spikes of all ranks (every rank applies every spike)
    std::uint64_t stale_pops = 0;      // lazy re-keys (at the heap top or when a bucket opens)
    std::uint64_t kicks = 0;           // synaptic events delivered on this rank
    std::uint64_t inputs = 0;          // external Poisson kicks applied on this rank
    std::uint64_t rounds = 0;          // agreements (zero delay) or exchanges (delays)
    std::uint64_t origin_shifts = 0;
    std::uint64_t queue_retunes = 0;   // bucket width changed and the queue rebuilt
    std::uint64_t held_windows = 0;    // windows of held kicks opened (see held_kicks)
    std::uint64_t held = 0;            // kicks held back to a window's end
    double wall_s = 0.0;               // inside run_until
    phase_times phases;
    std::vector<std::uint64_t> population_spikes;
};

struct memory_report {
    std::uint64_t neuron_bytes = 0;   // states, heap, per-neuron constants
    std::uint64_t synapse_bytes = 0;  // stored connectivity
    std::uint64_t synapses = 0;       // stored on this rank
};

template <class M>
struct population_neurons {
    M model;
    std::vector<typename M::neuron> neurons;  // one entry if the drive is homogeneous
    const typename M::neuron& at(std::size_t k) const { return neurons.size() == 1 ? neurons[0] : neurons[k]; }
};

template <class V>
struct neurons_of;
template <class... M>
struct neurons_of<std::variant<M...>> {
    using type = std::variant<population_neurons<M>...>;
};
using any_population_neurons = neurons_of<models::model>::type;

class simulation {
public:
    // This rank's part of the network `spec` (which must outlive the simulation).
    simulation(const network::network_spec& spec, int rank = 0, int n_ranks = 1);

    // Distributed run: zero-delay runs agree on every spike through `agreement`, runs with
    // delays swap spikes through `exchange` (neither owned). Every rank then hands every network
    // spike to the observer, in global order, not only its own.
    void distribute(spike_agreement* agreement, spike_exchange* exchange) {
        agreement_ = agreement;
        exchange_ = exchange;
    }

    // Report every spike's single-spike Jacobian to `sink` (not owned; nullptr: stop). Zero-delay
    // runs only: tangent dynamics need the exact global event order. Kicks then go one by one
    // through the scalar code (bit-identical to the batched kicks: same spike trains).
    void track_jacobian(jacobian_sink* sink);

    // Whether kicks to neurons that cannot fire soon are held back and applied in blocks
    // (held_kicks; the same results either way). Possible for zero-delay LIF networks without
    // excitation, external input or a Jacobian sink; `automatic` holds from hold_from_neurons
    // neurons on a rank. The spec's simulation.hold_kicks sets the policy at construction.
    using kick_holding = network::kick_holding;
    void hold_kicks(kick_holding policy) {
        hold_policy_ = policy;
        update_holding();
    }
    bool holds_kicks() const { return hold_; }
    static constexpr std::size_t hold_from_neurons = std::size_t(1) << 15;  // measured crossover: 3·10^4

    // Zero-delay (0) or the shortest delay of the network (ms).
    double minimum_delay_ms() const { return min_delay_ms_; }
    // Length of the exchange windows of a run with delays: a little below d_min, so that an
    // arrival computed in floating point never falls inside the window of its spike.
    double window_ms() const { return min_delay_ms_ * (1.0 - 1e-9); }

    // Simulate all spikes with time < t_end_ms (absolute). May be called repeatedly.
    void run_until(double t_end_ms, observer* obs = nullptr, double progress_interval_s = 1.0);

    // Zero delay: simulate until `network_spikes` more network spikes have happened (or t_limit_ms),
    // e.g. a warm-up counted in spikes per neuron; time_ms() is then the time of the last one.
    void run_spikes(std::uint64_t network_spikes, double t_limit_ms, observer* obs = nullptr,
                    double progress_interval_s = 1.0);

    // Next spike among this rank's neurons: (local time, local index); time = +inf if none.
    // Resolves stale heap keys on the way.
    std::pair<double, std::uint32_t> next_local_spike();
    // Zero delay: apply the spike of global neuron `id` at local time t: reset it if it is ours,
    // kick our targets.
    void apply_spike(std::uint64_t id, double t_local);

    double time_ms() const { return origin_ms_ + now_; }  // absolute time of the last event
    double origin_ms() const { return origin_ms_; }
    const network::layout& layout() const { return layout_; }
    const std::vector<network::resolved_projection>& projections() const { return projections_; }
    const std::vector<double>& population_drives() const { return drives_; }
    run_statistics statistics() const {
        run_statistics s = stats_;
        s.stale_pops += queue_.rekeys();
        return s;
    }
    memory_report memory() const;
    // Engine states of the local neurons (model encodings of their next spike times), a copy.
    std::vector<double> states() const {
        std::vector<double> s(n_local_);
        for (std::size_t i = 0; i < n_local_; ++i) s[i] = state(i);
        return s;
    }
    // ω of local neuron i (its phase velocity in units of 1/τ_m).
    double omega(std::uint32_t local) const;
    // Phases of the local neurons at absolute time t_ms (no event between the last one and t).
    std::vector<double> phases_at(double t_ms) const;
    // Set the phases of the local neurons at absolute time t_ms (the time of the last event or
    // later, before the next one): a perturbed copy of a trajectory, e.g. for twin estimates.
    void set_phases(const std::vector<double>& phases, double t_ms);

private:
    std::size_t local_population(std::uint32_t local) const;
    double spike_time(std::uint32_t local) const;
    // Exact spike times of n local neurons (the queue re-keys a bucket's neurons with this).
    void spike_times(const std::uint32_t* local, std::size_t n, double* out) const;
    struct exact_times {
        const simulation* sim;
        void operator()(const std::uint32_t* ids, std::size_t n, double* out) const { sim->spike_times(ids, n, out); }
    };
    void fire(std::uint32_t local, double t);
    void deliver(const network::resolved_projection& proj, std::uint64_t pre, double t);
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
    // Zero delay with inputs: apply local inputs until the next global spike is known.
    spike_candidate next_spike_with_inputs(double t_end_local, double& communicate_s, bool timed);
    void apply_inputs_before(const spike_bound& horizon);
    void run_zero_delay(double t_end_ms, observer* obs, double progress_interval_s);
    void run_windows(double t_end_ms, observer* obs, double progress_interval_s);
    // Hand the buffered spikes to the observer (then a collective point, when all ranks are here).
    void hand_over_spikes(observer* obs, bool collective);
    // A progress report, at most every interval_s of wall time (`last`: the previous one).
    void report_progress(observer* obs, double time_ms, double end_ms,
                         std::chrono::steady_clock::time_point& last, double interval_s, double wall_s);
    std::uint64_t global_id(std::uint32_t local) const { return layout_.local().first + local; }
    void rebuild_queue();
    void tune_queue();
    // Held kicks (held_kicks): switch on or off as the policy and the network allow.
    void update_holding();
    // Apply every held kick, then find the neurons that may fire before the new window's end
    // and queue only those; false if no neuron will ever fire.
    bool open_window();
    void apply_held(std::size_t block);
    void flush_held();
    void deliver_holding(const network::resolved_projection& proj, std::uint64_t pre, double t);
    // Length of the next window, and its adaptation to the share of near neurons.
    double hold_window_ms() const;
    void adapt_window(std::size_t near);
    static constexpr double events_per_bucket = 2.0;
    static constexpr std::uint64_t tune_interval = 1 << 16;
    // From this many local neurons on, the row of the spike after next is fetched one spike
    // ahead (docs/benchmarks.md, "The row one spike earlier"): measured 4–9 % faster from 10^5
    // on, 2–4 % slower at 10^4, where the rows are in cache and only the instructions count.
    static constexpr std::size_t fetch_ahead_from_neurons = std::size_t(1) << 15;

    network::layout layout_;
    std::vector<network::resolved_projection> projections_;
    std::vector<network::projection_targets> targets_;   // per projection, this rank's synapses
    std::vector<std::vector<std::size_t>> outgoing_;     // per population: projection indices
    std::vector<double> drives_;
    std::vector<network::id_range> local_ranges_;        // per population, in rank-local indices
    std::vector<any_population_neurons> neurons_;        // per population
    // Per local neuron its cell: the state, and the queue's key where kicks can advance spikes
    // (event_queue::stride(keyed_) doubles each).
    huge_page_vector<double> cells_;
    bool keyed_ = true;
    std::size_t stride_ = 2, n_local_ = 0;
    double& state(std::size_t i) { return cells_[i * stride_]; }
    double state(std::size_t i) const { return cells_[i * stride_]; }
    event_queue queue_;
    double bucket_width_ms_;  // of the event queue's far-future buckets
    // The best bucket width holds a few events; it is re-tuned from the observed event rate.
    std::uint64_t events_since_tune_ = 0;
    double tune_start_ms_ = 0.0;  // absolute time of the last tuning
    std::vector<std::uint32_t> scratch_;
    std::uint64_t row_asked_ = ~std::uint64_t(0);  // whose row the last spike fetched ahead
    double now_ = 0.0;        // local time of the last event
    std::uint64_t same_instant_ = 0;  // spikes at exactly now_ (an avalanche guard)
    double origin_ms_ = 0.0;  // absolute time of local time 0
    double origin_span_ms_;   // shift the origin once local time exceeds this
    run_statistics stats_;
    std::vector<spike> buffer_;  // spikes not yet handed to the observer
    bool recording_ = false;
    spike_agreement* agreement_ = nullptr;
    spike_exchange* exchange_ = nullptr;
    poisson_input inputs_;
    bool any_inputs_ = false;  // some population of the network has Poisson input (any rank)
    double min_delay_ms_ = 0.0;
    delivery_queue transit_;
    jacobian_sink* sink_ = nullptr;
    bool hold_possible_ = false, hold_ = false;
    kick_holding hold_policy_ = kick_holding::automatic;
    held_kicks held_;
    std::vector<double> hold_coefficients_;  // per projection (NaN: heterogeneous population)
    bool hold_uniform_ = false;              // every one is a number
    double window_end_ = -std::numeric_limits<double>::infinity();  // local time
    double window_ms_ = 0.0;  // before clamping (hold_window_ms)
    std::vector<std::uint32_t> near_ids_, near_scratch_;
    std::vector<double> near_times_;
    std::uint64_t spike_budget_ = std::numeric_limits<std::uint64_t>::max();  // network_spikes to stop at
    std::uint64_t windows_done_ = 0;  // windows since time 0: window k is [k w, (k+1) w)
    std::vector<spike_candidate> window_spikes_, all_spikes_;
};

}  // namespace sparsechaos::engine
