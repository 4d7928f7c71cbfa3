#include "sparsechaos/engine/spike_exchange.hpp"

#include <limits>
#include <stdexcept>

namespace sparsechaos::engine {

mpi_spike_exchange::mpi_spike_exchange(MPI_Comm comm) : comm_(comm) {
    int size = 1;
    MPI_Comm_size(comm, &size);
    counts_.resize(std::size_t(size));
    displacements_.resize(std::size_t(size));
}

void mpi_spike_exchange::exchange(const std::vector<spike_candidate>& mine, std::vector<spike_candidate>& all) {
    constexpr int bytes = int(sizeof(spike_candidate));
    if (mine.size() > std::size_t(std::numeric_limits<int>::max() / bytes))
        throw std::runtime_error("too many spikes in one exchange window");
    const int n = int(mine.size()) * bytes;
    if (MPI_Allgather(&n, 1, MPI_INT, counts_.data(), 1, MPI_INT, comm_) != MPI_SUCCESS)
        throw std::runtime_error("MPI_Allgather of the spike counts failed");
    long total = 0;
    for (std::size_t r = 0; r < counts_.size(); ++r) {
        displacements_[r] = int(total);
        total += counts_[r];
        if (total > std::numeric_limits<int>::max()) throw std::runtime_error("too many spikes in one exchange window");
    }
    all.resize(std::size_t(total) / sizeof(spike_candidate));
    if (MPI_Allgatherv(mine.data(), n, MPI_BYTE, all.data(), counts_.data(), displacements_.data(), MPI_BYTE,
                       comm_) != MPI_SUCCESS)
        throw std::runtime_error("MPI_Allgatherv of the spikes failed");
}

}  // namespace sparsechaos::engine
