#include "sparsechaos/petsc/error.hpp"

#include "error_message.hpp"

namespace sparsechaos::petsc {

void throw_error(PetscErrorCode code, const char* call, const char* file, int line) {
    const char* text = nullptr;
    PetscErrorMessage(code, &text, nullptr);
    std::string what = std::string(call) + " failed at " + file + ":" + std::to_string(line) +
                       " with PETSc error " + std::to_string(int(code));
    if (text) what += " (" + std::string(text) + ")";
    const std::string detail = impl::take_last_petsc_message();
    if (!detail.empty()) what += ": " + detail;
    throw error(code, what);
}

}  // namespace sparsechaos::petsc
