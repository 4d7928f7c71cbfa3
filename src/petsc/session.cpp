#include "sparsechaos/petsc/session.hpp"

#include <mpi.h>
#include <slepcsys.h>

#include <stdexcept>
#include <string>

#include "error_message.hpp"
#include "sparsechaos/petsc/error.hpp"

namespace sparsechaos::petsc {

namespace impl {

namespace {
thread_local std::string last_message;
}

PetscErrorCode keep_petsc_message(MPI_Comm, int line, const char* function, const char* file,
                                  PetscErrorCode code, PetscErrorType type, const char* message,
                                  void*) {
    // The handler runs once where the error is raised (INITIAL) and once per frame it passes
    // on the way up (REPEAT); the first one says what went wrong.
    if (type == PETSC_ERROR_INITIAL) {
        last_message = std::string(message ? message : "") + " [" + (function ? function : "?") +
                       " " + (file ? file : "?") + ":" + std::to_string(line) + "]";
    }
    return code;
}

std::string take_last_petsc_message() {
    std::string m;
    m.swap(last_message);
    return m;
}

}  // namespace impl

session::session() { start(nullptr, nullptr); }

session::session(int& argc, char**& argv) { start(&argc, &argv); }

void session::start(int* argc, char*** argv) {
    int mpi_up = 0;
    MPI_Initialized(&mpi_up);
    if (!mpi_up) throw std::logic_error("petsc::session: initialize MPI before PETSc");
    PetscBool slepc_up = PETSC_FALSE;
    SC_PETSC_CHECK(SlepcInitialized(&slepc_up));
    if (slepc_up) return;  // someone else's session; they finalize it
    SC_PETSC_CHECK(SlepcInitialize(argc, argv, nullptr, nullptr));
    owns_ = true;
    SC_PETSC_CHECK(PetscPushErrorHandler(impl::keep_petsc_message, nullptr));
}

session::~session() {
    if (!owns_) return;
    PetscPopErrorHandler();
    SlepcFinalize();  // leaves MPI initialized: PETSc did not start it
}

}  // namespace sparsechaos::petsc
