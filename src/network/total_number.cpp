#include "sparsechaos/network/total_number.hpp"

#include <cmath>
#include <stdexcept>

#include "sparsechaos/network/random.hpp"
#include "sparsechaos/network/sampling.hpp"

namespace sparsechaos::network {

std::uint64_t total_number_from_probability(double c, std::uint64_t n_pre, std::uint64_t n_post) {
    if (!(c >= 0.0 && c < 1.0)) throw std::invalid_argument("connection probability must lie in [0, 1)");
    if (c == 0.0 || n_pre == 0 || n_post == 0) return 0;
    const double pairs = double(n_pre) * double(n_post);
    return std::uint64_t(std::llround(std::log1p(-c) / std::log1p(-1.0 / pairs)));
}

namespace {

struct splitter {
    std::uint64_t seed, capacity;
    std::uint32_t key;
    std::uint64_t first, end;  // the targets wanted
    std::vector<std::uint64_t>& out;

    // Node [lo, hi) at `depth` holds `count` synapses; its stream is keyed by (lo, depth), which
    // names the node uniquely.
    void split(std::uint64_t lo, std::uint64_t hi, unsigned depth, std::uint64_t count) {
        if (hi <= first || lo >= end) return;
        if (hi - lo == 1) {
            out[lo - first] = count;
            return;
        }
        const std::uint64_t mid = lo + (hi - lo) / 2;
        std::uint64_t left = 0;
        if (count > 0) {
            random_stream rng(seed, stream_purpose::synapse_count_split, key, (lo << 6) | depth);
            if (capacity == 0)
                left = binomial(rng, count, double(mid - lo) / double(hi - lo));
            else
                left = hypergeometric(rng, (hi - lo) * capacity, (mid - lo) * capacity, count);
        }
        split(lo, mid, depth + 1, left);
        split(mid, hi, depth + 1, count - left);
    }
};

}  // namespace

void total_number_indegrees(std::uint64_t seed, std::uint32_t key, std::uint64_t total, std::uint64_t n_post,
                            std::uint64_t capacity, std::uint64_t first, std::uint64_t end,
                            std::vector<std::uint64_t>& out) {
    if (n_post >= (std::uint64_t(1) << 57)) throw std::invalid_argument("fixed_total_number: population too large");
    out.assign(end > first ? end - first : 0, 0);
    if (end <= first || n_post == 0) return;
    splitter s{seed, capacity, key, first, end, out};
    s.split(0, n_post, 0, total);
}

}  // namespace sparsechaos::network
