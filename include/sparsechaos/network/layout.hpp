#pragma once
// Global neuron ids and their partition over ranks.
// Populations occupy consecutive global id ranges in config order; ranks own contiguous blocks of
// global ids, the first N mod P ranks one neuron more (PETSc's PetscSplitOwnership layout).
#include <cstdint>
#include <string>
#include <vector>

#include "sparsechaos/network/spec.hpp"

namespace sparsechaos::network {

struct id_range {
    std::uint64_t first = 0, size = 0;
    std::uint64_t end() const { return first + size; }
    bool contains(std::uint64_t id) const { return id >= first && id < first + size; }
};

class layout {
public:
    layout(const network_spec& spec, int rank = 0, int n_ranks = 1);

    std::uint64_t total() const { return total_; }
    const id_range& population(std::size_t p) const { return populations_[p]; }
    std::size_t population_count() const { return populations_.size(); }
    std::size_t population_of(std::uint64_t global_id) const;
    std::size_t population_index(const std::string& name) const;  // throws if unknown

    // This rank's block of global ids.
    const id_range& local() const { return local_; }
    int rank() const { return rank_; }
    int n_ranks() const { return n_ranks_; }
    static id_range block(std::uint64_t total, int rank, int n_ranks);
    // The rank whose block holds global id `id`.
    int owner(std::uint64_t id) const;

private:
    const network_spec* spec_;
    std::vector<id_range> populations_;
    std::uint64_t total_ = 0;
    id_range local_;
    int rank_, n_ranks_;
};

}  // namespace sparsechaos::network
