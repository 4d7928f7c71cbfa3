#include "sparsechaos/network/synapse_values.hpp"

#include <cmath>
#include <numbers>

#include "sparsechaos/network/random.hpp"
#include "sparsechaos/network/sampling.hpp"
#include "sparsechaos/network/synapse_stream.hpp"

namespace sparsechaos::network {

float draw_weight(const weight_law& law, std::uint64_t seed, std::uint32_t projection, std::uint64_t pre,
                  std::uint64_t post, std::uint32_t repeat) {
    if (law.kind == weight_distribution::constant) return float(law.mean);
    synapse_stream rng(seed, synapse_purpose::weight, projection, pre, post, repeat);
    if (law.kind == weight_distribution::lognormal) {
        const double s2 = std::log1p(law.relative_sd * law.relative_sd);
        return float(law.mean * std::exp(-0.5 * s2 + std::sqrt(s2) * standard_normal(rng)));
    }
    for (;;) {
        const double factor = 1.0 + law.relative_sd * standard_normal(rng);
        const float w = float(law.mean * factor);
        if (factor > 0.0 && w != 0.0f) return w;
    }
}

float draw_delay(const delay_law& law, std::uint64_t seed, std::uint32_t projection, std::uint64_t pre,
                 std::uint64_t post, std::uint32_t repeat) {
    switch (law.kind) {
    case delay_distribution::constant: return float(law.low_ms);
    case delay_distribution::uniform: {
        random_stream rng(seed, stream_purpose::synaptic_delay, projection, pre);
        rng.seek(post);
        float d = float(law.low_ms + (law.high_ms - law.low_ms) * rng.uniform());
        if (double(d) < law.low_ms) d = std::nextafter(d, INFINITY);
        return d;
    }
    case delay_distribution::normal: {
        synapse_stream rng(seed, synapse_purpose::delay, projection, pre, post, repeat);
        for (;;) {
            const double d = law.mean_ms + law.sd_ms * standard_normal(rng);
            if (d < law.low_ms) continue;
            float f = float(d);
            if (double(f) < law.low_ms) f = std::nextafter(f, INFINITY);
            return f;
        }
    }
    }
    return float(law.low_ms);
}

double weight_law_mean(const weight_law& law) {
    if (law.kind != weight_distribution::normal) return law.mean;
    // Normal truncated to 1 + s g > 0, i.e. g > a = −1/s: E[g | g > a] = φ(a)/Q(a).
    const double a = -1.0 / law.relative_sd;
    const double phi = std::exp(-0.5 * a * a) / std::sqrt(2.0 * std::numbers::pi);
    return law.mean * (1.0 + law.relative_sd * phi / normal_upper(a));
}

double weight_law_variance(const weight_law& law) {
    const double s = law.relative_sd, j2 = law.mean * law.mean;
    if (law.kind == weight_distribution::constant) return 0.0;
    if (law.kind == weight_distribution::lognormal) return j2 * s * s;
    const double a = -1.0 / s;
    const double phi = std::exp(-0.5 * a * a) / std::sqrt(2.0 * std::numbers::pi);
    const double lambda = phi / normal_upper(a);
    return j2 * s * s * (1.0 + a * lambda - lambda * lambda);  // Var[g | g > a]
}

}  // namespace sparsechaos::network
