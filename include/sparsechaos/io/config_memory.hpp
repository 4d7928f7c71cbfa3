#pragma once
// The memory a configuration needs on one rank, as describe() reports it. A test compares it with
// engine::simulation::memory() so that the estimate follows the engine's data layout.
#include <cstdint>

#include <vector>

#include "sparsechaos/network/connectivity.hpp"
#include "sparsechaos/network/spec.hpp"

namespace sparsechaos::io {

// Engine bytes per neuron: its cell (state 8 B, plus the queue key 8 B where an excitatory
// projection or input can advance spikes) and its entry in a time bucket (4 B in the current
// block, 8 B in a later one, where most neurons wait). The few neurons due soon sit in the heap
// instead, with 16-byte entries.
inline double engine_bytes_per_neuron(bool keyed) { return (keyed ? 16 : 8) + 8; }
// Stored connectivity: a 4-byte target per synapse and an 8-byte row offset per presynaptic neuron
// (plus one) of every projection, held on every rank.
inline constexpr double bytes_per_synapse = 4, bytes_per_row_offset = 8;
// Per-synapse delays (delay_max_ms > delay_ms): a float per stored synapse; per-synapse weights
// (weight_distribution, weights from a file): another.
inline constexpr double bytes_per_synapse_delay = 4, bytes_per_synapse_weight = 4;
// The distance rule's quadtree of a post population: index 4 B + position 16 B per neuron, and up
// to 4 cells of 8 B per neuron (network/distance_rule.hpp).
inline constexpr double bytes_per_indexed_neuron = 4 + 16 + 4 * 8;
// Poisson input per receiving neuron: heap entry 16, heap slot 4, neuron index 4, global id 8,
// input count 4, population 1.
inline constexpr double poisson_bytes_per_neuron = 16 + 4 + 4 + 8 + 4 + 1;

struct memory_estimate {
    double neuron_bytes = 0;          // engine + per-neuron model constants (jittered drives) + Poisson input
    double synapses = 0;              // expected, whole network
    double stored_synapse_bytes = 0;  // targets + row offsets (+ per-synapse delays and weights), stored
    double index_bytes = 0;           // spatial indices of distance-dependent projections (both modes)
};

// Expects a spec that passed parse_config (throws std::invalid_argument otherwise). The second
// form takes projections completed by the files they read (apply_file_summary).
memory_estimate estimate_memory(const network::network_spec& spec);
memory_estimate estimate_memory(const network::network_spec& spec,
                                const std::vector<network::resolved_projection>& projections);

}  // namespace sparsechaos::io
