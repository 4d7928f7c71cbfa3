#include "sparsechaos/runs/build_graph.hpp"

#include <algorithm>

#include "sparsechaos/io/graph_import.hpp"

namespace sparsechaos::runs {

network::local_graph build_graph(const network::network_spec& spec, parallel::context& ctx) {
    const bool files = std::any_of(spec.projections.begin(), spec.projections.end(), [](const auto& p) {
        return p.rule == network::connection_rule::file;
    });
    if (!files) return network::build_local_graph(spec, ctx.rank(), ctx.size());
    const network::layout lay(spec, ctx.rank(), ctx.size());
    auto edges = io::read_edge_files(spec, lay, network::resolve_projections(spec, lay), ctx.comm());
    return network::build_local_graph(spec, ctx.rank(), ctx.size(), std::move(edges));
}

}  // namespace sparsechaos::runs
