#include "config_schema.hpp"

#include <algorithm>

#include "sparsechaos/io/config_names.hpp"

namespace sparsechaos::io::config_schema {

using toml_reading::join_key;
using toml_reading::list_text;
using toml_reading::reader;

namespace {

key_schema make_table(key_schema::kind type, std::initializer_list<std::string_view> values) {
    key_schema s;
    s.type = type;
    for (auto k : values) s.keys.emplace(std::string(k), key_schema{});
    return s;
}

// Levenshtein distance, for "did you mean" hints on misspelt keys.
std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diag = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t up = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diag = up;
        }
    }
    return row[b.size()];
}

}  // namespace

const std::vector<std::pair<network::connection_rule, std::vector<std::string_view>>>& rule_keys() {
    using network::connection_rule;
    static const std::vector<std::pair<connection_rule, std::vector<std::string_view>>> keys{
        {connection_rule::fixed_indegree, {"indegree"}},
        {connection_rule::fixed_outdegree, {"outdegree"}},
        {connection_rule::pairwise_bernoulli, {"probability"}},
        {connection_rule::fixed_total_number, {"synapses", "connection_probability"}},
        {connection_rule::distance_dependent, {"kernel", "width_um", "max_probability", "cutoff_um"}},
        {connection_rule::sonet, {"probability", "alpha_recip", "alpha_conv", "alpha_div", "alpha_chain"}},
        {connection_rule::file, {"file", "format", "edges", "source_id_offset", "target_id_offset"}},
    };
    return keys;
}

std::set<std::string, std::less<>> model_specific_keys() {
    std::set<std::string, std::less<>> keys;
    for_each_model([&]<class M>(std::type_identity<M>) {
        for (const auto& p : model_info<M>::parameters) keys.emplace(p.key);
    });
    return keys;
}

const key_schema& root_schema() {
    static const key_schema root = [] {
        using kind = key_schema::kind;
        key_schema population =
            make_table(kind::table_array, {"name", "size", "model", "tau_m_ms"});
        for (const auto& k : model_specific_keys()) population.keys.emplace(k, key_schema{});
        population.keys.emplace("drive", make_table(kind::table, {"value", "balanced_rate_hz", "jitter"}));
        population.keys.emplace("poisson", make_table(kind::table, {"rate_hz", "weight"}));
        population.keys.emplace("positions", make_table(kind::table, {"width_um", "height_um", "periodic", "layout"}));
        key_schema r = make_table(kind::table, {});
        r.keys.emplace("simulation", make_table(kind::table, {"duration_ms", "seed", "connectivity", "hold_kicks"}));
        r.keys.emplace("output", make_table(kind::table, {"spikes"}));
        r.keys.emplace("lyapunov", make_table(kind::table, {"exponents", "warmup_ms", "ons_warmup_ms",
                                                            "orthonormalize_every", "max_condition", "method",
                                                            "warmup_spikes_per_neuron", "ons_warmup_spikes_per_neuron",
                                                            "seed", "local_exponents", "target_rate_hz", "tune_ms",
                                                            "layout"}));
        r.keys.emplace("population", std::move(population));
        key_schema projection = make_table(
            kind::table_array, {"pre", "post", "rule", "j0", "weight", "weight_distribution", "weight_relative_sd",
                                "autapses", "multapses", "delay_ms", "delay_max_ms", "delay_distribution",
                                "delay_sd_ms", "delay_min_ms"});
        for (const auto& [rule, keys] : rule_keys())
            for (auto k : keys) projection.keys.emplace(std::string(k), key_schema{});
        r.keys.emplace("projection", std::move(projection));
        return r;
    }();
    return root;
}


std::string indexed(std::string_view key, std::size_t i) { return std::string(key) + "[" + std::to_string(i) + "]"; }

std::string unknown_key_message(const std::string& full_key, std::string_view key, const key_schema& parent) {
    std::string msg = "unknown key '" + full_key + "'";
    std::string_view best;
    std::size_t best_distance = 3;  // suggest only close matches
    std::vector<std::string_view> allowed;
    for (const auto& [k, _] : parent.keys) {
        allowed.push_back(k);
        const std::size_t d = edit_distance(key, k);
        if (d < best_distance) best_distance = d, best = k;
    }
    if (!best.empty()) msg += " (did you mean '" + std::string(best) + "'?)";
    return msg + "; allowed here: " + list_text(allowed);
}

// Rejects keys of `t` that the schema does not list.
void check_keys(const toml::table& t, std::string_view path, const key_schema& schema, const reader& r) {
    for (const auto& [k, v] : t) {
        if (schema.keys.find(k.str()) != schema.keys.end()) continue;
        const std::string full = join_key(path, k.str());
        r.fail_message(full, &v, unknown_key_message(full, k.str(), schema));
    }
}

const key_schema& schema_of(std::string_view key) { return root_schema().keys.find(key)->second; }

}  // namespace sparsechaos::io::config_schema
