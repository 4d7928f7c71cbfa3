#pragma once
// Writing a run's realized graph as a SONATA file (the layout io/sonata_edges.hpp reads):
//   /edges/<name>/{source_node_id, target_node_id, edge_type_id, edge_group_id, edge_group_index}
//   /edges/<name>/0/syn_weight, /edges/<name>/0/delay (ms; absent in zero-delay runs)
//   /edges/<name>/indices/target_to_source/{node_id_to_ranges, range_to_edge_id}
//   /nodes/<population>/{node_type_id, node_id, node_group_id, node_group_index}, and 0/{x, y} (µm)
//   for populations with positions
// one edge population per projection, named by edge_population_name, node ids counted within
// each population (so `rule = "file"`, `edges = "<name>"` with default offsets reads it back).
// Edges are sorted by target, then source (then delay and weight): concatenated in rank order,
// since each rank holds the synapses onto its own neurons. Weights and delays that are one value
// per projection are written as float64 (the double the run used), per-synapse ones as float32
// (exactly the stored float): reading the file back gives the same rows, weights and delays.
//
// Collective over the communicator; every rank passes its own projection_targets (the ones the
// run uses, built with per-synapse weights where they vary).
#include <hdf5.h>
#include <mpi.h>

#include <string>
#include <vector>

#include "sparsechaos/network/connectivity.hpp"
#include "sparsechaos/network/layout.hpp"
#include "sparsechaos/network/spec.hpp"

namespace sparsechaos::io {

// "<pre>_to_<post>", or "<pre>_to_<post>_<k>" when an earlier projection has the same pair.
std::string edge_population_name(const network::network_spec& spec, std::size_t projection);

void write_graph(const std::string& path, MPI_Comm comm, const network::network_spec& spec,
                 const network::layout& lay, const std::vector<network::resolved_projection>& projections,
                 const std::vector<network::projection_targets>& targets);

// The /nodes part alone, into an open file (e.g. a run's output file): node ids of every population
// and the positions of those that have them. Collective; `file_id` an HDF5 file opened on `comm`.
void write_nodes(hid_t file_id, MPI_Comm comm, const network::network_spec& spec, const network::layout& lay);

}  // namespace sparsechaos::io
