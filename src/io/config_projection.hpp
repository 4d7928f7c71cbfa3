#pragma once
// Reading [[projection]] tables (config.cpp reads the rest): the rule and its keys, the coupling,
// weight and delay laws, and for rule = "file" the file's metadata (SONATA) or its edges (text).
#include <toml++/toml.h>

#include <string>
#include <vector>

#include "sparsechaos/network/spec.hpp"
#include "toml_reader.hpp"

namespace sparsechaos::io::config_projection {

// One projection; file paths relative to `base_directory` (the config file's directory, or the
// working directory when empty).
network::projection_spec read_projection(const toml::table& t, const std::string& path,
                                         const std::vector<network::population_spec>& pops,
                                         const toml_reading::reader& r, const std::string& base_directory);

// Checks across the projections that read files: no two take the same edges, every edge of a text
// list belongs to one of them (and their counts, weights and delays are recorded).
void check_edge_files(network::network_spec& spec, const std::vector<const toml::table*>& tables,
                      const toml_reading::reader& r);

// Whether a projection runs with delays: its own > 0, or those of its file when it gives none.
bool delayed(const network::projection_spec& p);

}  // namespace sparsechaos::io::config_projection
