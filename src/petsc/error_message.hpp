#pragma once
// The message PETSc passed to the error handler the session installs, kept until the C++ caller
// turns the returned error code into an exception (private to src/petsc).
#include <petscsys.h>

#include <string>

namespace sparsechaos::petsc::impl {

PetscErrorCode keep_petsc_message(MPI_Comm, int line, const char* function, const char* file,
                                  PetscErrorCode code, PetscErrorType type, const char* message,
                                  void* context);
std::string take_last_petsc_message();

}  // namespace sparsechaos::petsc::impl
