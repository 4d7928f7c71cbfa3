#include "sparsechaos/io/config_names.hpp"

namespace sparsechaos::io {

std::vector<std::string_view> model_names() {
    std::vector<std::string_view> names;
    for_each_model([&]<class M>(std::type_identity<M>) { names.push_back(model_info<M>::name); });
    return names;
}

std::string_view model_name(const models::model& m) {
    return std::visit([]<class M>(const M&) { return model_info<M>::name; }, m);
}

std::vector<std::pair<std::string_view, double>> model_parameters(const models::model& m) {
    return std::visit(
        []<class M>(const M& x) {
            std::vector<std::pair<std::string_view, double>> out{{"tau_m_ms", x.tau_ms}};
            for (const auto& p : model_info<M>::parameters) out.emplace_back(p.key, x.*p.field);
            return out;
        },
        m);
}

}  // namespace sparsechaos::io
