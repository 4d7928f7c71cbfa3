#pragma once
// Projections resolved against the layout, and the synapses one rank needs: for every
// presynaptic neuron (on any rank) its targets among this rank's neurons.
//
// Synapses are drawn from counter-based streams keyed by (seed, projection, neuron id), so the
// graph is a pure function of the configuration. Two storage modes:
//   stored      compressed rows per presynaptic neuron (4 bytes per synapse, 8 per neuron; 4 more
//               per synapse for per-synapse delays, 4 more for per-synapse weights)
//   procedural  targets regenerated at every spike from the same stream (no synapse memory);
//               needs a rule keyed by the presynaptic neuron: fixed_outdegree, pairwise_bernoulli
//               or distance_dependent (per-synapse weights too, per-synapse delays not).
// Stored rows are in canonical order: by delay (when delays vary per synapse), then target, then
// weight, so that a graph read back from a file (io/sonata_edges.hpp) has exactly the rows that
// were written, and kicks reach the targets in the same order.
//
// Per-synapse weights: what the engine must do to use them.
//   * Build the projection with synapse_weight_use::per_synapse (the default refuses a projection
//     whose weights vary, so that an engine that applies proj.weight to every synapse cannot
//     silently drop them).
//   * If per_synapse_weights() is false, every synapse has proj.weight (a double), as before.
//   * Otherwise synapse k of a row carries its own weight (a float, exactly representable in
//     double): zero delay / constant delay: `auto t = targets_of(pre, scratch); auto w =
//     weights_of(pre, t, wscratch);` then kick t[k] with double(w[k]) — w is aligned with t and
//     valid until the next call with the same scratch (procedural rows draw it, stored rows point
//     into storage). Per-synapse delays: row_with_delays(pre).weights[k] next to .targets[k] and
//     .delays_ms[k], or stored_weights()[cursor] with the cursor of stored_targets().
//   * The balance condition (population_drives) uses proj.weight: for per-synapse weights it is
//     the mean of the law (weight_law_mean), for weights read from a file their mean.
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <vector>

#include "sparsechaos/huge_pages.hpp"
#include "sparsechaos/network/distance_rule.hpp"
#include "sparsechaos/network/layout.hpp"
#include "sparsechaos/network/random.hpp"
#include "sparsechaos/network/sonet.hpp"
#include "sparsechaos/network/spec.hpp"
#include "sparsechaos/network/synapse_values.hpp"

namespace sparsechaos::network {

struct resolved_projection {
    std::size_t index = 0;      // position in the config
    std::size_t pre = 0, post = 0;  // population indices
    connection_rule rule = connection_rule::fixed_indegree;
    double degree = 0.0, probability = 0.0;
    std::uint64_t total_number = 0;  // fixed_total_number: Q
    spatial_spec spatial;            // distance_dependent
    sonet_spec sonet;                // sonet: the α's, and the Gaussian construction solved from them
    sonet_parameters sonet_construction;
    // K of the 1/sqrt(K) scaling and of the balance condition. NaN for a file whose edges are
    // not counted yet (an edge population shared by several projections): apply_file_summary.
    double mean_indegree = 0.0;
    double weight = 0.0;         // J (per-synapse weights: the mean of their law or of the file)
    weight_law weights;          // per-synapse weights (kind constant: every synapse has J)
    bool autapses = false, multapses = false;
    // Delays: delay_ms is the smallest possible delay, delay_max_ms the largest (infinite for
    // normal delays); constant if equal. Delays read from a file: NaN until the file is read.
    double delay_ms = 0.0, delay_max_ms = 0.0;
    delay_law delays;
    // rule file: weights and delays come from the file when the config gives none.
    bool file_weights = false, file_delays = false;
    bool synapse_delays() const { return delay_max_ms > delay_ms || (file_delays && !(delay_max_ms == delay_ms)); }
    bool synapse_weights() const { return weights.kind != weight_distribution::constant || file_weights; }
    // Delay mode (every projection > 0) or zero-delay mode (every projection 0).
    bool delayed() const { return file_delays || delay_ms > 0.0; }
    // Whether the rule can regenerate a row per spike (keyed by the presynaptic neuron).
    bool procedural_rule() const {
        return rule == connection_rule::fixed_outdegree || rule == connection_rule::pairwise_bernoulli ||
               rule == connection_rule::distance_dependent;
    }
    // Bytes per stored synapse: target, and delay and weight where they vary.
    double bytes_per_synapse() const { return 4.0 + (synapse_delays() ? 4.0 : 0.0) + (synapse_weights() ? 4.0 : 0.0); }
};

// What reading a file's edges established about one projection (io/graph_import.hpp), the same
// on every rank: it completes the resolved projection (mean in-degree, delay range, and whether
// weights and delays are one value after all, which then stays a double, exactly as written).
struct file_summary {
    std::uint64_t synapses = 0;
    std::optional<double> constant_weight;    // every synapse's weight, when all are equal
    double weight_mean = 0.0;                 // of the per-synapse (float) weights, summed exactly
    double weight_min = 0.0, weight_max = 0.0;
    std::optional<double> constant_delay_ms;  // every synapse's delay, when all are equal
    double delay_min_ms = 0.0, delay_max_ms = 0.0;  // of the per-synapse (float) delays
    std::optional<double> delay_lower_bound_ms;      // declared by the file (io/sonata_edges.hpp)
};
void apply_file_summary(resolved_projection& p, const file_summary& s, const layout& lay);

// The shortest delay of all projections (0: zero-delay mode).
double minimum_delay_ms(const std::vector<resolved_projection>& projections);

// Whether any input can advance a spike: an excitatory projection or excitatory Poisson input.
// Without one, the engine's queue needs no per-neuron keys (docs/engine.md). The first form reads
// the config's weights (weight laws keep J's sign); the second also sees weights read from a file
// (after apply_file_summary), which the first cannot.
bool any_excitation(const network_spec& spec);
bool any_excitation(const network_spec& spec, const std::vector<resolved_projection>& projections);

// Checks every projection against the populations; throws std::invalid_argument naming the key.
std::vector<resolved_projection> resolve_projections(const network_spec& spec, const layout& lay);

// Positions of a population (throws std::invalid_argument if it has none).
sheet_positions population_positions(const network_spec& spec, const layout& lay, std::size_t population);

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

// Whether the caller applies per-synapse weights (see the header comment).
enum class synapse_weight_use { projection_weight, per_synapse };

// One synapse of this rank as read from a file: presynaptic global id, postsynaptic rank-local
// index, weight and delay (ignored where the projection's are constant).
struct synapse_record {
    std::uint64_t pre = 0;
    std::uint32_t post = 0;
    float weight = 0.0f, delay_ms = 0.0f;
};

class projection_targets {
public:
    // Draws the projection's synapses (every rule but file). With `use` = projection_weight a
    // projection whose weights vary per synapse is refused (std::invalid_argument naming it).
    projection_targets(const network_spec& spec, const layout& lay, const resolved_projection& proj,
                       synapse_weight_use use = synapse_weight_use::projection_weight);
    // Rows from synapses read from a file (rule file; `proj` completed by apply_file_summary).
    // `synapses` is this rank's part in any order; the rows come out in canonical order.
    projection_targets(const network_spec& spec, const layout& lay, const resolved_projection& proj,
                       std::vector<synapse_record> synapses, synapse_weight_use use);

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
        const float* weights;  // per-synapse weights, nullptr when every synapse has proj.weight
    };
    delayed_row row_with_delays(std::uint64_t pre_id) const {
        const std::uint64_t j = pre_id - pre_.first;
        return {targets_.data() + offsets_[j], delays_.data() + offsets_[j], offsets_[j + 1] - offsets_[j],
                weights_.empty() ? nullptr : weights_.data() + offsets_[j]};
    }
    // Whether synapses carry their own weights (else every one has proj.weight).
    bool per_synapse_weights() const { return weighted_; }
    // Weights aligned with `targets` = targets_of(pre_id, ...): stored rows point into storage,
    // procedural rows are drawn into `scratch` (valid until its next use). Empty when
    // per_synapse_weights() is false.
    std::span<const float> weights_of(std::uint64_t pre_id, std::span<const std::uint32_t> targets,
                                      std::vector<float>& scratch) const;
    // Per-synapse weights aligned with stored_targets() (nullptr when constant).
    const float* stored_weights() const { return weights_.empty() ? nullptr : weights_.data(); }
    // All stored rows back to back (row_with_delays(pre).targets points into these): an index
    // into them stays valid for the life of the object.
    const std::uint32_t* stored_targets() const { return targets_.data(); }
    const float* stored_delays_ms() const { return delays_.data(); }
    std::uint64_t row_offset(std::uint64_t pre_id) const { return offsets_[pre_id - pre_.first]; }
    // The sources of `post_id` (global id) in the order they are drawn, with repeats where
    // multapses are allowed: fixed in-degree and fixed total number projections only (their rows
    // are built from these).
    void sources_of(std::uint64_t post_id, std::vector<std::uint64_t>& out) const;
    // Number of synapses stored on this rank (0 for procedural).
    std::uint64_t stored_synapses() const { return targets_.size(); }
    std::uint64_t memory_bytes() const {
        return offsets_.capacity() * sizeof(std::uint64_t) + targets_.capacity() * sizeof(std::uint32_t) +
               delays_.capacity() * sizeof(float) + weights_.capacity() * sizeof(float) + distance_.memory_bytes();
    }
    // Stored bytes per synapse: 4 (target) + 4 per-synapse delay + 4 per-synapse weight.
    std::uint64_t bytes_per_synapse() const {
        return sizeof(std::uint32_t) + (delays_.empty() ? 0 : sizeof(float)) + (weights_.empty() ? 0 : sizeof(float));
    }
    const resolved_projection& projection() const { return proj_; }
    bool stored() const { return stored_; }

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
    void draw_sources(std::uint64_t post_id, std::uint64_t degree, std::vector<std::uint64_t>& out) const;
    void build_from_outgoing();
    // Rows from the sources of each local target (fixed_indegree: `degrees` empty, K each;
    // fixed_total_number: the local targets' in-degrees).
    void build_from_incoming(const std::vector<std::uint64_t>& degrees);
    void build_sonet();
    void build_from_records(std::vector<synapse_record>& synapses);
    // Per-synapse weights and delays of rows sorted by target, then the canonical order.
    void finish_rows();
    void check_weight_use(synapse_weight_use use) const;

    std::uint64_t seed_;
    resolved_projection proj_;
    id_range pre_, post_, local_;
    bool stored_;
    bool weighted_ = false;
    distance_rule distance_;                   // distance_dependent: the post neurons' quadtree
    huge_page_vector<std::uint64_t> offsets_;  // per presynaptic neuron of the projection
    huge_page_vector<std::uint32_t> targets_;  // rank-local neuron indices
    huge_page_vector<float> delays_;           // per synapse, with per-synapse delays only
    huge_page_vector<float> weights_;          // per synapse, with per-synapse weights only
};

}  // namespace sparsechaos::network
