#pragma once
// SONATA edge files (Dai et al., PLoS Comput. Biol. 16:e1007696, 2020): an edge population
// /edges/<name> holds source_node_id and target_node_id (node ids within the node populations that
// their `node_population` attributes name), edge_type_id, edge_group_id, edge_group_index, and an
// edge group (here: one, usually "0") with per-edge attributes, of which sparsechaos reads
// syn_weight and delay (ms). An optional index /edges/<name>/indices/target_to_source
// (node_id_to_ranges: per target node [first, end) into range_to_edge_id; range_to_edge_id: edge
// [first, end) per range) lets each rank read only the edges onto its own neurons.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sparsechaos::io {

// What a SONATA edge population holds, from its metadata alone.
struct sonata_edge_info {
    std::string population;                  // the edge population's name
    std::uint64_t edges = 0;
    std::string source_nodes, target_nodes;  // node population names ("" if the file gives none)
    std::string group;                       // the edge group holding syn_weight / delay ("" if none)
    bool has_weights = false, has_delays = false, has_index = false;
    // The delays' lower bound that the run which wrote the file used for its exchange windows
    // (the attribute lower_bound_ms of the delay dataset; sparsechaos writes it): a graph read
    // back then runs the same windows, and the same spike trains, as the run that wrote it.
    std::optional<double> delay_lower_bound_ms;
};

// Reads the metadata of /edges/<edge_population> (serially, without MPI); `edge_population` ""
// takes the file's only edge population. Throws graph_file_error naming file and dataset for a
// missing file, group or required dataset, datasets of different lengths, or non-numeric types.
sonata_edge_info read_sonata_info(const std::string& path, const std::string& edge_population);

// The names of the edge populations of a file (for messages).
std::vector<std::string> sonata_edge_populations(const std::string& path);

}  // namespace sparsechaos::io
