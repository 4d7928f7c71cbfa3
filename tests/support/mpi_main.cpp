// gtest main for tests that run under mpiexec: MPI and a PETSc session around all tests, only
// rank 0 prints the full report, other ranks name just their failed tests, and every rank exits
// with the same code (failed anywhere = failed). BLAS is set up as in the programs.
#include <gtest/gtest.h>
#include <mpi.h>

#include <cstdio>

#include "sparsechaos/petsc/session.hpp"
#include "sparsechaos/tangent/blas_runtime.hpp"

namespace {

void report_failures_of_this_rank(int rank) {
    const auto& unit = *::testing::UnitTest::GetInstance();
    for (int s = 0; s < unit.total_test_suite_count(); ++s) {
        const auto& suite = *unit.GetTestSuite(s);
        for (int t = 0; t < suite.total_test_count(); ++t) {
            const auto& info = *suite.GetTestInfo(t);
            if (info.result()->Failed())
                std::fprintf(stderr, "rank %d: FAILED %s.%s\n", rank, suite.name(), info.name());
        }
    }
}

}  // namespace

int main(int argc, char** argv) {
    sparsechaos::tangent::configure_blas(argv);  // the BLAS set-up the programs use
    MPI_Init(&argc, &argv);
    int rank = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    ::testing::InitGoogleTest(&argc, argv);  // takes the --gtest_* flags out of argv
    int failed = 0;
    {
        sparsechaos::petsc::session petsc(argc, argv);
        if (rank != 0) {
            auto& listeners = ::testing::UnitTest::GetInstance()->listeners();
            delete listeners.Release(listeners.default_result_printer());
        }
        failed = RUN_ALL_TESTS() != 0;
        if (failed && rank != 0) report_failures_of_this_rank(rank);
    }
    int any_failed = 0;
    MPI_Allreduce(&failed, &any_failed, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    if (rank == 0 && any_failed && !failed) std::fprintf(stderr, "tests failed on other ranks (see above)\n");
    MPI_Finalize();
    return any_failed;
}
