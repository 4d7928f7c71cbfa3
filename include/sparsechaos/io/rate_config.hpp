#pragma once
// Reading a rate-network TOML configuration ([rate_network], optional [rate_network.input] and
// [lyapunov]) into a rate::rate_network_spec. Every key is documented in docs/rate_networks.md.
// Errors are config_error (io/config.hpp) with a message that names where the value came from,
// the dotted key and what is wrong, e.g.
//   run.toml:4:5: rate_network.g: must be > 0, got -1
#include <toml++/toml.h>

#include <string>
#include <vector>

#include "sparsechaos/io/config.hpp"
#include "sparsechaos/rate/spec.hpp"

namespace sparsechaos::io {

// A configuration is a rate-network configuration when its root has a [rate_network] table
// (spiking configurations have [[population]] instead).
bool is_rate_config(const toml::table& root);
// The same for a file; false when the file cannot be read or parsed (the loader that runs next
// reports why).
bool is_rate_config_file(const std::string& path);

// Parse configuration text with the command line's `overrides` (io/config.hpp) applied on top.
// `source_name` appears in error messages.
rate::rate_network_spec parse_rate_config(const std::string& text, const config_overrides& overrides = {},
                                          const std::string& source_name = "config");
// Read and parse a file; a missing or unreadable file is a config_error naming the path.
rate::rate_network_spec load_rate_config(const std::string& path, const config_overrides& overrides = {});

// Human-readable description for `sparsechaos check`: the model, J and its memory, the input,
// the phases of the run in steps.
std::string describe_rate(const rate::rate_network_spec& spec);

}  // namespace sparsechaos::io
