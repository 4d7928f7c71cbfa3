#pragma once
// PETSc error codes as C++ exceptions. PETSc's own PetscCall() returns the code to the caller,
// which only works inside functions that return PetscErrorCode; project code throws instead.
#include <petscsys.h>

#include <stdexcept>
#include <string>

namespace sparsechaos::petsc {

class error : public std::runtime_error {
public:
    error(PetscErrorCode code, const std::string& what) : std::runtime_error(what), code_(code) {}
    PetscErrorCode code() const { return code_; }

private:
    PetscErrorCode code_;
};

// Throws petsc::error naming the failed call, where it was made and PETSc's message.
[[noreturn]] void throw_error(PetscErrorCode code, const char* call, const char* file, int line);

inline void check(PetscErrorCode code, const char* call, const char* file, int line) {
    if (code != 0) [[unlikely]]
        throw_error(code, call, file, line);
}

}  // namespace sparsechaos::petsc

// SC_PETSC_CHECK(BVOrthogonalize(bv, R)); -- throws sparsechaos::petsc::error on failure.
#define SC_PETSC_CHECK(expr) ::sparsechaos::petsc::check((expr), #expr, __FILE__, __LINE__)
