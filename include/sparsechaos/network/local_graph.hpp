#pragma once
// What one rank knows of the network (docs/design.md): the layout of global ids, the resolved
// projections, the synapses of every presynaptic neuron onto this rank's neurons, the drives and
// the per-neuron constants of the local neurons. Built by the network room from the spec, then
// handed to the engine, which never generates connectivity itself.
//
// Invariants:
// - Everything here is a pure function of (spec, rank, number of ranks); in particular the
//   synapses onto a neuron and its constants are the same on any number of ranks.
// - Local neuron i (0 <= i < local().size) is global id local().first + i; the local neurons of
//   population p are the local indices local_ranges[p] (populations are contiguous id ranges).
// - The graph keeps its own copy of the spec (on the heap, so that moving the graph keeps the
//   layout's reference to it valid).
#include <cstdint>
#include <memory>
#include <optional>
#include <variant>
#include <vector>

#include "sparsechaos/models/model.hpp"
#include "sparsechaos/network/connectivity.hpp"
#include "sparsechaos/network/layout.hpp"
#include "sparsechaos/network/spec.hpp"

namespace sparsechaos::network {

// The model of a population and the constants of its local neurons (one entry when the drive is
// homogeneous: every neuron then shares it).
template <class M>
struct population_neurons {
    M model;
    std::vector<typename M::neuron> neurons;
    const typename M::neuron& at(std::size_t k) const { return neurons.size() == 1 ? neurons[0] : neurons[k]; }
};

template <class V>
struct neurons_of;
template <class... M>
struct neurons_of<std::variant<M...>> {
    using type = std::variant<population_neurons<M>...>;
};
using any_population_neurons = neurons_of<models::model>::type;

// Synapses read from files for the projections with rule = "file" (io::read_edge_files), per
// projection in config order; both empty for the other projections.
struct file_edges {
    std::vector<std::vector<synapse_record>> synapses;
    std::vector<std::optional<file_summary>> summaries;
};

// This rank's synapses of every projection: drawn for the rules, taken from `files` for file
// projections (which are completed by apply_file_summary first, so that drives and delays
// computed from `projections` afterwards see the file's in-degrees, weights and delays).
std::vector<projection_targets> build_targets(const network_spec& spec, const layout& lay,
                                              std::vector<resolved_projection>& projections, file_edges files,
                                              synapse_weight_use use);

struct local_graph {
    std::shared_ptr<const network_spec> spec;
    network::layout layout;
    std::vector<resolved_projection> projections;
    std::vector<projection_targets> targets;        // per projection: this rank's synapses
    std::vector<std::vector<std::size_t>> outgoing;  // per population: its projections' indices
    std::vector<double> drives;                      // per population: the base drive
    std::vector<id_range> local_ranges;              // per population, in local indices
    std::vector<any_population_neurons> neurons;     // per population
    double min_delay_ms = 0.0;  // 0: zero-delay mode
    bool excitation = false;    // some input can advance a spike (any_excitation)
    bool poisson = false;       // some population (on any rank) has Poisson input
    bool synapse_weights = false;  // some projection has a weight per synapse

    std::uint64_t local_size() const { return layout.local().size; }
    std::uint64_t global_id(std::uint64_t local) const { return layout.local().first + local; }
    // Population of local neuron i.
    std::size_t local_population(std::uint64_t i) const {
        std::size_t p = 0;
        while (i >= local_ranges[p].end()) ++p;
        return p;
    }
    // ω of local neuron i (its phase velocity in units of 1/τ_m).
    double omega(std::uint64_t i) const;
    // Bytes and count of the synapses stored on this rank.
    std::uint64_t synapse_bytes() const;
    std::uint64_t stored_synapses() const;
    // Bytes of the per-neuron constants.
    std::uint64_t neuron_constant_bytes() const;
};

// This rank's part of the network `spec`, with the synapses of its file projections read by io
// (runs::build_graph does both). Throws std::invalid_argument naming the population or projection
// when the spec cannot be built (e.g. more than 2^32 - 1 neurons on one rank, or a file
// projection without its synapses).
local_graph build_local_graph(const network_spec& spec, int rank = 0, int n_ranks = 1, file_edges files = {});

}  // namespace sparsechaos::network
