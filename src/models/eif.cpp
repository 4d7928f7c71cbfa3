#include "sparsechaos/models/eif.hpp"

#include <algorithm>
#include <array>
#include <iterator>
#include <map>
#include <mutex>
#include <string>

namespace sparsechaos::models {
namespace {

// Tables are shared by every neuron with the same parameters and drive; the cache holds them
// weakly, so a table lives exactly as long as some neuron uses it.
using table_key = std::array<double, 5>;  // delta_t, v_t, v_reset, v_spike, drive

std::shared_ptr<const spike_time_table> shared_table(const eif& m, double drive) {
    static std::mutex mutex;
    static std::map<table_key, std::weak_ptr<const spike_time_table>> cache;
    const table_key key{m.delta_t, m.v_t, m.v_reset, m.v_spike, drive};
    std::lock_guard lock(mutex);
    if (auto it = cache.find(key); it != cache.end())
        if (auto table = it->second.lock()) return table;
    for (auto it = cache.begin(); it != cache.end();) it = it->second.expired() ? cache.erase(it) : std::next(it);

    const double delta_t = m.delta_t, v_t = m.v_t;
    const double current = v_t - delta_t + drive;
    free_flow flow;
    flow.rate = [=](double v) { return current - v + delta_t * std::exp((v - v_t) / delta_t); };
    flow.rate_slope = [=](double v) { return std::expm1((v - v_t) / delta_t); };
    flow.rate_curvature = [=](double v) { return std::exp((v - v_t) / delta_t) / delta_t; };
    flow.v_reset = m.v_reset;
    flow.v_spike = m.v_spike;
    // 36 Δ_T below V_T the exponential is e^{-36} ≈ 2e-16 of Δ_T: the flow is the leak I − V.
    flow.v_low = std::min(m.v_reset, v_t - 36.0 * delta_t);
    flow.tail_current = current;
    auto table = std::make_shared<const spike_time_table>(flow);
    cache[key] = table;
    return table;
}

}  // namespace

eif::neuron eif::make_neuron(double drive) const {
    if (!(drive > 0.0) || !std::isfinite(drive))
        throw std::invalid_argument("EIF drive I' (current above rheobase V_T - delta_t) must be > 0, got " +
                                    std::to_string(drive));
    if (!(tau_ms > 0.0) || !std::isfinite(tau_ms))
        throw std::invalid_argument("EIF tau_m_ms must be > 0, got " + std::to_string(tau_ms));
    if (!(delta_t > 0.0) || !std::isfinite(delta_t))
        throw std::invalid_argument("EIF delta_t must be > 0, got " + std::to_string(delta_t));
    if (!std::isfinite(v_t) || !std::isfinite(v_reset) || !(v_reset < v_spike))
        throw std::invalid_argument("EIF needs finite v_t and v_reset < v_spike");
    // exp((v_spike − v_t)/Δ_T) must stay far from overflow.
    if (!((v_spike - v_t) / delta_t <= 600.0))
        throw std::invalid_argument("EIF (v_spike - v_t)/delta_t must be <= 600");
    auto table = shared_table(*this, drive);
    return {1.0 / table->period(), v_t - delta_t + drive, std::move(table)};
}

}  // namespace sparsechaos::models
