#pragma once
// PETSc error codes as C++ exceptions. PETSc's own PetscCall() returns the code to the caller,
// which only works inside functions that return PetscErrorCode; project code throws instead.
#include <petscsys.h>

#include <stdexcept>
#include <string>

namespace sparsechaos::tangent {

class petsc_error : public std::runtime_error {
public:
    petsc_error(PetscErrorCode code, const std::string& what) : std::runtime_error(what), code_(code) {}
    PetscErrorCode code() const { return code_; }

private:
    PetscErrorCode code_;
};

// Throws petsc_error naming the failed call, where it was made and PETSc's message.
[[noreturn]] void throw_petsc_error(PetscErrorCode code, const char* call, const char* file, int line);

inline void check_petsc(PetscErrorCode code, const char* call, const char* file, int line) {
    if (code != 0) [[unlikely]]
        throw_petsc_error(code, call, file, line);
}

}  // namespace sparsechaos::tangent

// SC_PETSC_CHECK(BVOrthogonalize(bv, R)); -- throws sparsechaos::tangent::petsc_error on failure.
#define SC_PETSC_CHECK(expr) ::sparsechaos::tangent::check_petsc((expr), #expr, __FILE__, __LINE__)
