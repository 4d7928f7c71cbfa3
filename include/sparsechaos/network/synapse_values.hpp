#pragma once
// Weights and delays of single synapses, drawn from the synapse's own stream (synapse_stream.hpp)
// keyed by (seed, projection, pre, post, repeat): the same on any rank, in any build order.
//   weights  normal:    w = J (1 + s g), g standard normal, redrawn until 1 + s g > 0, so that no
//                       weight changes sign (mean and s.d. those of the normal truncated there)
//            lognormal: w = J exp(μ + σ g), σ² = ln(1 + s²), μ = −σ²/2: mean J, s.d. |J| s
//   delays   uniform:   in [delay_ms, delay_max_ms], from the stream of pre at draw `post` (the
//                       draws of every earlier version, kept so runs stay bit-identical; the
//                       synapses of one pair share it)
//            normal:    mean + sd g, redrawn below delay_min_ms
// Values are stored as float; a float below the minimum delay moves up one ulp (windows of the
// delay mode rely on delay >= minimum).
#include <cstdint>

#include "sparsechaos/network/spec.hpp"

namespace sparsechaos::network {

struct weight_law {
    weight_distribution kind = weight_distribution::constant;
    double mean = 0.0;          // J
    double relative_sd = 0.0;   // s
};

struct delay_law {
    delay_distribution kind = delay_distribution::constant;
    double low_ms = 0.0;        // uniform: delay_ms; normal: delay_min_ms; constant: the delay
    double high_ms = 0.0;       // uniform: delay_max_ms
    double mean_ms = 0.0, sd_ms = 0.0;  // normal
};

float draw_weight(const weight_law& law, std::uint64_t seed, std::uint32_t projection, std::uint64_t pre,
                  std::uint64_t post, std::uint32_t repeat);
float draw_delay(const delay_law& law, std::uint64_t seed, std::uint32_t projection, std::uint64_t pre,
                 std::uint64_t post, std::uint32_t repeat);

// Mean and variance of the weights of a law (normal: of the truncated normal), for tests and the
// description.
double weight_law_mean(const weight_law& law);
double weight_law_variance(const weight_law& law);

}  // namespace sparsechaos::network
