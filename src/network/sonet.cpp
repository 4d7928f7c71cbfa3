#include "sparsechaos/network/sonet.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "sparsechaos/network/random.hpp"
#include "sparsechaos/network/sampling.hpp"

namespace sparsechaos::network {
namespace {

std::string num(double x) {
    std::ostringstream os;
    os.precision(4);
    os << x;
    return os.str();
}

// "alpha_x = a is out of reach: this construction needs alpha_x in [lo, hi] here (why)".
[[noreturn]] void unreachable(const char* key, double alpha, double p, double rho_lo, double rho_hi, const std::string& why) {
    throw std::invalid_argument(std::string(key) + " = " + num(alpha) + " is out of reach of the construction: " +
                                why + ", so " + key + " must lie in [" + num(motif_alpha(p, rho_lo)) + ", " +
                                num(motif_alpha(p, rho_hi)) + "]");
}

}  // namespace

double motif_alpha(double p, double rho) {
    if (rho == 0.0) return 0.0;  // independent edges, exactly
    return bivariate_upper_orthant(normal_upper_quantile(p), rho) / (p * p) - 1.0;
}

double motif_correlation(double p, double alpha) {
    const double t = normal_upper_quantile(p), target = p * p * (1.0 + alpha);
    double lo = -1.0, hi = 1.0;  // L(t, ρ) increases with ρ
    for (int i = 0; i < 100; ++i) {
        const double mid = 0.5 * (lo + hi);
        (bivariate_upper_orthant(t, mid) < target ? lo : hi) = mid;
    }
    return 0.5 * (lo + hi);
}

sonet_parameters solve_sonet(double p, const sonet_spec& a) {
    if (!(p > 0.0 && p < 1.0)) throw std::invalid_argument("probability must lie in (0, 1) for a SONET");
    const double alpha_max = 1.0 / p - 1.0;  // P(both) <= p
    for (auto [key, alpha] : {std::pair{"alpha_recip", a.alpha_recip}, std::pair{"alpha_conv", a.alpha_conv},
                              std::pair{"alpha_div", a.alpha_div}, std::pair{"alpha_chain", a.alpha_chain}})
        if (!(alpha >= -1.0 && alpha < alpha_max))
            throw std::invalid_argument(std::string(key) + " = " + num(alpha) + ": P(both edges) = p²(1 + α) needs α in [-1, " +
                                        num(alpha_max) + ") at p = " + num(p));
    sonet_parameters s;
    s.threshold = normal_upper_quantile(p);
    s.rho_conv = motif_correlation(p, a.alpha_conv);
    s.rho_div = motif_correlation(p, a.alpha_div);
    s.rho_chain = motif_correlation(p, a.alpha_chain);
    s.rho_recip = motif_correlation(p, a.alpha_recip);
    if (a.alpha_conv < 0.0) unreachable("alpha_conv", a.alpha_conv, p, 0.0, 1.0 - s.rho_div, "σ_c² = ρ_conv >= 0");
    if (a.alpha_div < 0.0) unreachable("alpha_div", a.alpha_div, p, 0.0, 1.0 - s.rho_conv, "σ_d² = ρ_div >= 0");
    s.rho_conv = std::max(s.rho_conv, 0.0);
    s.rho_div = std::max(s.rho_div, 0.0);
    if (a.alpha_conv == 0.0) s.rho_conv = 0.0;  // exactly Erdős–Rényi in this motif
    if (a.alpha_div == 0.0) s.rho_div = 0.0;
    if (a.alpha_chain == 0.0) s.rho_chain = 0.0;
    if (a.alpha_recip == 0.0) s.rho_recip = 0.0;
    s.noise_variance = 1.0 - s.rho_conv - s.rho_div;
    if (!(s.noise_variance > 1e-9))
        unreachable("alpha_div", a.alpha_div, p, 0.0, std::max(0.0, 1.0 - 1e-9 - s.rho_conv),
                    "ρ_conv + ρ_div < 1 (ρ_conv = " + num(s.rho_conv) + ")");
    s.conv_sd = std::sqrt(s.rho_conv);
    s.div_sd = std::sqrt(s.rho_div);
    const double chain_max = s.conv_sd * s.div_sd;
    if (std::abs(s.rho_chain) > chain_max)
        unreachable("alpha_chain", a.alpha_chain, p, -chain_max, chain_max,
                    "chains come from the in- and out-factors, |ρ_chain| <= √(ρ_conv ρ_div) = " + num(chain_max) +
                        " (raise alpha_conv and alpha_div for more)");
    s.factor_correlation = chain_max > 0.0 ? s.rho_chain / chain_max : 0.0;
    const double pair = s.rho_recip - 2.0 * s.rho_chain;
    if (std::abs(pair) > s.noise_variance)
        unreachable("alpha_recip", a.alpha_recip, p, std::max(-1.0, 2.0 * s.rho_chain - s.noise_variance),
                    std::min(1.0, 2.0 * s.rho_chain + s.noise_variance),
                    "ρ_recip − 2ρ_chain must lie within ±(1 − ρ_conv − ρ_div) = ±" + num(s.noise_variance));
    s.noise_correlation = pair / s.noise_variance;
    return s;
}

void sonet_edges(std::uint64_t seed, std::uint32_t projection, std::uint64_t first, std::uint64_t n,
                 const sonet_parameters& s, std::uint64_t keep_first, std::uint64_t keep_end,
                 const std::function<void(std::uint64_t, std::uint64_t)>& add) {
    // Factors of every neuron, from its own stream.
    std::vector<double> a(n), b(n);
    const double rab = s.factor_correlation, rab_c = std::sqrt(std::max(0.0, 1.0 - rab * rab));
    for (std::uint64_t i = 0; i < n; ++i) {
        random_stream rng(seed, stream_purpose::motif_factors, projection, first + i);
        const double g1 = standard_normal(rng), g2 = standard_normal(rng);
        a[i] = g1;
        b[i] = rab * g1 + rab_c * g2;
    }
    // Bins of 0.5 in a and b over [−4, 4) (the outer bins take the tails); members ascending.
    constexpr int side = 16;
    auto bin_of = [](double x) { return std::clamp(int(std::floor((x + 4.0) * 2.0)), 0, side - 1); };
    std::vector<std::vector<std::uint32_t>> members(side * side);
    std::array<double, side * side> a_max, b_max;
    a_max.fill(-INFINITY);
    b_max.fill(-INFINITY);
    for (std::uint64_t i = 0; i < n; ++i) {
        const int k = bin_of(a[i]) * side + bin_of(b[i]);
        members[k].push_back(std::uint32_t(i));
        a_max[k] = std::max(a_max[k], a[i]);
        b_max[k] = std::max(b_max[k], b[i]);
    }
    std::vector<int> used;
    for (int k = 0; k < side * side; ++k)
        if (!members[k].empty()) used.push_back(k);

    const double sd = std::sqrt(s.noise_variance), r = s.noise_correlation, r_c = std::sqrt(std::max(0.0, 1.0 - r * r));
    const double theta = s.threshold, sc = s.conv_sd, sdv = s.div_sd;
    auto keep = [&](std::uint64_t pre, std::uint64_t post) {
        if (first + post >= keep_first && first + post < keep_end) add(first + pre, first + post);
    };
    // An upper bound of Q(x) from a table (Q decreases: its value at the grid point below x), so
    // that a bin costs two lookups; the exact Q is computed only for proposals.
    constexpr double q_lo = -12.0, q_step = 1.0 / 64.0;
    std::vector<double> q_table(std::size_t((38.0 - q_lo) / q_step) + 1);
    for (std::size_t i = 0; i < q_table.size(); ++i) q_table[i] = normal_upper(q_lo + double(i) * q_step);
    auto q_bound = [&](double x) {
        if (!(x > q_lo)) return 1.0;
        return q_table[std::min(q_table.size() - 1, std::size_t((x - q_lo) / q_step))];
    };
    // Per bin, the first member above the current row (rows ascend, so the cursors only advance).
    std::vector<std::size_t> cursor(side * side, 0);
    for (std::uint64_t u = 0; u < n; ++u) {
        random_stream rng(seed, stream_purpose::connectivity, projection, first + u);
        // One exponential clock runs through the bins of the row: a bin of c pairs with hazard λ
        // per pair uses up c λ of it or stops at pair floor(clock/λ), which is proposed; then a
        // fresh clock. By memorylessness every pair is proposed independently with 1 − e^−λ.
        double clock = -std::log(rng.uniform_pos());
        for (int k : used) {
            const auto& m = members[k];
            std::size_t& begin = cursor[std::size_t(k)];
            while (begin < m.size() && m[begin] <= u) ++begin;
            if (begin == m.size()) continue;
            // Edge v→u: mean sc a_u + sdv b_v; edge u→v: sc a_v + sdv b_u. Bound both over the bin.
            const double t1_min = theta - (sc * a[u] + sdv * b_max[k]);
            const double t2_min = theta - (sc * a_max[k] + sdv * b[u]);
            const double bound = q_bound(t1_min / sd) + q_bound(t2_min / sd);
            if (bound >= 0.25) {
                // Dense: draw every pair's noise directly.
                for (std::size_t j = begin; j < m.size(); ++j) {
                    const std::uint64_t v = m[j];
                    const double g1 = standard_normal(rng), g2 = standard_normal(rng);
                    const double e1 = sd * g1, e2 = sd * (r * g1 + r_c * g2);
                    if (e1 > theta - (sc * a[u] + sdv * b[v])) keep(v, u);
                    if (e2 > theta - (sc * a[v] + sdv * b[u])) keep(u, v);
                }
                continue;
            }
            // Hazard b/(1 − b) >= −ln(1 − b): each pair is proposed with P = 1 − e^−λ >= b >= q1 + q2.
            const double hazard = bound / (1.0 - bound);
            std::size_t j = begin;
            for (;;) {
                const double use = double(m.size() - j) * hazard;
                if (clock >= use) {
                    clock -= use;
                    break;
                }
                j += std::size_t(clock / hazard);
                clock = -std::log(rng.uniform_pos());
                if (j >= m.size()) break;  // rounding at the bin's end
                const std::uint64_t v = m[j++];
                const double t1 = theta - (sc * a[u] + sdv * b[v]), t2 = theta - (sc * a[v] + sdv * b[u]);
                const double q1 = normal_upper(t1 / sd), q2 = normal_upper(t2 / sd);
                const double w = rng.uniform() * -std::expm1(-hazard);
                if (w >= q1 + q2) continue;
                const bool first_tail = w < q1;
                double e1, e2;
                if (first_tail) {
                    e1 = sd * normal_tail(rng, t1 / sd);
                    e2 = r * e1 + sd * r_c * standard_normal(rng);
                } else {
                    e2 = sd * normal_tail(rng, t2 / sd);
                    e1 = r * e2 + sd * r_c * standard_normal(rng);
                }
                const bool edge1 = e1 > t1, edge2 = e2 > t2;
                // A draw in both tails is reached from either branch: keep it half the time.
                if (edge1 && edge2 && rng.uniform() >= 0.5) continue;
                if (edge1) keep(v, u);
                if (edge2) keep(u, v);
            }
        }
    }
}

}  // namespace sparsechaos::network
