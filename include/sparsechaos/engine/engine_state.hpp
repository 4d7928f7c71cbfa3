#pragma once
// The state of one rank's engine: everything a run changes as it advances, in one value
// (docs/design.md, "Engine state and schedules").
//
// Invariants:
// - Between two calls of simulation::run_until (a safe point) the state is complete: every
//   neuron's cell is exact (no kick is held back), and the event queue is only an index over the
//   cells that simulation::restore() rebuilds. So a copy taken at a safe point and restored into
//   a simulation of the same graph continues with the same bits as the original (tested).
// - Times are local: absolute time = origin_ms + local time. The origin moves forward now and
//   then (simulation::shift_origin) so that no state loses precision in long runs.
// - The bucket width, the tuning counters and the held-kick window length change the speed of a
//   run, never its results.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "sparsechaos/engine/delivery_queue.hpp"
#include "sparsechaos/engine/poisson_input.hpp"
#include "sparsechaos/huge_pages.hpp"

namespace sparsechaos::engine {

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
    std::uint64_t rounds = 0;          // agreements (zero delay) or exchanges (delays), several ranks
    std::uint64_t origin_shifts = 0;
    std::uint64_t queue_retunes = 0;   // bucket width changed and the queue rebuilt
    std::uint64_t held_windows = 0;    // windows of held kicks opened (held_kick_windows)
    std::uint64_t held = 0;            // kicks held back to a window's end
    double wall_s = 0.0;               // inside run_until
    phase_times phases;
    std::vector<std::uint64_t> population_spikes;
};

struct engine_state {
    // Per local neuron its cell: the model's state (its encoding of the next spike time), and
    // where kicks can advance spikes the event queue's key (event_queue::stride(keyed) doubles).
    huge_page_vector<double> cells;
    std::size_t stride = 2;
    bool keyed = true;
    delivery_queue transit;  // spikes on their way to local neurons (runs with delays)
    poisson_input inputs;    // the next Poisson input of every local neuron that has one
    double now = 0.0;        // local time of the last event
    double origin_ms = 0.0;  // absolute time of local time 0
    std::uint64_t same_instant = 0;  // spikes at exactly `now` (an avalanche guard)
    std::uint64_t windows_done = 0;  // exchange windows since time 0: window k is [k w, (k+1) w)
    run_statistics stats;
    // Speed only: the queue's bucket width, its tuning and the held-kick window length.
    double bucket_width_ms = 0.0;
    std::uint64_t events_since_tune = 0;
    double tune_start_ms = 0.0;  // absolute time of the last tuning
    double hold_window_ms = 0.0;

    double& state(std::size_t i) { return cells[i * stride]; }
    double state(std::size_t i) const { return cells[i * stride]; }
    std::size_t neurons() const { return cells.size() / stride; }
    double time_ms() const { return origin_ms + now; }  // absolute time of the last event
};

// A spike on its way through one projection (checkpoints): the source, the projection, its local
// emission time, and for a projection with one delay its arrival (with per-synapse delays every
// synapse's arrival is emitted + its delay).
struct flight {
    std::uint64_t source;
    std::uint64_t projection;
    double emitted, arrival;
};

// The state at a safe point in a form that does not depend on the number of ranks: a checkpoint
// keeps these, per neuron by global id and the flights of all ranks, and any number of ranks
// rebuilds its engine from them (simulation::export_state, simulation::import_state).
struct portable_state {
    std::vector<double> cells;                // per local neuron: the model state
    std::vector<double> input_next;           // per local neuron: next Poisson input (local time); NaN: none
    std::vector<std::uint64_t> input_drawn;   // per local neuron: Poisson inputs drawn so far
    std::vector<flight> flights;              // export: this rank's; import: every rank's (duplicates allowed)
    double now = 0.0, origin_ms = 0.0;
    std::uint64_t same_instant = 0, windows_done = 0, network_spikes = 0;
    double bucket_width_ms = 0.0, hold_window_ms = 0.0;
};

}  // namespace sparsechaos::engine
