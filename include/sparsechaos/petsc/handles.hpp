#pragma once
// Owning handles for PETSc/SLEPc objects: each destroys its object once, also when the code that
// made it throws, and must be gone before the petsc::session ends.
#include <petscmat.h>
#include <petscvec.h>
#include <slepcbv.h>
#include <slepcds.h>

#include <utility>

namespace sparsechaos::petsc {

template <class T, PetscErrorCode (*destroy)(T*)>
class handle {
public:
    handle() = default;
    explicit handle(T object) : object_(object) {}
    handle(handle&& o) noexcept : object_(std::exchange(o.object_, nullptr)) {}
    handle& operator=(handle&& o) noexcept {
        if (this != &o) {
            reset();
            object_ = std::exchange(o.object_, nullptr);
        }
        return *this;
    }
    handle(const handle&) = delete;
    handle& operator=(const handle&) = delete;
    ~handle() { reset(); }

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

using unique_vec = handle<Vec, VecDestroy>;
using unique_bv = handle<BV, BVDestroy>;
using unique_mat = handle<Mat, MatDestroy>;
using unique_ds = handle<DS, DSDestroy>;

}  // namespace sparsechaos::petsc
