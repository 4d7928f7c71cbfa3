#include "sparsechaos/engine/spike_agreement.hpp"

#include <stdexcept>

namespace sparsechaos::engine {
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

}  // namespace

mpi_spike_agreement::mpi_spike_agreement(MPI_Comm comm) : comm_(comm) {
    static_assert(sizeof(spike_candidate) == 16);
    static_assert(sizeof(two_bounds) == 48);
    check(MPI_Type_contiguous(int(sizeof(spike_candidate)), MPI_BYTE, &type_), "spike agreement type");
    check(MPI_Type_commit(&type_), "spike agreement type");
    check(MPI_Op_create(&earliest_of, 1, &op_), "spike agreement operation");
    check(MPI_Type_contiguous(int(sizeof(two_bounds)), MPI_BYTE, &bounds_type_), "spike bound type");
    check(MPI_Type_commit(&bounds_type_), "spike bound type");
    check(MPI_Op_create(&two_smallest_of, 1, &bounds_op_), "spike bound operation");
}

mpi_spike_agreement::~mpi_spike_agreement() {
    MPI_Op_free(&bounds_op_);
    MPI_Type_free(&bounds_type_);
    MPI_Op_free(&op_);
    MPI_Type_free(&type_);
}

spike_candidate mpi_spike_agreement::earliest(spike_candidate mine) {
    spike_candidate out;
    check(MPI_Allreduce(&mine, &out, 1, type_, op_, comm_), "MPI_Allreduce of the next spike");
    return out;
}

two_bounds mpi_spike_agreement::earliest_two(spike_bound mine) {
    two_bounds in{mine, spike_bound{}}, out;
    check(MPI_Allreduce(&in, &out, 1, bounds_type_, bounds_op_, comm_), "MPI_Allreduce of the spike bounds");
    return out;
}

}  // namespace sparsechaos::engine
