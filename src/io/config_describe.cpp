// describe(): the report of `sparsechaos check` — what the configuration builds and what it costs.
#include <cmath>
#include <cstdio>
#include <vector>
#include <sstream>
#include <string>

#include <mpi.h>

#include "sparsechaos/io/config.hpp"
#include "sparsechaos/io/config_memory.hpp"
#include "sparsechaos/io/config_names.hpp"
#include "sparsechaos/io/graph_import.hpp"
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
    return estimate_memory(spec, network::resolve_projections(spec, lay));
}

memory_estimate estimate_memory(const network::network_spec& spec,
                                const std::vector<network::resolved_projection>& projections) {
    const network::layout lay(spec);
    memory_estimate m;
    const double engine_bytes = engine_bytes_per_neuron(network::any_excitation(spec, projections));
    for (const auto& p : spec.populations) {
        // A jittered drive gives every neuron its own model constants; otherwise one is shared.
        const double constants = std::visit(
            [](const auto& model) { return double(sizeof(typename std::decay_t<decltype(model)>::neuron)); }, p.model);
        m.neuron_bytes += double(p.size) * (engine_bytes + (p.drive.jitter > 0 ? constants : 0.0) +
                                            (p.poisson ? poisson_bytes_per_neuron : 0.0));
    }
    for (const auto& r : projections) {
        const double n = expected_synapses(r, lay);
        m.synapses += n;
        m.stored_synapse_bytes += (bytes_per_synapse + (r.synapse_delays() ? bytes_per_synapse_delay : 0.0) +
                                   (r.synapse_weights() ? bytes_per_synapse_weight : 0.0)) *
                                      n +
                                  bytes_per_row_offset * double(lay.population(r.pre).size + 1);
        // The distance rule's index of the post population: needed in both storage modes.
        if (r.rule == network::connection_rule::distance_dependent)
            m.index_bytes += bytes_per_indexed_neuron * double(lay.population(r.post).size);
    }
    return m;
}

namespace {

// The rule and its parameters, as one line.
std::string rule_text(const network::resolved_projection& r, const network::projection_spec& ps) {
    using network::connection_rule;
    std::string s(name_of(connection_rule_names, r.rule));
    switch (r.rule) {
    case connection_rule::fixed_indegree: return s + " K = " + num(r.degree);
    case connection_rule::fixed_outdegree: return s + " " + num(r.degree) + " (mean in-degree K = " + num(r.mean_indegree) + ")";
    case connection_rule::pairwise_bernoulli:
        return s + " p = " + num(r.probability) + " (mean in-degree K = " + num(r.mean_indegree) + ")";
    case connection_rule::fixed_total_number:
        return s + " Q = " + count(double(r.total_number)) +
               (ps.connection_probability ? " (from connection probability C = " + num(*ps.connection_probability) +
                                                ", Q = ln(1 - C)/ln(1 - 1/(N_pre N_post)))"
                                          : std::string()) +
               " (mean in-degree K = " + num(r.mean_indegree) + ")";
    case connection_rule::distance_dependent: {
        const auto& sp = r.spatial;
        return s + " p(d) = " + num(sp.max_probability) +
               (sp.kernel == network::distance_kernel::gaussian ? " exp(-d^2/(2 (" + num(sp.width_um) + " um)^2))"
                                                                : " exp(-d/" + num(sp.width_um) + " um)") +
               (sp.cutoff_um ? ", cut off at " + num(*sp.cutoff_um) + " um"
                             : ", truncated at " + num(network::distance_rule::truncation_radius(sp)) +
                                   " um (mass beyond < 1e-17)") +
               " (mean in-degree K = " + num(r.mean_indegree) + ")";
    }
    case connection_rule::sonet: {
        const auto& a = r.sonet;
        return s + " p = " + num(r.probability) + ", alpha_recip " + num(a.alpha_recip) + ", alpha_conv " +
               num(a.alpha_conv) + ", alpha_div " + num(a.alpha_div) + ", alpha_chain " + num(a.alpha_chain) +
               " (mean in-degree K = " + num(r.mean_indegree) + ")";
    }
    case connection_rule::file: {
        const auto& f = *ps.file;
        std::string t = s + " " + f.path;
        if (f.format == network::edge_file_format::sonata) t += " /edges/" + f.edge_population;
        t += " (source ids from " + std::to_string(f.source_offset) + ", target ids from " + std::to_string(f.target_offset) + ")";
        return t + (std::isnan(r.mean_indegree) ? std::string() : " (mean in-degree K = " + num(r.mean_indegree) + ")");
    }
    }
    return s;
}

std::string weight_text(const network::resolved_projection& r, const network::projection_spec& ps) {
    std::string s;
    if (r.file_weights) return "weights from the file (mean J = " + num(r.weight) + ")";
    if (r.rule == network::connection_rule::file && ps.file && ps.file->has_weights)
        s = "(the file's syn_weight not used) ";
    switch (r.weights.kind) {
    case network::weight_distribution::constant: s += "J = " + num(r.weight); break;
    case network::weight_distribution::normal:
        s += "weights normal around J = " + num(r.weights.mean) + ", relative s.d. " + num(r.weights.relative_sd) +
             " (redrawn to keep the sign; mean " + num(r.weight) + ")";
        break;
    case network::weight_distribution::lognormal:
        s += "weights lognormal, mean J = " + num(r.weights.mean) + ", relative s.d. " + num(r.weights.relative_sd);
        break;
    }
    if (ps.j0) s += " (j0 = " + num(*ps.j0) + ", J = j0/sqrt(K))";
    return s;
}

std::string delay_text(const network::resolved_projection& r) {
    if (r.file_delays) {
        if (std::isnan(r.delay_ms)) return ", delays from the file";
        return r.synapse_delays() ? ", delays from the file in [" + num(r.delay_ms) + ", " + num(r.delay_max_ms) + "] ms"
                                  : ", delay " + num(r.delay_ms) + " ms (every synapse in the file)";
    }
    switch (r.delays.kind) {
    case network::delay_distribution::uniform:
        return ", delays uniform in [" + num(r.delay_ms) + ", " + num(r.delay_max_ms) + "] ms";
    case network::delay_distribution::normal:
        return ", delays normal " + num(r.delays.mean_ms) + " +- " + num(r.delays.sd_ms) + " ms, redrawn below " +
               num(r.delays.low_ms) + " ms";
    case network::delay_distribution::constant: return r.delay_ms > 0 ? ", delay " + num(r.delay_ms) + " ms" : "";
    }
    return "";
}

}  // namespace

std::string describe(const network::network_spec& spec) {
    const network::layout lay(spec);
    auto projections = network::resolve_projections(spec, lay);
    // Projections read from files: read every edge now (serially), so that counts, mean weights
    // and delays are known and every row is checked, as a run would.
    std::string file_note;
    bool files = false;
    for (const auto& r : projections) files = files || r.rule == network::connection_rule::file;
    if (files) {
        int initialized = 0;
        MPI_Initialized(&initialized);
        if (initialized) {
            const auto read = read_edge_files(spec, lay, projections, MPI_COMM_SELF, false);
            for (std::size_t k = 0; k < projections.size(); ++k)
                if (read.summaries[k]) network::apply_file_summary(projections[k], *read.summaries[k], lay);
        } else {
            file_note = " (edge files not read: MPI is not initialized)";
        }
    }
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
        if (p.positions)
            os << "    positions " << name_of(position_layout_names, p.positions->layout) << " on a "
               << num(p.positions->width_um) << " x " << num(p.positions->height_um) << " um sheet"
               << (p.positions->periodic ? " (periodic)" : "") << "\n";
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

    os << "\nprojections (" << projections.size() << ")" << file_note << "\n";
    std::string procedural_blocker;
    for (const auto& r : projections) {
        const auto& ps = spec.projections[r.index];
        if (!r.procedural_rule() && procedural_blocker.empty())
            procedural_blocker = "projection[" + std::to_string(r.index) + "] uses " +
                                 std::string(name_of(connection_rule_names, r.rule));
        if (r.procedural_rule() && r.synapse_delays() && procedural_blocker.empty())
            procedural_blocker = "projection[" + std::to_string(r.index) + "] has per-synapse delays";
        os << "  [" << r.index << "] " << ps.pre << " -> " << ps.post << ": " << rule_text(r, ps);
        os << ", " << weight_text(r, ps);
        if (r.autapses) os << ", autapses";
        if (r.multapses) os << ", multapses";
        os << delay_text(r);
        if (r.rule == network::connection_rule::sonet) {
            const auto& g = r.sonet_construction;
            os << "\n      Gaussian construction: threshold " << num(g.threshold) << ", sigma_conv " << num(g.conv_sd)
               << ", sigma_div " << num(g.div_sd) << ", factor correlation " << num(g.factor_correlation)
               << ", pair-noise correlation " << num(g.noise_correlation);
        }
        os << "\n      " << (std::isnan(r.mean_indegree) ? std::string("synapses known once the file is read")
                                                           : "expected synapses " + count(expected_synapses(r, lay)))
           << ", " << num(r.bytes_per_synapse()) << " B per stored synapse (target"
           << (r.synapse_delays() ? ", delay" : "") << (r.synapse_weights() ? ", weight" : "") << ")"
           << (r.procedural_rule() ? "" : ", stored connectivity only") << "\n";
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

    const memory_estimate mem = estimate_memory(spec, projections);
    os << "\ntotals\n";
    os << "  neurons " << count(double(lay.total())) << ", synapses " << count(mem.synapses) << " (expected)\n";
    if (all_balanced)
        os << "  spikes expected at the balanced rates over " << num(spec.simulation.t_end_ms) << " ms: "
           << count(expected_spikes) << "\n";

    const bool stored = spec.simulation.storage == network::connectivity_storage::stored;
    os << "\nmemory estimate (one rank)\n";
    const bool keyed = network::any_excitation(spec, projections);
    os << "  neurons: " << bytes(mem.neuron_bytes) << " (" << num(engine_bytes_per_neuron(keyed))
       << (keyed ? " B each: state and queue key 16" : " B each: state 8 (inhibition only: no queue key)")
       << ", bucket entry 4 to 8; plus the model constants of each neuron"
       << " if its drive is jittered, " << num(poisson_bytes_per_neuron) << " B if it receives Poisson input)\n";
    if (mem.index_bytes > 0)
        os << "  spatial index: " << bytes(mem.index_bytes) << " (" << num(bytes_per_indexed_neuron)
           << " B per post neuron of each distance-dependent projection, at most; both modes)\n";
    os << "  stored connectivity: " << bytes(mem.stored_synapse_bytes) << " (4 B per synapse"
       << " (+4 per-synapse delay, +4 per-synapse weight where they vary) + 8 B per presynaptic"
       << " neuron and projection, on every rank) -> total "
       << bytes(mem.neuron_bytes + mem.stored_synapse_bytes + mem.index_bytes) << (stored ? "  [selected]" : "") << "\n";
    os << "  procedural connectivity: ";
    if (procedural_blocker.empty())
        os << "no synapse memory -> total " << bytes(mem.neuron_bytes + mem.index_bytes) << (stored ? "" : "  [selected]")
           << "\n";
    else
        os << "not available (" << procedural_blocker << ")\n";
    return os.str();
}

}  // namespace sparsechaos::io
