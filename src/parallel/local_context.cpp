#include "sparsechaos/parallel/context.hpp"

namespace sparsechaos::parallel {
namespace {

class local_context final : public context {
public:
    int rank() const override { return 0; }
    int size() const override { return 1; }
    MPI_Comm comm() const override { return MPI_COMM_SELF; }
    spike_candidate earliest(spike_candidate mine) override { return mine; }
    two_bounds earliest_two(spike_bound mine) override { return {mine, spike_bound{}}; }
    void gather_spikes(std::vector<spike_candidate>& mine, std::vector<spike_candidate>& all) override {
        all.swap(mine);
    }
    std::uint64_t sum(std::uint64_t mine) override { return mine; }
    std::vector<double> gather_all(double mine) override { return {mine}; }
    void broadcast(double*, int) override {}
    void broadcast(int*, int) override {}
    void barrier() override {}
};

}  // namespace

std::unique_ptr<context> make_local_context() { return std::make_unique<local_context>(); }

context& local() {
    static local_context instance;
    return instance;
}

std::unique_ptr<context> make_context(MPI_Comm comm) {
    int size = 1;
    MPI_Comm_size(comm, &size);
    return size == 1 ? make_local_context() : make_mpi_context(comm);
}

}  // namespace sparsechaos::parallel
