// Reading a TOML configuration into a network_spec (schema: docs/configuration.md).
//
// Three steps: parse the text, apply the --set overrides to the TOML tree, then walk the tree
// against the schema. Every error names the dotted key (population[0].size) and where it came
// from: file:line:column for the text, the override itself for a --set value.
#include "sparsechaos/io/config.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <tuple>

#include "config_projection.hpp"
#include "config_schema.hpp"
#include "sparsechaos/io/config_names.hpp"
#include "sparsechaos/network/connectivity.hpp"
#include "sparsechaos/network/layout.hpp"
#include "sparsechaos/network/positions.hpp"
#include "toml_reader.hpp"

namespace sparsechaos::io {
namespace {

// The reader, text helpers and --set pieces shared with rate networks (toml_reader.hpp).
using toml_reading::is_word;
using toml_reading::join_key;
using toml_reading::list_text;
using toml_reading::number_text;
using toml_reading::reader;
using config_schema::check_keys;
using config_schema::indexed;
using config_schema::key_schema;
using config_schema::model_specific_keys;
using config_schema::root_schema;
using config_schema::schema_of;
using config_schema::unknown_key_message;

// ---- --set overrides ------------------------------------------------------------------------

struct path_segment {
    std::string name;
    std::optional<std::size_t> index;  // population[0]
    std::string element;               // population[I]: an element chosen by name
};

// "population[0].drive.value" -> {population,0} {drive} {value}; "population[I]" -> {population,"I"}
std::vector<path_segment> split_path(const std::string& key, const std::string& origin) {
    std::vector<path_segment> out;
    std::size_t pos = 0;
    while (pos <= key.size()) {
        const std::size_t dot = std::min(key.find('.', pos), key.size());
        std::string part = key.substr(pos, dot - pos);
        path_segment seg;
        if (const auto open = part.find('['); open != std::string::npos) {
            std::string inside = part.substr(open + 1, part.size() - open - 2);
            if (part.back() != ']' || !is_word(inside))
                throw config_error(origin + ": bad element in '" + part + "' (expected key[number] or key[name])");
            if (std::all_of(inside.begin(), inside.end(), [](char c) { return c >= '0' && c <= '9'; }))
                seg.index = std::stoull(inside);
            else
                seg.element = std::move(inside);
            part.resize(open);
        }
        if (!is_word(part)) throw config_error(origin + ": bad key '" + key + "' (expected dotted.key=value)");
        seg.name = std::move(part);
        out.push_back(std::move(seg));
        pos = dot + 1;
    }
    return out;
}

// Names of the elements of an array of tables, for "population.I" lookups and hints.
std::vector<std::string_view> element_names(const toml::array& a) {
    std::vector<std::string_view> names;
    for (const auto& e : a)
        if (const auto* t = e.as_table())
            if (const auto* n = t->get_as<std::string>("name")) names.push_back(n->get());
    return names;
}

// "population.I.drive.value=0.3": the key is walked against the schema; arrays of tables take an
// element by index (projection[0]) or, for populations, by name (population.I, population[I]).
// The last part of the key is set or removed: a value, a table, an element of an array of
// tables, or the whole array.
void apply_override(toml::table& root, const config_override& arg, reader& r) {
    const toml_reading::override_arg o = toml_reading::split_override(arg);
    const std::string& origin = o.origin;
    const auto path = split_path(o.key, origin);

    const key_schema* schema = &root_schema();
    toml::table* t = &root;
    std::string canonical;  // the key in index form: population.I.size -> population[0].size
    for (std::size_t s = 0; s < path.size(); ++s) {
        const auto& seg = path[s];
        const auto it = schema->keys.find(seg.name);
        const std::string here = join_key(canonical, seg.name);
        if (it == schema->keys.end())
            throw config_error(origin + ": " + unknown_key_message(here, seg.name, *schema));
        const key_schema& child = it->second;
        const bool whole_array = s + 1 == path.size() && !seg.index && seg.element.empty();

        if (child.type == key_schema::kind::table_array && !whole_array) {
            toml::array* a = t->get_as<toml::array>(seg.name);
            const std::size_t count = a ? a->size() : 0;
            std::size_t index = 0;
            // Only populations have names: population.<name>.key or population[<name>].key.
            std::string element = seg.element;
            if (element.empty() && !seg.index && seg.name == "population") element = path[++s].name;
            if (seg.index) {
                index = *seg.index;
            } else if (!element.empty() && seg.name == "population") {
                const auto names = a ? element_names(*a) : std::vector<std::string_view>{};
                const auto found = std::find(names.begin(), names.end(), element);
                if (found == names.end())
                    throw config_error(origin + ": no population named '" + element + "' (populations: " +
                                       list_text(names) + ")");
                index = std::size_t(found - names.begin());
            } else {
                throw config_error(origin + ": '" + here + "' needs an element: " + seg.name + "[0].key" +
                                   (seg.name == "population" ? ", population[<name>].key or population.<name>.key"
                                                             : " (projections are selected by index)"));
            }
            if (index >= count)
                throw config_error(origin + ": " + indexed(seg.name, index) + " does not exist (the config has " +
                                   std::to_string(count) + ")");
            canonical = indexed(here, index);
            if (s + 1 == path.size()) {  // the element itself
                if (o.unset)
                    a->erase(a->begin() + std::ptrdiff_t(index));
                else
                    toml_reading::assign_element_override(*a, index, canonical, o, r);
                return;
            }
            t = (*a)[index].as_table();
            if (!t) throw config_error(origin + ": " + indexed(seg.name, index) + " is not a table");
            schema = &child;
            continue;
        }
        if (seg.index || !seg.element.empty()) throw config_error(origin + ": '" + here + "' is not an array");
        if (s + 1 == path.size()) {
            if (o.unset)
                toml_reading::remove_override(*t, seg.name, here, o, r);
            else
                toml_reading::assign_override(*t, seg.name, here, o, r);
            return;
        }
        if (child.type != key_schema::kind::table) throw config_error(origin + ": '" + here + "' is not a table");
        t = &toml_reading::override_table(*t, seg.name, here, o);
        canonical = here;
        schema = &child;
    }
}

// ---- the tree -> network_spec ---------------------------------------------------------------

bool valid_name(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
    });
}

// The population's model: its name chooses the variant alternative, then its parameters.
models::model read_model(const toml::table& t, const std::string& path, const reader& r) {
    const std::string name = r.required(r.string(t, path, "model"), t, path, "model");
    std::optional<models::model> result;
    std::vector<std::string_view> own_keys;
    for_each_model([&]<class M>(std::type_identity<M>) {
        if (model_info<M>::name != name) return;
        M m{};
        if (auto tau = r.number(t, path, "tau_m_ms")) {
            r.require(*tau > 0, t, path, "tau_m_ms", "> 0");
            m.tau_ms = *tau;
        }
        for (const auto& p : model_info<M>::parameters) {
            own_keys.push_back(p.key);
            if (auto x = r.number(t, path, p.key)) m.*p.field = *x;
        }
        if (std::string bad = model_info<M>::check(m); !bad.empty()) {
            const std::string key = bad.substr(0, bad.find(':'));
            r.fail(join_key(path, key), t.get(key), bad.substr(bad.find(':') + 2));
        }
        result = m;
    });
    if (!result)
        r.fail(join_key(path, "model"), t.get("model"),
               "unknown model \"" + name + "\"; allowed: " + list_text(model_names()));
    for (const auto& k : model_specific_keys())
        if (t.contains(k) && std::find(own_keys.begin(), own_keys.end(), k) == own_keys.end())
            r.fail(join_key(path, k), t.get(k), "not a parameter of model '" + name + "'");
    return *result;
}

network::drive_spec read_drive(const toml::table& pop, const std::string& pop_path, const reader& r) {
    const toml::table* t = r.table(pop, pop_path, "drive");
    if (!t) r.fail_message(join_key(pop_path, "drive"), &pop, pop_path + ": missing required table 'drive'");
    const std::string path = join_key(pop_path, "drive");
    check_keys(*t, path, schema_of("population").keys.find("drive")->second, r);
    network::drive_spec d;
    d.value = r.number(*t, path, "value");
    d.balanced_rate_hz = r.number(*t, path, "balanced_rate_hz");
    if (d.value.has_value() == d.balanced_rate_hz.has_value())
        r.fail(path, t, d.value ? "give 'value' or 'balanced_rate_hz', not both"
                                : "give one of 'value' (the drive) and 'balanced_rate_hz' (derive it)");
    // The phase form needs every neuron to fire on its own (suprathreshold drive).
    if (d.value) r.require(*d.value > 0, *t, path, "value", "> 0 (suprathreshold)");
    if (d.balanced_rate_hz) r.require(*d.balanced_rate_hz > 0, *t, path, "balanced_rate_hz", "> 0");
    if (auto j = r.number(*t, path, "jitter")) {
        r.require(*j >= 0 && *j < 1, *t, path, "jitter", "in [0, 1) so that every drive stays > 0");
        d.jitter = *j;
    }
    return d;
}

network::population_spec read_population(const toml::table& t, const std::string& path, const reader& r) {
    check_keys(t, path, schema_of("population"), r);
    network::population_spec p;
    p.name = r.required(r.string(t, path, "name"), t, path, "name");
    r.require(valid_name(p.name), t, path, "name", "non-empty and made of letters, digits and '_'");
    const std::int64_t size = r.required(r.integer(t, path, "size"), t, path, "size");
    r.require(size > 0, t, path, "size", "> 0");
    p.size = std::uint64_t(size);
    p.model = read_model(t, path, r);
    p.drive = read_drive(t, path, r);
    if (const toml::table* in = r.table(t, path, "poisson")) {
        const std::string in_path = join_key(path, "poisson");
        check_keys(*in, in_path, schema_of("population").keys.find("poisson")->second, r);
        network::poisson_spec ps;
        ps.rate_hz = r.required(r.number(*in, in_path, "rate_hz"), *in, in_path, "rate_hz");
        r.require(ps.rate_hz > 0, *in, in_path, "rate_hz", "> 0");
        ps.weight = r.required(r.number(*in, in_path, "weight"), *in, in_path, "weight");
        r.require(ps.weight != 0, *in, in_path, "weight", "!= 0 (> 0 excitatory, < 0 inhibitory)");
        p.poisson = ps;
    }
    if (const toml::table* pos = r.table(t, path, "positions")) {
        const std::string pos_path = join_key(path, "positions");
        check_keys(*pos, pos_path, schema_of("population").keys.find("positions")->second, r);
        network::positions_spec ps;
        ps.width_um = r.required(r.number(*pos, pos_path, "width_um"), *pos, pos_path, "width_um");
        r.require(ps.width_um > 0, *pos, pos_path, "width_um", "> 0 (µm)");
        ps.height_um = r.required(r.number(*pos, pos_path, "height_um"), *pos, pos_path, "height_um");
        r.require(ps.height_um > 0, *pos, pos_path, "height_um", "> 0 (µm)");
        ps.periodic = r.boolean(*pos, pos_path, "periodic").value_or(false);
        if (auto l = r.choice(*pos, pos_path, "layout", position_layout_names)) ps.layout = *l;
        if (ps.layout == network::position_layout::grid && network::sheet_positions::grid_columns(ps, p.size) == 0)
            r.fail(join_key(pos_path, "layout"), pos->get("layout"), network::sheet_positions::grid_mismatch(ps, p.size));
        p.positions = ps;
    }
    return p;
}

network::lyapunov_spec read_lyapunov(const toml::table& t, const network::network_spec& spec, const reader& r) {
    const std::string path = "lyapunov";
    check_keys(t, path, schema_of("lyapunov"), r);
    network::lyapunov_spec l;
    if (const toml::node* n = t.get("exponents")) {
        if (n->is_string()) {
            if (*n->value<std::string>() != "all")
                r.fail("lyapunov.exponents", n, "expected an integer m >= 1 or \"all\", got " + r.value_text(*n));
        } else {
            const std::int64_t m = *r.integer(t, path, "exponents");
            r.require(m >= 1, t, path, "exponents", ">= 1 (or \"all\")");
            l.exponents = std::uint64_t(m);
        }
    }
    for (auto [key, field] : {std::pair{"warmup_ms", &l.warmup_ms}, std::pair{"ons_warmup_ms", &l.ons_warmup_ms}}) {
        if (auto x = r.number(t, path, key)) {
            r.require(*x >= 0, t, path, key, ">= 0");
            *field = *x;
        }
    }
    // A warm-up is given as time or as network spikes per neuron, not both.
    for (auto [key, ms_key, field] : {std::tuple{"warmup_spikes_per_neuron", "warmup_ms", &l.warmup_spikes_per_neuron},
                                      std::tuple{"ons_warmup_spikes_per_neuron", "ons_warmup_ms",
                                                 &l.ons_warmup_spikes_per_neuron}}) {
        if (auto x = r.number(t, path, key)) {
            r.require(*x >= 0, t, path, key, ">= 0");
            if (t.contains(ms_key))
                r.fail(join_key(path, key), t.get(key), std::string("give '") + key + "' or '" + ms_key + "', not both");
            *field = *x;
        }
    }
    if (auto k = r.integer(t, path, "orthonormalize_every")) {
        r.require(*k >= 1, t, path, "orthonormalize_every", ">= 1 (network spikes between QR steps)");
        l.orthonormalize_every = std::uint64_t(*k);
    }
    if (auto c = r.number(t, path, "max_condition")) {
        r.require(*c == 0 || *c > 1, t, path, "max_condition", "0 (fixed interval) or > 1");
        l.max_condition = *c;
    }
    if (auto m = r.choice(t, path, "method", qr_method_names)) l.method = *m;
    // Cholesky QR loses orthogonality like cond(Q)^2 eps: only with a small, enforced bound.
    if (l.method == network::qr_method::cholesky && !(l.max_condition > 1 && l.max_condition <= 1e4))
        r.fail("lyapunov.method", t.get("method"),
               "\"cholesky\" needs lyapunov.max_condition in (1, 1e4] (its error grows like cond^2 * 1e-16); "
               "use \"tsqr\" or \"cgs\" otherwise");
    if (auto seed = r.integer(t, path, "seed")) {
        r.require(*seed >= 0, t, path, "seed", ">= 0");
        l.seed = std::uint64_t(*seed);
    }
    if (auto k = r.integer(t, path, "local_exponents")) {
        r.require(*k >= 0, t, path, "local_exponents", ">= 0");
        l.local_exponents = std::uint64_t(*k);
    }
    if (auto rate = r.number(t, path, "target_rate_hz")) {
        r.require(*rate > 0, t, path, "target_rate_hz", "> 0");
        l.target_rate_hz = *rate;
    }
    if (auto x = r.number(t, path, "tune_ms")) {
        r.require(*x > 0, t, path, "tune_ms", "> 0");
        l.tune_ms = *x;
    }
    if (auto lay = r.choice(t, path, "layout", tangent_layout_names)) l.layout = *lay;
    const double measure = spec.simulation.t_end_ms - l.warmup_ms - l.ons_warmup_ms;
    if (!(measure > 0))
        r.fail("lyapunov", &t, "warmup_ms + ons_warmup_ms = " + number_text(l.warmup_ms + l.ons_warmup_ms) +
                                   " leaves no measuring time within simulation.duration_ms = " +
                                   number_text(spec.simulation.t_end_ms));
    return l;
}

// Elements of an array of tables ([[population]]), each checked to be a table.
std::vector<const toml::table*> table_array(const toml::table& root, std::string_view key, const reader& r) {
    std::vector<const toml::table*> out;
    const toml::node* n = root.get(key);
    if (!n) return out;
    const toml::array* a = n->as_array();
    if (!a) r.fail(key, n, "expected an array of tables ([[" + std::string(key) + "]]), got " + r.value_text(*n));
    for (std::size_t i = 0; i < a->size(); ++i) {
        const toml::node& e = *a->get(i);
        if (!e.is_table()) r.fail(indexed(key, i), &e, "expected a table, got " + r.value_text(e));
        out.push_back(e.as_table());
    }
    return out;
}

network::network_spec read_spec(const toml::table& root, const reader& r, const std::string& base_directory) {
    check_keys(root, "", root_schema(), r);
    network::network_spec spec;

    // [simulation] and each of its keys are optional: the defaults are those of simulation_spec.
    if (const toml::table* sim = r.table(root, "", "simulation")) {
        check_keys(*sim, "simulation", schema_of("simulation"), r);
        if (auto t = r.number(*sim, "simulation", "duration_ms")) {
            r.require(*t > 0, *sim, "simulation", "duration_ms", "> 0");
            spec.simulation.t_end_ms = *t;
        }
        if (auto seed = r.integer(*sim, "simulation", "seed")) {
            r.require(*seed >= 0, *sim, "simulation", "seed", ">= 0");
            spec.simulation.seed = std::uint64_t(*seed);
        }
        if (auto c = r.choice(*sim, "simulation", "connectivity", storage_names)) spec.simulation.storage = *c;
        if (auto h = r.choice(*sim, "simulation", "hold_kicks", kick_holding_names)) spec.simulation.hold_kicks = *h;
    }

    if (const toml::table* out = r.table(root, "", "output")) {
        check_keys(*out, "output", schema_of("output"), r);
        spec.output.spikes = r.boolean(*out, "output", "spikes").value_or(true);
    }

    if (const toml::table* ly = r.table(root, "", "lyapunov")) spec.lyapunov = read_lyapunov(*ly, spec, r);

    const auto pops = table_array(root, "population", r);
    if (pops.empty()) r.fail_message("population", root.get("population"), "the config needs at least one [[population]]");
    for (std::size_t i = 0; i < pops.size(); ++i) {
        const std::string path = indexed("population", i);
        auto p = read_population(*pops[i], path, r);
        for (const auto& q : spec.populations)
            if (q.name == p.name)
                r.fail(join_key(path, "name"), pops[i]->get("name"), "duplicate population name \"" + p.name + "\"");
        spec.populations.push_back(std::move(p));
    }
    const auto projs = table_array(root, "projection", r);
    for (std::size_t i = 0; i < projs.size(); ++i)
        spec.projections.push_back(config_projection::read_projection(*projs[i], indexed("projection", i),
                                                                      spec.populations, r, base_directory));
    config_projection::check_edge_files(spec, projs, r);
    // A run is either zero-delay (exact global event order) or delayed (windows of the minimum
    // delay); one projection without delay would make every window zero long.
    for (std::size_t i = 1; i < spec.projections.size(); ++i) {
        const bool delayed = config_projection::delayed(spec.projections[i]);
        const bool first_delayed = config_projection::delayed(spec.projections[0]);
        if (delayed != first_delayed) {
            const std::string path = indexed("projection", i);
            r.fail(join_key(path, "delay_ms"), projs[i]->get("delay_ms") ? projs[i]->get("delay_ms") : projs[i],
                   std::string(delayed ? "> 0" : "0 (or missing)") + " while projection[0].delay_ms is " +
                       (first_delayed ? "> 0" : "0 (or missing)") +
                       ": give every projection a delay > 0, or none (zero-delay mode)");
        }
    }
    if (spec.lyapunov) {
        std::uint64_t n = 0;
        for (const auto& p : spec.populations) n += p.size;
        if (spec.lyapunov->exponents > n)
            r.fail("lyapunov.exponents", root.get_as<toml::table>("lyapunov")->get("exponents"),
                   "must be <= N = " + std::to_string(n) + " neurons, got " + std::to_string(spec.lyapunov->exponents));
        for (std::size_t i = 0; i < spec.projections.size(); ++i)
            if (config_projection::delayed(spec.projections[i]))
                r.fail(join_key(indexed("projection", i), "delay_ms"),
                       projs[i]->get("delay_ms") ? projs[i]->get("delay_ms") : projs[i],
                       "Lyapunov spectra ([lyapunov]) need zero delay: the tangent dynamics follow the exact "
                       "global event order; remove the delays or the [lyapunov] section");
    }
    return spec;
}

// What a run would check when it builds the network: degrees against population sizes, weights,
// balanced drives, and each model's acceptance of the drive at both ends of the jitter. A balanced
// drive that needs statistics of a file's edges (an edge population shared by several
// projections, weights from the file) is checked when the edges are read (`check`, a run).
void check_buildable(const network::network_spec& spec, const std::string& origin) {
    try {
        const network::layout lay(spec);
        const auto projections = network::resolve_projections(spec, lay);
        network::network_spec known = spec;
        std::vector<bool> deferred(spec.populations.size(), false);
        for (const auto& p : projections)
            if (spec.populations[p.post].drive.balanced_rate_hz && (std::isnan(p.mean_indegree) || std::isnan(p.weight))) {
                deferred[p.post] = true;
                known.populations[p.post].drive.value = 1.0;  // a placeholder; its sources' rates stay
            }
        const auto drives = network::population_drives(known, projections);
        for (std::size_t a = 0; a < spec.populations.size(); ++a) {
            if (deferred[a]) continue;
            const double jitter = spec.populations[a].drive.jitter;
            std::visit(
                [&](const auto& m) {
                    (void)m.make_neuron(drives[a] * (1.0 - jitter));
                    (void)m.make_neuron(drives[a] * (1.0 + jitter));
                },
                spec.populations[a].model);
        }
    } catch (const std::exception& e) {  // invalid_argument from network and models, eif table errors
        throw config_error(origin + ": " + e.what());
    }
}

}  // namespace

network::network_spec parse_config(const std::string& text, const config_overrides& overrides,
                                   const std::string& source_name, const std::string& base_directory) {
    reader r(source_name, {.values = toml_reading::value_style::typed, .name_overrides_below = true});
    toml::table root = toml_reading::parse_text(text, source_name);
    for (const auto& o : overrides) apply_override(root, o, r);

    network::network_spec spec = read_spec(root, r, base_directory);
    // Network errors name their key but cannot tell file from override: name the overrides.
    std::string origin = source_name;
    for (std::size_t k = 0; k < overrides.size(); ++k) origin += (k ? ", " : " with ") + overrides[k].text();
    check_buildable(spec, origin);

    spec.config_text = toml_reading::recorded_text(text, overrides);
    return spec;
}

network::network_spec load_config(const std::string& path, const config_overrides& overrides) {
    // Files a configuration names (edge lists, SONATA edges) are found next to it.
    return parse_config(toml_reading::read_config_file(path), overrides, path,
                        std::filesystem::path(path).parent_path().string());
}

}  // namespace sparsechaos::io
