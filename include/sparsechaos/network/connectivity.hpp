#pragma once
// Projections resolved against the layout, and the synapses one rank needs: for every
// presynaptic neuron (on any rank) its targets among this rank's neurons.
//
// Synapses are drawn from counter-based streams keyed by (seed, projection, neuron id), so the
// graph is a pure function of the configuration. Two storage modes:
//   stored      compressed rows per presynaptic neuron (4 bytes per synapse, 8 per neuron)
//   procedural  targets regenerated at every spike from the same stream (no synapse memory);
//               needs a rule keyed by the presynaptic neuron: fixed_outdegree or pairwise_bernoulli.
#include <cstdint>
#include <span>
#include <vector>

#include "sparsechaos/huge_pages.hpp"
#include "sparsechaos/network/layout.hpp"
#include "sparsechaos/network/random.hpp"
#include "sparsechaos/network/spec.hpp"

namespace sparsechaos::network {

struct resolved_projection {
    std::size_t index = 0;      // position in the config
    std::size_t pre = 0, post = 0;  // population indices
    connection_rule rule = connection_rule::fixed_indegree;
    double degree = 0.0, probability = 0.0;
    double mean_indegree = 0.0;  // K of the 1/sqrt(K) scaling and of the balance condition
    double weight = 0.0;         // J
    bool autapses = false, multapses = false;
    double delay_ms = 0.0, delay_max_ms = 0.0;  // constant if equal, else uniform per synapse
    bool synapse_delays() const { return delay_max_ms > delay_ms; }
};

// The shortest delay of all projections (0: zero-delay mode).
double minimum_delay_ms(const std::vector<resolved_projection>& projections);

// Whether any input can advance a spike: an excitatory projection or excitatory Poisson input.
// Without one, the engine's queue needs no per-neuron keys (docs/engine.md).
bool any_excitation(const network_spec& spec);

// Checks every projection against the populations; throws std::invalid_argument naming the key.
std::vector<resolved_projection> resolve_projections(const network_spec& spec, const layout& lay);

// Base drive of every population: given, or from the balance condition
//   I_a = −τ_a Σ_b K_ab J_ab ν_b   (ν_b the balanced rate of b; one inhibitory population:
//   I = √K J0 ν τ as in SparseProp).
std::vector<double> population_drives(const network_spec& spec,
                                      const std::vector<resolved_projection>& projections);

// Drive of one neuron, with the population's jitter applied (keyed by seed and global id).
double neuron_drive(const network_spec& spec, std::size_t population, double base_drive,
                    std::uint64_t global_id);

// Expected synapse count of a projection (whole network).
double expected_synapses(const resolved_projection& p, const layout& lay);

class projection_targets {
public:
    projection_targets(const network_spec& spec, const layout& lay, const resolved_projection& proj);

    // The targets of presynaptic neuron `pre_id` (global id) on this rank, as local indices:
    // the stored row, or drawn into `scratch` (procedural; reused storage keeps the hot loop
    // allocation-free). Valid until the next call with the same scratch.
    std::span<const std::uint32_t> targets_of(std::uint64_t pre_id, std::vector<std::uint32_t>& scratch) const {
        if (!stored_) {
            draw_targets(pre_id, scratch);
            return scratch;
        }
        const auto row = stored_row(pre_id);
        // Ask for every cache line of the row at once: the caller then waits for memory once,
        // not once per line.
        prefetch_lines(row);
        return row;
    }
    // Memory hints for a neuron expected to spike soon: first its row bounds, later (once those
    // have arrived) the row itself. Both are a cache miss each per spike at large N.
    void prefetch_bounds(std::uint64_t pre_id) const {
        if (!stored_) return;
        const std::uint64_t* bounds = offsets_.data() + (pre_id - pre_.first);
        prefetch<false>(bounds);
        prefetch<false>(bounds + 1);  // the row's end: on the next cache line for one row in eight
    }
    void prefetch_row(std::uint64_t pre_id) const {
        if (stored_) prefetch_lines(stored_row(pre_id));
    }
    // Whether `pre_id` may have targets on this rank (always true when procedural).
    bool may_have_targets(std::uint64_t pre_id) const {
        if (!stored_) return true;
        const std::uint64_t j = pre_id - pre_.first;
        return offsets_[j + 1] > offsets_[j];
    }
    // Stored rows with per-synapse delays (uniform delays): row k of `pre_id`, sorted by delay,
    // then target. Delays are drawn per (projection, pre, post) and kept as float.
    struct delayed_row {
        const std::uint32_t* targets;
        const float* delays_ms;
        std::uint64_t size;
    };
    delayed_row row_with_delays(std::uint64_t pre_id) const {
        const std::uint64_t j = pre_id - pre_.first;
        return {targets_.data() + offsets_[j], delays_.data() + offsets_[j], offsets_[j + 1] - offsets_[j]};
    }
    // All stored rows back to back (row_with_delays(pre).targets points into these): an index
    // into them stays valid for the life of the object.
    const std::uint32_t* stored_targets() const { return targets_.data(); }
    const float* stored_delays_ms() const { return delays_.data(); }
    std::uint64_t row_offset(std::uint64_t pre_id) const { return offsets_[pre_id - pre_.first]; }
    // The sources of `post_id` (global id) in the order they are drawn, with repeats where
    // multapses are allowed: fixed in-degree projections only (their rows are built from these).
    void sources_of(std::uint64_t post_id, std::vector<std::uint64_t>& out) const;
    // Number of synapses stored on this rank (0 for procedural).
    std::uint64_t stored_synapses() const { return targets_.size(); }
    std::uint64_t memory_bytes() const {
        return offsets_.capacity() * sizeof(std::uint64_t) + targets_.capacity() * sizeof(std::uint32_t) +
               delays_.capacity() * sizeof(float);
    }

private:
    std::span<const std::uint32_t> stored_row(std::uint64_t pre_id) const {
        const std::uint64_t j = pre_id - pre_.first;
        return {targets_.data() + offsets_[j], offsets_[j + 1] - offsets_[j]};
    }
    // Rows are read once per spike: non-temporal, so that they do not push the neurons' cells
    // out of the caches. The prefetches are asm statements because GCC 12 removed the loop of
    // __builtin_prefetch calls where prefetch_row is inlined (simulation::apply_spike): the next
    // spiker's row was never fetched ahead (docs/benchmarks.md).
    static void prefetch_lines(std::span<const std::uint32_t> row) {
        for (std::size_t k = 0; k < row.size(); k += 64 / sizeof(std::uint32_t)) prefetch<true>(row.data() + k);
    }
    // A read prefetch, into every cache level or (non_temporal) for one use.
    template <bool NonTemporal>
    static void prefetch(const void* p) {
#if defined(__x86_64__) || defined(__i386__)
        if constexpr (NonTemporal)
            asm volatile("prefetchnta %0" : : "m"(*static_cast<const char*>(p)));
        else
            asm volatile("prefetcht0 %0" : : "m"(*static_cast<const char*>(p)));
#else
        __builtin_prefetch(p, 0, NonTemporal ? 0 : 3);
#endif
    }
    // Targets of pre_id on this rank, as local indices, sorted (procedural rules only).
    void draw_targets(std::uint64_t pre_id, std::vector<std::uint32_t>& out) const;
    void build_from_outgoing();
    void build_from_incoming();
    void draw_delays_and_sort_rows();

    std::uint64_t seed_;
    resolved_projection proj_;
    id_range pre_, post_, local_;
    bool stored_;
    huge_page_vector<std::uint64_t> offsets_;  // per presynaptic neuron of the projection
    huge_page_vector<std::uint32_t> targets_;  // rank-local neuron indices
    huge_page_vector<float> delays_;           // per synapse, with per-synapse delays only
};

}  // namespace sparsechaos::network
