#pragma once
// Owning handles for the PETSc/SLEPc objects of a rate network: each destroys its object once,
// and must be gone before the petsc_session ends.
#include <petscvec.h>
#include <slepcbv.h>

#include <utility>

namespace sparsechaos::rate {

template <class T, PetscErrorCode (*destroy)(T*)>
class petsc_handle {
public:
    petsc_handle() = default;
    explicit petsc_handle(T object) : object_(object) {}
    petsc_handle(petsc_handle&& o) noexcept : object_(std::exchange(o.object_, nullptr)) {}
    petsc_handle& operator=(petsc_handle&& o) noexcept {
        if (this != &o) {
            reset();
            object_ = std::exchange(o.object_, nullptr);
        }
        return *this;
    }
    petsc_handle(const petsc_handle&) = delete;
    petsc_handle& operator=(const petsc_handle&) = delete;
    ~petsc_handle() { reset(); }

    T get() const { return object_; }
    operator T() const { return object_; }
    T* out() {  // for PETSc's create functions; releases what was held
        reset();
        return &object_;
    }
    void reset() {
        if (object_) destroy(&object_);
        object_ = nullptr;
    }

private:
    T object_ = nullptr;
};

using unique_vec = petsc_handle<Vec, VecDestroy>;
using unique_bv = petsc_handle<BV, BVDestroy>;

}  // namespace sparsechaos::rate
