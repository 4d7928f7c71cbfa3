#include "sparsechaos/network/layout.hpp"

#include <algorithm>
#include <stdexcept>

namespace sparsechaos::network {

layout::layout(const network_spec& spec, int rank, int n_ranks)
    : spec_(&spec), rank_(rank), n_ranks_(n_ranks) {
    for (const auto& p : spec.populations) {
        populations_.push_back({total_, p.size});
        total_ += p.size;
    }
    local_ = block(total_, rank, n_ranks);
}

id_range layout::block(std::uint64_t total, int rank, int n_ranks) {
    const std::uint64_t base = total / n_ranks, extra = total % n_ranks;
    const std::uint64_t r = static_cast<std::uint64_t>(rank);
    return {r * base + std::min(r, extra), base + (r < extra ? 1 : 0)};
}

int layout::owner(std::uint64_t id) const {
    // The first `extra` ranks hold base + 1 ids, the others base.
    const std::uint64_t p = std::uint64_t(n_ranks_), base = total_ / p, extra = total_ % p;
    const std::uint64_t big = extra * (base + 1);
    return int(id < big ? id / (base + 1) : extra + (id - big) / base);
}

std::size_t layout::population_of(std::uint64_t id) const {
    auto it = std::upper_bound(populations_.begin(), populations_.end(), id,
                               [](std::uint64_t v, const id_range& r) { return v < r.first + r.size; });
    return static_cast<std::size_t>(it - populations_.begin());
}

std::size_t layout::population_index(const std::string& name) const {
    for (std::size_t p = 0; p < spec_->populations.size(); ++p)
        if (spec_->populations[p].name == name) return p;
    throw std::invalid_argument("unknown population '" + name + "'");
}

}  // namespace sparsechaos::network
