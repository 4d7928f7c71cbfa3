#pragma once
// Reading the synapses of projections with rule = "file" (SONATA edges or text edge lists), on
// any number of ranks, and building a rank's projections from them.
//
// Each edge of a file belongs to the projection whose source range [source_offset, + N_pre) and
// target range [target_offset, + N_post) hold its ids (projections reading the same edges share
// them out); an edge that belongs to none, an id out of range, a weight that is NaN or infinite,
// a negative (or, in the delay mode, zero) delay: graph_file_error naming file, dataset and row,
// thrown on every rank. Weights and delays are read only where the config does not give them.
//
// Collective over the communicator (every rank calls with the same arguments). SONATA files are
// read through parallel HDF5 (MPI-IO): with a target_to_source index a rank reads only the rows
// of the edges onto its own neurons; without one it reads the target column in blocks and the
// other columns of the blocks that hold such edges. Text lists are read whole by every rank.
// The summary of each projection (count, mean weight summed exactly, delay range) is the same bits
// on any number of ranks.
#include <mpi.h>

#include <optional>
#include <vector>

#include "sparsechaos/network/connectivity.hpp"
#include "sparsechaos/network/layout.hpp"
#include "sparsechaos/network/local_graph.hpp"
#include "sparsechaos/network/spec.hpp"

namespace sparsechaos::io {

// Per projection (config order): this rank's synapses, and the file's summary; both empty for
// projections that are not read from a file (and the synapses when not kept).
using edge_files_read = network::file_edges;

// Reads every projection with rule file. keep = false: check and summarize only (what
// `sparsechaos check` does on one rank), storing no synapse.
edge_files_read read_edge_files(const network::network_spec& spec, const network::layout& lay,
                                const std::vector<network::resolved_projection>& projections, MPI_Comm comm,
                                bool keep = true);

// This rank's projections, in config order: drawn for the rules, read for files (projections
// are completed by apply_file_summary on the way, so drives and delay windows computed from them
// afterwards see the file's in-degrees, mean weights and delays). Collective.
std::vector<network::projection_targets> build_projections(const network::network_spec& spec,
                                                           const network::layout& lay,
                                                           std::vector<network::resolved_projection>& projections,
                                                           MPI_Comm comm, network::synapse_weight_use use);

}  // namespace sparsechaos::io
