// PETSc errors become exceptions that name the failed call and carry PETSc's message.
#include <gtest/gtest.h>
#include <slepcbv.h>

#include <string>

#include "sparsechaos/petsc/error.hpp"

using sparsechaos::petsc::error;

TEST(PetscError, FailedCallThrowsWithItsNameAndMessage) {
    BV v = nullptr;
    Mat r = nullptr;
    SC_PETSC_CHECK(BVCreate(PETSC_COMM_SELF, &v));
    SC_PETSC_CHECK(BVSetSizes(v, 5, PETSC_DECIDE, 3));
    SC_PETSC_CHECK(BVSetType(v, BVSVEC));
    SC_PETSC_CHECK(MatCreateSeqDense(PETSC_COMM_SELF, 2, 2, nullptr, &r));
    try {
        // R must be at least 3 x 3 for three columns.
        SC_PETSC_CHECK(BVOrthogonalize(v, r));
        ADD_FAILURE() << "no exception";
    } catch (const error& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find("BVOrthogonalize(v, r)"), std::string::npos) << what;
        EXPECT_NE(what.find("test_session.cpp"), std::string::npos) << what;
        EXPECT_NE(what.find("smaller than the number of BV active columns"), std::string::npos) << what;
        EXPECT_NE(e.code(), 0);
    }
    SC_PETSC_CHECK(MatDestroy(&r));
    SC_PETSC_CHECK(BVDestroy(&v));
}

TEST(PetscError, OnlyNonzeroCodesThrow) {
    EXPECT_NO_THROW(SC_PETSC_CHECK(PetscErrorCode(0)));
    EXPECT_THROW(SC_PETSC_CHECK(PetscErrorCode(PETSC_ERR_ARG_SIZ)), error);
}
