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

// The Morton code of the cell of q in a grid of side × side cells over the sheet.
std::uint64_t morton_cell(point q, const positions_spec& ps, std::uint64_t side) {
    auto cell = [&](double v, double length) {
        const double c = std::floor((v + 0.5 * length) / length * double(side));
        return std::uint64_t(std::clamp(c, 0.0, double(side - 1)));
    };
    return spread_bits(cell(q.x, ps.width_um)) | (spread_bits(cell(q.y, ps.height_um)) << 1);
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
    // Finest cells of at most one kernel width (measured faster than half a width), but no more
    // cells than about 4 per neuron.
    const double extent = std::max(ps.width_um, ps.height_um);
    while (levels_ < 15 && extent / double(1u << levels_) > spec.width_um &&
           (std::uint64_t(1) << (2 * (levels_ + 1))) <= 4 * std::max<std::uint64_t>(n_post, 1))
        ++levels_;
    const std::uint64_t side = std::uint64_t(1) << levels_, cells = side * side;
    std::vector<std::uint64_t> code(n_post);
    for (std::uint64_t k = 0; k < n_post; ++k) {
        const point q = post_.at(k);
        code[k] = morton_cell(q, ps, side);
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
    for (int l = 0; l <= levels_; ++l) {
        span_w_.push_back(ps.width_um * std::ldexp(1.0, l - levels_));
        span_h_.push_back(ps.height_um * std::ldexp(1.0, l - levels_));
    }
    // Bounds of the kernel over bins of squared distance: bin b covers d² in [b, b + 1)/scale and
    // holds p at its lower end (the kernel decreases), and the hazard −ln(1 − p) of that bound.
    constexpr std::size_t bins = 4096;
    bin_scale_ = double(bins) / (radius_ * radius_);
    bound_p_.resize(bins);
    bound_hazard_.resize(bins);
    for (std::size_t b = 0; b < bins; ++b) {
        bound_p_[b] = probability(std::sqrt(double(b) / bin_scale_));
        bound_hazard_[b] = bound_p_[b] < 1.0 ? -std::log1p(-bound_p_[b]) : INFINITY;
    }
}

double distance_rule::probability(double d) const {
    return d <= radius_ ? spec_.max_probability * kernel(spec_.kernel, d * inv_width_) : 0.0;
}

// Out of line and scalar: vectorized box arithmetic left the upper halves of the vector registers
// dirty across the calls to exp and log, which then ran several times slower (measured 2x overall).
__attribute__((noinline)) distance_rule::box distance_rule::node_box(int level, std::uint64_t x, std::uint64_t y) const {
    const auto& ps = post_.spec();
    const double span_w = span_w_[std::size_t(level)], span_h = span_h_[std::size_t(level)];
    box b;
    b.x0 = double(x) * span_w - 0.5 * ps.width_um;
    b.x1 = b.x0 + span_w;
    b.y0 = double(y) * span_h - 0.5 * ps.height_um;
    b.y1 = b.y0 + span_h;
    return b;
}

double distance_rule::box_distance2(point p, const box& b) const {
    const auto& ps = post_.spec();
    double dx, dy;
    if (ps.periodic) {
        // Distance from the box's centre along each axis, to the nearest image, less its half width.
        dx = std::max(0.0, std::abs(post_.dx(0.5 * (b.x0 + b.x1), p.x)) - 0.5 * (b.x1 - b.x0));
        dy = std::max(0.0, std::abs(post_.dy(0.5 * (b.y0 + b.y1), p.y)) - 0.5 * (b.y1 - b.y0));
    } else {
        dx = interval_distance(p.x, b.x0, b.x1);
        dy = interval_distance(p.y, b.y0, b.y1);
    }
    return dx * dx + dy * dy;
}

void distance_rule::draw(std::uint64_t pre_id, std::vector<std::uint64_t>& out) const {
    out.clear();
    random_stream rng(seed_, stream_purpose::connectivity, projection_, pre_id);
    const point at = pre_.at(pre_id - pre_first_);
    // One exponential clock runs through the boxes in walk order: a box of n members whose bound
    // has hazard λ per member (p_hi = 1 − e^−λ) uses up n λ of it, or stops it at member
    // floor(clock/λ), which is proposed; the clock is then drawn afresh. Memorylessness makes this
    // exactly an independent Bernoulli(p_hi) proposal per member, with one random number per
    // proposal instead of one per box.
    double clock = -std::log(rng.uniform_pos());
    auto propose = [&](std::uint64_t k, double p_hi) {
        const std::uint64_t id = post_first_ + members_[k];
        const double p = probability(post_.distance(at, member_pos_[k]));
        // One uniform per proposal, also for the self pair, so that the stream's use depends on
        // the geometry alone.
        const double u = rng.uniform();
        if (!(skip_self_ && id == pre_id) && u * p_hi < p) out.push_back(id);
    };
    // Depth-first walk, children in Morton order; a node is (level, x, y) in cells of its level.
    struct node {
        int level;
        std::uint64_t x, y, prefix;
    };
    thread_local std::vector<node> stack;
    stack.clear();
    stack.push_back({levels_, 0, 0, 0});
    const double radius2 = radius_ * radius_;
    while (!stack.empty()) {
        const node n = stack.back();
        stack.pop_back();
        const std::uint64_t begin = cell_start_[n.prefix << (2 * n.level)];
        const std::uint64_t end = cell_start_[(n.prefix + 1) << (2 * n.level)];
        if (begin == end) continue;
        const double d2 = box_distance2(at, node_box(n.level, n.x, n.y));
        if (d2 > radius2) continue;
        // The kernel's bound over the box: its value at the start of the table bin of d².
        const std::size_t bin = std::min(bound_p_.size() - 1, std::size_t(d2 * bin_scale_));
        const double p_hi = bound_p_[bin], hazard = bound_hazard_[bin];
        if (!(p_hi > 0.0)) continue;
        const std::uint64_t count = end - begin;
        if (n.level > 0 && double(count) * p_hi > 2.0) {
            for (int c = 3; c >= 0; --c)  // pushed in reverse: child 0 is walked first
                stack.push_back({n.level - 1, 2 * n.x + std::uint64_t(c & 1), 2 * n.y + std::uint64_t(c >> 1),
                                 4 * n.prefix + std::uint64_t(c)});
            continue;
        }
        if (p_hi >= 1.0) {  // every member proposed; the clock is not used
            for (std::uint64_t k = begin; k < end; ++k) propose(k, 1.0);
            continue;
        }
        std::uint64_t k = begin;
        for (;;) {
            const double use = double(end - k) * hazard;
            if (clock >= use) {
                clock -= use;
                break;
            }
            k += std::uint64_t(clock / hazard);
            if (k >= end) {  // rounding at the box's end: nothing proposed here
                clock = 0.0;
                break;
            }
            propose(k, p_hi);
            ++k;
            clock = -std::log(rng.uniform_pos());
        }
    }
    std::sort(out.begin(), out.end());
}

std::vector<std::uint32_t> distance_rule::source_order() const {
    const std::uint64_t n = pre_.size(), side = std::uint64_t(1) << levels_;
    const auto& ps = pre_.spec();
    std::vector<std::pair<std::uint64_t, std::uint32_t>> keyed(n);
    for (std::uint64_t k = 0; k < n; ++k) {
        const point q = pre_.at(k);
        keyed[k] = {morton_cell(q, ps, side), std::uint32_t(k)};
    }
    std::sort(keyed.begin(), keyed.end());
    std::vector<std::uint32_t> order(n);
    for (std::uint64_t k = 0; k < n; ++k) order[k] = keyed[k].second;
    return order;
}

std::uint64_t distance_rule::memory_bytes() const {
    return cell_start_.capacity() * sizeof(std::uint64_t) + members_.capacity() * sizeof(std::uint32_t) +
           member_pos_.capacity() * sizeof(point);
}

}  // namespace sparsechaos::network
