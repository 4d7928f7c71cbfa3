#pragma once
// Text edge lists: one synapse per line, `pre post [weight [delay_ms]]`, separated by spaces or
// tabs; `#` starts a comment; blank lines are skipped. Every data line has the same number of
// columns (2, 3 or 4). Ids are non-negative integers in the file's id space (a projection takes
// the edges in its ranges, network::edge_file_spec); weights finite; delays finite and >= 0.
// Errors (graph_file_error) name the file and line: "net.txt:17: column 3 (weight): nan".
#include <cstdint>
#include <string>
#include <vector>

namespace sparsechaos::io {

struct edge_list {
    int columns = 2;
    std::vector<std::uint64_t> pre, post, line;  // line: 1-based line number of each edge
    std::vector<double> weight, delay_ms;         // present with 3 and 4 columns
};

// Reads and checks a whole file.
edge_list read_edge_list(const std::string& path);

}  // namespace sparsechaos::io
