// describe(): the report of `sparsechaos check` — what the configuration builds and what it costs.
#include <cmath>
#include <cstdio>
#include <sstream>
#include <string>

#include "sparsechaos/io/config.hpp"
#include "sparsechaos/io/config_memory.hpp"
#include "sparsechaos/io/config_names.hpp"
#include "sparsechaos/network/connectivity.hpp"
#include "sparsechaos/network/layout.hpp"

namespace sparsechaos::io {
namespace {

std::string num(double x) {
    std::ostringstream os;
    os.precision(6);
    os << x;
    return os.str();
}

// 12345678 -> "12,345,678" (rounded to an integer).
std::string count(double x) {
    const std::string digits = std::to_string(static_cast<unsigned long long>(std::llround(x)));
    std::string out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
        out += digits[i];
    }
    return out;
}

std::string bytes(double b) {
    static const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
    int u = 0;
    while (b >= 1024 && u < 5) b /= 1024, ++u;
    char buf[32];
    std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.3g %s", b, units[u]);
    return buf;
}

}  // namespace

memory_estimate estimate_memory(const network::network_spec& spec) {
    const network::layout lay(spec);
    memory_estimate m;
    const double engine_bytes = engine_bytes_per_neuron(network::any_excitation(spec));
    for (const auto& p : spec.populations) {
        // A jittered drive gives every neuron its own model constants; otherwise one is shared.
        const double constants = std::visit(
            [](const auto& model) { return double(sizeof(typename std::decay_t<decltype(model)>::neuron)); }, p.model);
        m.neuron_bytes += double(p.size) * (engine_bytes + (p.drive.jitter > 0 ? constants : 0.0) +
                                            (p.poisson ? poisson_bytes_per_neuron : 0.0));
    }
    for (const auto& r : network::resolve_projections(spec, lay)) {
        const double n = expected_synapses(r, lay);
        m.synapses += n;
        m.stored_synapse_bytes += (bytes_per_synapse + (r.synapse_delays() ? bytes_per_synapse_delay : 0.0)) * n +
                                  bytes_per_row_offset * double(lay.population(r.pre).size + 1);
    }
    return m;
}

std::string describe(const network::network_spec& spec) {
    const network::layout lay(spec);
    const auto projections = network::resolve_projections(spec, lay);
    const auto drives = network::population_drives(spec, projections);
    const double t_s = spec.simulation.t_end_ms * 1e-3;
    std::ostringstream os;

    os << "simulation: " << num(spec.simulation.t_end_ms) << " ms, seed " << spec.simulation.seed << ", "
       << name_of(storage_names, spec.simulation.storage) << " connectivity, held kicks "
       << name_of(kick_holding_names, spec.simulation.hold_kicks) << ", spikes "
       << (spec.output.spikes ? "written" : "not written") << "\n";

    os << "\npopulations (" << spec.populations.size() << ")\n";
    double expected_spikes = 0;
    bool all_balanced = true;
    for (std::size_t a = 0; a < spec.populations.size(); ++a) {
        const auto& p = spec.populations[a];
        const auto& ids = lay.population(a);
        os << "  " << p.name << ": " << count(double(p.size)) << " neurons, ids [" << ids.first << ", " << ids.end()
           << ")\n";
        os << "    model " << model_name(p.model) << " (";
        const auto params = model_parameters(p.model);
        for (std::size_t k = 0; k < params.size(); ++k)
            os << (k ? ", " : "") << params[k].first << " = " << num(params[k].second);
        os << ")\n";
        os << "    drive " << num(drives[a]);
        if (p.drive.balanced_rate_hz)
            os << " (from the balance condition at " << num(*p.drive.balanced_rate_hz) << " Hz)";
        else
            os << " (given)";
        if (p.drive.jitter > 0) os << ", jitter ±" << num(100 * p.drive.jitter) << " %";
        os << "\n";
        if (p.poisson)
            os << "    Poisson input " << num(p.poisson->rate_hz) << " Hz per neuron, weight " << num(p.poisson->weight)
               << (p.poisson->weight > 0 ? " (excitatory)" : " (inhibitory)") << "\n";
        // ω and the rate of an isolated neuron: the phase runs from reset to threshold at ω/τ.
        std::visit(
            [&](const auto& m) {
                const double omega = m.make_neuron(drives[a]).omega;
                const double rate_hz = 1e3 * omega / (m.tau_ms * (m.phase_threshold() - m.phase_reset()));
                os << "    omega " << num(omega) << ", free-running rate " << num(rate_hz) << " Hz\n";
            },
            p.model);
        if (p.drive.balanced_rate_hz)
            expected_spikes += double(p.size) * *p.drive.balanced_rate_hz * t_s;
        else
            all_balanced = false;
    }

    os << "\nprojections (" << projections.size() << ")\n";
    std::string procedural_blocker;
    for (const auto& r : projections) {
        const auto& ps = spec.projections[r.index];
        if (r.rule == network::connection_rule::fixed_indegree && procedural_blocker.empty())
            procedural_blocker = "projection[" + std::to_string(r.index) + "] uses fixed_indegree";
        os << "  [" << r.index << "] " << ps.pre << " -> " << ps.post << ": "
           << name_of(connection_rule_names, r.rule);
        switch (r.rule) {
        case network::connection_rule::fixed_indegree: os << " K = " << num(r.degree); break;
        case network::connection_rule::fixed_outdegree:
            os << " " << num(r.degree) << " (mean in-degree K = " << num(r.mean_indegree) << ")";
            break;
        case network::connection_rule::pairwise_bernoulli:
            os << " p = " << num(r.probability) << " (mean in-degree K = " << num(r.mean_indegree) << ")";
            break;
        }
        os << ", J = " << num(r.weight);
        if (ps.j0) os << " (j0 = " << num(*ps.j0) << ", J = j0/sqrt(K))";
        if (r.autapses) os << ", autapses";
        if (r.multapses) os << ", multapses";
        if (r.synapse_delays())
            os << ", delays uniform in [" << num(r.delay_ms) << ", " << num(r.delay_max_ms) << "] ms";
        else if (r.delay_ms > 0)
            os << ", delay " << num(r.delay_ms) << " ms";
        os << "\n      expected synapses " << count(expected_synapses(r, lay)) << "\n";
    }

    const double d_min = network::minimum_delay_ms(projections);
    if (d_min > 0)
        os << "  mode: delays >= " << num(d_min) << " ms (ranks exchange spikes once per " << num(d_min) << " ms)\n";
    else
        os << "  mode: zero delay (exact global event order; ranks agree on every spike)\n";

    if (spec.lyapunov) {
        const auto& l = *spec.lyapunov;
        const double m = double(l.exponents ? l.exponents : lay.total());
        os << "\nlyapunov\n";
        os << "  " << count(m) << " exponents (" << name_of(qr_method_names, l.method) << " QR every "
           << count(double(l.orthonormalize_every ? l.orthonormalize_every : lay.total())) << " network spikes"
           << (l.max_condition > 0 ? ", sooner if cond(Q) > " + num(l.max_condition) : std::string()) << ")\n";
        auto warm = [&](double ms, const std::optional<double>& spn) {
            return spn ? num(*spn) + " spikes per neuron" : num(ms) + " ms";
        };
        os << "  warm-up " << warm(l.warmup_ms, l.warmup_spikes_per_neuron) << ", orthonormal-system warm-up "
           << warm(l.ons_warmup_ms, l.ons_warmup_spikes_per_neuron) << ", measuring the rest of "
           << num(spec.simulation.t_end_ms) << " ms\n";
        if (l.target_rate_hz)
            os << "  drives tuned first to a mean rate of " << num(*l.target_rate_hz) << " Hz (runs of "
               << num(l.tune_ms) << " ms)\n";
        os << "  tangent space: " << bytes(8.0 * m * double(lay.total())) << " (m x N doubles, split over the ranks)\n";
    }

    const memory_estimate mem = estimate_memory(spec);
    os << "\ntotals\n";
    os << "  neurons " << count(double(lay.total())) << ", synapses " << count(mem.synapses) << " (expected)\n";
    if (all_balanced)
        os << "  spikes expected at the balanced rates over " << num(spec.simulation.t_end_ms) << " ms: "
           << count(expected_spikes) << "\n";

    const bool stored = spec.simulation.storage == network::connectivity_storage::stored;
    os << "\nmemory estimate (one rank)\n";
    const bool keyed = network::any_excitation(spec);
    os << "  neurons: " << bytes(mem.neuron_bytes) << " (" << num(engine_bytes_per_neuron(keyed))
       << (keyed ? " B each: state and queue key 16" : " B each: state 8 (inhibition only: no queue key)")
       << ", bucket entry 4 to 8; plus the model constants of each neuron"
       << " if its drive is jittered, " << num(poisson_bytes_per_neuron) << " B if it receives Poisson input)\n";
    os << "  stored connectivity: " << bytes(mem.stored_synapse_bytes) << " (4 B per synapse + 8 B per presynaptic"
       << " neuron and projection, on every rank) -> total " << bytes(mem.neuron_bytes + mem.stored_synapse_bytes)
       << (stored ? "  [selected]" : "") << "\n";
    os << "  procedural connectivity: ";
    if (procedural_blocker.empty())
        os << "no synapse memory -> total " << bytes(mem.neuron_bytes) << (stored ? "" : "  [selected]") << "\n";
    else
        os << "not available (" << procedural_blocker << ")\n";
    return os.str();
}

}  // namespace sparsechaos::io
