#include "sparsechaos/runs/summary.hpp"

#include <algorithm>
#include <cmath>
#include <cstdarg>
#include <cstdio>

namespace sparsechaos::runs {
namespace {

// printf into a string.
[[gnu::format(printf, 2, 3)]] void add(std::string& out, const char* format, ...) {
    char buf[512];
    va_list args;
    va_start(args, format);
    std::vsnprintf(buf, sizeof buf, format, args);
    va_end(args);
    out += buf;
}

using ull = unsigned long long;

}  // namespace

std::string lyapunov_summary(const tangent::lyapunov_result& r) {
    std::string s;
    const auto& l = r.exponents;
    add(s, "  lyapunov         %llu of %llu exponents over %g s, %llu QR steps (%s)\n", ull(r.exponents_computed),
        ull(r.neurons), r.measuring_time_s, ull(r.qr_steps), r.method.c_str());
    if (r.tuned_drive_factor)
        add(s, "  tuned drive      x %.6g for a mean rate of %g Hz\n", *r.tuned_drive_factor, *r.target_rate_hz);
    if (l.empty()) return s;
    add(s, "  lambda_1         %.6g +- %.2g 1/s\n", l.front(), r.standard_errors.front());
    add(s, "  positive         %zu exponents%s\n", r.dimensions.positive,
        r.exponents_computed < r.neurons ? " (at least: not all exponents computed)" : "");
    if (r.network_spikes_per_s > 0)
        add(s, "  KS entropy       %.6g bits/s, %.4g bits/spike\n", r.entropy.bits_per_second, r.entropy.bits_per_spike);
    else
        add(s, "  KS entropy       %.6g bits/s\n", r.entropy.bits_per_second);
    add(s, "  Kaplan-Yorke     D = %.6g (D/N = %.4g)\n", r.dimensions.kaplan_yorke,
        r.dimensions.kaplan_yorke / double(r.neurons));
    if (std::isfinite(r.contraction))
        add(s, "  sum of exponents %.6g 1/s (contraction rate %.6g 1/s)\n", r.sum, r.contraction);
    else
        add(s, "  sum of exponents %.6g 1/s\n", r.sum);
    return s;
}

std::string spiking_summary(const std::string& config, const spiking_result& r) {
    std::string s;
    const auto& stats = r.stats;
    const auto& totals = r.totals;
    const std::size_t pops = r.population_names.size();
    const bool several = r.ranks > 1;
    add(s, "sparsechaos run: %s\n", config.c_str());
    add(s, "  neurons          %llu (%zu population%s)\n", ull(r.neurons), pops, pops == 1 ? "" : "s");
    if (r.procedural)
        add(s, "  synapses         %.0f expected (procedural, not stored)\n", r.expected_synapses);
    else
        add(s, "  synapses         %llu\n", ull(r.synapses));
    add(s, "  spikes           %llu\n", ull(totals.spikes));
    add(s, "  mean rate        %.4g Hz", totals.mean_rate_hz);
    if (pops > 1) {
        for (std::size_t p = 0; p < pops; ++p)
            add(s, "%s%s %.4g", p ? ", " : " (", r.population_names[p].c_str(), totals.population_rates_hz[p]);
        add(s, ")");
    }
    add(s, "\n");
    add(s, "  simulated time   %g ms\n", r.t_end_ms);
    add(s, "  wall time        build %.3f s, run %.3f s\n", r.build_s, stats.wall_s);
    if (totals.spikes > 0) {
        add(s, "  per spike        %.3f µs\n", 1e6 * stats.wall_s / double(totals.spikes));
        add(s, "  stale heap pops  %.3f per spike%s\n", double(stats.stale_pops) / double(totals.spikes),
            several ? " (rank 0)" : "");
    }
    if (r.min_delay_ms > 0.0)
        add(s, "  mode             delays >= %g ms: exchange windows of %g ms\n", r.min_delay_ms, r.window_ms);
    else
        add(s, "  mode             zero delay: exact global event order\n");
    if (stats.held > 0)
        add(s, "  held kicks       %.1f %% of kicks, over %llu windows%s\n",
            100.0 * double(stats.held) / double(std::max<std::uint64_t>(stats.kicks, 1)), ull(stats.held_windows),
            several ? " (rank 0)" : "");
    if (stats.inputs > 0) add(s, "  Poisson inputs   %llu (rank 0)\n", ull(stats.inputs));
    if (several)
        add(s, "  ranks            %d (%llu %s on rank 0)\n", r.ranks, ull(stats.rounds),
            r.min_delay_ms > 0.0 ? "window exchanges" : "agreements");
    if (r.lyapunov) s += lyapunov_summary(*r.lyapunov);
    add(s, "  output           %s\n", r.output.c_str());
    return s;
}

std::string spiking_timers(const spiking_result& r, double load_s) {
    std::string s;
    auto mib = [](std::uint64_t b) { return double(b) / (1024.0 * 1024.0); };
    add(s, "timers\n");
    add(s, "  load config      %.3f s\n", load_s);
    add(s, "  create output    %.3f s\n", r.create_s);
    add(s, "  build network    %.3f s\n", r.build_s);
    add(s, "  run              %.3f s (spike output included)\n", r.stats.wall_s);
    for (std::size_t k = 0; k < r.phase_names.size(); ++k) {
        const auto& v = r.phase_seconds[k];
        double sum = 0.0, max = 0.0;
        for (double x : v) sum += x, max = std::max(max, x);
        add(s, "    %-13s  %.3f s mean over ranks, %.3f s max\n", r.phase_names[k].c_str(), sum / double(v.size()), max);
    }
    add(s, "  finish output    %.3f s (rates, metadata, close, rename)\n", r.write_s);
    add(s, "  BLAS             %s\n", r.blas.c_str());
    add(s, "memory (this rank)\n");
    add(s, "  neurons          %.2f MiB (%.1f B per neuron)\n", mib(r.memory.neuron_bytes),
        r.local_neurons ? double(r.memory.neuron_bytes) / double(r.local_neurons) : 0.0);
    add(s, "  synapses         %.2f MiB", mib(r.memory.synapse_bytes));
    if (r.memory.synapses) add(s, " (%.2f B per synapse)", double(r.memory.synapse_bytes) / double(r.memory.synapses));
    add(s, "\n");
    return s;
}

std::string rate_summary(const std::string& config, const rate::rate_network_spec& spec,
                         const rate::rate_run_result& r, int ranks, const std::string& output) {
    std::string s;
    add(s, "sparsechaos run: %s\n", config.c_str());
    add(s, "  rate network     %llu units\n", ull(spec.coupling.size));
    add(s, "  steps            %llu\n", ull(r.steps));
    add(s, "  wall time        build %.3f s, run %.3f s\n", r.build_wall_s, r.run_wall_s);
    if (ranks > 1) add(s, "  ranks            %d\n", ranks);
    if (r.lyapunov) s += lyapunov_summary(*r.lyapunov);
    add(s, "  output           %s\n", output.c_str());
    return s;
}

}  // namespace sparsechaos::runs
