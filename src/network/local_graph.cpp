#include "sparsechaos/network/local_graph.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>

namespace sparsechaos::network {

std::vector<projection_targets> build_targets(const network_spec& spec, const layout& lay,
                                              std::vector<resolved_projection>& projections, file_edges files,
                                              synapse_weight_use use) {
    files.synapses.resize(projections.size());
    files.summaries.resize(projections.size());
    for (std::size_t k = 0; k < projections.size(); ++k) {
        if (projections[k].rule != connection_rule::file) continue;
        if (!files.summaries[k])
            throw std::invalid_argument("projection[" + std::to_string(k) +
                                        "] reads its synapses from a file: the graph is built with the file's "
                                        "edges (runs::build_graph)");
        apply_file_summary(projections[k], *files.summaries[k], lay);
    }
    std::vector<projection_targets> out;
    out.reserve(projections.size());
    for (std::size_t k = 0; k < projections.size(); ++k) {
        if (projections[k].rule == connection_rule::file)
            out.emplace_back(spec, lay, projections[k], std::move(files.synapses[k]), use);
        else
            out.emplace_back(spec, lay, projections[k], use);
    }
    return out;
}

local_graph build_local_graph(const network_spec& spec_in, int rank, int n_ranks, file_edges files) {
    auto shared = std::make_shared<const network_spec>(spec_in);
    const network_spec& spec = *shared;
    local_graph g{shared, layout(spec, rank, n_ranks)};
    const auto& local = g.layout.local();
    if (local.size > std::numeric_limits<std::uint32_t>::max())
        throw std::invalid_argument("more than 2^32 - 1 neurons on one rank: use more ranks");
    g.projections = resolve_projections(spec, g.layout);
    g.targets = build_targets(spec, g.layout, g.projections, std::move(files), synapse_weight_use::per_synapse);
    g.drives = population_drives(spec, g.projections);
    g.outgoing.resize(spec.populations.size());
    for (const auto& p : g.projections) g.outgoing[p.pre].push_back(p.index);
    for (const auto& t : g.targets) g.synapse_weights = g.synapse_weights || t.per_synapse_weights();
    for (std::size_t p = 0; p < spec.populations.size(); ++p) {
        const auto& pop = g.layout.population(p);
        const std::uint64_t first = std::max(pop.first, local.first);
        const std::uint64_t end = std::min(pop.end(), local.end());
        g.local_ranges.push_back({first - local.first, end > first ? end - first : 0});
        g.neurons.push_back(std::visit(
            [&](const auto& model) -> any_population_neurons {
                using M = std::decay_t<decltype(model)>;
                population_neurons<M> pn{model, {}};
                const bool homogeneous = spec.populations[p].drive.jitter == 0.0;
                try {
                    if (homogeneous) {
                        pn.neurons.push_back(model.make_neuron(g.drives[p]));
                    } else {
                        pn.neurons.reserve(end > first ? end - first : 0);
                        for (std::uint64_t id = first; id < end; ++id)
                            pn.neurons.push_back(model.make_neuron(neuron_drive(spec, p, g.drives[p], id)));
                    }
                } catch (const std::invalid_argument& e) {
                    throw std::invalid_argument("population '" + spec.populations[p].name + "': " + e.what());
                }
                return pn;
            },
            spec.populations[p].model));
    }
    g.min_delay_ms = minimum_delay_ms(g.projections);
    g.excitation = any_excitation(spec, g.projections);
    for (const auto& pop : spec.populations) g.poisson = g.poisson || pop.poisson.has_value();
    return g;
}

double local_graph::omega(std::uint64_t i) const {
    const std::size_t p = local_population(i);
    return std::visit([&](const auto& pn) { return double(pn.at(i - local_ranges[p].first).omega); }, neurons[p]);
}

std::uint64_t local_graph::synapse_bytes() const {
    std::uint64_t b = 0;
    for (const auto& t : targets) b += t.memory_bytes();
    return b;
}

std::uint64_t local_graph::stored_synapses() const {
    std::uint64_t n = 0;
    for (const auto& t : targets) n += t.stored_synapses();
    return n;
}

std::uint64_t local_graph::neuron_constant_bytes() const {
    std::uint64_t b = 0;
    for (const auto& pn : neurons)
        std::visit([&](const auto& x) { b += x.neurons.capacity() * sizeof(x.neurons[0]); }, pn);
    return b;
}

}  // namespace sparsechaos::network
