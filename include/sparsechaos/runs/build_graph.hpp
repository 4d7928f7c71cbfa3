#pragma once
// This rank's graph for a run: network::build_local_graph, with the synapses of projections that
// come from files (rule = "file") read by io first. Collective over the context when the spec has
// file projections (parallel HDF5), local otherwise.
#include "sparsechaos/network/local_graph.hpp"
#include "sparsechaos/parallel/context.hpp"

namespace sparsechaos::runs {

network::local_graph build_graph(const network::network_spec& spec, parallel::context& ctx);

}  // namespace sparsechaos::runs
