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

}  // namespace

mpi_spike_agreement::mpi_spike_agreement(MPI_Comm comm) : comm_(comm) {
    static_assert(sizeof(spike_candidate) == 16);
    if (MPI_Type_contiguous(int(sizeof(spike_candidate)), MPI_BYTE, &type_) != MPI_SUCCESS ||
        MPI_Type_commit(&type_) != MPI_SUCCESS || MPI_Op_create(&earliest_of, 1, &op_) != MPI_SUCCESS)
        throw std::runtime_error("cannot create the MPI type and operation of the spike agreement");
}

mpi_spike_agreement::~mpi_spike_agreement() {
    MPI_Op_free(&op_);
    MPI_Type_free(&type_);
}

spike_candidate mpi_spike_agreement::earliest(spike_candidate mine) {
    spike_candidate out;
    if (MPI_Allreduce(&mine, &out, 1, type_, op_, comm_) != MPI_SUCCESS)
        throw std::runtime_error("MPI_Allreduce of the next spike failed");
    return out;
}

}  // namespace sparsechaos::engine
