// The MPI context. The agreement is one MPI_Allreduce per spike with a user operation on
// (time, id) pairs; a window's spikes travel by MPI_Allgather of the counts, then
// MPI_Allgatherv.
#include <limits>
#include <stdexcept>
#include <string>

#include "sparsechaos/parallel/context.hpp"

namespace sparsechaos::parallel {
namespace {

void earliest_of(void* in, void* inout, int* len, MPI_Datatype*) {
    const auto* a = static_cast<const spike_candidate*>(in);
    auto* b = static_cast<spike_candidate*>(inout);
    for (int k = 0; k < *len; ++k)
        if (a[k].time < b[k].time || (a[k].time == b[k].time && a[k].neuron < b[k].neuron)) b[k] = a[k];
}

// Merge of two "two smallest" pairs; the ranks' neuron ranges are disjoint, so the two smallest
// of the union come from different ranks.
void two_smallest_of(void* in, void* inout, int* len, MPI_Datatype*) {
    const auto* a = static_cast<const two_bounds*>(in);
    auto* b = static_cast<two_bounds*>(inout);
    for (int k = 0; k < *len; ++k) {
        const spike_bound c[4] = {a[k].first, a[k].second, b[k].first, b[k].second};
        spike_bound best = c[0], next{};
        for (int x = 1; x < 4; ++x) {
            if (c[x] < best) next = best, best = c[x];
            else if (c[x] < next) next = c[x];
        }
        b[k] = {best, next};
    }
}

void check(int status, const char* what) {
    if (status != MPI_SUCCESS) throw std::runtime_error(std::string("MPI failed: ") + what);
}

class mpi_context final : public context {
public:
    explicit mpi_context(MPI_Comm comm) : comm_(comm) {
        check(MPI_Comm_rank(comm, &rank_), "MPI_Comm_rank");
        check(MPI_Comm_size(comm, &size_), "MPI_Comm_size");
        counts_.resize(std::size_t(size_));
        displacements_.resize(std::size_t(size_));
        static_assert(sizeof(spike_candidate) == 16);
        static_assert(sizeof(two_bounds) == 48);
        check(MPI_Type_contiguous(int(sizeof(spike_candidate)), MPI_BYTE, &candidate_type_), "spike agreement type");
        check(MPI_Type_commit(&candidate_type_), "spike agreement type");
        check(MPI_Op_create(&earliest_of, 1, &earliest_op_), "spike agreement operation");
        check(MPI_Type_contiguous(int(sizeof(two_bounds)), MPI_BYTE, &bounds_type_), "spike bound type");
        check(MPI_Type_commit(&bounds_type_), "spike bound type");
        check(MPI_Op_create(&two_smallest_of, 1, &bounds_op_), "spike bound operation");
    }
    ~mpi_context() override {
        MPI_Op_free(&bounds_op_);
        MPI_Type_free(&bounds_type_);
        MPI_Op_free(&earliest_op_);
        MPI_Type_free(&candidate_type_);
    }
    mpi_context(const mpi_context&) = delete;
    mpi_context& operator=(const mpi_context&) = delete;

    int rank() const override { return rank_; }
    int size() const override { return size_; }
    MPI_Comm comm() const override { return comm_; }

    spike_candidate earliest(spike_candidate mine) override {
        spike_candidate out;
        check(MPI_Allreduce(&mine, &out, 1, candidate_type_, earliest_op_, comm_), "MPI_Allreduce of the next spike");
        return out;
    }

    two_bounds earliest_two(spike_bound mine) override {
        two_bounds in{mine, spike_bound{}}, out;
        check(MPI_Allreduce(&in, &out, 1, bounds_type_, bounds_op_, comm_), "MPI_Allreduce of the spike bounds");
        return out;
    }

    void gather_spikes(std::vector<spike_candidate>& mine, std::vector<spike_candidate>& all) override {
        constexpr int bytes = int(sizeof(spike_candidate));
        if (mine.size() > std::size_t(std::numeric_limits<int>::max() / bytes))
            throw std::runtime_error("too many spikes in one exchange window");
        const int n = int(mine.size()) * bytes;
        check(MPI_Allgather(&n, 1, MPI_INT, counts_.data(), 1, MPI_INT, comm_), "MPI_Allgather of the spike counts");
        long total = 0;
        for (std::size_t r = 0; r < counts_.size(); ++r) {
            displacements_[r] = int(total);
            total += counts_[r];
            if (total > std::numeric_limits<int>::max()) throw std::runtime_error("too many spikes in one exchange window");
        }
        all.resize(std::size_t(total) / sizeof(spike_candidate));
        check(MPI_Allgatherv(mine.data(), n, MPI_BYTE, all.data(), counts_.data(), displacements_.data(), MPI_BYTE,
                             comm_),
              "MPI_Allgatherv of the spikes");
    }

    std::uint64_t sum(std::uint64_t mine) override {
        std::uint64_t out = 0;
        check(MPI_Allreduce(&mine, &out, 1, MPI_UINT64_T, MPI_SUM, comm_), "MPI_Allreduce of a sum");
        return out;
    }

    std::vector<double> gather_all(double mine) override {
        std::vector<double> all(static_cast<std::size_t>(size_));
        check(MPI_Allgather(&mine, 1, MPI_DOUBLE, all.data(), 1, MPI_DOUBLE, comm_), "MPI_Allgather");
        return all;
    }

    void broadcast(double* values, int count) override {
        check(MPI_Bcast(values, count, MPI_DOUBLE, 0, comm_), "MPI_Bcast");
    }
    void broadcast(int* values, int count) override { check(MPI_Bcast(values, count, MPI_INT, 0, comm_), "MPI_Bcast"); }
    void barrier() override { check(MPI_Barrier(comm_), "MPI_Barrier"); }

private:
    MPI_Comm comm_;
    int rank_ = 0, size_ = 1;
    std::vector<int> counts_, displacements_;
    MPI_Datatype candidate_type_, bounds_type_;
    MPI_Op earliest_op_, bounds_op_;
};

}  // namespace

std::unique_ptr<context> make_mpi_context(MPI_Comm comm) { return std::make_unique<mpi_context>(comm); }

}  // namespace sparsechaos::parallel
