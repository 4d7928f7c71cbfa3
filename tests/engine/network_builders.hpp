#pragma once
// Small networks for engine tests, built in code (the config layer is tested on its own).
#include <string>
#include <tuple>

#include "sparsechaos/network/spec.hpp"

namespace sparsechaos::testing {

// One inhibitory population, fixed in-degree K, J = j0/sqrt(K), balanced drive at `rate_hz`.
inline network::network_spec inhibitory_network(models::model model, std::uint64_t n, double k, double j0 = -1.0,
                                                 double rate_hz = 1.0, double jitter = 0.0, std::uint64_t seed = 7) {
    network::network_spec spec;
    network::population_spec pop;
    pop.name = "I";
    pop.size = n;
    pop.model = model;
    pop.drive.balanced_rate_hz = rate_hz;
    pop.drive.jitter = jitter;
    spec.populations.push_back(pop);
    network::projection_spec proj;
    proj.pre = proj.post = "I";
    proj.rule = network::connection_rule::fixed_indegree;
    proj.degree = k;
    proj.j0 = j0;
    spec.projections.push_back(proj);
    spec.simulation.seed = seed;
    return spec;
}

// Excitatory and inhibitory populations (80/20), all four projections with fixed in-degrees.
inline network::network_spec ei_network(models::model model, std::uint64_t n, double k, double j0_e = 1.0,
                                        double j0_i = -2.0, double jitter = 0.0, std::uint64_t seed = 11) {
    network::network_spec spec;
    for (auto [name, size, rate] : {std::tuple{"E", n * 4 / 5, 2.0}, std::tuple{"I", n / 5, 4.0}}) {
        network::population_spec pop;
        pop.name = name;
        pop.size = size;
        pop.model = model;
        pop.drive.balanced_rate_hz = rate;
        pop.drive.jitter = jitter;
        spec.populations.push_back(pop);
    }
    for (const char* pre : {"E", "I"})
        for (const char* post : {"E", "I"}) {
            network::projection_spec proj;
            proj.pre = pre;
            proj.post = post;
            proj.rule = network::connection_rule::fixed_indegree;
            proj.degree = std::string(pre) == "E" ? 0.8 * k : 0.2 * k;
            proj.j0 = std::string(pre) == "E" ? j0_e : j0_i;
            spec.projections.push_back(proj);
        }
    spec.simulation.seed = seed;
    return spec;
}

}  // namespace sparsechaos::testing
