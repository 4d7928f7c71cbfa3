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

// One change of the configuration from the command line, applied on top of the file, in the
// order given, before validation:
//   set    "dotted.key=value": a value, a whole table or inline table (projection[0]={...}), or
//          a whole array of tables;
//   unset  "dotted.key": removes a key, a table, or an element of an array of tables
//          (projection[1]).
// A plain string is a set.
struct config_override {
    enum class kind { set, unset };
    kind what = kind::set;
    std::string argument;

    config_override(std::string set_argument) : argument(std::move(set_argument)) {}
    config_override(const char* set_argument) : argument(set_argument) {}
    config_override(kind k, std::string a) : what(k), argument(std::move(a)) {}
    static config_override unset(std::string key) { return {kind::unset, std::move(key)}; }
    // As typed: "--set key=value" or "--unset key" (error messages, /meta).
    std::string text() const { return (what == kind::set ? "--set " : "--unset ") + argument; }
};
using config_overrides = std::vector<config_override>;

// Parse configuration text with the command line's `overrides` applied on top. `source_name`
// appears in error messages. Relative paths of files the configuration names (projection.file)
// are taken from `base_directory` (empty: the working directory). SONATA files named by
// projections are opened (metadata only: serial HDF5) and text edge lists read whole.
network::network_spec parse_config(const std::string& text, const config_overrides& overrides = {},
                                   const std::string& source_name = "config", const std::string& base_directory = "");
// Read and parse a file (paths in it relative to its directory); a missing or unreadable file is a
// config_error naming the path.
network::network_spec load_config(const std::string& path, const config_overrides& overrides = {});

// Human-readable description for `sparsechaos check`: populations, sizes, models, drives,
// projections with expected synapse counts, and a memory estimate for stored and procedural
// connectivity. Projections read from files are read here (serially, every edge checked) so that
// their counts, weights and delays are reported; needs MPI to be initialized when there are any.
std::string describe(const network::network_spec& spec);

}  // namespace sparsechaos::io
