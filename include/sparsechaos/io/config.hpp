#pragma once
// Reading and checking a TOML configuration (every key is documented in docs/configuration.md).
// Errors are thrown as config_error with a message that names the offending key and value.
#include <stdexcept>
#include <string>
#include <vector>

#include "sparsechaos/network/spec.hpp"

namespace sparsechaos::io {

struct config_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Parse configuration text; `overrides` are "dotted.key=value" strings (from --set) applied on
// top of the file before validation. `source_name` appears in error messages. Relative paths of
// files the configuration names (projection.file) are taken from `base_directory` (empty: the
// working directory). SONATA files named by projections are opened (metadata only: serial HDF5)
// and text edge lists read whole.
network::network_spec parse_config(const std::string& text, const std::vector<std::string>& overrides = {},
                                   const std::string& source_name = "config", const std::string& base_directory = "");
// Read and parse a file (paths in it relative to its directory); a missing or unreadable file is a
// config_error naming the path.
network::network_spec load_config(const std::string& path, const std::vector<std::string>& overrides = {});

// Human-readable description for `sparsechaos check`: populations, sizes, models, drives,
// projections with expected synapse counts, and a memory estimate for stored and procedural
// connectivity. Projections read from files are read here (serially, every edge checked) so that
// their counts, weights and delays are reported; needs MPI to be initialized when there are any.
std::string describe(const network::network_spec& spec);

}  // namespace sparsechaos::io
