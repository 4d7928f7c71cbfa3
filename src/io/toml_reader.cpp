#include "toml_reader.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

namespace sparsechaos::io::toml_reading {
namespace {

// Whether `key` is `prefix` or lies below it (population[0].drive.value below population[0]).
bool covers(std::string_view key, std::string_view prefix) {
    return key.substr(0, prefix.size()) == prefix &&
           (key.size() == prefix.size() || key[prefix.size()] == '.' || key[prefix.size()] == '[');
}

std::string trim(std::string_view s) {
    const auto b = s.find_first_not_of(" \t");
    if (b == std::string_view::npos) return {};
    const auto e = s.find_last_not_of(" \t");
    return std::string(s.substr(b, e - b + 1));
}

}  // namespace

// ---- text for error messages ----------------------------------------------------------------

std::string join_key(std::string_view path, std::string_view key) {
    return path.empty() ? std::string(key) : std::string(path) + "." + std::string(key);
}

std::string list_text(const std::vector<std::string_view>& items) {
    std::string out;
    for (auto s : items) out += (out.empty() ? "" : ", ") + std::string(s);
    return out;
}

std::string number_text(double x) {
    std::ostringstream os;
    os.precision(std::numeric_limits<double>::max_digits10 - 2);
    os << x;
    return os.str();
}

std::string value_text(const toml::node& n, value_style style) {
    const bool typed = style == value_style::typed;
    switch (n.type()) {
    case toml::node_type::table: return "a table";
    case toml::node_type::array: return "an array";
    case toml::node_type::string: return (typed ? "string \"" : "\"") + *n.value<std::string>() + "\"";
    case toml::node_type::integer: return (typed ? "integer " : "") + std::to_string(*n.value<std::int64_t>());
    case toml::node_type::floating_point: return (typed ? "float " : "") + number_text(*n.value<double>());
    case toml::node_type::boolean: return std::string(typed ? "boolean " : "") + (*n.value<bool>() ? "true" : "false");
    default: {
        std::ostringstream os;
        n.visit([&](const auto& v) { os << v; });
        return (typed ? "date/time " : "") + os.str();
    }
    }
}

// ---- the reader -----------------------------------------------------------------------------

void reader::fail_message(std::string_view key, const toml::node* at, const std::string& message) const {
    // An error about a whole table (two keys that exclude each other) may come from an override
    // of one of its keys: name those too.
    std::string also;
    if (style_.name_overrides_below)
        for (const auto& [k, o] : overrides_)
            if (k.size() > key.size() && covers(k, key)) also += (also.empty() ? " (after " : ", ") + o;
    throw config_error(origin(key, at) + message + (also.empty() ? "" : also + ")"));
}

void reader::fail(std::string_view key, const toml::node* at, const std::string& what) const {
    fail_message(key, at, std::string(key) + ": " + what);
}

const toml::table* reader::table(const toml::table& t, std::string_view path, std::string_view key) const {
    const toml::node* n = t.get(key);
    if (!n) return nullptr;
    if (!n->is_table()) fail(join_key(path, key), n, "expected a table, got " + value_text(*n));
    return n->as_table();
}

std::optional<std::string> reader::string(const toml::table& t, std::string_view path, std::string_view key) const {
    const toml::node* n = t.get(key);
    if (!n) return std::nullopt;
    if (!n->is_string()) fail(join_key(path, key), n, "expected a string, got " + value_text(*n));
    return *n->value<std::string>();
}

std::optional<std::int64_t> reader::integer(const toml::table& t, std::string_view path, std::string_view key) const {
    const toml::node* n = t.get(key);
    if (!n) return std::nullopt;
    if (!n->is_integer()) fail(join_key(path, key), n, "expected an integer, got " + value_text(*n));
    return *n->value<std::int64_t>();
}

std::optional<double> reader::number(const toml::table& t, std::string_view path, std::string_view key) const {
    const toml::node* n = t.get(key);
    if (!n) return std::nullopt;
    if (!n->is_number()) fail(join_key(path, key), n, "expected a number, got " + value_text(*n));
    const double x = n->is_integer() ? double(*n->value<std::int64_t>()) : *n->value<double>();
    // Only a float can be infinite or NaN, and a float's text in either style is number_text(x).
    if (!std::isfinite(x)) fail(join_key(path, key), n, "must be finite, got " + number_text(x));
    return x;
}

std::optional<bool> reader::boolean(const toml::table& t, std::string_view path, std::string_view key) const {
    const toml::node* n = t.get(key);
    if (!n) return std::nullopt;
    if (!n->is_boolean()) fail(join_key(path, key), n, "expected a boolean (true/false), got " + value_text(*n));
    return *n->value<bool>();
}

void reader::require(bool ok, const toml::table& t, std::string_view path, std::string_view key,
                     const std::string& what) const {
    if (ok) return;
    const toml::node* n = t.get(key);
    fail(join_key(path, key), n ? n : &t, "must be " + what + ", got " + (n ? value_text(*n) : std::string("nothing")));
}

void reader::forbid(const toml::table& t, std::string_view path, std::string_view key,
                    const std::string& because) const {
    if (const toml::node* n = t.get(key)) fail(join_key(path, key), n, "not used " + because);
}

std::string reader::origin(std::string_view key, const toml::node* at) const {
    // The longest overridden prefix of `key` (a whole table may have been replaced by --set).
    const std::string* best = nullptr;
    std::size_t best_len = 0;
    for (const auto& [k, o] : overrides_) {
        if (covers(key, k) && k.size() >= best_len) best = &o, best_len = k.size();
    }
    if (best) return *best + ": ";
    if (at && at->source().begin)
        return source_ + ":" + std::to_string(at->source().begin.line) + ":" +
               std::to_string(at->source().begin.column) + ": ";
    return source_ + ": ";
}

// ---- --set overrides ------------------------------------------------------------------------

override_arg split_override(const config_override& arg) {
    override_arg o;
    o.origin = arg.text();
    const std::string& a = arg.argument;
    const auto eq = a.find('=');
    if (arg.what == config_override::kind::unset) {
        if (eq != std::string::npos) throw config_error(o.origin + ": expected a dotted.key without a value");
        o.key = trim(a);
        o.unset = true;
        return o;
    }
    if (eq == std::string::npos) throw config_error(o.origin + ": expected dotted.key=value");
    o.key = trim(std::string_view(a).substr(0, eq));
    o.value = trim(std::string_view(a).substr(eq + 1));
    return o;
}

bool is_word(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
    });
}

namespace {

// The override's value as the only entry "v" of a table.
toml::table parse_override_value(const override_arg& o) {
    toml::table v;
    try {
        v = toml::parse("v = " + o.value, std::string_view("--set"));
    } catch (const toml::parse_error& e) {
        if (!is_word(o.value))
            throw config_error(o.origin + ": the value is not valid TOML (" + std::string(e.description()) + ")");
        v.insert("v", o.value);
    }
    if (v.size() != 1 || !v.contains("v")) throw config_error(o.origin + ": the value must be a single TOML value");
    return v;
}

}  // namespace

void assign_override(toml::table& t, std::string_view name, const std::string& key, const override_arg& o,
                     reader& r) {
    toml::table v = parse_override_value(o);
    std::move(*v.get("v")).visit([&](auto&& node) { t.insert_or_assign(name, std::move(node)); });
    r.mark_override(key, o.origin);
}

void assign_element_override(toml::array& a, std::size_t index, const std::string& key, const override_arg& o,
                             reader& r) {
    toml::table v = parse_override_value(o);
    toml::table* element = v.get_as<toml::table>("v");
    if (!element)
        throw config_error(o.origin + ": '" + key + "' is a table: give an inline table, " + key +
                           "={key = value, ...}, or set one of its keys");
    a.replace(a.begin() + std::ptrdiff_t(index), std::move(*element));
    r.mark_override(key, o.origin);
}

void remove_override(toml::table& t, std::string_view name, const std::string& key, const override_arg& o,
                     reader& r) {
    if (!t.contains(name)) throw config_error(o.origin + ": '" + key + "' is not in the configuration");
    t.erase(name);
    r.mark_override(key, o.origin);  // "missing required key" then names the --unset
}

toml::table& override_table(toml::table& t, std::string_view name, const std::string& key, const override_arg& o) {
    if (!t.contains(name)) t.insert(name, toml::table{});
    toml::table* next = t.get_as<toml::table>(name);
    if (!next) throw config_error(o.origin + ": '" + key + "' is not a table in the config");
    return *next;
}

// ---- the text -------------------------------------------------------------------------------

std::string read_config_file(const std::string& path) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) throw config_error("config file '" + path + "' is a directory");
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw config_error("cannot open config file '" + path + "'" +
                           (std::filesystem::exists(path, ec) ? " (not readable)" : " (no such file)"));
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) throw config_error("cannot read config file '" + path + "'");
    return text.str();
}

toml::table parse_text(const std::string& text, const std::string& source_name) {
    try {
        return toml::parse(text, std::string_view(source_name));
    } catch (const toml::parse_error& e) {
        const auto& b = e.source().begin;
        throw config_error(source_name + ":" + std::to_string(b.line) + ":" + std::to_string(b.column) +
                           ": TOML syntax error: " + std::string(e.description()));
    }
}

std::string recorded_text(const std::string& text, const config_overrides& overrides) {
    std::string out = text;
    if (!overrides.empty()) {
        if (!out.empty() && out.back() != '\n') out += '\n';
        const bool unsets = std::any_of(overrides.begin(), overrides.end(),
                                        [](const config_override& o) { return o.what == config_override::kind::unset; });
        out += unsets ? "# --set and --unset overrides applied on top of the text above, in order:\n"
                      : "# --set overrides applied on top of the text above, in order:\n";
        for (const auto& o : overrides) out += "#   " + o.text() + "\n";
    }
    return out;
}

}  // namespace sparsechaos::io::toml_reading
