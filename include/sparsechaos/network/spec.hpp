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

// Positions of a population's neurons on a 2-D sheet of width × height µm centred on the origin
// (x in [−width/2, width/2), y likewise). Populations share one coordinate frame.
enum class position_layout { random, grid };
struct positions_spec {
    double width_um = 0.0, height_um = 0.0;
    bool periodic = false;  // a torus: distances wrap around both edges
    position_layout layout = position_layout::random;
};

struct population_spec {
    std::string name;
    std::uint64_t size = 0;
    models::model model;
    drive_spec drive;
    std::optional<poisson_spec> poisson;
    std::optional<positions_spec> positions;
};

// Connection rules (docs/networks.md). Which can be drawn procedurally (per spike, from the
// presynaptic neuron's stream): fixed_outdegree, pairwise_bernoulli, distance_dependent. The
// others need stored connectivity: fixed_indegree and fixed_total_number draw per target,
// sonet draws pairs, file reads a file.
enum class connection_rule {
    fixed_indegree,
    fixed_outdegree,
    pairwise_bernoulli,
    fixed_total_number,
    distance_dependent,
    sonet,
    file,
};

// distance_dependent: p(d) = max_probability · k(d/width) for d <= cutoff, 0 beyond;
// k(x) = exp(−x²/2) (gaussian) or exp(−x) (exponential).
enum class distance_kernel { gaussian, exponential };
struct spatial_spec {
    distance_kernel kernel = distance_kernel::gaussian;
    double width_um = 0.0;
    double max_probability = 0.0;
    std::optional<double> cutoff_um;  // none: where the kernel's remaining mass is below 1e-17
};

// Second-order network (Zhao, Beverlin, Netoff & Nykamp 2011): connection probability p (the
// projection's `probability`) and the relative excess of the four two-edge motifs,
// P(both edges) = p²(1 + α).
struct sonet_spec {
    double alpha_recip = 0.0, alpha_conv = 0.0, alpha_div = 0.0, alpha_chain = 0.0;
};

// A projection read from a file of edges (SONATA edges HDF5, or a text edge list).
enum class edge_file_format { sonata, text };
struct edge_file_spec {
    std::string path;                  // as resolved by the config reader (relative to the config file)
    edge_file_format format = edge_file_format::sonata;
    std::string edge_population;       // SONATA: /edges/<edge_population>
    // The file's node id of the first neuron of pre and of post: a projection takes the edges whose
    // source lies in [source_offset, source_offset + N_pre) and target in [target_offset,
    // target_offset + N_post). SONATA default 0 (node ids per node population), text default the
    // population's first global id (one id space for the whole network).
    std::uint64_t source_offset = 0, target_offset = 0;
    // What the config reader learnt from the file without reading every edge: the synapses of this
    // projection when they are known (an edge population read by this projection alone, or a text
    // file), and which per-edge values the file holds.
    std::optional<std::uint64_t> synapses;
    bool has_weights = false, has_delays = false;
};

enum class weight_distribution { constant, normal, lognormal };
enum class delay_distribution { constant, uniform, normal };

struct projection_spec {
    std::string pre, post;
    connection_rule rule = connection_rule::fixed_indegree;
    double degree = 0.0;       // K for fixed in/out-degree
    double probability = 0.0;  // p for pairwise_bernoulli and sonet
    // fixed_total_number: the number Q of synapses, or the connection probability C it is derived
    // from, Q = round(ln(1 − C) / ln(1 − 1/(N_pre N_post))) (Potjans & Diesmann 2014).
    std::optional<std::uint64_t> total_number;
    std::optional<double> connection_probability;
    spatial_spec spatial;    // distance_dependent
    sonet_spec sonet;        // sonet
    std::optional<edge_file_spec> file;  // file
    std::optional<double> weight;  // J, absolute
    std::optional<double> j0;      // J = j0 / sqrt(K)   (K: mean in-degree)
    // Per-synapse weights around J: normal with s.d. |J|·weight_relative_sd (redrawn until the sign
    // is that of J), or lognormal with mean J and the same relative s.d.
    weight_distribution weights = weight_distribution::constant;
    double weight_relative_sd = 0.0;
    bool autapses = false;
    bool multapses = false;
    // Transmission delay in ms: 0 for every projection (zero-delay mode), or > 0 for every
    // projection: constant (delay_max_ms == delay_ms), uniform in [delay_ms, delay_max_ms], or
    // normal with mean delay_ms and s.d. delay_sd_ms truncated (redrawn) below delay_min_ms, drawn
    // per synapse.
    delay_distribution delays = delay_distribution::constant;
    double delay_ms = 0.0;
    double delay_max_ms = 0.0;
    double delay_sd_ms = 0.0, delay_min_ms = 0.0;
    // Whether the config gives the delay (a file's delays count only when it does not).
    bool delay_given = false;
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
enum class qr_method { tsqr, cgs, cholesky, cholqr2, householder };
enum class tangent_layout { neuron_major, column_major };

struct lyapunov_spec {
    std::uint64_t exponents = 0;           // m; 0: all N
    double warmup_ms = 0.0;                // no tangent space
    double ons_warmup_ms = 0.0;            // tangent space on, exponents discarded
    // The warm-ups counted in network spikes per neuron instead of time (when set).
    std::optional<double> warmup_spikes_per_neuron, ons_warmup_spikes_per_neuron;
    std::uint64_t orthonormalize_every = 0;  // network spikes between QR steps; 0: chosen from cond(Q)
    double max_condition = 0.0;            // > 0: adaptive interval keeping cond(Q) below this
    qr_method method = qr_method::cholqr2;
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
