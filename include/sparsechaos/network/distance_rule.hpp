#pragma once
// The distance-dependent rule: every (pre, post) pair is connected independently with probability
// p(d) = p_max · k(d / width) at distance d (gaussian k(x) = exp(−x²/2), exponential k(x) =
// exp(−x)), zero beyond the truncation radius R (the cut-off, or where the kernel's remaining
// mass falls below 1e-17: 9 widths for the Gaussian, 46 for the exponential).
//
// Drawing: the targets of one presynaptic neuron are drawn from its own stream (seed, projection,
// pre id), so the rule works procedurally and gives the same synapses on every rank. The post
// population sits in a quadtree (cells of at most one width, neurons in Morton order). A walk
// from the root treats a cell as a whole when at most two proposals are expected in it: its neurons are
// proposed with a bound p_hi of the kernel over the cell (by one exponential clock that runs
// through the cells), and a proposal at distance d is kept with probability p(d)/p_hi. p_hi comes
// from a table of the kernel over bins of squared distance, so a cell costs a few comparisons and
// no exp or log. Every pair is thus connected with probability exactly p(d), at a cost of
// O(synapses + log N) per neuron instead of O(N_post) (thinning: P. A. W. Lewis & G. S. Shedler,
// Nav. Res. Logist. Q. 26:403, 1979).
#include <cstdint>
#include <vector>

#include "sparsechaos/network/positions.hpp"
#include "sparsechaos/network/random.hpp"
#include "sparsechaos/network/spec.hpp"

namespace sparsechaos::network {

class distance_rule {
public:
    distance_rule() = default;
    // pre_first/post_first: global ids of the populations' first neurons; skip_self: pre and post
    // are one population without autapses.
    distance_rule(const spatial_spec& spec, sheet_positions pre, sheet_positions post, std::uint64_t pre_first,
                  std::uint64_t post_first, bool skip_self, std::uint32_t projection, std::uint64_t seed);

    double probability(double d) const;
    double radius_um() const { return radius_; }
    // The targets of `pre_id` (global id) as global ids, ascending, replacing `out`.
    void draw(std::uint64_t pre_id, std::vector<std::uint64_t>& out) const;
    std::uint64_t memory_bytes() const;
    // The source population's indices in the Morton order of the cells of their positions: drawing
    // in this order keeps each neighbourhood of post neurons in cache for the next source.
    std::vector<std::uint32_t> source_order() const;

    // The truncation radius of a spec (cut-off or the 1e-17 mass radius).
    static double truncation_radius(const spatial_spec& spec);
    // Expected in-degree of a post neuron averaged over the post sheet: N_pre E[p(|x − y|)] for x
    // uniform on the pre sheet and y on the post sheet (exact for random positions up to the
    // quadrature's ~1e-6; grids are treated as uniform).
    static double expected_indegree(const spatial_spec& spec, const positions_spec& pre, std::uint64_t n_pre,
                                    const positions_spec& post);

private:
    struct box {
        double x0, x1, y0, y1;
    };
    box node_box(int level, std::uint64_t x, std::uint64_t y) const;
    // Squared distance from p to the nearest point of b (nearest image on a periodic sheet).
    double box_distance2(point p, const box& b) const;

    spatial_spec spec_;
    sheet_positions pre_, post_;
    std::uint64_t pre_first_ = 0, post_first_ = 0, seed_ = 0;
    bool skip_self_ = false;
    std::uint32_t projection_ = 0;
    double radius_ = 0.0, inv_width_ = 0.0;
    int levels_ = 0;                       // fine grid of 2^levels × 2^levels cells
    std::vector<std::uint64_t> cell_start_;  // per fine cell in Morton order: first member, + end
    std::vector<std::uint32_t> members_;     // post indices in Morton order of their cells, then by index
    std::vector<point> member_pos_;          // their positions
    // The kernel's upper bound p and hazard −ln(1 − p) per bin of squared distance.
    std::vector<double> bound_p_, bound_hazard_;
    double bin_scale_ = 0.0;                 // bins per µm²
    std::vector<double> span_w_, span_h_;    // cell size per level
};

}  // namespace sparsechaos::network
