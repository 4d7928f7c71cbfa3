#pragma once
// What a configuration describes, after validation: populations, projections and run settings.
// A spec is plain data; the graph and the engine are built from it, on any number of ranks.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sparsechaos/models/model.hpp"

namespace sparsechaos::network {

// Constant external drive of a population (the model's I_ext / I).
struct drive_spec {
    std::optional<double> value;            // given directly
    std::optional<double> balanced_rate_hz; // derive from the balance condition at this rate
    double jitter = 0.0;  // per-neuron relative spread: I_i = I (1 + jitter u_i), u_i ~ U(-1, 1)
};

// Frozen external Poisson input: every neuron of the population receives its own Poisson train
// of kicks of size `weight` at `rate_hz`; the k-th input time of neuron i is a pure function of
// (seed, i, k).
struct poisson_spec {
    double rate_hz = 0.0;
    double weight = 0.0;
};

struct population_spec {
    std::string name;
    std::uint64_t size = 0;
    models::model model;
    drive_spec drive;
    std::optional<poisson_spec> poisson;
};

enum class connection_rule { fixed_indegree, fixed_outdegree, pairwise_bernoulli };

struct projection_spec {
    std::string pre, post;
    connection_rule rule = connection_rule::fixed_indegree;
    double degree = 0.0;       // K for fixed in/out-degree
    double probability = 0.0;  // p for pairwise_bernoulli
    std::optional<double> weight;  // J, absolute
    std::optional<double> j0;      // J = j0 / sqrt(K)   (K: mean in-degree)
    bool autapses = false;
    bool multapses = false;
    // Transmission delay in ms: 0 for every projection (zero-delay mode), or > 0 for every
    // projection: constant (delay_max_ms == delay_ms) or uniform in [delay_ms, delay_max_ms],
    // drawn per synapse.
    double delay_ms = 0.0;
    double delay_max_ms = 0.0;
};

enum class connectivity_storage { stored, procedural };
// Whether kicks to neurons that cannot fire soon are held back and applied in blocks
// (engine/held_kicks.hpp): a matter of speed only, the spike trains are the same bits.
enum class kick_holding { automatic, on, off };

struct simulation_spec {
    double t_end_ms = 1000.0;
    std::uint64_t seed = 1;
    connectivity_storage storage = connectivity_storage::stored;
    kick_holding hold_kicks = kick_holding::automatic;
};

struct output_spec {
    bool spikes = true;  // write /spikes/<population>/...
};

// Lyapunov spectrum settings ([lyapunov], docs/configuration.md). The run is split into a
// trajectory warm-up, a warm-up of the orthonormal system and the measurement.
enum class qr_method { tsqr, cgs, cholesky };
enum class tangent_layout { neuron_major, column_major };

struct lyapunov_spec {
    std::uint64_t exponents = 0;           // m; 0: all N
    double warmup_ms = 0.0;                // no tangent space
    double ons_warmup_ms = 0.0;            // tangent space on, exponents discarded
    // The warm-ups counted in network spikes per neuron instead of time (when set).
    std::optional<double> warmup_spikes_per_neuron, ons_warmup_spikes_per_neuron;
    std::uint64_t orthonormalize_every = 0;  // network spikes between QR steps; 0: N
    double max_condition = 0.0;            // > 0: adaptive interval keeping cond(Q) below this
    qr_method method = qr_method::tsqr;
    std::uint64_t seed = 1;
    std::uint64_t local_exponents = 3;
    std::optional<double> target_rate_hz;  // tune the drives to this mean rate first
    double tune_ms = 5000.0;               // length of each tuning run
    tangent_layout layout = tangent_layout::neuron_major;
};

struct network_spec {
    std::vector<population_spec> populations;
    std::vector<projection_spec> projections;
    simulation_spec simulation;
    output_spec output;
    std::optional<lyapunov_spec> lyapunov;
    std::string config_text;  // the full configuration as given, for /meta
};

}  // namespace sparsechaos::network
