#pragma once
// Standard networks built in code, shared by tests and benchmarks (configs describe the same
// networks in TOML: examples/balanced_*.toml).
#include <string>
#include <tuple>

#include "sparsechaos/network/spec.hpp"

namespace sparsechaos::network {

// One inhibitory population, fixed in-degree K, J = j0/sqrt(K), balanced drive at `rate_hz`.
inline network_spec inhibitory_network(models::model model, std::uint64_t n, double k, double j0 = -1.0,
                                                 double rate_hz = 1.0, double jitter = 0.0, std::uint64_t seed = 7) {
    network_spec spec;
    population_spec pop;
    pop.name = "I";
    pop.size = n;
    pop.model = model;
    pop.drive.balanced_rate_hz = rate_hz;
    pop.drive.jitter = jitter;
    spec.populations.push_back(pop);
    projection_spec proj;
    proj.pre = proj.post = "I";
    proj.rule = connection_rule::fixed_indegree;
    proj.degree = k;
    proj.j0 = j0;
    spec.projections.push_back(proj);
    spec.simulation.seed = seed;
    return spec;
}

// Excitatory and inhibitory populations (80/20), all four projections with fixed in-degrees.
inline network_spec ei_network(models::model model, std::uint64_t n, double k, double j0_e = 1.0,
                                        double j0_i = -2.0, double jitter = 0.0, std::uint64_t seed = 11) {
    network_spec spec;
    for (auto [name, size, rate] : {std::tuple{"E", n * 4 / 5, 2.0}, std::tuple{"I", n / 5, 4.0}}) {
        population_spec pop;
        pop.name = name;
        pop.size = size;
        pop.model = model;
        pop.drive.balanced_rate_hz = rate;
        pop.drive.jitter = jitter;
        spec.populations.push_back(pop);
    }
    for (const char* pre : {"E", "I"})
        for (const char* post : {"E", "I"}) {
            projection_spec proj;
            proj.pre = pre;
            proj.post = post;
            proj.rule = connection_rule::fixed_indegree;
            proj.degree = std::string(pre) == "E" ? 0.8 * k : 0.2 * k;
            proj.j0 = std::string(pre) == "E" ? j0_e : j0_i;
            spec.projections.push_back(proj);
        }
    spec.simulation.seed = seed;
    return spec;
}

}  // namespace sparsechaos::network
