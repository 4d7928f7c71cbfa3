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
// top of the file before validation. `source_name` appears in error messages.
network::network_spec parse_config(const std::string& text, const std::vector<std::string>& overrides = {},
                                   const std::string& source_name = "config");
// Read and parse a file; a missing or unreadable file is a config_error naming the path.
network::network_spec load_config(const std::string& path, const std::vector<std::string>& overrides = {});

// Human-readable description for `sparsechaos check`: populations, sizes, models, drives,
// projections with expected synapse counts, and a memory estimate for stored and procedural
// connectivity.
std::string describe(const network::network_spec& spec);

}  // namespace sparsechaos::io
