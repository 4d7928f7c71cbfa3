#pragma once
// The schema of a spiking-network configuration: which keys may appear where (config.cpp walks
// files and --set overrides against it), and which projection keys belong to which rule.
#include <toml++/toml.h>

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sparsechaos/network/spec.hpp"
#include "toml_reader.hpp"

namespace sparsechaos::io::config_schema {

struct key_schema {
    enum class kind { value, table, table_array };
    kind type = kind::value;
    std::map<std::string, key_schema, std::less<>> keys;  // of a table, or of each array element
};

const key_schema& root_schema();
// The schema of a top-level key ("population", "projection", ...).
const key_schema& schema_of(std::string_view key);
// Keys a population may carry only for some models (rapidness, delta_t, ...).
std::set<std::string, std::less<>> model_specific_keys();
// The keys each connection rule reads besides pre, post, the coupling, weights and delays; a key
// of another rule is an error.
const std::vector<std::pair<network::connection_rule, std::vector<std::string_view>>>& rule_keys();

// "population[0]".
std::string indexed(std::string_view key, std::size_t i);
std::string unknown_key_message(const std::string& full_key, std::string_view key, const key_schema& parent);
// Rejects keys of `t` that the schema does not list.
void check_keys(const toml::table& t, std::string_view path, const key_schema& schema, const toml_reading::reader& r);

}  // namespace sparsechaos::io::config_schema
