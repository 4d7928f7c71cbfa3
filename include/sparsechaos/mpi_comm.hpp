#pragma once
// A communicator's rank and size as values (MPI returns them through pointers).
#include <mpi.h>

namespace sparsechaos {

inline int rank_of(MPI_Comm comm) {
    int r = 0;
    MPI_Comm_rank(comm, &r);
    return r;
}

inline int size_of(MPI_Comm comm) {
    int n = 1;
    MPI_Comm_size(comm, &n);
    return n;
}

}  // namespace sparsechaos
