#include "sparsechaos/runs/drive_tuning.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "sparsechaos/engine/simulation.hpp"
#include "sparsechaos/network/connectivity.hpp"
#include "sparsechaos/runs/build_graph.hpp"

namespace sparsechaos::runs {

network::network_spec with_drive_factor(const network::network_spec& spec, double factor) {
    network::network_spec out = spec;
    const network::layout lay(spec);
    const auto drives = network::population_drives(spec, network::resolve_projections(spec, lay));
    for (std::size_t p = 0; p < out.populations.size(); ++p) {
        out.populations[p].drive.value = factor * drives[p];
        out.populations[p].drive.balanced_rate_hz.reset();
    }
    return out;
}

double tune_drive_factor(const network::network_spec& spec, parallel::context& ctx, double target_hz, double tune_ms,
                         const std::function<void(int, double, double)>& report) {
    // Mean rate over the last 80 % of a fresh run (the first 20 % is the transient).
    auto rate_at = [&](double factor) {
        const auto tuned = with_drive_factor(spec, factor);
        engine::simulation sim(build_graph(tuned, ctx), ctx);
        sim.run_until(0.2 * tune_ms);
        const auto before = sim.statistics().network_spikes;
        sim.run_until(tune_ms);
        const double spikes = double(sim.statistics().network_spikes - before);
        return spikes / (double(sim.layout().total()) * 0.8 * tune_ms * 1e-3);
    };
    // Rates of small networks are jagged functions of the drive, so a plain secant can cycle:
    // first step proportionally until the target is bracketed, then shrink the bracket by
    // regula falsi on (log factor, log rate) with the Illinois fix against one-sided steps.
    const double goal = std::log(target_hz);
    auto miss = [&](double rate) { return std::log(std::max(rate, 1e-6)) - goal; };
    auto close_enough = [&](double rate) { return std::abs(rate - target_hz) <= 0.01 * target_hz; };
    double lo = 0.0, hi = 0.0, m_lo = 0.0, m_hi = 0.0;  // log factors of the bracket, their misses
    bool have_lo = false, have_hi = false;
    double x = 0.0;  // log factor
    int side = 0;
    for (int step = 0; step <= 40; ++step) {
        const double rate = rate_at(std::exp(x));
        if (report) report(step, std::exp(x), rate);
        if (close_enough(rate)) return std::exp(x);
        const double m = miss(rate);
        if (m < 0) {
            lo = x, m_lo = m, have_lo = true;
            if (side == -1) m_hi *= 0.5;  // Illinois: the other end has not moved twice in a row
            side = -1;
        } else {
            hi = x, m_hi = m, have_hi = true;
            if (side == 1) m_lo *= 0.5;
            side = 1;
        }
        if (have_lo && have_hi) {
            x = lo - m_lo * (hi - lo) / (m_hi - m_lo);
            if (std::abs(hi - lo) < 1e-9) break;
        } else {
            x = x - std::clamp(m, -0.5, 0.5);  // rate roughly proportional to the drive
        }
    }
    throw std::runtime_error("lyapunov.target_rate_hz: the drive was not tuned to " + std::to_string(target_hz) +
                             " Hz within 1 %: the rate is too jagged a function of the drive here; raise lyapunov.tune_ms "
                             "(longer tuning runs average more spikes)");
}

}  // namespace sparsechaos::runs
