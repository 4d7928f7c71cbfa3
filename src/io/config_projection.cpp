#include "config_projection.hpp"

#include <algorithm>
#include <filesystem>
#include <map>

#include "config_schema.hpp"
#include "sparsechaos/io/config_names.hpp"
#include "sparsechaos/io/edge_list.hpp"
#include "sparsechaos/io/graph_file_error.hpp"
#include "sparsechaos/io/sonata_edges.hpp"

namespace sparsechaos::io::config_projection {
namespace {

using network::connection_rule;
using toml_reading::join_key;
using toml_reading::list_text;
using toml_reading::number_text;
using toml_reading::reader;

std::string quoted_list(const std::vector<std::string_view>& keys) {
    std::string s;
    for (std::size_t k = 0; k < keys.size(); ++k) s += (k ? ", '" : "'") + std::string(keys[k]) + "'";
    return s;
}

const std::vector<std::string_view>& keys_of(connection_rule rule) {
    for (const auto& [r, keys] : config_schema::rule_keys())
        if (r == rule) return keys;
    static const std::vector<std::string_view> none;
    return none;
}

std::uint64_t first_id(const std::vector<network::population_spec>& pops, const std::string& name) {
    std::uint64_t first = 0;
    for (const auto& p : pops) {
        if (p.name == name) return first;
        first += p.size;
    }
    return first;
}

std::uint64_t size_of(const std::vector<network::population_spec>& pops, const std::string& name) {
    for (const auto& p : pops)
        if (p.name == name) return p.size;
    return 0;
}

void read_rule(const toml::table& t, const std::string& path, network::projection_spec& p,
               const std::vector<network::population_spec>& pops, const reader& r, const std::string& base) {
    switch (p.rule) {
    case connection_rule::fixed_indegree:
    case connection_rule::fixed_outdegree: {
        const char* key = p.rule == connection_rule::fixed_indegree ? "indegree" : "outdegree";
        const std::int64_t k = r.required(r.integer(t, path, key), t, path, key);
        r.require(k >= 0, t, path, key, ">= 0");
        p.degree = double(k);
        break;
    }
    case connection_rule::pairwise_bernoulli:
        p.probability = r.required(r.number(t, path, "probability"), t, path, "probability");
        r.require(p.probability >= 0 && p.probability <= 1, t, path, "probability", "in [0, 1]");
        break;
    case connection_rule::fixed_total_number: {
        const auto q = r.integer(t, path, "synapses");
        const auto c = r.number(t, path, "connection_probability");
        if (q.has_value() == c.has_value())
            r.fail(path, &t, q ? "give 'synapses' (Q) or 'connection_probability' (C, Q = ln(1 - C)/ln(1 - 1/(N_pre N_post))), not both"
                               : "missing the count: give 'synapses' (Q) or 'connection_probability' (C)");
        if (q) {
            r.require(*q >= 0, t, path, "synapses", ">= 0");
            p.total_number = std::uint64_t(*q);
        } else {
            r.require(*c >= 0 && *c < 1, t, path, "connection_probability", "in [0, 1)");
            p.connection_probability = *c;
        }
        break;
    }
    case connection_rule::distance_dependent: {
        p.spatial.kernel = r.required(r.choice(t, path, "kernel", distance_kernel_names), t, path, "kernel");
        p.spatial.width_um = r.required(r.number(t, path, "width_um"), t, path, "width_um");
        r.require(p.spatial.width_um > 0, t, path, "width_um", "> 0 (µm)");
        p.spatial.max_probability = r.required(r.number(t, path, "max_probability"), t, path, "max_probability");
        r.require(p.spatial.max_probability > 0 && p.spatial.max_probability <= 1, t, path, "max_probability", "in (0, 1]");
        if (auto c = r.number(t, path, "cutoff_um")) {
            r.require(*c > 0, t, path, "cutoff_um", "> 0 (µm)");
            p.spatial.cutoff_um = *c;
        }
        break;
    }
    case connection_rule::sonet:
        p.probability = r.required(r.number(t, path, "probability"), t, path, "probability");
        r.require(p.probability > 0 && p.probability < 1, t, path, "probability", "in (0, 1)");
        for (auto [key, field] : {std::pair{"alpha_recip", &p.sonet.alpha_recip}, std::pair{"alpha_conv", &p.sonet.alpha_conv},
                                  std::pair{"alpha_div", &p.sonet.alpha_div}, std::pair{"alpha_chain", &p.sonet.alpha_chain}})
            if (auto a = r.number(t, path, key)) {
                r.require(*a >= -1, t, path, key, ">= -1 (P(both edges) = p²(1 + α) >= 0)");
                *field = *a;
            }
        break;
    case connection_rule::file: {
        network::edge_file_spec f;
        const std::string given = r.required(r.string(t, path, "file"), t, path, "file");
        r.require(!given.empty(), t, path, "file", "a path");
        namespace fs = std::filesystem;
        fs::path file = given;
        if (file.is_relative() && !base.empty()) file = fs::path(base) / file;
        f.path = file.lexically_normal().string();
        const std::string ext = file.extension().string();
        f.format = (ext == ".h5" || ext == ".hdf5" || ext == ".sonata") ? network::edge_file_format::sonata
                                                                          : network::edge_file_format::text;
        if (auto fmt = r.choice(t, path, "format", edge_file_format_names)) f.format = *fmt;
        if (auto e = r.string(t, path, "edges")) {
            if (f.format == network::edge_file_format::text)
                r.fail(join_key(path, "edges"), t.get("edges"), "not used by a text edge list (only SONATA files have edge populations)");
            f.edge_population = *e;
        }
        // Offsets: SONATA node ids count within node populations; a text list numbers the whole
        // network (by default the populations' global ids).
        const bool text = f.format == network::edge_file_format::text;
        f.source_offset = text ? first_id(pops, p.pre) : 0;
        f.target_offset = text ? first_id(pops, p.post) : 0;
        for (auto [key, field] : {std::pair{"source_id_offset", &f.source_offset}, std::pair{"target_id_offset", &f.target_offset}})
            if (auto o = r.integer(t, path, key)) {
                r.require(*o >= 0, t, path, key, ">= 0");
                *field = std::uint64_t(*o);
            }
        if (!text) {
            try {
                const sonata_edge_info info = read_sonata_info(f.path, f.edge_population);
                f.edge_population = info.population;
                f.synapses = info.edges;
                f.has_weights = info.has_weights;
                f.has_delays = info.has_delays;
                // A node population named like one of ours must be the projection's own.
                for (auto [nodes, ours, key] : {std::tuple{info.source_nodes, p.pre, "pre"}, std::tuple{info.target_nodes, p.post, "post"}})
                    if (!nodes.empty() && nodes != ours && size_of(pops, nodes) > 0)
                        r.fail(join_key(path, key), t.get(key),
                               "the file's edges /edges/" + info.population + " run " +
                                   (std::string(key) == "pre" ? "from" : "to") + " node population '" + nodes +
                                   "', a population of this config other than '" + ours + "'");
            } catch (const graph_file_error& e) {
                r.fail(join_key(path, "file"), t.get("file"), e.what());
            }
        }
        p.file = f;
        break;
    }
    }
}

void read_delays(const toml::table& t, const std::string& path, network::projection_spec& p, const reader& r) {
    using network::delay_distribution;
    const auto kind = r.choice(t, path, "delay_distribution", delay_distribution_names);
    p.delay_given = kind.has_value() || t.contains("delay_ms") || t.contains("delay_max_ms");
    auto forbid = [&](const char* key, const std::string& why) {
        if (t.contains(key)) r.fail(join_key(path, key), t.get(key), why);
    };
    if (!kind || *kind != delay_distribution::normal) {
        forbid("delay_sd_ms", "needs delay_distribution = \"normal\"");
        forbid("delay_min_ms", "needs delay_distribution = \"normal\"");
    }
    if (auto d = r.number(t, path, "delay_ms")) {
        r.require(*d >= 0, t, path, "delay_ms", ">= 0");
        p.delay_ms = p.delay_max_ms = *d;
    }
    if (!kind) {  // constant, or uniform when delay_max_ms is given
        if (auto d = r.number(t, path, "delay_max_ms")) {
            if (!t.contains("delay_ms"))
                r.fail(join_key(path, "delay_max_ms"), t.get("delay_max_ms"),
                       "needs 'delay_ms' (delays are uniform in [delay_ms, delay_max_ms])");
            r.require(*d >= p.delay_ms, t, path, "delay_max_ms", ">= delay_ms");
            p.delay_max_ms = *d;
            if (*d > p.delay_ms) p.delays = delay_distribution::uniform;
        }
        return;
    }
    p.delays = *kind;
    switch (*kind) {
    case delay_distribution::constant:
        forbid("delay_max_ms", "not used by constant delays");
        break;
    case delay_distribution::uniform: {
        r.required(r.number(t, path, "delay_ms"), t, path, "delay_ms");
        const double d = r.required(r.number(t, path, "delay_max_ms"), t, path, "delay_max_ms");
        r.require(d > p.delay_ms, t, path, "delay_max_ms", "> delay_ms (uniform delays)");
        p.delay_max_ms = d;
        break;
    }
    case delay_distribution::normal: {
        forbid("delay_max_ms", "not used by normal delays (they are truncated below delay_min_ms only)");
        const double mean = r.required(r.number(t, path, "delay_ms"), t, path, "delay_ms");
        p.delay_sd_ms = r.required(r.number(t, path, "delay_sd_ms"), t, path, "delay_sd_ms");
        r.require(p.delay_sd_ms > 0, t, path, "delay_sd_ms", "> 0");
        p.delay_min_ms = r.required(r.number(t, path, "delay_min_ms"), t, path, "delay_min_ms");
        r.require(p.delay_min_ms > 0 && p.delay_min_ms <= mean, t, path, "delay_min_ms",
                  "in (0, delay_ms]: the minimum sets the exchange windows, and a truncation above the mean "
                  "would discard most draws");
        p.delay_max_ms = mean;
        break;
    }
    }
}

}  // namespace

bool delayed(const network::projection_spec& p) {
    const bool file_delays = p.rule == connection_rule::file && p.file && p.file->has_delays && !p.delay_given;
    return file_delays || p.delay_ms > 0;
}

network::projection_spec read_projection(const toml::table& t, const std::string& path,
                                         const std::vector<network::population_spec>& pops, const reader& r,
                                         const std::string& base) {
    config_schema::check_keys(t, path, config_schema::schema_of("projection"), r);
    network::projection_spec p;
    std::vector<std::string_view> names;
    for (const auto& pop : pops) names.push_back(pop.name);
    for (auto [key, field] : {std::pair{"pre", &p.pre}, std::pair{"post", &p.post}}) {
        *field = r.required(r.string(t, path, key), t, path, key);
        if (std::find(names.begin(), names.end(), *field) == names.end())
            r.fail(join_key(path, key), t.get(key),
                   "unknown population \"" + *field + "\"; populations: " + list_text(names));
    }
    p.rule = r.required(r.choice(t, path, "rule", connection_rule_names), t, path, "rule");
    // Each rule reads its own keys; those of the other rules must be absent.
    const auto& mine = keys_of(p.rule);
    for (const auto& [rule, keys] : config_schema::rule_keys())
        for (auto k : keys)
            if (std::find(mine.begin(), mine.end(), k) == mine.end() && t.contains(k))
                r.fail(join_key(path, k), t.get(k),
                       "not used by rule '" + std::string(name_of(connection_rule_names, p.rule)) + "' (which reads " +
                           quoted_list(mine) + ")");
    read_rule(t, path, p, pops, r, base);

    p.j0 = r.number(t, path, "j0");
    p.weight = r.number(t, path, "weight");
    const bool from_file = p.rule == connection_rule::file && p.file->has_weights;
    if (p.j0 && p.weight) r.fail(path, &t, "give 'j0' (J = j0/sqrt(K)) or 'weight' (J), not both");
    if (!p.j0 && !p.weight && !from_file && !(p.rule == connection_rule::file && p.file->format == network::edge_file_format::text))
        r.fail(path, &t, p.rule == connection_rule::file
                             ? "missing the coupling: the file has no syn_weight; give 'weight' (J) or 'j0' (J = j0/sqrt(K))"
                             : "missing the coupling: give 'j0' (J = j0/sqrt(K)) or 'weight' (J)");
    if (auto w = r.choice(t, path, "weight_distribution", weight_distribution_names)) p.weights = *w;
    if (p.weights == network::weight_distribution::constant) {
        if (t.contains("weight_relative_sd"))
            r.fail(join_key(path, "weight_relative_sd"), t.get("weight_relative_sd"),
                   "needs weight_distribution = \"normal\" or \"lognormal\"");
    } else {
        if (!p.j0 && !p.weight)
            r.fail(join_key(path, "weight_distribution"), t.get("weight_distribution"),
                   "draws weights around the projection's J: give 'weight' or 'j0' (the file's syn_weight is used "
                   "only without them)");
        p.weight_relative_sd = r.required(r.number(t, path, "weight_relative_sd"), t, path, "weight_relative_sd");
        r.require(p.weight_relative_sd > 0, t, path, "weight_relative_sd", "> 0");
        if (p.weight) r.require(*p.weight != 0, t, path, "weight", "!= 0 with per-synapse weights (their sign is J's)");
        if (p.j0) r.require(*p.j0 != 0, t, path, "j0", "!= 0 with per-synapse weights (their sign is J's)");
    }
    if (p.rule == connection_rule::file) {
        for (const char* key : {"autapses", "multapses"})
            if (t.contains(key)) r.fail(join_key(path, key), t.get(key), "not used by rule 'file' (the file decides)");
    }
    p.autapses = r.boolean(t, path, "autapses").value_or(false);
    p.multapses = r.boolean(t, path, "multapses").value_or(false);
    read_delays(t, path, p, r);
    return p;
}

void check_edge_files(network::network_spec& spec, const std::vector<const toml::table*>& tables, const reader& r) {
    struct claim {
        std::size_t index;
        std::uint64_t s0, s1, t0, t1;
    };
    std::map<std::pair<std::string, std::string>, std::vector<claim>> groups;
    for (std::size_t k = 0; k < spec.projections.size(); ++k) {
        const auto& p = spec.projections[k];
        if (p.rule != connection_rule::file) continue;
        const std::uint64_t np = size_of(spec.populations, p.pre), nq = size_of(spec.populations, p.post);
        groups[{p.file->path, p.file->edge_population}].push_back(
            {k, p.file->source_offset, p.file->source_offset + np, p.file->target_offset, p.file->target_offset + nq});
    }
    for (auto& [key, claims] : groups) {
        // No two projections may take the same edges.
        for (std::size_t a = 0; a < claims.size(); ++a)
            for (std::size_t b = a + 1; b < claims.size(); ++b) {
                const auto &x = claims[a], &y = claims[b];
                if (x.s0 < y.s1 && y.s0 < x.s1 && x.t0 < y.t1 && y.t0 < x.t1)
                    r.fail(join_key(config_schema::indexed("projection", y.index), "source_id_offset"), tables[y.index],
                           "takes edges of " + key.first + " that projection[" + std::to_string(x.index) +
                               "] takes too (source ids [" + std::to_string(y.s0) + ", " + std::to_string(y.s1) +
                               ") and target ids [" + std::to_string(y.t0) + ", " + std::to_string(y.t1) +
                               ") overlap its ranges)");
            }
        if (spec.projections[claims[0].index].file->format != network::edge_file_format::text) continue;
        // Text lists are read whole now: counts, and every edge in exactly one projection.
        edge_list list;
        try {
            list = read_edge_list(key.first);
        } catch (const graph_file_error& e) {
            const std::size_t k = claims[0].index;
            r.fail(join_key(config_schema::indexed("projection", k), "file"), tables[k]->get("file"), e.what());
        }
        std::vector<std::uint64_t> counts(claims.size(), 0);
        for (std::size_t e = 0; e < list.pre.size(); ++e) {
            const std::uint64_t s = list.pre[e], t = list.post[e];
            bool found = false;
            for (std::size_t c = 0; c < claims.size() && !found; ++c)
                if (s >= claims[c].s0 && s < claims[c].s1 && t >= claims[c].t0 && t < claims[c].t1) ++counts[c], found = true;
            if (!found) {
                std::string ranges;
                for (const auto& c : claims)
                    ranges += (ranges.empty() ? "" : "; ") + std::string("projection[") + std::to_string(c.index) +
                              "]: sources [" + std::to_string(c.s0) + ", " + std::to_string(c.s1) + "), targets [" +
                              std::to_string(c.t0) + ", " + std::to_string(c.t1) + ")";
                const std::size_t k = claims[0].index;
                r.fail(join_key(config_schema::indexed("projection", k), "file"), tables[k]->get("file"),
                       key.first + ":" + std::to_string(list.line[e]) + ": the edge " + std::to_string(s) + " -> " +
                           std::to_string(t) + " lies in no projection reading this file (" + ranges + ")");
            }
        }
        for (std::size_t c = 0; c < claims.size(); ++c) {
            auto& p = spec.projections[claims[c].index];
            p.file->synapses = counts[c];
            p.file->has_weights = list.columns >= 3;
            p.file->has_delays = list.columns >= 4;
            if (!p.weight && !p.j0 && !p.file->has_weights)
                r.fail(config_schema::indexed("projection", claims[c].index), tables[claims[c].index],
                       "missing the coupling: " + key.first + " has no weight column; give 'weight' (J) or 'j0'");
        }
    }
}

}  // namespace sparsechaos::io::config_projection
