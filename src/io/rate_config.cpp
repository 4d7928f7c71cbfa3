// Reading a rate-network TOML configuration (schema: docs/rate_networks.md).
//
// As for spiking configurations (src/io/config.cpp): parse, apply --set overrides to the TOML
// tree, then walk the tree against the schema; every error names where the value came from
// (file:line:column or the --set argument) and the dotted key.
#include "sparsechaos/io/rate_config.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

#include "toml_reader.hpp"

namespace sparsechaos::io {
namespace {

using rate::rate_network_spec;

// The reader, text helpers and --set pieces shared with spiking networks (toml_reader.hpp).
using toml_reading::is_word;
using toml_reading::join_key;
using toml_reading::list_text;
using toml_reading::names;
using toml_reading::number_text;
using toml_reading::reader;

// ---- schema ------------------------------------------------------------------------------

const std::vector<std::string_view> root_keys{"rate_network", "lyapunov"};
const std::vector<std::string_view> network_keys{
    "size", "coupling", "g", "excitatory_fraction", "indegree", "j0", "inhibition_ratio", "storage", "phi",
    "time", "integrator", "dt", "duration", "tau_ms", "seed", "initial_std", "record_every", "input"};
const std::vector<std::string_view> input_keys{"kind", "amplitude", "frequency", "correlation_time", "bias", "seed"};
const std::vector<std::string_view> lyapunov_keys{"exponents", "warmup", "ons_warmup", "orthonormalize_every",
                                                  "method", "seed", "local_exponents"};

// Keys that are tables: rate_network and lyapunov at the root, input below rate_network.
bool is_table_key(std::string_view path) {
    return path == "rate_network" || path == "lyapunov" || path == "rate_network.input";
}

const std::vector<std::string_view>* keys_of(std::string_view path) {
    if (path.empty()) return &root_keys;
    if (path == "rate_network") return &network_keys;
    if (path == "rate_network.input") return &input_keys;
    if (path == "lyapunov") return &lyapunov_keys;
    return nullptr;
}

// Rejects keys of `t` that the schema does not list.
void check_keys(const toml::table& t, std::string_view path, const reader& r) {
    const auto& allowed = *keys_of(path);
    for (const auto& [k, v] : t)
        if (std::find(allowed.begin(), allowed.end(), k.str()) == allowed.end())
            r.fail(join_key(path, k.str()), &v, "unknown key; allowed here: " + list_text(allowed));
}

constexpr names<rate::coupling_kind, 2> coupling_names{{{"gaussian", rate::coupling_kind::gaussian},
                                                        {"balanced", rate::coupling_kind::balanced}}};
constexpr names<rate::storage_kind, 2> storage_names{{{"dense", rate::storage_kind::dense},
                                                      {"sparse", rate::storage_kind::sparse}}};
constexpr names<rate::transfer_function, 3> phi_names{{{"tanh", rate::transfer_function::tanh},
                                                       {"relu", rate::transfer_function::relu},
                                                       {"threshold_linear", rate::transfer_function::threshold_linear}}};
constexpr names<rate::time_kind, 2> time_names{{{"continuous", rate::time_kind::continuous},
                                                {"discrete", rate::time_kind::discrete}}};
constexpr names<rate::integrator_kind, 2> integrator_names{{{"euler", rate::integrator_kind::euler},
                                                            {"rk4", rate::integrator_kind::rk4}}};
constexpr names<rate::input_kind, 4> input_names{{{"none", rate::input_kind::none},
                                                  {"common_sine", rate::input_kind::common_sine},
                                                  {"independent_sine", rate::input_kind::independent_sine},
                                                  {"ou", rate::input_kind::ou}}};
// The spiking runs' names (io/config_names.hpp); Cholesky QR is left out: its accuracy needs a
// bound on cond(Q) that rate runs do not enforce.
constexpr names<tangent::orthogonalization, 2> method_names{{{"tsqr", tangent::orthogonalization::tsqr},
                                                             {"cgs", tangent::orthogonalization::cgs_refined}}};

// ---- text helpers ------------------------------------------------------------------------

// Four significant digits, for descriptions.
std::string short_text(double x) {
    std::ostringstream os;
    os.precision(4);
    os << x;
    return os.str();
}

// ---- --set overrides ---------------------------------------------------------------------

// "rate_network.input.kind=ou": every part of the key is a key of the schema; the last one is set
// (a value or a whole table) or removed.
void apply_override(toml::table& root, const config_override& arg, reader& r) {
    const toml_reading::override_arg o = toml_reading::split_override(arg);
    const std::string& origin = o.origin;
    const std::string& key = o.key;
    std::vector<std::string> parts;
    for (std::size_t pos = 0;;) {
        const std::size_t dot = key.find('.', pos);
        parts.push_back(key.substr(pos, dot == std::string::npos ? std::string::npos : dot - pos));
        if (dot == std::string::npos) break;
        pos = dot + 1;
    }
    toml::table* t = &root;
    std::string path;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        const auto* allowed = keys_of(path);
        if (!allowed || !is_word(parts[i]) || std::find(allowed->begin(), allowed->end(), parts[i]) == allowed->end())
            throw config_error(origin + ": unknown key '" + join_key(path, parts[i]) + "'" +
                               (allowed ? "; allowed here: " + list_text(*allowed) : std::string()));
        const std::string here = join_key(path, parts[i]);
        if (i + 1 == parts.size()) {
            if (o.unset)
                toml_reading::remove_override(*t, parts[i], here, o, r);
            else
                toml_reading::assign_override(*t, parts[i], here, o, r);
            return;
        }
        if (!is_table_key(here)) throw config_error(origin + ": '" + here + "' is not a table");
        t = &toml_reading::override_table(*t, parts[i], here, o);
        path = here;
    }
}

// ---- the tree -> spec --------------------------------------------------------------------

void read_coupling(const toml::table& t, const reader& r, rate::coupling_spec& c) {
    const std::string_view p = "rate_network";
    if (auto k = r.choice(t, p, "coupling", coupling_names)) c.kind = *k;
    if (c.kind == rate::coupling_kind::gaussian) {
        for (std::string_view k : {"excitatory_fraction", "indegree", "inhibition_ratio"})
            r.forbid(t, p, k, "by coupling = \"gaussian\" (which reads g and j0)");
        if (auto g = r.number(t, p, "g")) {
            r.require(*g > 0, t, p, "g", "> 0");
            c.g = *g;
        }
        if (auto j = r.number(t, p, "j0")) {
            r.require(*j >= 0, t, p, "j0", ">= 0 (the mean coupling is -j0/sqrt(N))");
            c.j0 = *j;
        }
        return;
    }
    r.forbid(t, p, "g", "by coupling = \"balanced\" (which reads j0, indegree, excitatory_fraction, inhibition_ratio)");
    if (auto f = r.number(t, p, "excitatory_fraction")) {
        r.require(*f > 0 && *f < 1, t, p, "excitatory_fraction", "in (0, 1)");
        c.excitatory_fraction = *f;
    }
    if (auto k = r.integer(t, p, "indegree")) {
        r.require(*k >= 1, t, p, "indegree", ">= 1");
        c.indegree = std::uint64_t(*k);
    }
    if (auto j = r.number(t, p, "j0")) {
        r.require(*j > 0, t, p, "j0", "> 0");
        c.j0 = *j;
    }
    if (auto g = r.number(t, p, "inhibition_ratio")) {
        r.require(*g >= 0, t, p, "inhibition_ratio", ">= 0");
        c.inhibition_ratio = *g;
    }
    // Every unit draws round(f K) distinct excitatory and K - round(f K) distinct inhibitory
    // inputs, never itself.
    const std::uint64_t n_e = c.excitatory_units(), n_i = c.size - n_e;
    const std::uint64_t k_e = c.excitatory_indegree(), k_i = c.indegree - k_e;
    const std::string_view key = t.contains("indegree") ? "indegree" : "size";
    if (k_e + 1 > n_e || k_i + 1 > n_i)
        r.fail(join_key(p, key), t.get(key) ? t.get(key) : &t,
               "indegree K = " + std::to_string(c.indegree) + " needs " + std::to_string(k_e) + " excitatory and " +
                   std::to_string(k_i) + " inhibitory inputs per unit (excluding itself), but size = " +
                   std::to_string(c.size) + " has " + std::to_string(n_e) + " excitatory and " + std::to_string(n_i) +
                   " inhibitory units");
}

void read_input(const toml::table& net, const reader& r, rate_network_spec& spec) {
    spec.input.seed = spec.coupling.seed;
    const toml::table* t = r.table(net, "rate_network", "input");
    if (!t) return;
    const std::string_view p = "rate_network.input";
    check_keys(*t, p, r);
    auto& in = spec.input;
    if (auto k = r.choice(*t, p, "kind", input_names)) in.kind = *k;
    const std::string because = "by kind = \"" + std::string(rate::to_string(in.kind)) + "\"";
    if (in.kind == rate::input_kind::none)
        for (std::string_view k : {"amplitude", "frequency", "correlation_time"}) r.forbid(*t, p, k, because);
    if (in.kind == rate::input_kind::ou) r.forbid(*t, p, "frequency", because);
    if (in.kind == rate::input_kind::common_sine || in.kind == rate::input_kind::independent_sine)
        r.forbid(*t, p, "correlation_time", because);
    if (auto a = r.number(*t, p, "amplitude")) {
        r.require(*a >= 0, *t, p, "amplitude", ">= 0");
        in.amplitude = *a;
    }
    if (auto f = r.number(*t, p, "frequency")) {
        r.require(*f > 0, *t, p, "frequency", "> 0 (cycles per tau)");
        in.frequency = *f;
    }
    if (auto c = r.number(*t, p, "correlation_time")) {
        r.require(*c > 0, *t, p, "correlation_time", "> 0 (in tau)");
        in.correlation_time = *c;
    }
    if (auto b = r.number(*t, p, "bias")) in.bias = *b;
    if (auto s = r.integer(*t, p, "seed")) {
        r.require(*s >= 0, *t, p, "seed", ">= 0");
        in.seed = std::uint64_t(*s);
    }
}

rate::rate_lyapunov_spec read_lyapunov(const toml::table& t, const rate_network_spec& spec, const reader& r) {
    const std::string_view p = "lyapunov";
    check_keys(t, p, r);
    rate::rate_lyapunov_spec l;
    if (const toml::node* n = t.get("exponents")) {
        if (n->is_string()) {
            if (*n->value<std::string>() != "all")
                r.fail("lyapunov.exponents", n, "expected an integer m >= 1 or \"all\", got " + r.value_text(*n));
        } else {
            const std::int64_t m = *r.integer(t, p, "exponents");
            r.require(m >= 1 && std::uint64_t(m) <= spec.coupling.size, t, p, "exponents",
                      "in [1, N = " + std::to_string(spec.coupling.size) + "] (or \"all\")");
            l.exponents = std::uint64_t(m);
        }
    }
    for (auto [key, field] : {std::pair{"warmup", &l.warmup}, std::pair{"ons_warmup", &l.ons_warmup}}) {
        if (auto x = r.number(t, p, key)) {
            r.require(*x >= 0, t, p, key, ">= 0 (in tau)");
            *field = *x;
        }
    }
    if (auto k = r.integer(t, p, "orthonormalize_every")) {
        r.require(*k >= 1, t, p, "orthonormalize_every", ">= 1 (steps between QR steps)");
        l.orthonormalize_every = std::uint64_t(*k);
    }
    if (auto m = r.choice(t, p, "method", method_names)) l.method = *m;
    if (auto s = r.integer(t, p, "seed")) {
        r.require(*s >= 0, t, p, "seed", ">= 0");
        l.seed = std::uint64_t(*s);
    }
    if (auto k = r.integer(t, p, "local_exponents")) {
        r.require(*k >= 0, t, p, "local_exponents", ">= 0");
        l.local_exponents = std::uint64_t(*k);
    }
    if (spec.steps_for(l.warmup + l.ons_warmup) >= spec.steps_for(spec.duration))
        r.fail("lyapunov", &t, "warmup + ons_warmup = " + number_text(l.warmup + l.ons_warmup) +
                                   " leaves no measuring time within rate_network.duration = " +
                                   number_text(spec.duration));
    return l;
}

rate_network_spec read_spec(const toml::table& root, const reader& r) {
    check_keys(root, "", r);
    const toml::table* t = r.table(root, "", "rate_network");
    if (!t) throw config_error("config: a rate-network config needs a [rate_network] table");
    const std::string_view p = "rate_network";
    check_keys(*t, p, r);
    rate_network_spec spec;
    const toml::node* size_node = t->get("size");
    if (!size_node) r.fail("rate_network.size", t, "missing required key (the number of units N)");
    const std::int64_t n = *r.integer(*t, p, "size");
    r.require(n >= 1 && n <= std::numeric_limits<std::int32_t>::max(), *t, p, "size", "in [1, 2^31 - 1]");
    spec.coupling.size = std::uint64_t(n);
    if (auto s = r.integer(*t, p, "seed")) {
        r.require(*s >= 0, *t, p, "seed", ">= 0");
        spec.coupling.seed = std::uint64_t(*s);
    }
    read_coupling(*t, r, spec.coupling);
    if (auto s = r.choice(*t, p, "storage", storage_names)) spec.coupling.storage = *s;
    if (auto f = r.choice(*t, p, "phi", phi_names)) spec.phi = *f;
    if (auto k = r.choice(*t, p, "time", time_names)) spec.time = *k;
    if (spec.time == rate::time_kind::discrete) {
        r.forbid(*t, p, "integrator", "by time = \"discrete\" (the map h' = phi(J h + I) is iterated as is)");
        r.forbid(*t, p, "dt", "by time = \"discrete\" (one step is one unit of time)");
    } else {
        if (auto i = r.choice(*t, p, "integrator", integrator_names)) spec.integrator = *i;
        if (auto dt = r.number(*t, p, "dt")) spec.dt = *dt;
        if (spec.integrator == rate::integrator_kind::euler)
            r.require(spec.dt > 0 && spec.dt < 1, *t, p, "dt", "in (0, 1) for the Euler map (its leak factor 1 - dt must stay positive)");
        else
            r.require(spec.dt > 0 && spec.dt <= 1, *t, p, "dt", "in (0, 1] (in tau)");
    }
    if (auto d = r.number(*t, p, "duration")) {
        r.require(*d > 0, *t, p, "duration", "> 0");
        spec.duration = *d;
    }
    if (auto tau = r.number(*t, p, "tau_ms")) {
        r.require(*tau > 0, *t, p, "tau_ms", "> 0");
        spec.tau_ms = *tau;
    }
    if (auto s = r.number(*t, p, "initial_std")) {
        r.require(*s >= 0, *t, p, "initial_std", ">= 0");
        spec.initial_std = *s;
    }
    if (auto k = r.integer(*t, p, "record_every")) {
        r.require(*k >= 0, *t, p, "record_every", ">= 0 (steps; 0: no record)");
        spec.record_every = std::uint64_t(*k);
    }
    read_input(*t, r, spec);
    if (const toml::table* ly = r.table(root, "", "lyapunov")) spec.lyapunov = read_lyapunov(*ly, spec, r);
    return spec;
}

}  // namespace

bool is_rate_config(const toml::table& root) { return root.contains("rate_network"); }

bool is_rate_config_file(const std::string& path) {
    try {
        return is_rate_config(toml::parse_file(path));
    } catch (const std::exception&) {
        return false;
    }
}

rate::rate_network_spec parse_rate_config(const std::string& text, const config_overrides& overrides,
                                          const std::string& source_name) {
    // Errors show values as written in TOML and name only the override of the key itself.
    reader r(source_name, {.values = toml_reading::value_style::plain, .name_overrides_below = false});
    toml::table root = toml_reading::parse_text(text, source_name);
    for (const auto& o : overrides) apply_override(root, o, r);
    rate_network_spec spec = read_spec(root, r);
    spec.config_text = toml_reading::recorded_text(text, overrides);
    return spec;
}

rate::rate_network_spec load_rate_config(const std::string& path, const config_overrides& overrides) {
    return parse_rate_config(toml_reading::read_config_file(path), overrides, path);
}

std::string describe_rate(const rate::rate_network_spec& s) {
    std::ostringstream os;
    const auto& c = s.coupling;
    os << "rate network: N = " << c.size << " units, phi = " << rate::to_string(s.phi) << ", "
       << rate::to_string(s.time) << " time";
    if (s.time == rate::time_kind::continuous)
        os << " (" << rate::to_string(s.integrator) << ", dt = " << number_text(s.dt) << " tau)";
    os << ", tau = " << number_text(s.tau_ms) << " ms\n";
    if (c.kind == rate::coupling_kind::gaussian) {
        os << "  coupling: gaussian, g = " << number_text(c.g);
        if (c.j0_value() != 0) os << ", mean -" << number_text(c.j0_value()) << "/sqrt(N)";
        os << ", J_ii = 0";
    } else {
        os << "  coupling: balanced, " << c.excitatory_units() << " E + " << c.size - c.excitatory_units()
           << " I units, K = " << c.indegree << " (" << c.excitatory_indegree() << " E + "
           << c.indegree - c.excitatory_indegree() << " I), J_E = " << number_text(c.j0_value()) << "/sqrt(K), J_I = -"
           << number_text(c.inhibition_ratio * c.j0_value()) << "/sqrt(K)";
    }
    const bool dense = c.resolved_storage() == rate::storage_kind::dense;
    const double entries = dense ? double(c.size) * double(c.size)
                                 : double(c.size) * double(c.kind == rate::coupling_kind::gaussian ? c.size - 1 : c.indegree);
    os << "; effective gain " << short_text(std::sqrt(rate::effective_gain_squared(c))) << "\n  storage: "
       << rate::to_string(c.resolved_storage()) << ", about " << short_text((dense ? 8.0 : 12.0) * entries / 1048576.0)
       << " MiB for J over all ranks\n";
    os << "  input: " << rate::to_string(s.input.kind);
    if (s.input.kind != rate::input_kind::none) os << ", amplitude " << number_text(s.input.amplitude);
    if (s.input.kind == rate::input_kind::common_sine || s.input.kind == rate::input_kind::independent_sine)
        os << ", frequency " << number_text(s.input.frequency) << " per tau";
    if (s.input.kind == rate::input_kind::ou) os << ", correlation time " << number_text(s.input.correlation_time) << " tau";
    if (s.input.bias != 0) os << ", bias " << number_text(s.input.bias);
    os << "\n  duration " << number_text(s.duration) << " tau = " << s.steps_for(s.duration) << " steps\n";
    if (s.lyapunov) {
        const auto& l = *s.lyapunov;
        const std::uint64_t m = l.exponents ? l.exponents : c.size;
        os << "  lyapunov: " << m << " exponents, warm-up " << s.steps_for(l.warmup) << " steps, ONS warm-up "
           << s.steps_for(l.warmup + l.ons_warmup) - s.steps_for(l.warmup) << " steps, QR every "
           << l.orthonormalize_every << " steps (" << tangent::to_string(l.method) << "), Q needs about "
           << short_text(8.0 * double(m) * double(c.size) / 1048576.0) << " MiB (plus "
           << (s.time == rate::time_kind::discrete ? 1 : s.integrator == rate::integrator_kind::euler ? 2 : 4)
           << " buffers of the same size)\n";
    }
    return os.str();
}

}  // namespace sparsechaos::io
