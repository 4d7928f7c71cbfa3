#pragma once
// The names the configuration uses: neuron models (name and parameter keys besides tau_m_ms),
// connection rules, position layouts, kernels, weight and delay laws, edge file formats and
// connectivity storage modes. The parser, describe() and output metadata all
// read these tables, so a new model reaches the config through one model_info specialization here.
//
// Only models that are alternatives of models::model are visible to the config. rapid_theta and
// eif are described below as constrained templates, so their member names are checked only once
// they join the variant; until their headers exist they are left out entirely.
#include <array>
#include <concepts>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "sparsechaos/models/model.hpp"
#include "sparsechaos/network/spec.hpp"

#if __has_include("sparsechaos/models/rapid_theta.hpp")
#include "sparsechaos/models/rapid_theta.hpp"
#define SPARSECHAOS_CONFIG_HAS_RAPID_THETA 1
#endif
#if __has_include("sparsechaos/models/eif.hpp")
#include "sparsechaos/models/eif.hpp"
#define SPARSECHAOS_CONFIG_HAS_EIF 1
#endif

namespace sparsechaos::io {

// One model parameter: its config key and the model field it sets.
template <class M>
struct model_parameter {
    std::string_view key;
    double M::*field;
};

// name: value of population.model; parameters: keys besides tau_m_ms (all optional, defaults
// from the model struct); check(m): "" or a message "key: what is wrong".
template <class M>
struct model_info;

template <>
struct model_info<models::lif> {
    static constexpr std::string_view name = "lif";
    static constexpr std::array<model_parameter<models::lif>, 0> parameters{};
    static std::string check(const models::lif&) { return {}; }
};

template <>
struct model_info<models::theta> {
    static constexpr std::string_view name = "theta";
    static constexpr std::array<model_parameter<models::theta>, 0> parameters{};
    static std::string check(const models::theta&) { return {}; }
};

#ifdef SPARSECHAOS_CONFIG_HAS_RAPID_THETA
template <class M>
    requires std::same_as<M, models::rapid_theta>
struct model_info<M> {
    static constexpr std::string_view name = "rapid_theta";
    static constexpr std::array parameters{model_parameter<M>{"rapidness", &M::rapidness}};
    static std::string check(const M& m) {
        // The config keeps to the range of the sparse-chaos paper (arXiv:2412.21188): r >= 1,
        // r = 1 being the theta neuron; the model itself would accept any r > 0.
        return m.rapidness >= 1.0 ? std::string{} : std::string("rapidness: must be >= 1");
    }
};
#endif

#ifdef SPARSECHAOS_CONFIG_HAS_EIF
template <class M>
    requires std::same_as<M, models::eif>
struct model_info<M> {
    static constexpr std::string_view name = "eif";
    static constexpr std::array parameters{model_parameter<M>{"delta_t", &M::delta_t},
                                           model_parameter<M>{"v_t", &M::v_t},
                                           model_parameter<M>{"v_reset", &M::v_reset},
                                           model_parameter<M>{"v_spike", &M::v_spike}};
    static std::string check(const M& m) {
        if (!(m.delta_t > 0.0)) return "delta_t: must be > 0";
        if (!(m.v_reset < m.v_spike)) return "v_reset: must lie below v_spike";
        return {};
    }
};
#endif

// Calls f(std::type_identity<M>{}) for every model of the variant, in variant order.
template <class F>
void for_each_model(F&& f) {
    [&]<class... M>(std::type_identity<std::variant<M...>>) {
        (f(std::type_identity<M>{}), ...);
    }(std::type_identity<models::model>{});
}

// Spellings of projection.rule and simulation.connectivity.
inline constexpr std::array<std::pair<std::string_view, network::connection_rule>, 7> connection_rule_names{{
    {"fixed_indegree", network::connection_rule::fixed_indegree},
    {"fixed_outdegree", network::connection_rule::fixed_outdegree},
    {"pairwise_bernoulli", network::connection_rule::pairwise_bernoulli},
    {"fixed_total_number", network::connection_rule::fixed_total_number},
    {"distance_dependent", network::connection_rule::distance_dependent},
    {"sonet", network::connection_rule::sonet},
    {"file", network::connection_rule::file},
}};
inline constexpr std::array<std::pair<std::string_view, network::position_layout>, 2> position_layout_names{{
    {"random", network::position_layout::random},
    {"grid", network::position_layout::grid},
}};
inline constexpr std::array<std::pair<std::string_view, network::distance_kernel>, 2> distance_kernel_names{{
    {"gaussian", network::distance_kernel::gaussian},
    {"exponential", network::distance_kernel::exponential},
}};
inline constexpr std::array<std::pair<std::string_view, network::weight_distribution>, 3> weight_distribution_names{{
    {"constant", network::weight_distribution::constant},
    {"normal", network::weight_distribution::normal},
    {"lognormal", network::weight_distribution::lognormal},
}};
inline constexpr std::array<std::pair<std::string_view, network::delay_distribution>, 3> delay_distribution_names{{
    {"constant", network::delay_distribution::constant},
    {"uniform", network::delay_distribution::uniform},
    {"normal", network::delay_distribution::normal},
}};
inline constexpr std::array<std::pair<std::string_view, network::edge_file_format>, 2> edge_file_format_names{{
    {"sonata", network::edge_file_format::sonata},
    {"text", network::edge_file_format::text},
}};
inline constexpr std::array<std::pair<std::string_view, network::qr_method>, 5> qr_method_names{{
    {"cholqr2", network::qr_method::cholqr2},
    {"tsqr", network::qr_method::tsqr},
    {"cgs", network::qr_method::cgs},
    {"cholesky", network::qr_method::cholesky},
    {"householder", network::qr_method::householder},
}};
inline constexpr std::array<std::pair<std::string_view, network::tangent_layout>, 2> tangent_layout_names{{
    {"neuron_major", network::tangent_layout::neuron_major},
    {"column_major", network::tangent_layout::column_major},
}};
inline constexpr std::array<std::pair<std::string_view, network::connectivity_storage>, 2> storage_names{{
    {"stored", network::connectivity_storage::stored},
    {"procedural", network::connectivity_storage::procedural},
}};
inline constexpr std::array<std::pair<std::string_view, network::kick_holding>, 3> kick_holding_names{{
    {"auto", network::kick_holding::automatic},
    {"on", network::kick_holding::on},
    {"off", network::kick_holding::off},
}};
// The name of an enum value in one of the tables above.
template <class E, std::size_t N>
constexpr std::string_view name_of(const std::array<std::pair<std::string_view, E>, N>& table, E value) {
    for (const auto& [name, v] : table)
        if (v == value) return name;
    return "?";
}

// The names of the models of this build, in variant order.
std::vector<std::string_view> model_names();
std::string_view model_name(const models::model& m);
// (key, value) of every parameter of the model as the config spells it, tau_m_ms first.
std::vector<std::pair<std::string_view, double>> model_parameters(const models::model& m);

}  // namespace sparsechaos::io
