#include "sparsechaos/network/connectivity.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "sparsechaos/network/synapse_stream.hpp"
#include "sparsechaos/network/total_number.hpp"

namespace sparsechaos::network {
namespace {

std::string where(const resolved_projection& p) { return "projection[" + std::to_string(p.index) + "]"; }

// Draws `count` ids from `from` (never `self` if skip_self; all distinct if `distinct`), in
// draw order. Distinct draws reject repeats against a small open-addressing set: O(count), where
// sorting every list to find its duplicates dominated the construction of large networks.
void draw_ids(random_stream& rng, id_range from, std::uint64_t count, bool skip_self, std::uint64_t self,
              bool distinct, std::vector<std::uint64_t>& out) {
    const std::uint64_t n = from.size - (skip_self ? 1 : 0);
    out.clear();
    auto draw = [&] {
        std::uint64_t x = from.first + rng.below(n);
        if (skip_self && x >= self) ++x;
        return x;
    };
    if (!distinct) {
        for (std::uint64_t k = 0; k < count; ++k) out.push_back(draw());
        return;
    }
    // Dense draws (more than half of all ids) would reject too often: take a prefix of a
    // Fisher-Yates shuffle of the eligible ids instead.
    if (2 * count > n) {
        std::vector<std::uint64_t> all;
        for (std::uint64_t x = from.first; x < from.end(); ++x)
            if (!(skip_self && x == self)) all.push_back(x);
        for (std::uint64_t k = 0; k < count; ++k) std::swap(all[k], all[k + rng.below(all.size() - k)]);
        out.assign(all.begin(), all.begin() + std::ptrdiff_t(count));
        return;
    }
    constexpr std::uint64_t empty = ~std::uint64_t(0);
    thread_local std::vector<std::uint64_t> table;
    std::size_t size = 16;
    while (size < 4 * count) size *= 2;
    table.assign(size, empty);
    const std::size_t mask = size - 1;
    while (out.size() < count) {
        const std::uint64_t x = draw();
        std::size_t h = std::size_t((x * 0x9E3779B97F4A7C15ull) >> 32) & mask;
        while (table[h] != empty && table[h] != x) h = (h + 1) & mask;
        if (table[h] == x) continue;  // a repeat: draw again
        table[h] = x;
        out.push_back(x);
    }
}

// Pairwise Bernoulli: geometric gaps between successive connected ids (O(p N) per neuron).
void draw_bernoulli(random_stream& rng, id_range from, double p, bool skip_self, std::uint64_t self,
                    std::vector<std::uint64_t>& out) {
    out.clear();
    if (p <= 0.0) return;
    if (p >= 1.0) {
        for (std::uint64_t x = from.first; x < from.end(); ++x)
            if (!(skip_self && x == self)) out.push_back(x);
        return;
    }
    const double log_q = std::log1p(-p);
    double x = -1.0;
    for (;;) {
        x += 1.0 + std::floor(std::log(rng.uniform_pos()) / log_q);
        if (x >= double(from.size)) return;
        const std::uint64_t id = from.first + std::uint64_t(x);
        if (!(skip_self && id == self)) out.push_back(id);
    }
}

}  // namespace

sheet_positions population_positions(const network_spec& spec, const layout& lay, std::size_t population) {
    const auto& pop = spec.populations[population];
    if (!pop.positions) throw std::invalid_argument("population '" + pop.name + "' has no positions");
    return sheet_positions(*pop.positions, pop.size, lay.population(population).first, spec.simulation.seed);
}

namespace {

// The rule-specific part of resolving: degrees against population sizes, and the mean in-degree.
void resolve_rule(const network_spec& spec, const layout& lay, const projection_spec& ps, resolved_projection& r,
                  const std::vector<std::size_t>& file_claimants) {
    const std::string name = where(r);
    const double n_pre = double(lay.population(r.pre).size), n_post = double(lay.population(r.post).size);
    const bool same = r.pre == r.post;
    const double available_pre = n_pre - (same && !r.autapses ? 1 : 0);
    const double available_post = n_post - (same && !r.autapses ? 1 : 0);
    switch (r.rule) {
    case connection_rule::fixed_indegree:
        if (!(ps.degree >= 0) || ps.degree != std::floor(ps.degree))
            throw std::invalid_argument(name + ".indegree must be a whole number >= 0");
        if (!r.multapses && ps.degree > available_pre)
            throw std::invalid_argument(name + ".indegree = " + std::to_string(std::uint64_t(ps.degree)) +
                                        " exceeds the " + std::to_string(std::uint64_t(available_pre)) +
                                        " distinct sources of population '" + ps.pre + "'");
        if (ps.degree > 0 && available_pre < 1)
            throw std::invalid_argument(name + ": population '" + ps.pre + "' has no eligible source");
        r.mean_indegree = ps.degree;
        break;
    case connection_rule::fixed_outdegree:
        if (!(ps.degree >= 0) || ps.degree != std::floor(ps.degree))
            throw std::invalid_argument(name + ".outdegree must be a whole number >= 0");
        if (!r.multapses && ps.degree > available_post)
            throw std::invalid_argument(name + ".outdegree = " + std::to_string(std::uint64_t(ps.degree)) +
                                        " exceeds the " + std::to_string(std::uint64_t(available_post)) +
                                        " distinct targets of population '" + ps.post + "'");
        if (ps.degree > 0 && available_post < 1)
            throw std::invalid_argument(name + ": population '" + ps.post + "' has no eligible target");
        r.mean_indegree = n_post > 0 ? ps.degree * n_pre / n_post : 0.0;
        break;
    case connection_rule::pairwise_bernoulli:
        if (!(ps.probability >= 0.0 && ps.probability <= 1.0))
            throw std::invalid_argument(name + ".probability must lie in [0, 1], got " + std::to_string(ps.probability));
        r.mean_indegree = ps.probability * available_pre;
        break;
    case connection_rule::fixed_total_number: {
        if (ps.total_number.has_value() == ps.connection_probability.has_value())
            throw std::invalid_argument(name + ": give exactly one of 'synapses' (Q) and 'connection_probability' (C)");
        if (ps.connection_probability) {
            if (!(*ps.connection_probability >= 0.0 && *ps.connection_probability < 1.0))
                throw std::invalid_argument(name + ".connection_probability must lie in [0, 1), got " +
                                            std::to_string(*ps.connection_probability));
            r.total_number = total_number_from_probability(*ps.connection_probability, lay.population(r.pre).size,
                                                           lay.population(r.post).size);
        } else {
            r.total_number = *ps.total_number;
        }
        const double pairs = n_post * available_pre;
        if (!r.multapses && double(r.total_number) > pairs)
            throw std::invalid_argument(name + ": " + std::to_string(r.total_number) + " synapses exceed the " +
                                        std::to_string(std::uint64_t(pairs)) +
                                        " distinct (pre, post) pairs (allow multapses, or fewer synapses)");
        if (r.total_number > 0 && available_pre < 1)
            throw std::invalid_argument(name + ": population '" + ps.pre + "' has no eligible source");
        r.mean_indegree = n_post > 0 ? double(r.total_number) / n_post : 0.0;
        break;
    }
    case connection_rule::distance_dependent: {
        const auto& pre_pop = spec.populations[r.pre];
        const auto& post_pop = spec.populations[r.post];
        for (const auto* pop : {&pre_pop, &post_pop})
            if (!pop->positions)
                throw std::invalid_argument(name + ".rule = 'distance_dependent' needs positions: population '" +
                                            pop->name + "' has none (give population.positions)");
        const auto &a = *pre_pop.positions, &b = *post_pop.positions;
        if (a.periodic != b.periodic || (a.periodic && (a.width_um != b.width_um || a.height_um != b.height_um)))
            throw std::invalid_argument(name + ": populations '" + pre_pop.name + "' and '" + post_pop.name +
                                        "' must share one periodic sheet (same size, both periodic) or neither be periodic");
        const auto& sp = ps.spatial;
        if (!(sp.width_um > 0) || !std::isfinite(sp.width_um))
            throw std::invalid_argument(name + ".width_um must be > 0");
        if (!(sp.max_probability > 0 && sp.max_probability <= 1))
            throw std::invalid_argument(name + ".max_probability must lie in (0, 1]");
        if (sp.cutoff_um && !(*sp.cutoff_um > 0))
            throw std::invalid_argument(name + ".cutoff_um must be > 0");
        if (std::max(lay.population(r.pre).size, lay.population(r.post).size) > std::numeric_limits<std::uint32_t>::max())
            throw std::invalid_argument(name + ": distance_dependent supports populations of up to 2^32 - 1 neurons");
        r.spatial = sp;
        r.mean_indegree = distance_rule::expected_indegree(sp, a, lay.population(r.pre).size, b);
        break;
    }
    case connection_rule::sonet:
        if (!same) throw std::invalid_argument(name + ".rule = 'sonet' connects a population to itself: pre and post must be equal");
        if (r.autapses) throw std::invalid_argument(name + ".autapses: a SONET has no autapses");
        if (r.multapses) throw std::invalid_argument(name + ".multapses: a SONET has no multapses");
        if (!(ps.probability > 0.0 && ps.probability < 1.0))
            throw std::invalid_argument(name + ".probability must lie in (0, 1) for a SONET, got " +
                                        std::to_string(ps.probability));
        try {
            r.sonet = ps.sonet;
            r.sonet_construction = solve_sonet(ps.probability, ps.sonet);
        } catch (const std::invalid_argument& e) {
            throw std::invalid_argument(name + "." + e.what());
        }
        r.mean_indegree = ps.probability * (n_pre - 1);
        break;
    case connection_rule::file: {
        if (!ps.file) throw std::invalid_argument(name + ".rule = 'file' needs a file");
        const auto& f = *ps.file;
        // K is known without reading the edges when this projection alone reads them.
        const bool alone = file_claimants.size() == 1;
        r.mean_indegree = f.synapses && (alone || f.format == edge_file_format::text) && n_post > 0
                              ? double(*f.synapses) / n_post
                              : std::numeric_limits<double>::quiet_NaN();
        break;
    }
    }
}

}  // namespace

std::vector<resolved_projection> resolve_projections(const network_spec& spec, const layout& lay) {
    std::vector<resolved_projection> out;
    for (std::size_t k = 0; k < spec.projections.size(); ++k) {
        const auto& ps = spec.projections[k];
        resolved_projection r;
        r.index = k;
        const std::string name = where(r);
        try {
            r.pre = lay.population_index(ps.pre);
        } catch (const std::invalid_argument&) {
            throw std::invalid_argument(name + ".pre: unknown population '" + ps.pre + "'");
        }
        try {
            r.post = lay.population_index(ps.post);
        } catch (const std::invalid_argument&) {
            throw std::invalid_argument(name + ".post: unknown population '" + ps.post + "'");
        }
        if (k >= synapse_stream::max_projection)
            throw std::invalid_argument(name + ": at most " + std::to_string(synapse_stream::max_projection) + " projections");
        r.rule = ps.rule;
        r.degree = ps.degree;
        r.probability = ps.probability;
        r.autapses = ps.autapses;
        r.multapses = ps.multapses;
        // Projections reading the same edges of the same file share them out.
        std::vector<std::size_t> claimants;
        if (ps.rule == connection_rule::file && ps.file)
            for (std::size_t m = 0; m < spec.projections.size(); ++m) {
                const auto& o = spec.projections[m];
                if (o.rule == connection_rule::file && o.file && o.file->path == ps.file->path &&
                    o.file->edge_population == ps.file->edge_population)
                    claimants.push_back(m);
            }
        resolve_rule(spec, lay, ps, r, claimants);

        // Weights: J, and per-synapse laws around it.
        const bool file_weights = ps.rule == connection_rule::file && ps.file && ps.file->has_weights &&
                                  !ps.weight && !ps.j0;
        if (file_weights) {
            if (ps.weights != weight_distribution::constant)
                throw std::invalid_argument(name + ".weight_distribution: the weights come from the file (its syn_weight); "
                                            "give 'weight' to draw them from a law instead");
            r.file_weights = true;
            r.weight = std::numeric_limits<double>::quiet_NaN();  // their mean, once read
        } else {
            if (ps.weight.has_value() == ps.j0.has_value())
                throw std::invalid_argument(name + ": give exactly one of 'weight' (J) and 'j0' (J = j0/sqrt(K))" +
                                            std::string(ps.rule == connection_rule::file
                                                            ? " (the file has no syn_weight)"
                                                            : ""));
            if (ps.weight) {
                r.weight = *ps.weight;
            } else {
                if (std::isnan(r.mean_indegree))
                    throw std::invalid_argument(name + ".j0 needs the mean in-degree, which is known only once the file's "
                                                "edges are counted (its edge population is shared): give 'weight'");
                if (!(r.mean_indegree > 0)) throw std::invalid_argument(name + ".j0 needs a mean in-degree K > 0");
                r.weight = *ps.j0 / std::sqrt(r.mean_indegree);
            }
            if (!std::isfinite(r.weight)) throw std::invalid_argument(name + ".weight is not finite");
            r.weights.kind = ps.weights;
            r.weights.mean = r.weight;
            r.weights.relative_sd = ps.weight_relative_sd;
            if (ps.weights != weight_distribution::constant) {
                if (!(ps.weight_relative_sd > 0) || !std::isfinite(ps.weight_relative_sd))
                    throw std::invalid_argument(name + ".weight_relative_sd must be > 0 for per-synapse weights");
                if (r.weight == 0.0)
                    throw std::invalid_argument(name + ".weight_distribution: a weight of 0 has no sign to keep");
                r.weight = weight_law_mean(r.weights);  // the mean the balance condition sees
            }
        }

        // Delays.
        const bool file_delays =
            ps.rule == connection_rule::file && ps.file && ps.file->has_delays && !ps.delay_given;
        delay_distribution kind = ps.delays;
        if (kind == delay_distribution::constant && ps.delay_max_ms > ps.delay_ms) kind = delay_distribution::uniform;
        if (file_delays) {
            r.file_delays = true;
            r.delay_ms = r.delay_max_ms = std::numeric_limits<double>::quiet_NaN();
        } else if (kind == delay_distribution::normal) {
            if (!(ps.delay_min_ms > 0.0) || !(ps.delay_ms >= ps.delay_min_ms) || !std::isfinite(ps.delay_ms))
                throw std::invalid_argument(name + ".delay_min_ms: normal delays need 0 < delay_min_ms <= delay_ms < inf");
            if (!(ps.delay_sd_ms > 0.0) || !std::isfinite(ps.delay_sd_ms))
                throw std::invalid_argument(name + ".delay_sd_ms must be > 0");
            r.delay_ms = ps.delay_min_ms;
            r.delay_max_ms = std::numeric_limits<double>::infinity();
            r.delays = {kind, ps.delay_min_ms, 0.0, ps.delay_ms, ps.delay_sd_ms};
        } else {
            if (!(ps.delay_ms >= 0.0) || !(ps.delay_max_ms >= ps.delay_ms) || !std::isfinite(ps.delay_max_ms))
                throw std::invalid_argument(name + ".delay_ms/delay_max_ms: need 0 <= delay_ms <= delay_max_ms < inf");
            if (kind == delay_distribution::uniform && !(ps.delay_max_ms > ps.delay_ms))
                throw std::invalid_argument(name + ".delay_max_ms: uniform delays need delay_max_ms > delay_ms");
            r.delay_ms = ps.delay_ms;
            r.delay_max_ms = kind == delay_distribution::uniform ? ps.delay_max_ms : ps.delay_ms;
            r.delays = {kind, ps.delay_ms, r.delay_max_ms, 0.0, 0.0};
        }
        if (r.delayed() != (out.empty() ? r.delayed() : out.front().delayed()))
            throw std::invalid_argument(name + ".delay_ms: every projection needs a delay > 0, or none has one");
        out.push_back(r);
    }
    if (spec.simulation.storage == connectivity_storage::procedural) {
        for (const auto& r : out) {
            if (!r.procedural_rule()) {
                const char* rule = r.rule == connection_rule::fixed_indegree       ? "fixed_indegree"
                                   : r.rule == connection_rule::fixed_total_number ? "fixed_total_number"
                                   : r.rule == connection_rule::sonet              ? "sonet"
                                                                                   : "file";
                throw std::invalid_argument(where(r) + ".rule = '" + rule + "' cannot be generated procedurally: "
                                            "use 'fixed_outdegree', 'pairwise_bernoulli' or 'distance_dependent', or "
                                            "simulation.connectivity = 'stored'");
            }
            if (r.synapse_delays())
                throw std::invalid_argument(where(r) + ".delay_max_ms: per-synapse delays need stored connectivity "
                                            "(simulation.connectivity = 'stored'), or one constant delay_ms");
        }
    }
    return out;
}

void apply_file_summary(resolved_projection& p, const file_summary& s, const layout& lay) {
    const double n_post = double(lay.population(p.post).size);
    p.mean_indegree = n_post > 0 ? double(s.synapses) / n_post : 0.0;
    if (p.file_weights) {
        if (s.synapses == 0 || s.constant_weight) {
            p.weight = s.constant_weight.value_or(0.0);  // one weight after all: no per-synapse storage
            p.file_weights = false;
        } else {
            p.weight = s.weight_mean;
        }
    }
    if (p.file_delays) {
        if (s.synapses == 0) {
            // No synapses: no delay to respect (an infinite one never shortens the exchange windows).
            p.delay_ms = p.delay_max_ms = INFINITY;
        } else if (s.constant_delay_ms) {
            p.delay_ms = p.delay_max_ms = *s.constant_delay_ms;
        } else {
            // The windows of the run that wrote the file, when it says so (and it is a bound).
            const bool declared = s.delay_lower_bound_ms && *s.delay_lower_bound_ms <= s.delay_min_ms;
            p.delay_ms = declared ? *s.delay_lower_bound_ms : s.delay_min_ms;
            p.delay_max_ms = s.delay_max_ms;
        }
    }
}

double minimum_delay_ms(const std::vector<resolved_projection>& projections) {
    double d = projections.empty() ? 0.0 : projections.front().delay_ms;
    for (const auto& p : projections) d = std::min(d, p.delay_ms);
    return d;
}

bool any_excitation(const network_spec& spec) {
    for (const auto& p : spec.projections)
        if (p.weight.value_or(p.j0.value_or(0.0)) > 0.0) return true;
    for (const auto& pop : spec.populations)
        if (pop.poisson && pop.poisson->weight > 0.0) return true;
    return false;
}

bool any_excitation(const network_spec& spec, const std::vector<resolved_projection>& projections) {
    if (any_excitation(spec)) return true;
    // Weights read from a file: a positive mean, or per-synapse weights whose signs the file
    // decides (conservative: the keyed queue is correct for any weights).
    for (const auto& p : projections)
        if (p.rule == connection_rule::file && (p.weight > 0.0 || p.file_weights)) return true;
    return false;
}

std::vector<double> population_drives(const network_spec& spec, const std::vector<resolved_projection>& projections) {
    std::vector<double> drive(spec.populations.size(), 0.0);
    for (std::size_t a = 0; a < spec.populations.size(); ++a) {
        const auto& pop = spec.populations[a];
        if (pop.drive.value) {
            drive[a] = *pop.drive.value;
            continue;
        }
        if (!pop.drive.balanced_rate_hz)
            throw std::invalid_argument("population '" + pop.name + "'.drive: give 'value' or 'balanced_rate_hz'");
        const double tau_s = std::visit([](const auto& m) { return m.tau_ms; }, pop.model) * 1e-3;
        double recurrent = 0.0;  // Σ_b K_ab J_ab ν_b
        for (const auto& p : projections) {
            if (p.post != a) continue;
            if (std::isnan(p.mean_indegree) || std::isnan(p.weight))
                throw std::invalid_argument("population '" + pop.name + "'.drive.balanced_rate_hz: projection[" +
                                            std::to_string(p.index) + "] reads its synapses from a file whose edges are "
                                            "not counted yet (an edge population shared by several projections, or "
                                            "weights from the file): give drive.value, or read the file first");
            const auto& src = spec.populations[p.pre];
            if (!src.drive.balanced_rate_hz)
                throw std::invalid_argument("population '" + pop.name + "'.drive.balanced_rate_hz needs the rate of its "
                                            "source population '" + src.name + "' (set its drive.balanced_rate_hz)");
            recurrent += p.mean_indegree * p.weight * *src.drive.balanced_rate_hz;
        }
        // External Poisson kicks count like one more source: rate times weight.
        if (pop.poisson) recurrent += pop.poisson->rate_hz * pop.poisson->weight;
        drive[a] = -tau_s * recurrent;
        if (!(drive[a] > 0.0))
            throw std::invalid_argument("population '" + pop.name + "'.drive.balanced_rate_hz: the balance condition "
                                        "gives a drive of " + std::to_string(drive[a]) +
                                        " <= 0 (the recurrent and Poisson input must be net inhibitory)");
    }
    return drive;
}

double neuron_drive(const network_spec& spec, std::size_t population, double base, std::uint64_t global_id) {
    const double jitter = spec.populations[population].drive.jitter;
    if (jitter == 0.0) return base;
    random_stream rng(spec.simulation.seed, stream_purpose::drive_jitter, 0, global_id);
    return base * (1.0 + jitter * (2.0 * rng.uniform() - 1.0));
}

double expected_synapses(const resolved_projection& p, const layout& lay) {
    return p.mean_indegree * double(lay.population(p.post).size);
}

projection_targets::projection_targets(const network_spec& spec, const layout& lay, const resolved_projection& proj,
                                       synapse_weight_use use)
    : seed_(spec.simulation.seed),
      proj_(proj),
      pre_(lay.population(proj.pre)),
      post_(lay.population(proj.post)),
      local_(lay.local()),
      stored_(spec.simulation.storage == connectivity_storage::stored) {
    check_weight_use(use);
    weighted_ = proj.synapse_weights();
    if (proj.rule == connection_rule::file)
        throw std::invalid_argument(where(proj) + " reads its synapses from a file: build it from the records read "
                                    "(io::read_edges), not by drawing");
    if (proj.rule == connection_rule::distance_dependent)
        distance_ = distance_rule(proj.spatial, population_positions(spec, lay, proj.pre),
                                  population_positions(spec, lay, proj.post), pre_.first, post_.first,
                                  proj.pre == proj.post && !proj.autapses, std::uint32_t(proj.index), seed_);
    if (!stored_) return;
    switch (proj.rule) {
    case connection_rule::fixed_indegree: build_from_incoming({}); break;
    case connection_rule::fixed_total_number: {
        // The in-degrees of this rank's targets, from the splitting tree over the post population.
        const std::uint64_t first = std::max(post_.first, local_.first), end = std::min(post_.end(), local_.end());
        std::vector<std::uint64_t> degrees;
        const std::uint64_t capacity =
            proj.multapses ? 0 : pre_.size - (proj.pre == proj.post && !proj.autapses ? 1 : 0);
        if (end > first)
            total_number_indegrees(seed_, std::uint32_t(proj.index), proj.total_number, post_.size, capacity,
                                   first - post_.first, end - post_.first, degrees);
        build_from_incoming(degrees);
        break;
    }
    case connection_rule::sonet: build_sonet(); break;
    default: build_from_outgoing(); break;
    }
    finish_rows();
}

projection_targets::projection_targets(const network_spec& spec, const layout& lay, const resolved_projection& proj,
                                       std::vector<synapse_record> synapses, synapse_weight_use use)
    : seed_(spec.simulation.seed),
      proj_(proj),
      pre_(lay.population(proj.pre)),
      post_(lay.population(proj.post)),
      local_(lay.local()),
      stored_(true) {
    check_weight_use(use);
    weighted_ = proj.synapse_weights();
    if (std::isnan(proj.delay_ms) || std::isnan(proj.weight))
        throw std::logic_error(where(proj) + ": apply the file's summary (apply_file_summary) before building its rows");
    build_from_records(synapses);
}

void projection_targets::check_weight_use(synapse_weight_use use) const {
    if (use == synapse_weight_use::projection_weight && proj_.synapse_weights())
        throw std::invalid_argument(where(proj_) + (proj_.file_weights ? ": weights read from the file"
                                                                       : ".weight_distribution: per-synapse weights") +
                                    " are not applied by this engine yet (it gives every synapse one weight)");
}

std::span<const float> projection_targets::weights_of(std::uint64_t pre_id, std::span<const std::uint32_t> targets,
                                                      std::vector<float>& scratch) const {
    if (!weighted_) return {};
    if (stored_) return {weights_.data() + offsets_[pre_id - pre_.first], targets.size()};
    // Procedural rows are sorted by target, repeats adjacent: each synapse's weight comes from its
    // (pre, post, repeat) stream, and the weights of repeats are ordered as in a stored row.
    scratch.resize(targets.size());
    std::size_t run = 0;
    for (std::size_t k = 0; k < targets.size(); ++k) {
        run = (k > 0 && targets[k] == targets[k - 1]) ? run + 1 : 0;
        scratch[k] = draw_weight(proj_.weights, seed_, std::uint32_t(proj_.index), pre_id, local_.first + targets[k],
                                 std::uint32_t(run));
        if (run > 0) std::sort(scratch.begin() + std::ptrdiff_t(k - run), scratch.begin() + std::ptrdiff_t(k + 1));
    }
    return scratch;
}

void projection_targets::finish_rows() {
    const bool delays = proj_.synapse_delays(), weights = weighted_;
    if (!delays && !weights) return;
    if (delays) delays_.resize(targets_.size());
    if (weights) weights_.resize(targets_.size());
    // Rows arrive sorted by target, repeats adjacent: synapse k of a (pre, post) pair is repeat k.
    // Its delay and weight come from its own stream; the row is then sorted by (delay, target,
    // weight), the order in which a spike's kicks arrive.
    struct synapse {
        float delay;
        std::uint32_t target;
        float weight;
        bool operator<(const synapse& o) const {
            if (delay != o.delay) return delay < o.delay;
            if (target != o.target) return target < o.target;
            return weight < o.weight;
        }
    };
    std::vector<synapse> row;
    const auto index = std::uint32_t(proj_.index);
    for (std::uint64_t j = 0; j < pre_.size; ++j) {
        const std::uint64_t pre = pre_.first + j;
        row.clear();
        std::uint32_t repeat = 0;
        for (std::uint64_t k = offsets_[j]; k < offsets_[j + 1]; ++k) {
            repeat = (k > offsets_[j] && targets_[k] == targets_[k - 1]) ? repeat + 1 : 0;
            const std::uint64_t post = local_.first + targets_[k];
            row.push_back({delays ? draw_delay(proj_.delays, seed_, index, pre, post, repeat) : 0.0f, targets_[k],
                           weights ? draw_weight(proj_.weights, seed_, index, pre, post, repeat) : 0.0f});
        }
        std::sort(row.begin(), row.end());
        for (std::uint64_t k = offsets_[j]; k < offsets_[j + 1]; ++k) {
            const auto& s = row[k - offsets_[j]];
            targets_[k] = s.target;
            if (delays) delays_[k] = s.delay;
            if (weights) weights_[k] = s.weight;
        }
    }
}

void projection_targets::build_from_records(std::vector<synapse_record>& synapses) {
    const bool delays = proj_.synapse_delays(), weights = weighted_;
    for (const auto& s : synapses)
        if (!pre_.contains(s.pre) || s.post >= local_.size || !post_.contains(local_.first + s.post))
            throw std::invalid_argument(where(proj_) + ": a synapse read from the file lies outside the projection");
    // Rows by a counting sort on the source (a comparison sort of 10^8 records took most of an
    // import), then each row in the canonical order (delay, target, weight) of finish_rows.
    offsets_.assign(pre_.size + 1, 0);
    for (const auto& s : synapses) ++offsets_[s.pre - pre_.first + 1];
    for (std::uint64_t j = 0; j < pre_.size; ++j) offsets_[j + 1] += offsets_[j];
    struct synapse {
        float delay;
        std::uint32_t target;
        float weight;
        bool operator<(const synapse& o) const {
            if (delay != o.delay) return delay < o.delay;
            if (target != o.target) return target < o.target;
            return weight < o.weight;
        }
    };
    std::vector<synapse> sorted(synapses.size());
    {
        std::vector<std::uint64_t> fill(offsets_.begin(), offsets_.end() - 1);
        for (const auto& s : synapses)
            sorted[fill[s.pre - pre_.first]++] = {delays ? s.delay_ms : 0.0f, s.post, weights ? s.weight : 0.0f};
    }
    synapses.clear();
    synapses.shrink_to_fit();
    targets_.resize(sorted.size());
    if (delays) delays_.resize(sorted.size());
    if (weights) weights_.resize(sorted.size());
    for (std::uint64_t j = 0; j < pre_.size; ++j) {
        const auto first = sorted.begin() + std::ptrdiff_t(offsets_[j]), last = sorted.begin() + std::ptrdiff_t(offsets_[j + 1]);
        std::sort(first, last);
        for (std::uint64_t k = offsets_[j]; k < offsets_[j + 1]; ++k) {
            targets_[k] = sorted[k].target;
            if (delays) delays_[k] = sorted[k].delay;
            if (weights) weights_[k] = sorted[k].weight;
        }
    }
}

void projection_targets::build_sonet() {
    // Every rank draws the whole graph (a pair is drawn from the stream of its lower neuron) and
    // keeps the synapses onto its own neurons; a counting sort by source gives the rows.
    std::vector<std::uint64_t> sources;
    std::vector<std::uint32_t> locals;
    sonet_edges(seed_, std::uint32_t(proj_.index), pre_.first, pre_.size, proj_.sonet_construction, local_.first,
                local_.end(), [&](std::uint64_t pre, std::uint64_t post) {
                    sources.push_back(pre);
                    locals.push_back(std::uint32_t(post - local_.first));
                });
    offsets_.assign(pre_.size + 1, 0);
    for (std::uint64_t s : sources) ++offsets_[s - pre_.first + 1];
    for (std::uint64_t j = 0; j < pre_.size; ++j) offsets_[j + 1] += offsets_[j];
    targets_.resize(sources.size());
    std::vector<std::uint64_t> fill(offsets_.begin(), offsets_.end() - 1);
    for (std::size_t k = 0; k < sources.size(); ++k) targets_[fill[sources[k] - pre_.first]++] = locals[k];
    for (std::uint64_t j = 0; j < pre_.size; ++j)
        std::sort(targets_.begin() + std::ptrdiff_t(offsets_[j]), targets_.begin() + std::ptrdiff_t(offsets_[j + 1]));
}

void projection_targets::draw_targets(std::uint64_t pre_id, std::vector<std::uint32_t>& out) const {
    thread_local std::vector<std::uint64_t> ids;
    random_stream rng(seed_, stream_purpose::connectivity, std::uint32_t(proj_.index), pre_id);
    const bool skip_self = proj_.pre == proj_.post && !proj_.autapses;
    if (proj_.rule == connection_rule::fixed_outdegree) {
        draw_ids(rng, post_, std::uint64_t(proj_.degree), skip_self, pre_id, !proj_.multapses, ids);
        std::sort(ids.begin(), ids.end());  // ascending targets: cache-friendly delivery, multapses adjacent
    } else if (proj_.rule == connection_rule::distance_dependent)
        distance_.draw(pre_id, ids);  // from the same stream of pre_id
    else
        draw_bernoulli(rng, post_, proj_.probability, skip_self, pre_id, ids);
    out.clear();
    for (std::uint64_t id : ids)
        if (local_.contains(id)) out.push_back(std::uint32_t(id - local_.first));
}

void projection_targets::build_from_outgoing() {
    std::vector<std::uint32_t> list;
    offsets_.assign(pre_.size + 1, 0);
    if (proj_.rule == connection_rule::distance_dependent) {
        // Sources in the order of their cells, so that the post neurons near one source are still
        // in cache for the next (2x faster at 10^5 neurons); rows go to a scratch arena first and
        // are then copied in source order. Each source draws from its own stream: the order of
        // the walk changes nothing but speed.
        std::vector<std::uint32_t> arena;
        std::vector<std::uint64_t> start(pre_.size);
        for (std::uint32_t j : distance_.source_order()) {
            draw_targets(pre_.first + j, list);
            start[j] = arena.size();
            offsets_[j + 1] = list.size();
            arena.insert(arena.end(), list.begin(), list.end());
        }
        for (std::uint64_t j = 0; j < pre_.size; ++j) offsets_[j + 1] += offsets_[j];
        targets_.resize(arena.size());
        for (std::uint64_t j = 0; j < pre_.size; ++j)
            std::copy_n(arena.begin() + std::ptrdiff_t(start[j]), offsets_[j + 1] - offsets_[j],
                        targets_.begin() + std::ptrdiff_t(offsets_[j]));
        return;
    }
    for (std::uint64_t j = 0; j < pre_.size; ++j) {
        draw_targets(pre_.first + j, list);
        targets_.insert(targets_.end(), list.begin(), list.end());
        offsets_[j + 1] = targets_.size();
    }
    targets_.shrink_to_fit();
}

void projection_targets::sources_of(std::uint64_t post_id, std::vector<std::uint64_t>& out) const {
    if (proj_.rule == connection_rule::fixed_indegree) {
        draw_sources(post_id, std::uint64_t(proj_.degree), out);
        return;
    }
    if (proj_.rule != connection_rule::fixed_total_number)
        throw std::logic_error("sources_of: only fixed in-degree and total number projections draw sources per target");
    std::vector<std::uint64_t> degree;
    const std::uint64_t capacity = proj_.multapses ? 0 : pre_.size - (proj_.pre == proj_.post && !proj_.autapses ? 1 : 0);
    total_number_indegrees(seed_, std::uint32_t(proj_.index), proj_.total_number, post_.size, capacity,
                           post_id - post_.first, post_id - post_.first + 1, degree);
    draw_sources(post_id, degree[0], out);
}

void projection_targets::draw_sources(std::uint64_t post_id, std::uint64_t degree, std::vector<std::uint64_t>& out) const {
    random_stream rng(seed_, stream_purpose::connectivity, std::uint32_t(proj_.index), post_id);
    const bool skip_self = proj_.pre == proj_.post && !proj_.autapses;
    draw_ids(rng, pre_, degree, skip_self, post_id, !proj_.multapses, out);
}

void projection_targets::build_from_incoming(const std::vector<std::uint64_t>& degrees) {
    // Sources of each local target are keyed by the target's id; two passes (count, then fill)
    // transpose them into rows per source without holding the incoming lists. (Staging the
    // synapses by source block so that the random writes stay in cache built 10^7 neurons in
    // 49.5 s instead of 51.4 s: the draws, not the writes, take the time.)
    const std::uint64_t first = std::max(post_.first, local_.first);
    const std::uint64_t end = std::min(post_.end(), local_.end());
    std::vector<std::uint64_t> sources;
    offsets_.assign(pre_.size + 1, 0);
    auto sources_of_local = [&](std::uint64_t i) {
        draw_sources(i, degrees.empty() ? std::uint64_t(proj_.degree) : degrees[i - first], sources);
    };
    for (std::uint64_t i = first; i < end; ++i) {
        sources_of_local(i);
        for (std::uint64_t s : sources) ++offsets_[s - pre_.first + 1];
    }
    for (std::uint64_t j = 0; j < pre_.size; ++j) offsets_[j + 1] += offsets_[j];
    targets_.resize(offsets_[pre_.size]);
    std::vector<std::uint64_t> fill(offsets_.begin(), offsets_.end() - 1);
    for (std::uint64_t i = first; i < end; ++i) {
        sources_of_local(i);
        for (std::uint64_t s : sources) targets_[fill[s - pre_.first]++] = std::uint32_t(i - local_.first);
    }
}

}  // namespace sparsechaos::network
