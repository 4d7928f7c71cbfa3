#pragma once
// What the two configuration readers share: config.cpp (spiking networks) and rate_config.cpp
// (rate networks). Text for error messages, typed access to a TOML tree with errors that name the
// dotted key and where the value came from (file:line:column or the --set argument), the parts of
// --set handling that do not depend on a schema, and reading, parsing and recording the text.
// Each reader keeps its own schema, its walk of --set keys and its domain checks.
#include <toml++/toml.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sparsechaos/io/config.hpp"

namespace sparsechaos::io::toml_reading {

// ---- text for error messages ----------------------------------------------------------------

// "population[0].size" from "population[0]" and "size"; at the root (path "") the key alone.
std::string join_key(std::string_view path, std::string_view key);
// "a, b, c".
std::string list_text(const std::vector<std::string_view>& items);
// A double with 15 significant digits: 0.1 stays 0.1.
std::string number_text(double x);

// How a value appears in an error message; tables and arrays are "a table" and "an array".
enum class value_style {
    typed,  // with its type: string "abc", integer 5, float 2.5, boolean true, date/time ...
    plain,  // as it would be written in TOML: "abc", 5, 2.5, true
};
std::string value_text(const toml::node& n, value_style style);

// The names a string key may take and the value each stands for (choice() below).
template <class E, std::size_t N>
using names = std::array<std::pair<std::string_view, E>, N>;

// ---- the reader: typed access with errors that name key and origin --------------------------

class reader {
public:
    struct style {
        value_style values = value_style::typed;
        // Whether an error about a table also names the --set overrides of keys below it,
        // "...: give 'j0' or 'weight', not both (after --set projection[0].weight=1)".
        bool name_overrides_below = true;
    };

    reader(std::string source, style s) : source_(std::move(source)), style_(s) {}

    // Keys at or below `key` came from this --set argument (`origin`, "--set key=value").
    void mark_override(std::string key, std::string origin) { overrides_[std::move(key)] = std::move(origin); }

    // Throws "<origin>: <message>": origin is the --set argument that set `key` (or a table
    // above it), else the position of `at` in the file, else the file.
    [[noreturn]] void fail_message(std::string_view key, const toml::node* at, const std::string& message) const;
    // Throws "<origin>: <key>: <what>".
    [[noreturn]] void fail(std::string_view key, const toml::node* at, const std::string& what) const;

    // A value for an error message, in this reader's style.
    std::string value_text(const toml::node& n) const { return toml_reading::value_text(n, style_.values); }

    // t[key] of the type asked for; nothing when absent; an error when of another type.
    const toml::table* table(const toml::table& t, std::string_view path, std::string_view key) const;
    std::optional<std::string> string(const toml::table& t, std::string_view path, std::string_view key) const;
    std::optional<std::int64_t> integer(const toml::table& t, std::string_view path, std::string_view key) const;
    // Integer or float; always finite.
    std::optional<double> number(const toml::table& t, std::string_view path, std::string_view key) const;
    std::optional<bool> boolean(const toml::table& t, std::string_view path, std::string_view key) const;

    // The value `v` read from t[key]; "<path>: missing required key '<key>'" when it is absent.
    template <class T>
    T required(std::optional<T> v, const toml::table& t, std::string_view path, std::string_view key) const {
        if (!v) fail_message(join_key(path, key), &t, (path.empty() ? std::string("config") : std::string(path)) +
                                                          ": missing required key '" + std::string(key) + "'");
        return *std::move(v);
    }

    // A string that must be one of `allowed`.
    template <class E, std::size_t N>
    std::optional<E> choice(const toml::table& t, std::string_view path, std::string_view key,
                            const names<E, N>& allowed) const {
        auto s = string(t, path, key);
        if (!s) return std::nullopt;
        std::vector<std::string_view> all;
        for (const auto& [name, value] : allowed) {
            if (name == *s) return value;
            all.push_back(name);
        }
        fail(join_key(path, key), t.get(key), "unknown value \"" + *s + "\"; allowed: " + list_text(all));
    }

    // Throws unless `ok`: "<key>: must be <what>, got <value>" (or "got nothing").
    void require(bool ok, const toml::table& t, std::string_view path, std::string_view key,
                 const std::string& what) const;
    // A key that the chosen variant does not read must be absent: "<key>: not used <because>".
    void forbid(const toml::table& t, std::string_view path, std::string_view key, const std::string& because) const;

private:
    std::string origin(std::string_view key, const toml::node* at) const;

    std::string source_;
    style style_;
    std::map<std::string, std::string, std::less<>> overrides_;
};

// ---- --set overrides ------------------------------------------------------------------------

// One --set argument "dotted.key=value" split at the first '=', key and value trimmed; or one
// --unset argument "dotted.key".
struct override_arg {
    std::string origin;  // "--set <argument>" or "--unset <argument>": every error about it starts so
    std::string key;
    std::string value;   // empty for unset
    bool unset = false;
};
// Throws "<origin>: expected dotted.key=value" for a set without '=', "<origin>: expected a
// dotted.key without a value" for an unset with one.
override_arg split_override(const config_override& arg);

// Letters, digits, '_' and '-': a key, or a value that is taken as a string when it is not TOML.
bool is_word(std::string_view s);

// Sets t[name] to the override's value and records that `key` (the dotted key of t[name]) came
// from it. The value is TOML; a bare word that is not TOML (tanh, procedural) is a string, since
// shells strip the quotes of --set key="tanh".
void assign_override(toml::table& t, std::string_view name, const std::string& key, const override_arg& o,
                     reader& r);
// Replaces element `index` of an array of tables with the override's value, which must be a table
// (projection[0]={rule="pairwise_bernoulli", probability=0.25}); `key` is the element's dotted key.
void assign_element_override(toml::array& a, std::size_t index, const std::string& key, const override_arg& o,
                             reader& r);
// Removes t[name] (`key` is its dotted key); an error when the configuration does not have it.
void remove_override(toml::table& t, std::string_view name, const std::string& key, const override_arg& o,
                     reader& r);

// The table t[name] (`key` is its dotted key), created when absent; an error when t[name] is
// another kind of value.
toml::table& override_table(toml::table& t, std::string_view name, const std::string& key, const override_arg& o);

// ---- the text -------------------------------------------------------------------------------

// The contents of a configuration file; a missing, unreadable or directory path is an error.
std::string read_config_file(const std::string& path);
// Parses configuration text; a syntax error is "<source>:<line>:<column>: TOML syntax error: ...".
toml::table parse_text(const std::string& text, const std::string& source_name);
// The text recorded with a run: the configuration, then the overrides as comments.
std::string recorded_text(const std::string& text, const config_overrides& overrides);

}  // namespace sparsechaos::io::toml_reading
