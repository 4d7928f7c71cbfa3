#pragma once
// A graph file that cannot be used: missing, malformed, or with a value out of range. The message
// names the file, the dataset or line, and the row: "edges.h5: /edges/E_to_I/0/syn_weight[17]:
// weight is NaN". Reading is collective: every rank of the communicator throws the same message
// (the first bad row of the file, whichever rank read it), so a driver prints it once and exits.
#include <stdexcept>

namespace sparsechaos::io {

struct graph_file_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

}  // namespace sparsechaos::io
