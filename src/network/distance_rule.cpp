#include "sparsechaos/network/distance_rule.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace sparsechaos::network {
namespace {

// Bits of x spread to the even positions of the result (Morton order, x in the low bit).
std::uint64_t spread_bits(std::uint64_t x) {
    x &= 0xffffffffull;
    x = (x | (x << 16)) & 0x0000ffff0000ffffull;
    x = (x | (x << 8)) & 0x00ff00ff00ff00ffull;
    x = (x | (x << 4)) & 0x0f0f0f0f0f0f0f0full;
    x = (x | (x << 2)) & 0x3333333333333333ull;
    x = (x | (x << 1)) & 0x5555555555555555ull;
    return x;
}

double kernel(distance_kernel k, double x) { return k == distance_kernel::gaussian ? std::exp(-0.5 * x * x) : std::exp(-x); }

// Distance from x to [a, b] along one axis.
double interval_distance(double x, double a, double b) { return std::max({0.0, a - x, x - b}); }

// Density of u = x − y for x uniform on [−a/2, a/2] and y on [−b/2, b/2]: the overlap of the
// two intervals shifted by u, over a·b.
double difference_density(double u, double a, double b) {
    const double lo = std::max(-0.5 * a, u - 0.5 * b), hi = std::min(0.5 * a, u + 0.5 * b);
    return hi > lo ? (hi - lo) / (a * b) : 0.0;
}

}  // namespace

double distance_rule::truncation_radius(const spatial_spec& spec) {
    if (spec.cutoff_um) return *spec.cutoff_um;
    // Mass of the 2-D kernel beyond R: exp(−R²/2w²) (Gaussian), (1 + R/w) exp(−R/w) (exponential).
    return (spec.kernel == distance_kernel::gaussian ? 9.0 : 46.0) * spec.width_um;
}

double distance_rule::expected_indegree(const spatial_spec& spec, const positions_spec& pre, std::uint64_t n_pre,
                                        const positions_spec& post) {
    const double r = truncation_radius(spec);
    auto p = [&](double u, double v) {
        const double d = std::sqrt(u * u + v * v);
        return d <= r ? spec.max_probability * kernel(spec.kernel, d / spec.width_um) : 0.0;
    };
    // Midpoint rule over the quadrant u, v >= 0 (the integrand is even in both), 1024² points.
    constexpr int n = 1024;
    double sum = 0.0;
    if (pre.periodic && post.periodic) {
        // The wrapped difference is uniform on the torus.
        const double hu = 0.5 * post.width_um / n, hv = 0.5 * post.height_um / n;
        for (int i = 0; i < n; ++i)
            for (int j = 0; j < n; ++j) sum += p((i + 0.5) * hu, (j + 0.5) * hv);
        return double(n_pre) * 4.0 * sum * hu * hv / (post.width_um * post.height_um);
    }
    const double umax = std::min(r, 0.5 * (pre.width_um + post.width_um));
    const double vmax = std::min(r, 0.5 * (pre.height_um + post.height_um));
    const double hu = umax / n, hv = vmax / n;
    std::vector<double> gv(n);
    for (int j = 0; j < n; ++j) gv[j] = difference_density((j + 0.5) * hv, pre.height_um, post.height_um);
    for (int i = 0; i < n; ++i) {
        const double u = (i + 0.5) * hu;
        const double gu = difference_density(u, pre.width_um, post.width_um);
        if (gu == 0.0) continue;
        for (int j = 0; j < n; ++j) sum += p(u, (j + 0.5) * hv) * gu * gv[j];
    }
    return double(n_pre) * 4.0 * sum * hu * hv;
}

distance_rule::distance_rule(const spatial_spec& spec, sheet_positions pre, sheet_positions post,
                             std::uint64_t pre_first, std::uint64_t post_first, bool skip_self, std::uint32_t projection,
                             std::uint64_t seed)
    : spec_(spec),
      pre_(pre),
      post_(post),
      pre_first_(pre_first),
      post_first_(post_first),
      seed_(seed),
      skip_self_(skip_self),
      projection_(projection),
      radius_(truncation_radius(spec)),
      inv_width_(1.0 / spec.width_um) {
    const auto& ps = post_.spec();
    const std::uint64_t n_post = post_.size();
    // Finest cells of at most half a kernel width, but no more cells than about 4 per neuron.
    const double extent = std::max(ps.width_um, ps.height_um);
    while (levels_ < 15 && extent / double(1u << levels_) > 0.5 * spec.width_um &&
           (std::uint64_t(1) << (2 * (levels_ + 1))) <= 4 * std::max<std::uint64_t>(n_post, 1))
        ++levels_;
    const std::uint64_t side = std::uint64_t(1) << levels_, cells = side * side;
    std::vector<std::uint64_t> code(n_post);
    for (std::uint64_t k = 0; k < n_post; ++k) {
        const point q = post_.at(k);
        auto cell = [&](double v, double length) {
            const double c = std::floor((v + 0.5 * length) / length * double(side));
            return std::uint64_t(std::clamp(c, 0.0, double(side - 1)));
        };
        code[k] = spread_bits(cell(q.x, ps.width_um)) | (spread_bits(cell(q.y, ps.height_um)) << 1);
    }
    // Counting sort by cell: members ascending by index within a cell.
    cell_start_.assign(cells + 1, 0);
    for (std::uint64_t k = 0; k < n_post; ++k) ++cell_start_[code[k] + 1];
    std::partial_sum(cell_start_.begin(), cell_start_.end(), cell_start_.begin());
    members_.resize(n_post);
    member_pos_.resize(n_post);
    std::vector<std::uint64_t> fill(cell_start_.begin(), cell_start_.end() - 1);
    for (std::uint64_t k = 0; k < n_post; ++k) {
        const std::uint64_t at = fill[code[k]]++;
        members_[at] = std::uint32_t(k);
        member_pos_[at] = post_.at(k);
    }
}

double distance_rule::probability(double d) const {
    return d <= radius_ ? spec_.max_probability * kernel(spec_.kernel, d * inv_width_) : 0.0;
}

double distance_rule::box_distance(point p, const box& b) const {
    const auto& ps = post_.spec();
    double dx = interval_distance(p.x, b.x0, b.x1), dy = interval_distance(p.y, b.y0, b.y1);
    if (ps.periodic) {
        dx = std::min({dx, interval_distance(p.x - ps.width_um, b.x0, b.x1), interval_distance(p.x + ps.width_um, b.x0, b.x1)});
        dy = std::min({dy, interval_distance(p.y - ps.height_um, b.y0, b.y1),
                       interval_distance(p.y + ps.height_um, b.y0, b.y1)});
    }
    return std::sqrt(dx * dx + dy * dy);
}

void distance_rule::visit(random_stream& rng, point at, std::uint64_t pre_id, std::uint64_t begin, std::uint64_t end,
                          double p_hi, std::vector<std::uint64_t>& out) const {
    // Members proposed with probability p_hi each (geometric gaps), kept with p(d)/p_hi.
    if (!(p_hi > 0.0)) return;
    const bool every = p_hi >= 1.0;
    const double log_q = every ? 0.0 : std::log1p(-p_hi);
    std::uint64_t k = begin;
    for (;;) {
        if (!every) {
            const double gap = std::floor(std::log(rng.uniform_pos()) / log_q);
            if (gap >= double(end - k)) return;
            k += std::uint64_t(gap);
        }
        if (k >= end) return;
        const std::uint64_t id = post_first_ + members_[k];
        const double d = post_.distance(at, member_pos_[k]);
        const double p = probability(d);
        // One uniform per proposal, also for the self pair, so that the stream's use does not
        // depend on anything but the geometry.
        const double u = rng.uniform();
        if (!(skip_self_ && id == pre_id) && u * p_hi < p) out.push_back(id);
        ++k;
    }
}

void distance_rule::draw(std::uint64_t pre_id, std::vector<std::uint64_t>& out) const {
    out.clear();
    random_stream rng(seed_, stream_purpose::connectivity, projection_, pre_id);
    const point at = pre_.at(pre_id - pre_first_);
    const auto& ps = post_.spec();
    const double cell_w = ps.width_um / double(std::uint64_t(1) << levels_);
    const double cell_h = ps.height_um / double(std::uint64_t(1) << levels_);
    // Depth-first walk, children in Morton order; a node is (level, x, y) in cells of its level.
    struct node {
        int level;
        std::uint64_t x, y, prefix;
    };
    thread_local std::vector<node> stack;
    stack.clear();
    stack.push_back({levels_, 0, 0, 0});
    while (!stack.empty()) {
        const node n = stack.back();
        stack.pop_back();
        const std::uint64_t begin = cell_start_[n.prefix << (2 * n.level)];
        const std::uint64_t end = cell_start_[(n.prefix + 1) << (2 * n.level)];
        if (begin == end) continue;
        const double span_w = cell_w * double(std::uint64_t(1) << n.level);
        const double span_h = cell_h * double(std::uint64_t(1) << n.level);
        const box b{double(n.x) * span_w - 0.5 * ps.width_um, double(n.x + 1) * span_w - 0.5 * ps.width_um,
                    double(n.y) * span_h - 0.5 * ps.height_um, double(n.y + 1) * span_h - 0.5 * ps.height_um};
        const double d = box_distance(at, b);
        if (d > radius_) continue;
        const double p_hi = probability(d);
        if (n.level == 0 || double(end - begin) * p_hi <= 1.0) {
            visit(rng, at, pre_id, begin, end, p_hi, out);
            continue;
        }
        for (int c = 3; c >= 0; --c)  // pushed in reverse: child 0 is walked first
            stack.push_back({n.level - 1, 2 * n.x + std::uint64_t(c & 1), 2 * n.y + std::uint64_t(c >> 1),
                             4 * n.prefix + std::uint64_t(c)});
    }
    std::sort(out.begin(), out.end());
}

std::uint64_t distance_rule::memory_bytes() const {
    return cell_start_.capacity() * sizeof(std::uint64_t) + members_.capacity() * sizeof(std::uint32_t) +
           member_pos_.capacity() * sizeof(point);
}

}  // namespace sparsechaos::network
